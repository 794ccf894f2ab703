/**
 * For the tests of fix on the shapes of real repositories (tests/fix-real-shapes*.test.ts): the
 * items scan reports and apply queues, a strict tsconfig, this checkout's vitest linked into a
 * repository, and one batch at a time through the fix processor in this process, checking that
 * the user's checkout is never touched.
 */
import { mkdir, symlink } from 'node:fs/promises';
import path from 'node:path';
import { createFixProcessor, type FixDeps } from '@selfreview/fix/processor';
import type { FixJob } from '@selfreview/shared/queues';
import { RunStore } from '@selfreview/shared/runs';
import type { FixItem } from '@selfreview/shared/schemas';
import type { Job } from 'bullmq';
import { pino } from 'pino';
import { afterAll, expect } from 'vitest';
import { ROOT } from './build.ts';
import { fixItem, unusedImport } from './factories.ts';
import { git, removeDir, tempDir, userState } from './git.ts';
import { cleanPrefix, connect, uniquePrefix } from './redis.ts';

export const STRICT = { strict: true, noEmit: true, noUnusedLocals: true, types: [] as string[] };

/** An unused `const` of `file`: what scan reports and apply queues. */
export function unusedLocal(file: string, name: string, line: number, initializer: string): FixItem {
  return {
    candidate: {
      id: `unused-local:${file}:${name}`,
      rule: 'unused-local',
      file,
      line,
      endLine: line,
      message: `'${name}' is declared but its value is never read.`,
      evidence: {
        kind: 'unused-local',
        name,
        declarationKind: 'variable',
        initializer,
        destructured: false,
        code: 6133,
        statement: `const ${name} = ${initializer};`,
      },
    },
    changeType: 'remove_unused_local',
    confidence: 0.9,
  };
}

/** An unused named import of `file`: what scan reports (in tsc's words) and apply queues. */
export function unusedImportItem(file: string, name: string, line: number, from: string): FixItem {
  const candidate = unusedImport(file, name, { line, from });
  return fixItem(
    { ...candidate, message: `'${name}' is declared but its value is never read.` },
    { confidence: 0.95 },
  );
}

/** Installs this checkout's vitest in `repo`'s node_modules (linked), as `npm install` would. */
export async function linkVitest(repo: string): Promise<void> {
  await mkdir(path.join(repo, 'node_modules', '.bin'), { recursive: true });
  await symlink(path.join(ROOT, 'node_modules', 'vitest'), path.join(repo, 'node_modules', 'vitest'));
  await symlink(
    path.join(ROOT, 'node_modules', '.bin', 'vitest'),
    path.join(repo, 'node_modules', '.bin', 'vitest'),
  );
}

/**
 * The calling file's run store (its own Redis prefix) and folders to remove, both cleaned up in
 * its afterAll, and `run`: one batch of `files` of `repo` at its HEAD as run `run-<batchId>`, in a
 * fresh data folder or the `shared` one, with `extra` dependencies (a worktree pool, say).
 */
export function shapesTestBed() {
  const prefix = uniquePrefix('shapes');
  const redis = connect();
  const runs = new RunStore(redis, prefix);
  const log = pino({ level: 'silent' });
  const ctx = { job: { id: 'test' } as unknown as Job, log };
  const cleanup: string[] = [];

  afterAll(async () => {
    await cleanPrefix(redis, prefix);
    redis.disconnect();
    for (const dir of cleanup) await removeDir(dir);
  });

  async function run(
    repo: string,
    batchId: string,
    files: FixJob['files'],
    shared?: string,
    extra: Partial<FixDeps> = {},
  ) {
    const dataDir = shared ?? (await tempDir());
    cleanup.push(repo, dataDir);
    const baseSha = await git(repo, 'rev-parse', 'HEAD');
    const before = await userState(repo);
    const processor = createFixProcessor({ runs, dataDir, ...extra });
    const results = await processor(
      { runId: `run-${batchId}`, repo: { path: repo }, baseBranch: 'main', baseSha, batchId, files },
      ctx,
    ).catch((err: Error) => {
      throw new Error(`batch ${batchId}: ${err.message}`);
    });
    // The user's branch, index and working tree are never touched.
    expect(await userState(repo)).toEqual(before);
    const warnings = await runs.warnings(`run-${batchId}`);
    return { results, baseSha, warnings };
  }

  return { runs, cleanup, run };
}
