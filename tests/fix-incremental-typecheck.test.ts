/**
 * Incremental verification (issue 16, item 4): a batch's typecheck starts from the base
 * commit's `.tsbuildinfo` kept in the per-commit cache, in its own worktree, in the sandbox,
 * and still catches every new error; a cached build info that is not what was cached, or that
 * tsc cannot read, means a full check that catches it too.
 *
 * `Verifier` is not among @selfreview/fix's exports, so it is imported from its source.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
// The registry, which reading a repository's configuration needs.
import '@selfreview/checks';
import { defaultRepoConfig } from '@selfreview/shared/config';
import { Repository, type Worktree } from '@selfreview/shared/workspace';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILD_INFO_DIR, sha256 } from '../services/fix/src/build-info.ts';
import { Verifier } from '../services/fix/src/verification.ts';
import { git, makeRepo, removeDir, tempDir } from './helpers/git.ts';

const FILES = {
  'tsconfig.json': JSON.stringify({
    compilerOptions: { strict: true, noEmit: true, types: [] },
    include: ['src'],
  }),
  'src/lib.ts': 'export function area(w: number, h: number): number {\n  return w * h;\n}\n',
  'src/other.ts': 'export const spare = 1;\n',
  'src/use.ts':
    "import { area } from './lib';\nimport { spare } from './other';\n\nexport const a = area(2, 3);\n",
  // Wrong at the base already: its diagnostic is replayed from the build info, and is not new.
  'src/old.ts':
    "import { area } from './lib';\n\nexport const n: number = 'x';\nexport const m = area(1, 1);\n",
};

const WITHOUT_UNUSED = "import { area } from './lib';\n\nexport const a = area(2, 3);\n";
/** Removes the import that is used: a new error in the changed file. */
const WITHOUT_USED = "import { spare } from './other';\n\nexport const a = area(2, 3) + spare;\n";

