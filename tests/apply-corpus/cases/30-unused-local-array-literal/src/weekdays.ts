export function isWeekend(date: Date): boolean {
  const WEEKDAY_NAMES = ['mon', 'tue', 'wed', 'thu', 'fri'];
  const day = date.getUTCDay();
  return day === 0 || day === 6;
}
