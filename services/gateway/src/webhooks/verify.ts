/**
 * Authenticity checks for incoming webhooks. Pure and total: every input gives a
 * result, nothing throws, so a bad request can only ever become a 401, never a 500.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export type GitHubSignatureCheck = { ok: true } | { ok: false; reason: 'missing' | 'malformed' | 'mismatch' };
export type GitLabTokenCheck = { ok: true } | { ok: false; reason: 'missing' | 'mismatch' };

const GITHUB_SIGNATURE = /^sha256=([0-9a-fA-F]{64})$/;

/**
 * Checks `X-Hub-Signature-256: sha256=<hex>`, the HMAC-SHA256 of the raw body bytes
 * (before any JSON parsing) keyed with the webhook secret. Hex may be either case.
 * An empty secret never verifies: it would mean the endpoint is not configured.
 */
export function verifyGitHubSignature(
  rawBody: Buffer,
  header: string | undefined,
  secret: string,
): GitHubSignatureCheck {
  if (header === undefined || header === '') return { ok: false, reason: 'missing' };
  const hex = GITHUB_SIGNATURE.exec(header)?.[1];
  if (hex === undefined) return { ok: false, reason: 'malformed' };
  const received = Buffer.from(hex, 'hex');
  const expected = createHmac('sha256', secret).update(rawBody).digest();
  if (received.length !== expected.length) return { ok: false, reason: 'malformed' };
  if (!timingSafeEqual(received, expected) || secret === '') return { ok: false, reason: 'mismatch' };
  return { ok: true };
}

/**
 * Checks `X-Gitlab-Token` against the configured token. Both sides are hashed first so
 * the comparison is over equal-length buffers and takes the same time whatever the
 * lengths. An empty header is missing; an empty expected token therefore never matches.
 */
export function verifyGitLabToken(header: string | undefined, expected: string): GitLabTokenCheck {
  if (header === undefined || header === '') return { ok: false, reason: 'missing' };
  const received = createHash('sha256').update(header, 'utf8').digest();
  const wanted = createHash('sha256').update(expected, 'utf8').digest();
  if (!timingSafeEqual(received, wanted)) return { ok: false, reason: 'mismatch' };
  return { ok: true };
}
