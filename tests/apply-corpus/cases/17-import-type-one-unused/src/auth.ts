export interface Session {
  userId: string;
  expiresAt: number;
}

export interface Token {
  value: string;
}
