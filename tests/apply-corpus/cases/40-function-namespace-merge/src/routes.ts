function route(path: string): string {
  return `/api/${path}`;
}

namespace route {
  export const prefix = '/api';
}

export function health(): string {
  return '/api/health';
}
