export function listUsers(users: string[]): string[] {
  // TODO: 다음 버전에서 페이지네이션 지원
  return [...users].sort();
}
