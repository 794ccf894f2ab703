type Hook = (name: string, payload: unknown) => void;

const hooks: Hook[] = [];

// selfreview-ignore-next-line unused-parameter
function audit(name: string, payload: unknown): void {
  console.info(`hook ${name}`);
}

export function install(): number {
  hooks.push(audit);
  return hooks.length;
}
