export function formatDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}

export function parseDate(text: string): Date {
  return new Date(`${text}T00:00:00Z`);
}
