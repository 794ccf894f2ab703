interface User {
  id: string;
  name: string;
  passwordHash: string;
}

export function toPublicUser(user: User): Omit<User, 'passwordHash'> {
  const { passwordHash, ...publicUser } = user;
  return publicUser;
}
