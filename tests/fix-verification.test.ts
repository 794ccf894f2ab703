/**
 * The fix stage on real repositories: what passes verification is committed on
 * its own branch; what fails is not, and fails with its reason.
 */
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { createFixProcessor } from '@selfreview/fix/processor';
import { analyzeFile } from '@selfreview/scan/analyze';
import type { FixJob } from '@selfreview/shared/queues';
import { RunStore } from '@selfreview/shared/runs';
import type { FixItem } from '@selfreview/shared/schemas';
import type { Job } from 'bullmq';
import { UnrecoverableError } from 'bullmq';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixItem } from './helpers/factories.ts';
import { git, makeRepo, removeDir, tempDir, userState } from './helpers/git.ts';
import { cleanPrefix, connect, uniquePrefix } from './helpers/redis.ts';

const TSCONFIG = JSON.stringify({
  compilerOptions: { strict: true, noEmit: true, types: [] },
  files: ['src/a.ts', 'src/b.ts'],
});

/**
 * src/a.ts's import of './globals' looks unused by name, but it is what brings
 * the global type into the program: removing it breaks the typecheck.
 */
const FILES = {
  'tsconfig.json': TSCONFIG,
  'src/globals.ts': 'declare global {\n  type Meters = number;\n}\nexport const unit = "m";\n',
  'src/a.ts': "import { unit } from './globals';\nexport const height: Meters = 3;\n",
  'src/b.ts': "import { height } from './a';\nimport { unit } from './globals';\nexport const h = 1;\n",
};

function itemsFor(file: string, text: string): FixItem[] {
  return analyzeFile(file, text, { rules: ['unused-import'] }).candidates.map((candidate) =>
    fixItem(candidate),
  );
}

