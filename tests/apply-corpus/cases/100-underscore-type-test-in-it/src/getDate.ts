export function getDate<DateType extends Date>(date: DateType, options?: { in?: string }): number {
  return options?.in ? date.getUTCDate() : date.getDate();
}
