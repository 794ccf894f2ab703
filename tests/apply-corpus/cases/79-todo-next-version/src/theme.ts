export type Theme = 'light' | 'dark';

export function resolveTheme(preferred: Theme | undefined): Theme {
  // TODO: add a high-contrast theme in the next version
  return preferred ?? 'light';
}
