/**
 * The sandbox's modes on a machine where bubblewrap cannot run: server mode refuses to start a
 * worker (and tells `selfreview up` why) unless the operator opted out; outside server mode
 * repository code runs without it, with a warning on the run.
 */
import path from 'node:path';
import { createFixProcessor } from '@selfreview/fix/processor';
import type { FixJob } from '@selfreview/shared/queues';
import { RunStore } from '@selfreview/shared/runs';
import { resolveSandbox, sandboxAtStart, serverSandboxProblem } from '@selfreview/shared/sandbox';
import type { Job } from 'bullmq';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { oneFileBatch, startFixWorker, until } from './helpers/fix-worker.ts';
import { git, makeRepo, removeDir, tempDir } from './helpers/git.ts';
import { cleanPrefix, connect, testRedisUrl, uniquePrefix } from './helpers/redis.ts';
import { sandboxSources } from './helpers/sandbox.ts';

describe('sandbox modes', () => {
  const log = pino({ level: 'silent' });
  // A bwrap that is not there stands for a machine where the sandbox cannot run; the mode is
  // the default (auto) whatever this process's environment says.
  const missing = { SELFREVIEW_SANDBOX: '', SELFREVIEW_SANDBOX_BWRAP: '/nonexistent/bwrap' };

  it('server mode refuses to start a worker without the sandbox, with one line and exit 2; SELFREVIEW_SANDBOX=off lets it start', async () => {
    const dataDir = await tempDir();
    const prefix = uniquePrefix('sandbox-mode');
    try {
      const common = {
        REDIS_URL: testRedisUrl(),
        SELFREVIEW_PREFIX: prefix,
        SELFREVIEW_DATA_DIR: dataDir,
        SELFREVIEW_SERVER_CONFIG: path.join(dataDir, 'server.yaml'),
        ...missing,
      };
      const refused = startFixWorker(common);
      expect(await refused.exited).toBe(2);
      expect(refused.output()).toContain(
        'selfreview fix worker: the sandbox for repository code (bubblewrap) cannot run here: /nonexistent/bwrap (SELFREVIEW_SANDBOX_BWRAP) does not exist',
      );
      expect(refused.output()).toContain('SELFREVIEW_SANDBOX=off');

      const optedOut = startFixWorker({ ...common, SELFREVIEW_SANDBOX: 'off' });
      try {
        // Past the sandbox's check, with the warning (what it checks after is not this test's).
        await until(
          'the opted-out worker to warn',
          () => optedOut.output().includes('runs WITHOUT a sandbox'),
          60_000,
        );
        expect(optedOut.output()).not.toContain('cannot run here');
      } finally {
        optedOut.child.kill('SIGKILL');
        await optedOut.exited;
      }
    } finally {
      const redis = connect();
      await cleanPrefix(redis, prefix);
      redis.disconnect();
      await removeDir(dataDir);
    }
  }, 120_000);

  it('`selfreview up` is told why it must not start, unless the operator opted out', async () => {
    expect(await serverSandboxProblem({ ...process.env, ...missing })).toMatch(
      /^the sandbox for repository code \(bubblewrap\) cannot run here: .*; .*or set SELFREVIEW_SANDBOX=off/,
    );
    expect(await serverSandboxProblem({ ...process.env, ...missing, SELFREVIEW_SANDBOX: 'off' })).toBeNull();
    expect(await serverSandboxProblem({ ...process.env, SELFREVIEW_SANDBOX: '' })).toBeNull();
  });

  it('outside server mode, a machine without the sandbox runs repository code with a warning on the run', async () => {
    expect(
      await resolveSandbox({ ...process.env, ...missing, SELFREVIEW_SERVER_CONFIG: 'x.yaml' }),
    ).toMatchObject({
      mode: 'refused',
    });
    expect(await sandboxAtStart({ env: { ...process.env, ...missing }, log, who: 'test' })).toBe(true);

    const redis = connect();
    const prefix = uniquePrefix('sandbox-off');
    const runs = new RunStore(redis, prefix);
    const dataDir = await tempDir();
    const files = sandboxSources({});
    const repo = await makeRepo(files);
    try {
      const baseSha = await git(repo, 'rev-parse', 'HEAD');
      const processor = createFixProcessor({ runs, dataDir });
      const job: FixJob = oneFileBatch(files, 'src/a.ts', {
        runId: 'run-off',
        repo,
        baseSha,
        batchId: 'run-off-b-1',
      });
      const results = await processor(job, { job: { id: 'test' } as unknown as Job, log });
      expect(results).toMatchObject([{ status: 'committed' }]);
      expect(await runs.warnings('run-off')).toContain(
        'repository code (tests, typecheck, fix.setup) ran without a sandbox: the sandbox for repository code (bubblewrap) cannot run here: /nonexistent/bwrap (SELFREVIEW_SANDBOX_BWRAP) does not exist',
      );
    } finally {
      await cleanPrefix(redis, prefix);
      redis.disconnect();
      await removeDir(repo);
      await removeDir(dataDir);
    }
  }, 120_000);
});
