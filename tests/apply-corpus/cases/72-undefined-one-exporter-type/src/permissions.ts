const admins = new Set<string>(['u1']);

export function isAdmin(id: UserId): boolean {
  return admins.has(id);
}
