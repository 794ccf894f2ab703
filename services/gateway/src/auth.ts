/**
 * The dashboard's and API's protection: HTTP basic authentication with credentials from the
 * environment (compared in constant time), and a same-origin check on every request that
 * changes state, because a browser sends basic credentials along with cross-site requests.
 * Pure functions of the request's headers, so they are tested without a server.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

export type Credentials = { user: string; password: string };

/**
 * The user name when an `Authorization: Basic …` header carries exactly these credentials
 * (the audit log says who acted), otherwise null.
 */
export function authenticatedUser(header: string | undefined, expected: Credentials | null): string | null {
  if (!expected || !header) return null;
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!m?.[1]) return null;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return null;
  // Both compared, always, so the time taken does not say which one was wrong.
  const userOk = sameSecret(decoded.slice(0, colon), expected.user);
  const passwordOk = sameSecret(decoded.slice(colon + 1), expected.password);
  return userOk && passwordOk ? expected.user : null;
}

/** Constant-time equality of two strings of any lengths (their digests are compared). */
export function sameSecret(a: string, b: string): boolean {
  const da = createHash('sha256').update(a).digest();
  const db = createHash('sha256').update(b).digest();
  return timingSafeEqual(da, db);
}

/** Methods that change nothing: no same-origin check, no audit entry, allowed on the read-only dashboard. */
export const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * A state-changing request is refused unless it comes from the dashboard's own origin:
 * `Sec-Fetch-Site` (sent by every current browser) must say same-origin, and an `Origin`
 * header, when present, must name this host. Tools like curl send neither and pass: they
 * are not a browser that could be tricked into sending someone's credentials.
 */
export function crossSiteRefusal(
  method: string,
  headers: { host?: string | undefined; origin?: string | undefined; 'sec-fetch-site'?: string | undefined },
): string | null {
  if (SAFE_METHODS.has(method.toUpperCase())) return null;
  const site = headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') {
    return `cross-site request refused (Sec-Fetch-Site: ${site})`;
  }
  const origin = headers.origin;
  if (origin !== undefined && origin !== 'null') {
    let originHost: string;
    try {
      originHost = new URL(origin).host;
    } catch {
      return 'cross-site request refused (malformed Origin)';
    }
    if (originHost !== headers.host) return `cross-site request refused (Origin ${origin})`;
  } else if (origin === 'null') {
    return 'cross-site request refused (Origin null)';
  }
  return null;
}

/** The dashboard credentials from the environment; null (everything behind auth answers 401) when unset. */
export function credentialsFromEnv(env: Readonly<Record<string, string | undefined>>): Credentials | null {
  const user = env.SELFREVIEW_UI_USER;
  const password = env.SELFREVIEW_UI_PASSWORD;
  if (!user || !password) return null;
  return { user, password };
}

/** A request header's value; the first when it was sent more than once. */
export function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
