const registry = new Map<string, unknown>();

export function Injectable(): ClassDecorator {
  return (target) => {
    registry.set(target.name, target);
  };
}

export function Logged(): MethodDecorator {
  return (_target, key, descriptor) => {
    console.debug(`decorated ${String(key)}`);
    return descriptor;
  };
}
