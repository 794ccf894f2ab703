type Listener = (payload: string) => void;
type LegacyListener = (payload: string, legacy: true) => void;

const listeners: Listener[] = [];

export function on(listener: Listener): void {
  listeners.push(listener);
}

export function emit(payload: string): void {
  for (const listener of listeners) listener(payload);
}
