export function setVolume(level: number): number {
  return clamp(level, 0, 11);
}
