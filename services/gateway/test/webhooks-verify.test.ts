import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { verifyGitHubSignature, verifyGitLabToken } from '../src/webhooks/verify.ts';

describe('verifyGitHubSignature', () => {
  // From GitHub's docs, "Validating webhook deliveries".
  const secret = "It's a Secret to Everybody";
  const body = Buffer.from('Hello, World!');
  const hex = '757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17';

  it('accepts the published test vector', () => {
    expect(verifyGitHubSignature(body, `sha256=${hex}`, secret)).toEqual({ ok: true });
  });

  it('accepts uppercase hex of the right value', () => {
    expect(verifyGitHubSignature(body, `sha256=${hex.toUpperCase()}`, secret)).toEqual({ ok: true });
  });

  it('signs the raw bytes, not a re-encoding of them', () => {
    const raw = Buffer.from('{"a": "é"}\n', 'utf8');
    const signature = createHmac('sha256', 's').update(raw).digest('hex');
    expect(verifyGitHubSignature(raw, `sha256=${signature}`, 's')).toEqual({ ok: true });
    expect(verifyGitHubSignature(Buffer.from('{"a":"é"}'), `sha256=${signature}`, 's')).toEqual({
      ok: false,
      reason: 'mismatch',
    });
  });

  it('rejects a tampered body or a wrong secret as a mismatch', () => {
    const mismatch = { ok: false, reason: 'mismatch' };
    expect(verifyGitHubSignature(Buffer.from('Hello, World?'), `sha256=${hex}`, secret)).toEqual(mismatch);
    expect(verifyGitHubSignature(Buffer.from('Hello, World! '), `sha256=${hex}`, secret)).toEqual(mismatch);
    expect(verifyGitHubSignature(body, `sha256=${hex}`, "It's a secret to everybody")).toEqual(mismatch);
    expect(verifyGitHubSignature(body, `sha256=${'0'.repeat(64)}`, secret)).toEqual(mismatch);
  });

  it('never accepts with an empty secret, even a correct HMAC under it', () => {
    const signature = createHmac('sha256', '').update(body).digest('hex');
    expect(verifyGitHubSignature(body, `sha256=${signature}`, '')).toEqual({ ok: false, reason: 'mismatch' });
  });

  it.each([undefined, ''])('reports a missing header: %j', (header) => {
    expect(verifyGitHubSignature(body, header, secret)).toEqual({ ok: false, reason: 'missing' });
  });

  it.each([
    ['sha1 prefix', `sha1=${hex.slice(0, 40)}`],
    ['sha1 prefix with a sha256 value', `sha1=${hex}`],
    ['no prefix', hex],
    ['uppercase prefix', `SHA256=${hex}`],
    ['too short', `sha256=${hex.slice(0, 63)}`],
    ['too long', `sha256=${hex}0`],
    ['empty value', 'sha256='],
    ['non-hex', `sha256=${'g'.repeat(64)}`],
    ['non-ASCII of the right length', `sha256=${'é'.repeat(64)}`],
    ['surrounding space', ` sha256=${hex}`],
    ['trailing newline', `sha256=${hex}\n`],
  ])('reports a malformed header: %s', (_name, header) => {
    expect(verifyGitHubSignature(body, header, secret)).toEqual({ ok: false, reason: 'malformed' });
  });
});

describe('verifyGitLabToken', () => {
  it('accepts the expected token', () => {
    expect(verifyGitLabToken('s3cret-token', 's3cret-token')).toEqual({ ok: true });
  });

  it.each([undefined, ''])('reports a missing token: %j', (header) => {
    expect(verifyGitLabToken(header, 's3cret-token')).toEqual({ ok: false, reason: 'missing' });
  });

  it.each([
    ['different, same length', 's3cret-tokeN'],
    ['shorter', 's3cret'],
    ['longer', 's3cret-token-and-more'],
    ['case differs', 'S3CRET-TOKEN'],
  ])('rejects a token that is %s', (_name, header) => {
    expect(verifyGitLabToken(header, 's3cret-token')).toEqual({ ok: false, reason: 'mismatch' });
  });

  it('never accepts when no token is configured', () => {
    expect(verifyGitLabToken('anything', '')).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifyGitLabToken('', '')).toEqual({ ok: false, reason: 'missing' });
  });
});
