enum LegacyStatus {
  Open = 'open',
  Closed = 'closed',
}

export type Status = 'open' | 'closed' | 'archived';

export function isActive(status: Status): boolean {
  return status === 'open';
}
