export function primaryColor(): string {
  return window.appTheme.primary;
}
