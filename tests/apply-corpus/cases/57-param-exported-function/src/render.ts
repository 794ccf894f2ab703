export interface RenderOptions {
  escape: boolean;
}

export function render(template: string, values: Record<string, string>, options: RenderOptions): string {
  return template.replace(/\{(\w+)\}/g, (_match, key: string) => values[key] ?? '');
}
