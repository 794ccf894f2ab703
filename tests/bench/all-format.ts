/** Number formats and cell escaping for `pnpm bench`'s rows and table, so that both print alike. */

export const MB = 2 ** 20;

export function seconds(msValue: number): string {
  return `${(msValue / 1000).toFixed(2)} s`;
}

export function ms(value: number): string {
  return value.toFixed(1);
}

export function times(ratio: number): string {
  return `${ratio.toFixed(2)}×`;
}

export function percent(share: number): string {
  return `${(share * 100).toFixed(0)}%`;
}

export function megabytes(bytes: number): string {
  return Math.round(bytes / MB).toLocaleString('en-US');
}

export function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 200 ? `${flat.slice(0, 197)}...` : flat;
}

/** Table cells hold one line and no unescaped pipe. */
export function cell(text: string): string {
  return oneLine(text).replace(/\|/g, '\\|');
}
