const trail: string[] = [];

function record(event: string): string {
  trail.push(event);
  return event;
}

export function login(user: string): boolean {
  const entry = { event: record(`login:${user}`), at: Date.now() };
  return trail.length > 0;
}
