export function apiUrl(): string {
  return process.env.API_URL ?? 'http://localhost:3000';
}

export function toBase64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}
