const active = new Set<Watcher>();

class Watcher {
  constructor(readonly dir: string, readonly onChange: (file: string) => void) {
    active.add(this);
  }
}

export function watchConfig(dir: string, reload: () => void): number {
  const watcher = new Watcher(dir, () => reload());
  return active.size;
}
