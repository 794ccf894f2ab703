interface Plugin {
  setup(name: string, options: Record<string, unknown>): void;
}

const loaded: string[] = [];

class LoggingPlugin implements Plugin {
  setup(name: string, options: Record<string, unknown>): void {
    loaded.push(name);
  }
}

export function loadAll(): string[] {
  new LoggingPlugin().setup('logging', {});
  return loaded;
}
