export const circle = (r: number): number => Math.PI * r * r;
export const square = (s: number): number => s * s;
export const triangle = (b: number, h: number): number => (b * h) / 2;
