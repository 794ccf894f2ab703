import type { Session, Token } from './auth';

export function isExpired(session: Session, now: number): boolean {
  return session.expiresAt <= now;
}
