export function toWindows(path: string): string {
  return path.replace(/\//g, '\\');
}
