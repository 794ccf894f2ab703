export function parseFlags(args: string[]): Set<string> {
  // TODO: revisit this
  return new Set(args.filter((a) => a.startsWith('--')).map((a) => a.slice(2)));
}
