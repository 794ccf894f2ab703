/**
 * A worker told to stop (SIGTERM) mid-job finishes that job and exits 0 without
 * taking another; a new worker carries on with the rest. No job is lost.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FROM_SOURCE } from './helpers/cli.ts';
import { git, makeRepo, removeDir, tempDir } from './helpers/git.ts';
import { cleanPrefix, testRedisUrl, uniquePrefix } from './helpers/redis.ts';

const SCAN_MAIN = fileURLToPath(new URL('../services/scan/src/main.ts', import.meta.url));

type Proc = { child: ChildProcess; output: () => string; exited: Promise<number | null> };

function startScanWorker(env: Record<string, string>): Proc {
  const child = spawn(process.execPath, [...FROM_SOURCE, SCAN_MAIN], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (c: Buffer) => {
    out += c.toString();
  });
  child.stderr?.on('data', (c: Buffer) => {
    out += c.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

async function until(what: string, check: () => boolean | Promise<boolean>, limitMs = 60_000): Promise<void> {
  for (let waited = 0; waited < limitMs; waited += 50) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Enough source that one scan takes a noticeable while. */
function bigRepoFiles(): Record<string, string> {
  const files: Record<string, string> = { 'tsconfig.json': '{ "compilerOptions": { "strict": true } }\n' };
  for (let i = 0; i < 300; i++) {
    const body = Array.from(
      { length: 150 },
      (_, j) => `export function f${i}_${j}(x: number): number {\n  return x * ${j}; // TODO: check ${j}\n}`,
    ).join('\n');
    files[`src/m${i}.ts`] = `import { readFileSync } from 'node:fs';\n${body}\n`;
  }
  return files;
}

describe('graceful shutdown of a worker', () => {
  let repo: string;
  let dataDir: string;
  const prefix = uniquePrefix('sigterm');
  let connection: Redis;
  let queue: Queue;
  const workers: Proc[] = [];

  beforeAll(async () => {
    repo = await makeRepo(bigRepoFiles());
    dataDir = await tempDir();
    connection = new Redis(testRedisUrl(), { maxRetriesPerRequest: null });
    queue = new Queue('scan', { connection, prefix });
  });

  afterAll(async () => {
    for (const w of workers) if (w.child.exitCode === null) w.child.kill('SIGKILL');
    await queue.close();
    await cleanPrefix(connection, prefix);
    connection.disconnect();
    await removeDir(repo);
    await removeDir(dataDir);
  });

  it('finishes the current job, exits 0, and a new worker processes the rest', async () => {
    const sha = await git(repo, 'rev-parse', 'HEAD');
    const env = {
      REDIS_URL: testRedisUrl(),
      SELFREVIEW_PREFIX: prefix,
      SELFREVIEW_DATA_DIR: dataDir,
      LOG_LEVEL: 'info',
    };
    for (const n of [1, 2, 3]) {
      await queue.add(
        'full-scan',
        { runId: `sig-${n}`, repo: { path: repo }, baseBranch: 'main', baseSha: sha, mode: 'full' },
        { jobId: `sig-${n}`, attempts: 1 },
      );
    }

    const first = startScanWorker(env);
    workers.push(first);
    await until('the first job to start', () => first.output().includes('"msg":"job started"'));
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    expect(first.output()).toContain('"msg":"shutting down"');
    expect(first.output()).toContain('"msg":"stopped"');

    // The job it was working on was finished, not dropped; it took no other.
    const afterFirst = await queue.getJobCounts('completed', 'waiting', 'active', 'failed');
    expect(afterFirst).toEqual({ completed: 1, waiting: 2, active: 0, failed: 0 });

    const second = startScanWorker(env);
    workers.push(second);
    await until('all jobs to complete', async () => (await queue.getJobCounts('completed')).completed === 3);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
    expect(await queue.getJobCounts('completed', 'waiting', 'active', 'failed', 'delayed')).toEqual({
      completed: 3,
      waiting: 0,
      active: 0,
      failed: 0,
      delayed: 0,
    });
  });
});
