interface Options {
  trim: boolean;
  lower: boolean;
}

export function normalize(input: string, options: Options): string {
  const opts = options;
  let out = input;
  if (options.trim) out = out.trim();
  if (options.lower) out = out.toLowerCase();
  return out;
}
