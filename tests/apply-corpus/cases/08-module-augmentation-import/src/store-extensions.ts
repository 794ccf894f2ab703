import { Store } from './store';

declare module './store' {
  interface Store {
    clear(): void;
    size(): number;
  }
}
