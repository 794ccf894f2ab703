export type UserId = string & { readonly brand: 'UserId' };

export function asUserId(raw: string): UserId {
  return raw as UserId;
}
