/**
 * The compiler's code cache (src/typescript.cjs), in real child processes: each loads the
 * compiler as a worker does, parses a line and says what happened to the cache.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const SHIM = fileURLToPath(new URL('../src/typescript.cjs', import.meta.url));
const PROBE = `
const ts = require(${JSON.stringify(SHIM)});
const file = ts.createSourceFile('a.ts', 'export const answer: number = 42;', ts.ScriptTarget.Latest);
const cache = globalThis[Symbol.for('selfreview.typescriptCodeCache')];
console.log(JSON.stringify({ state: cache.state, statements: file.statements.length, version: ts.version }));
`;

async function load(cacheDir: string): Promise<{ state: string; statements: number; version: string }> {
  const { stdout } = await promisify(execFile)(process.execPath, ['-e', PROBE], {
    env: { ...process.env, SELFREVIEW_CODE_CACHE_DIR: cacheDir },
    timeout: 60_000,
  });
  return JSON.parse(stdout);
}

describe('the compiler code cache', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });
  const tempDir = async () => {
    const d = await mkdtemp(path.join(os.tmpdir(), 'selfreview-code-cache-'));
    dirs.push(d);
    return d;
  };

  it('is written once, private to the user, then used; the compiler works either way', async () => {
    const cacheDir = path.join(await tempDir(), 'v8');
    const first = await load(cacheDir);
    expect(first).toMatchObject({ state: 'written', statements: 1 });
    const [entry, ...others] = await readdir(cacheDir);
    expect(others).toEqual([]);
    expect((await stat(cacheDir)).mode & 0o777).toBe(0o700);
    expect((await stat(path.join(cacheDir, entry as string))).mode & 0o777).toBe(0o600);
    expect(await load(cacheDir)).toEqual({ ...first, state: 'used' });
  });

  it('replaces a cache V8 refuses, and compiles without one it cannot write or is told not to use', async () => {
    const cacheDir = path.join(await tempDir(), 'v8');
    await load(cacheDir);
    const [entry] = await readdir(cacheDir);
    await writeFile(path.join(cacheDir, entry as string), 'not a code cache');
    expect(await load(cacheDir)).toMatchObject({ state: 'replaced', statements: 1 });
    expect(await load(cacheDir)).toMatchObject({ state: 'used', statements: 1 });

    const aFile = path.join(await tempDir(), 'a-file');
    await writeFile(aFile, '');
    expect(await load(path.join(aFile, 'v8'))).toMatchObject({ state: 'unwritable', statements: 1 });
    expect(await load('off')).toMatchObject({ state: 'off', statements: 1 });
  });
});