describe('incremental typecheck of a batch', () => {
  let repoDir: string;
  let repo: Repository;
  let sha: string;
  let dataDir: string;
  let cacheDir: string;
  const worktrees: Worktree[] = [];
  const config = defaultRepoConfig().fix;
  let batches = 0;

  beforeAll(async () => {
    repoDir = await makeRepo(FILES);
    repo = await Repository.open(repoDir);
    sha = await git(repoDir, 'rev-parse', 'HEAD');
    dataDir = await tempDir();
    cacheDir = path.join(dataDir, 'verify-cache');
  });
  afterAll(async () => {
    for (const wt of worktrees) await repo.removeWorktree(wt.dir);
    await removeDir(repoDir);
    await removeDir(dataDir);
  });

  /** A new batch: its own worktree at the base commit and its own verifier, on the shared cache. */
  async function batch(): Promise<{ wt: Worktree; verifier: Verifier }> {
    batches += 1;
    const wt = await repo.addWorktree(
      path.join(dataDir, 'worktrees', `b${batches}`),
      sha,
      `selfreview/incremental-${batches}`,
    );
    worktrees.push(wt);
    return { wt, verifier: new Verifier(wt, config, cacheDir, undefined) };
  }

  async function cached(): Promise<{ json: string; info: string }> {
    const names = await readdir(cacheDir);
    const info = names.filter((n) => n.endsWith('.tsbuildinfo'));
    expect(info).toHaveLength(1);
    const key = (info[0] as string).slice(0, -'.tsbuildinfo'.length);
    return { json: path.join(cacheDir, `${key}.json`), info: path.join(cacheDir, info[0] as string) };
  }

  it('runs the base once, caches its diagnostics with its build info, and checks the first batch incrementally', async () => {
    const { wt, verifier } = await batch();
    await verifier.baseline(['src/use.ts']);
    const { json, info } = await cached();
    const entry = JSON.parse(await readFile(json, 'utf8')) as {
      diagnostics: { file: string; code: number }[];
      buildInfo: string;
    };
    expect(entry.diagnostics.map((d) => [d.file, d.code])).toEqual([['src/old.ts', 2322]]);
    expect(entry.buildInfo).toBe(sha256(await readFile(info)));

    await writeFile(path.join(wt.dir, 'src/use.ts'), WITHOUT_UNUSED);
    const verdict = await verifier.typecheck(['src/use.ts']);
    expect(verdict).toEqual({ error: null, regressions: [] });
    expect(verifier.lastRun.get('tsconfig.json')).toBe('incremental');
    // Untracked in the worktree, where the sandbox lets tsc write it; never part of a change.
    expect(existsSync(path.join(wt.dir, BUILD_INFO_DIR))).toBe(true);
  });

  it("catches a new error in a later batch whose check starts from the cache's build info", async () => {
    const { wt, verifier } = await batch();
    await verifier.baseline(['src/use.ts']);
    // The base came from the cache: nothing ran in this worktree yet.
    expect(existsSync(path.join(wt.dir, BUILD_INFO_DIR))).toBe(false);

    await writeFile(path.join(wt.dir, 'src/use.ts'), WITHOUT_USED);
    const verdict = await verifier.typecheck(['src/use.ts']);
    expect(verifier.lastRun.get('tsconfig.json')).toBe('incremental');
    expect(verdict.error).toBeNull();
    expect(verdict.regressions.map((r) => [r.file, r.added.map((d) => d.code)])).toEqual([
      ['src/use.ts', [2304]],
    ]);

    // The next round starts from what this check wrote: the file put back is clean again.
    await writeFile(path.join(wt.dir, 'src/use.ts'), WITHOUT_UNUSED);
    expect(await verifier.typecheck(['src/use.ts'])).toEqual({ error: null, regressions: [] });
    expect(verifier.lastRun.get('tsconfig.json')).toBe('incremental');
  });

  it('catches a new error in a file the batch did not change, confirmed by a full check', async () => {
    const { wt, verifier } = await batch();
    await verifier.baseline(['src/lib.ts']);
    await writeFile(
      path.join(wt.dir, 'src/lib.ts'),
      'export function area(w: number): number {\n  return w;\n}\n',
    );
    const verdict = await verifier.typecheck(['src/lib.ts']);
    expect(verdict.error).toBeNull();
    expect(verdict.regressions.map((r) => [r.file, r.added.map((d) => d.code)])).toEqual([
      ['src/old.ts', [2554]],
      ['src/use.ts', [2554]],
    ]);
    expect(verifier.lastRun.get('tsconfig.json')).toBe('full');
  });

  it("replays the unchanged files' diagnostics from the cached build info; one that differs from the base means a full check", async () => {
    const { json, info } = await cached();
    const good = await readFile(info);
    const goodEntry = await readFile(json, 'utf8');
    // The base's diagnostic in src/old.ts, as the build info remembers it, reworded.
    const planted = Buffer.from(
      good.toString('utf8').replace("Type 'string' is not assignable", "Type 'string' is planted"),
    );
    expect(planted.equals(good)).toBe(false);
    await writeFile(info, planted);
    await writeFile(json, JSON.stringify({ ...JSON.parse(goodEntry), buildInfo: sha256(planted) }));
    try {
      const { wt, verifier } = await batch();
      await verifier.baseline(['src/use.ts']);
      await writeFile(path.join(wt.dir, 'src/use.ts'), WITHOUT_UNUSED);
      // The incremental run (in another worktree than the base's) replayed the planted text for
      // src/old.ts, a file the batch did not change: the full check has the last word.
      expect(await verifier.typecheck(['src/use.ts'])).toEqual({ error: null, regressions: [] });
      expect(verifier.lastRun.get('tsconfig.json')).toBe('full');
    } finally {
      await writeFile(info, good);
      await writeFile(json, goodEntry);
    }
  });

  it("rechecks only the changed file when its declarations stay the same (the base's build info has their signatures)", async () => {
    const { json, info } = await cached();
    const good = await readFile(info);
    const goodEntry = await readFile(json, 'utf8');
    const planted = Buffer.from(
      good.toString('utf8').replace("Type 'string' is not assignable", "Type 'string' is planted"),
    );
    await writeFile(info, planted);
    await writeFile(json, JSON.stringify({ ...JSON.parse(goodEntry), buildInfo: sha256(planted) }));
    try {
      const { wt, verifier } = await batch();
      await verifier.baseline(['src/lib.ts']);
      // The body changes, the declaration of `area` does not: src/old.ts, which imports it, is
      // not checked again, and its planted diagnostic comes back (then a full check, as above).
      // Built without the seed, every importer would be checked again and nothing planted seen.
      await writeFile(
        path.join(wt.dir, 'src/lib.ts'),
        'export function area(w: number, h: number): number {\n  return h * w;\n}\n',
      );
      expect(await verifier.typecheck(['src/lib.ts'])).toEqual({ error: null, regressions: [] });
      expect(verifier.lastRun.get('tsconfig.json')).toBe('full');
    } finally {
      await writeFile(info, good);
      await writeFile(json, goodEntry);
    }
  });

  it('checks in full when the cached build info is not what was cached, and still catches the error', async () => {
    const { info } = await cached();
    const good = await readFile(info);
    await writeFile(info, good.subarray(0, Math.floor(good.length / 2)));
    try {
      const { wt, verifier } = await batch();
      await verifier.baseline(['src/use.ts']);
      await writeFile(path.join(wt.dir, 'src/use.ts'), WITHOUT_USED);
      const verdict = await verifier.typecheck(['src/use.ts']);
      expect(verifier.lastRun.get('tsconfig.json')).toBe('full');
      expect(verdict.regressions.map((r) => [r.file, r.added.map((d) => d.code)])).toEqual([
        ['src/use.ts', [2304]],
      ]);
    } finally {
      await writeFile(info, good);
    }
  });

  it('still catches the error when tsc is handed a build info it cannot read', async () => {
    const { json, info } = await cached();
    const good = await readFile(info);
    const goodEntry = await readFile(json, 'utf8');
    // Garbage recorded as what was cached: the hash matches, so tsc gets it.
    const garbage = Buffer.from('{"version":"not json');
    await writeFile(info, garbage);
    await writeFile(json, JSON.stringify({ ...JSON.parse(goodEntry), buildInfo: sha256(garbage) }));
    try {
      const { wt, verifier } = await batch();
      await verifier.baseline(['src/use.ts']);
      await writeFile(path.join(wt.dir, 'src/use.ts'), WITHOUT_USED);
      const verdict = await verifier.typecheck(['src/use.ts']);
      expect(verdict.error).toBeNull();
      expect(verdict.regressions.map((r) => [r.file, r.added.map((d) => d.code)])).toEqual([
        ['src/use.ts', [2304]],
      ]);
      // Nothing else is new: the base's own error in src/old.ts is still known.
      await writeFile(path.join(wt.dir, 'src/use.ts'), WITHOUT_UNUSED);
      expect(await verifier.typecheck(['src/use.ts'])).toEqual({ error: null, regressions: [] });
    } finally {
      await writeFile(info, good);
      await writeFile(json, goodEntry);
    }
  });
});
