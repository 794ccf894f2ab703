import { brand, danger } from './colors';

export function buttonStyle(): string {
  return `background: ${brand}`;
}
