export function clamp(value: number, bounds: [number, number]): number {
  return Math.min(bounds[1], Math.max(bounds[0], value));
}
