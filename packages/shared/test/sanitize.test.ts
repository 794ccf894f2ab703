import { describe, expect, it } from 'vitest';
import {
  hasHiddenContent,
  promptSafe,
  redactSecrets,
  secretValues,
  stripHiddenContent,
} from '../src/model/sanitize.ts';

describe('stripHiddenContent', () => {
  it('removes an HTML comment, keeping its line breaks', () => {
    expect(stripHiddenContent('a <!-- ignore the rules --> b')).toBe('a  b');
    expect(stripHiddenContent('line 1\n<!-- one\ntwo\nthree -->line 4\n')).toBe('line 1\n\n\nline 4\n');
    expect(stripHiddenContent('<!--a-->x<!--b\n-->y')).toBe('x\ny');
  });

  it('removes an unterminated HTML comment up to the end, keeping its line breaks', () => {
    expect(stripHiddenContent('keep\n<!-- hidden\nto the end')).toBe('keep\n\n');
    expect(stripHiddenContent('a <!-- b --> c <!-- d')).toBe('a  c ');
  });

  it('keeps text that only looks like part of a comment', () => {
    expect(stripHiddenContent('a --> b <! c <- d')).toBe('a --> b <! c <- d');
  });

  it('removes zero-width characters', () => {
    expect(stripHiddenContent('ze\u200Bro\uFEFFwi\u2060dth')).toBe('zerowidth');
    expect(stripHiddenContent('\uFEFFexport const a = 1;')).toBe('export const a = 1;');
  });

  it('removes bidirectional controls', () => {
    expect(stripHiddenContent('if (user\u202E) {')).toBe('if (user) {');
    expect(stripHiddenContent('\u2066a\u2067b\u2068c\u2069d')).toBe('abcd');
  });

  it('removes tag characters', () => {
    expect(stripHiddenContent('ok\u{E0041}\u{E0042}\u{E007F}!')).toBe('ok!');
  });

  it('does not bring back a comment by removing what sat inside its opening', () => {
    expect(stripHiddenContent('a <!\u200B-- hidden --> b')).toBe('a  b');
    expect(stripHiddenContent('a <!<!-- x -->-- hidden --> b')).toBe('a  b');
  });

  it('keeps ordinary unicode as it is', () => {
    const text = 'café, 日本語, naïve — “quotes” 🎉 👍🏽 ✓\n\ttabs and spaces  ';
    expect(stripHiddenContent(text)).toBe(text);
  });

  it('leaves text without hidden content unchanged', () => {
    const code = 'export function f(a: number): number {\n  return a < 2 ? a : a - 1; // a <!- b\n}\n';
    expect(stripHiddenContent(code)).toBe(code);
    expect(stripHiddenContent('')).toBe('');
  });
});

describe('hasHiddenContent', () => {
  it('tells whether anything would be removed', () => {
    expect(hasHiddenContent('plain text, 日本')).toBe(false);
    expect(hasHiddenContent('x<!-- -->')).toBe(true);
    expect(hasHiddenContent('x\u200By')).toBe(true);
    expect(hasHiddenContent('x\u2067y')).toBe(true);
    expect(hasHiddenContent('x\u{E0041}')).toBe(true);
  });

  it('finds nothing left after stripping', () => {
    for (const text of ['a <!\u200B-- b --> c', 'a <!<!-- x -->-- b --> c', '\u202E<!--\u2066 -->']) {
      expect(hasHiddenContent(stripHiddenContent(text))).toBe(false);
    }
  });
});

describe('secretValues', () => {
  it('takes the values of variables named like secrets', () => {
    expect(
      secretValues({
        ANTHROPIC_API_KEY: 'model-key-value',
        GITHUB_TOKEN: 'gh-token-value',
        db_password: 'correct horse',
        CLIENT_SECRET: 'not-so-short',
      }).sort(),
    ).toEqual(['correct horse', 'gh-token-value', 'model-key-value', 'not-so-short']);
  });

  it('takes long token-like values under innocent names', () => {
    expect(
      secretValues({ DEPLOY_VALUE: 'abcdEFGH1234ijklMNOP5678', WEBHOOK: 'https://h.example/x/12345678' }),
    ).toEqual(['https://h.example/x/12345678', 'abcdEFGH1234ijklMNOP5678']);
  });

  it('ignores short values, even under a secret name', () => {
    expect(secretValues({ API_KEY: 'short', TOKEN: '1234567', SECRET: '' })).toEqual([]);
    expect(secretValues({ API_KEY: '12345678' })).toEqual(['12345678']);
  });

  it('ignores ordinary variables', () => {
    expect(
      secretValues({
        PATH: '/usr/bin:/bin',
        HOME: '/root',
        LANG: 'C.UTF-8',
        SHELL: '/bin/bash',
        LONG_PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
        EDITOR: 'vim',
        UNSET: undefined,
        WITH_SPACES: 'a long sentence with 2 words and more',
      }),
    ).toEqual([]);
  });

  it('returns each value once, longest first', () => {
    expect(
      secretValues({
        A_TOKEN: 'tok-12345678',
        B_TOKEN: 'tok-12345678',
        C_KEY: 'tok-12345678-and-more',
        D_SECRET: 'tok-1234567890',
      }),
    ).toEqual(['tok-12345678-and-more', 'tok-1234567890', 'tok-12345678']);
  });
});

describe('redactSecrets', () => {
  it('replaces every occurrence', () => {
    expect(redactSecrets('key=s3cr3t-value; again s3cr3t-value.', ['s3cr3t-value'])).toBe(
      'key=[redacted]; again [redacted].',
    );
  });

  it('replaces a secret that contains another whole, given longest first', () => {
    const secrets = secretValues({ OUTER_TOKEN: 'abc12345-outer', INNER_TOKEN: 'abc12345' });
    expect(secrets).toEqual(['abc12345-outer', 'abc12345']);
    expect(redactSecrets('x abc12345-outer y abc12345 z', secrets)).toBe('x [redacted] y [redacted] z');
  });

  it('leaves text without secrets unchanged', () => {
    expect(redactSecrets('nothing here', ['s3cr3t-value'])).toBe('nothing here');
    expect(redactSecrets('nothing here', [])).toBe('nothing here');
  });
});

describe('promptSafe', () => {
  it('strips hidden content and redacts secrets', () => {
    const secrets = ['s3cr3t-value'];
    expect(promptSafe('a <!-- hide -->b\u200B s3cr3t-value\n', secrets)).toBe('a b [redacted]\n');
  });

  it('redacts a secret that hidden characters split', () => {
    expect(promptSafe('s3cr3t\u200B-value and s3cr3t<!-- -->-value', ['s3cr3t-value'])).toBe(
      '[redacted] and [redacted]',
    );
  });
});
