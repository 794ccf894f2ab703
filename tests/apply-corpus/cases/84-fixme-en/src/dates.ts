export function addDays(date: Date, days: number): Date {
  // FIXME: breaks across daylight-saving transitions, use UTC arithmetic
  return new Date(date.getTime() + days * 24 * 60 * 60 * 1000);
}
