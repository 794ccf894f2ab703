// selfreview-ignore-file unused-import
import { circle, square, triangle } from './shapes';

export function totalArea(radii: number[]): number {
  return radii.reduce((sum, r) => sum + circle(r), 0);
}
