import { describe, expect, it } from 'vitest';
import { findAddedSecrets } from '../src/secrets.ts';

// Token-shaped test values, not real credentials.
const GITHUB = ['ghp', 'wWPw5k4aXcaT4fNP0UcnZwJUVFk6LO0pINUx'].join('_');
const SLACK = ['xoxb', '123456789012', '1234567890123', 'AbCdEfGhIjKlMnOpQrStUvWx'].join('-');
const PEM = ['-----BEGIN', 'RSA PRIVATE KEY-----'].join(' ');

describe('findAddedSecrets', () => {
  it('finds well-known tokens and private keys the change adds, with their lines', async () => {
    const after = `export const a = 1;\nconst t = '${GITHUB}';\nconst s = '${SLACK}';\nconst k = \`${PEM}\`;\n`;
    expect(await findAddedSecrets('src/a.ts', 'export const a = 1;\n', after)).toEqual([
      { file: 'src/a.ts', line: 2, kind: 'github' },
      { file: 'src/a.ts', line: 3, kind: 'slack' },
      { file: 'src/a.ts', line: 4, kind: 'private key' },
    ]);
  });

  it('ignores secrets that were already there, and deleted files', async () => {
    const before = `const t = '${GITHUB}';\n`;
    expect(await findAddedSecrets('src/a.ts', before, `// moved\n${before}`)).toEqual([]);
    expect(await findAddedSecrets('src/a.ts', before, null)).toEqual([]);
  });

  it('finds nothing in ordinary code', async () => {
    expect(await findAddedSecrets('src/a.ts', null, "const token = process.env.TOKEN ?? '';\n")).toEqual([]);
  });
});
