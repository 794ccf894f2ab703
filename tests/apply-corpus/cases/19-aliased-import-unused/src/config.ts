export function readConfig(text: string): Record<string, string> {
  return Object.fromEntries(text.split('\n').map((line) => line.split('=') as [string, string]));
}

export function writeConfig(values: Record<string, string>): string {
  return Object.entries(values).map(([k, v]) => `${k}=${v}`).join('\n');
}
