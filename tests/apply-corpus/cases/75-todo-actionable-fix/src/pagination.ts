export function pageCount(total: number, pageSize: number): number {
  // TODO: fix off-by-one when total is an exact multiple of pageSize
  return Math.floor(total / pageSize) + 1;
}
