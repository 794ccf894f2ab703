export function registerMetrics(prefix: string): void {
  console.debug(`metrics under ${prefix}`);
}
