interface Profile {
  displayName: string;
  email: string;
  avatarUrl: string;
}

export function greeting(profile: Profile): string {
  const { displayName, email } = profile;
  return `Hello, ${displayName}!`;
}