describe('fix batch verification', () => {
  const prefix = uniquePrefix('fixv');
  const redis = connect();
  const runs = new RunStore(redis, prefix);
  let repo: string;
  let dataDir: string;
  let sha: string;
  const log = pino({ level: 'silent' });
  const ctx = { job: { id: 'test' } as unknown as Job, log };

  beforeAll(async () => {
    repo = await makeRepo(FILES);
    dataDir = await tempDir();
    sha = await git(repo, 'rev-parse', 'HEAD');
  });
  afterAll(async () => {
    await cleanPrefix(redis, prefix);
    redis.disconnect();
    await removeDir(repo);
    await removeDir(dataDir);
  });

  const job = (batchId: string, files: FixJob['files']): FixJob => ({
    runId: 'run-fixv',
    repo: { path: repo },
    baseBranch: 'main',
    baseSha: sha,
    batchId,
    files,
  });

  it('commits the file that verifies and fails the one that adds a type error, with the reason', async () => {
    const before = await userState(repo);
    const processor = createFixProcessor({ runs, dataDir });
    const results = await processor(
      job('mixed', [
        { file: 'src/a.ts', items: itemsFor('src/a.ts', FILES['src/a.ts']) },
        { file: 'src/b.ts', items: itemsFor('src/b.ts', FILES['src/b.ts']) },
      ]),
      ctx,
    );
    const a = results.find((r) => r.file === 'src/a.ts');
    const b = results.find((r) => r.file === 'src/b.ts');
    expect(a).toMatchObject({
      status: 'failed',
      commit: null,
      branch: null,
      verification: { typecheck: 'fail' },
    });
    expect(a?.reason).toMatch(/^typecheck: 1 new diagnostic\(s\): TS2304/);
    expect(b).toMatchObject({ status: 'committed', rollback_ref: sha, lines_affected: [1, 2] });

    const branch = b?.branch ?? '';
    expect(await git(repo, 'diff', '--name-only', sha, branch)).toBe('src/b.ts');
    expect(await git(repo, 'show', `${branch}:src/b.ts`)).toBe('export const h = 1;');
    expect(await userState(repo)).toEqual(before);
    // The worktree is gone whatever happened.
    const wtRoot = path.join(dataDir, 'worktrees');
    const left = existsSync(wtRoot) ? await readdir(wtRoot, { recursive: true }) : [];
    expect(left.filter((p) => p.toString().includes('mixed'))).toEqual([]);
    expect(await runs.fixResults('run-fixv')).toHaveLength(2);
  });

  it('commits nothing and fails the job when every file fails verification', async () => {
    // Only a.ts brings in the global type here, so its fix can't pass.
    const solo = await makeRepo({
      'tsconfig.json': JSON.stringify({ compilerOptions: { strict: true, types: [] }, files: ['src/a.ts'] }),
      'src/globals.ts': FILES['src/globals.ts'],
      'src/a.ts': FILES['src/a.ts'],
    });
    try {
      const soloSha = await git(solo, 'rev-parse', 'HEAD');
      const before = await userState(solo);
      const processor = createFixProcessor({ runs, dataDir });
      const data = {
        ...job('allbad', [{ file: 'src/a.ts', items: itemsFor('src/a.ts', FILES['src/a.ts']) }]),
      };
      await expect(processor({ ...data, repo: { path: solo }, baseSha: soloSha }, ctx)).rejects.toThrow(
        UnrecoverableError,
      );
      expect(await git(solo, 'branch', '--list', 'selfreview/*')).toBe('');
      expect(await userState(solo)).toEqual(before);
      const recorded = (await runs.fixResults('run-fixv')).filter((r) => r.batchId === 'allbad');
      expect(recorded).toMatchObject([{ file: 'src/a.ts', status: 'failed', commit: null }]);
      expect(recorded[0]?.reason).toMatch(/^typecheck: /);
    } finally {
      await removeDir(solo);
    }
  });

  it('reuses the branch of an earlier attempt of the same batch instead of making a second commit', async () => {
    const processor = createFixProcessor({ runs, dataDir });
    const data = job('again', [{ file: 'src/b.ts', items: itemsFor('src/b.ts', FILES['src/b.ts']) }]);
    const first = await processor(data, ctx);
    // Forget the recorded results, as if the worker had crashed right after committing.
    await cleanPrefix(redis, prefix);
    const second = await processor(data, ctx);
    expect(second[0]).toMatchObject({
      status: 'committed',
      commit: first[0]?.commit,
      branch: first[0]?.branch,
    });
    expect(await git(repo, 'rev-list', '--count', `${sha}..${first[0]?.branch}`)).toBe('1');
  });

  it('fails an item whose change breaks a hard gate, naming the gate, and commits nothing', async () => {
    const guarded = await makeRepo({
      ...FILES,
      'selfreview.config.json': JSON.stringify({ protectedPaths: ['src/b.ts'] }),
    });
    try {
      const guardedSha = await git(guarded, 'rev-parse', 'HEAD');
      const processor = createFixProcessor({ runs, dataDir });
      const run = processor(
        {
          ...job('guarded', [{ file: 'src/b.ts', items: itemsFor('src/b.ts', FILES['src/b.ts']) }]),
          repo: { path: guarded },
          baseSha: guardedSha,
        },
        ctx,
      );
      await expect(run).rejects.toThrow(/gate protected_path: protected paths changed: src\/b\.ts/);
      const recorded = (await runs.fixResults('run-fixv')).find((r) => r.batchId === 'guarded');
      expect(recorded).toMatchObject({ status: 'failed', commit: null });
      expect(await git(guarded, 'branch', '--list', 'selfreview/*')).toBe('');
    } finally {
      await removeDir(guarded);
    }
  });

  it('carries over items that have no codemod instead of failing them', async () => {
    const [candidate] = analyzeFile('src/b.ts', FILES['src/b.ts'], { rules: ['unused-import'] }).candidates;
    const processor = createFixProcessor({ runs, dataDir });
    const results = await processor(
      job('waiting', [
        {
          file: 'src/b.ts',
          items: [
            { candidate: candidate as FixItem['candidate'], changeType: 'resolve_todo', confidence: 0.8 },
          ],
        },
      ]),
      ctx,
    );
    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({ status: 'carried_over', change_type: 'resolve_todo', commit: null });
    expect(results[0]?.reason).toBe('needs_llm: resolve_todo waits for the model fixer');
  });
});
