/**
 * Items a batch could not finish stay queued: a batch that runs out of time kills what it
 * started, removes its worktree and hands its items to a follow-up batch; so does a batch
 * with more files than it may take. After a few follow-ups they wait for the next scan.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { createFixProcessor, MAX_CARRIES } from '@selfreview/fix/processor';
import { analyzeFile } from '@selfreview/scan/analyze';
import { RunLifecycle } from '@selfreview/shared/coordinator';
import { isProcessRunning } from '@selfreview/shared/process-identity';
import type { FixJob } from '@selfreview/shared/queues';
import { RunStore } from '@selfreview/shared/runs';
import type { FixItem } from '@selfreview/shared/schemas';
import type { Job } from 'bullmq';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixItem } from './helpers/factories.ts';
import { git, makeRepo, removeDir, tempDir } from './helpers/git.ts';
import { cleanPrefix, connect, uniquePrefix } from './helpers/redis.ts';

const SOURCES: Record<string, string> = {
  'tsconfig.json': JSON.stringify({
    compilerOptions: { strict: true, noEmit: true, types: [] },
    include: ['src'],
  }),
  'src/m.ts': 'export const a = 1;\nexport const b = 2;\n',
  'src/a.ts': "import { a, b } from './m';\nexport const x = a;\n",
  'src/b.ts': "import { a, b } from './m';\nexport const y = b;\n",
  'src/c.ts': "import { a, b } from './m';\nexport const z = a;\n",
};

// The hanging "tests" write their host pid to a file outside the worktree, which the sandbox
// for repository code hides (tests/security-sandbox.test.ts covers it): run without it here.
process.env.SELFREVIEW_SANDBOX = 'off';

function itemsFor(file: string): FixItem[] {
  return analyzeFile(file, SOURCES[file] ?? '', { rules: ['unused-import'] }).candidates.map((candidate) =>
    fixItem(candidate, { confidence: 0.95 }),
  );
}

describe('carrying over what a batch did not finish', () => {
  const prefix = uniquePrefix('carry');
  const redis = connect();
  const runs = new RunStore(redis, prefix);
  const lifecycle = new RunLifecycle(redis, prefix);
  const log = pino({ level: 'silent' });
  const ctx = { job: { id: 'test' } as unknown as Job, log };
  let scratch: string;
  let dataDir: string;

  beforeAll(async () => {
    scratch = await tempDir();
    dataDir = await tempDir();
  });
  afterAll(async () => {
    await cleanPrefix(redis, prefix);
    redis.disconnect();
    await removeDir(scratch);
    await removeDir(dataDir);
  });

  it('a batch past its time limit kills its tests, removes its worktree and hands its items on', async () => {
    const pidFile = path.join(scratch, 'tests.pid');
    // The repository's "tests" never end: the batch's 9-second limit must stop them. The typecheck
    // is a no-op here, so that on a loaded machine the limit is met in the tests, not before them.
    const repo = await makeRepo({
      ...SOURCES,
      'test/hang.cjs': `require('node:fs').writeFileSync(${JSON.stringify(pidFile)}, String(process.pid));\nsetInterval(() => {}, 1000);\n`,
      'selfreview.config.json': JSON.stringify({
        fix: {
          maxMinutes: 0.15,
          typecheck: { command: ['node', '-e', '0'] },
          test: { command: ['node', 'test/hang.cjs'] },
        },
      }),
    });
    try {
      const sha = await git(repo, 'rev-parse', 'HEAD');
      const requeued: FixJob[] = [];
      const processor = createFixProcessor({
        runs,
        lifecycle,
        dataDir,
        requeue: async (j) => void requeued.push(j),
      });
      const data: FixJob = {
        runId: 'run-late',
        repo: { path: repo },
        baseBranch: 'main',
        baseSha: sha,
        batchId: 'run-late-b-1',
        files: [{ file: 'src/a.ts', items: itemsFor('src/a.ts') }],
      };
      const results = await processor(data, ctx);

      expect(results).toHaveLength(1);
      expect(results[0]).toMatchObject({ status: 'carried_over', commit: null, branch: null });
      expect(results[0]?.reason).toBe('batch time limit of 0.15 min; continues in batch run-late-b-1-c1-1');
      expect(requeued).toEqual([{ ...data, batchId: 'run-late-b-1-c1-1', carry: 1 }]);
      expect((await lifecycle.progress('run-late')).open.fix).toBe(1);

      const pid = Number(await readFile(pidFile, 'utf8'));
      // Gone, or ended and not yet reaped by an init that does not reap orphans.
      expect(isProcessRunning(pid)).toBe(false);
      const worktrees = path.join(dataDir, 'worktrees');
      const left = existsSync(worktrees) ? await readdir(worktrees, { recursive: true }) : [];
      expect(left.filter((p) => p.toString().includes('run-late'))).toEqual([]);
      expect(await git(repo, 'branch', '--list', 'selfreview/*')).toBe('');
    } finally {
      await removeDir(repo);
    }
  });

  it('files beyond the batch limit go to a follow-up batch; after the last follow-up they wait for the next scan', async () => {
    const repo = await makeRepo(SOURCES);
    try {
      const sha = await git(repo, 'rev-parse', 'HEAD');
      const requeued: FixJob[] = [];
      const processor = createFixProcessor({
        runs,
        lifecycle,
        dataDir,
        requeue: async (j) => void requeued.push(j),
      });
      const files = ['src/a.ts', 'src/b.ts', 'src/c.ts'].map((file) => ({ file, items: itemsFor(file) }));
      const data: FixJob = {
        runId: 'run-wide',
        repo: { path: repo },
        baseBranch: 'main',
        baseSha: sha,
        batchId: 'run-wide-b-1',
        files,
      };
      const results = await processor(data, ctx);
      expect(results.map((r) => [r.file, r.status])).toEqual([
        ['src/a.ts', 'committed'],
        ['src/b.ts', 'committed'],
        ['src/c.ts', 'carried_over'],
      ]);
      expect(results[2]?.reason).toBe('batch limit of 2 files; continues in batch run-wide-b-1-c1-1');
      expect(requeued).toEqual([{ ...data, batchId: 'run-wide-b-1-c1-1', carry: 1, files: [files[2]] }]);

      const last = await processor({ ...data, batchId: 'run-wide-b-1-c3-1', carry: MAX_CARRIES }, ctx);
      expect(last[2]?.reason).toBe(
        `batch limit of 2 files; carried over ${MAX_CARRIES} times, left for the next scan`,
      );
      expect(requeued).toHaveLength(1);
    } finally {
      await removeDir(repo);
    }
  });
});
