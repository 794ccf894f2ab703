import { danger } from './colors';

export function alertStyle(): string {
  return `color: ${danger}`;
}
