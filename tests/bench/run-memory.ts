/**
 * Redis memory per run (issue 17 item 5, capacity): what one whole run leaves in Redis, kept for
 * the retention settings (run state 14 days, completed jobs 7 days and at most 1,000 per queue,
 * failed jobs 30 days and at most 5,000, findings' memory per its own expiry).
 *
 *   node --conditions=source --import tsx tests/bench/run-memory.ts [REPOSITORY ...] [--timeout MINUTES]
 *
 * For the bundled example (always) and each REPOSITORY (a git checkout; its committed state is
 * cloned into a temporary folder, so the checkout is never touched): a private redis-server on a
 * free loopback port, then the built CLI's `selfreview run` against it (REDIS_URL), as a person
 * runs it. Afterwards the keys left under the run's prefix are grouped and sized with
 * MEMORY USAGE: the run's own state (`<prefix>:run:{id}:*`), the queues' jobs and bookkeeping
 * (`<prefix>:<queue>:*`), the findings' memory and the rest, with Redis's `used_memory` before
 * and after. Prints one markdown table on stdout, progress on stderr.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { Redis } from 'ioredis';
import { BUILT_CLI, build } from '../helpers/build.ts';
import { startRedisServer } from '../helpers/redis-server.ts';

const exec = promisify(execFile);
const PREFIX = 'selfreview';
const QUEUES = ['trigger', 'scan', 'apply', 'fix', 'publish'];

type Sized = { keys: number; bytes: number };
type Result = {
  repository: string;
  ok: boolean;
  error?: string;
  seconds: number;
  candidates: number;
  decisions: number;
  fixes: number;
  batches: number;
  usedMemoryDelta: number;
  groups: Record<string, Sized>;
};

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    args: process.argv.slice(2),
    options: { timeout: { type: 'string', default: '20' } },
    allowPositionals: true,
    strict: true,
  });
  const timeoutMinutes = Number(values.timeout);
  if (!(timeoutMinutes > 0)) throw new Error('--timeout takes a number of minutes > 0');
  await build();
  const results: Result[] = [];
  for (const repository of [undefined, ...positionals.map((p) => path.resolve(p))]) {
    results.push(await measure(repository, timeoutMinutes));
  }
  process.stdout.write(`${render(results)}\n`);
}

async function measure(repository: string | undefined, timeoutMinutes: number): Promise<Result> {
  const label = repository ? path.basename(repository) : 'bundled example';
  const dir = await mkdtemp(path.join(os.tmpdir(), 'selfreview-run-memory-'));
  const redisServer = await startRedisServer({ port: await freePort(), dir, aof: false });
  const redis = new Redis(redisServer.url, { maxRetriesPerRequest: 1 });
  const started = Date.now();
  try {
    const before = await usedMemory(redis);
    let target: string[] = [];
    if (repository) {
      const clone = path.join(dir, 'repo');
      await exec('git', ['clone', '--quiet', '--no-hardlinks', '--', repository, clone]);
      target = [clone];
    }
    const reportFile = path.join(dir, 'report.json');
    log(`${label}: selfreview run`);
    const code = await runCli(
      ['run', ...target, '--report', reportFile, '--timeout', String(timeoutMinutes)],
      {
        REDIS_URL: redisServer.url,
        SELFREVIEW_PREFIX: PREFIX,
        SELFREVIEW_DATA_DIR: path.join(dir, 'data'),
      },
      (timeoutMinutes + 2) * 60_000,
    );
    const seconds = (Date.now() - started) / 1000;
    const report = JSON.parse(await readFile(reportFile, 'utf8').catch(() => '{}')) as {
      candidates?: unknown[];
      decisions?: unknown[];
      fixes?: { batchId: string }[];
    };
    const groups = await sizeKeys(redis);
    const after = await usedMemory(redis);
    log(`${label}: done in ${seconds.toFixed(0)} s (exit ${code})`);
    return {
      repository: label,
      ok: code === 0 || code === 1,
      ...(code === 0 || code === 1 ? {} : { error: `selfreview run exited ${code}` }),
      seconds,
      candidates: report.candidates?.length ?? 0,
      decisions: report.decisions?.length ?? 0,
      fixes: report.fixes?.length ?? 0,
      batches: new Set((report.fixes ?? []).map((f) => f.batchId)).size,
      usedMemoryDelta: after - before,
      groups,
    };
  } finally {
    redis.disconnect();
    await redisServer.stop('SIGTERM');
    await rm(dir, { recursive: true, force: true });
  }
}

/** The keys under PREFIX, grouped by what keeps them, each group's count and MEMORY USAGE. */
async function sizeKeys(redis: Redis): Promise<Record<string, Sized>> {
  const groups: Record<string, Sized> = {};
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${PREFIX}:*`, 'COUNT', 1000);
    cursor = next;
    for (const key of keys) {
      const group = groupOf(key);
      const bytes = Number((await redis.memory('USAGE', key, 'SAMPLES', '0')) ?? 0);
      const g = groups[group] ?? { keys: 0, bytes: 0 };
      g.keys += 1;
      g.bytes += bytes;
      groups[group] = g;
    }
  } while (cursor !== '0');
  return groups;
}

function groupOf(key: string): string {
  const rest = key.slice(PREFIX.length + 1);
  if (rest.startsWith('run:')) return 'run state';
  const queue = rest.split(':')[0] ?? '';
  if (QUEUES.includes(queue)) return `queue ${queue}`;
  if (rest.startsWith('memory')) return 'findings memory';
  return 'other';
}

async function usedMemory(redis: Redis): Promise<number> {
  const info = await redis.info('memory');
  return Number(/^used_memory:(\d+)/m.exec(info)?.[1] ?? 0);
}

function runCli(args: string[], env: Record<string, string>, timeoutMs: number): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BUILT_CLI, ...args], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? os.tmpdir(), ...env },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export function render(results: readonly Result[]): string {
  const kb = (bytes: number): string => (bytes / 1024).toFixed(1);
  const lines = [
    '| repository | run (s) | candidates | decisions | fixes (batches) | group | keys | KB |',
    '| --- | ---: | ---: | ---: | ---: | --- | ---: | ---: |',
  ];
  for (const r of results) {
    if (!r.ok) {
      lines.push(`| ${r.repository} | ${r.seconds.toFixed(0)} | | | | failed: ${r.error} | | |`);
      continue;
    }
    const head = `| ${r.repository} | ${r.seconds.toFixed(0)} | ${r.candidates} | ${r.decisions} | ${r.fixes} (${r.batches})`;
    const groups = Object.entries(r.groups).sort(([a], [b]) => a.localeCompare(b));
    const total = groups.reduce((sum, [, g]) => sum + g.bytes, 0);
    const keys = groups.reduce((sum, [, g]) => sum + g.keys, 0);
    groups.forEach(([name, g], i) => {
      lines.push(`${i === 0 ? head : '| | | | |'} | ${name} | ${g.keys} | ${kb(g.bytes)} |`);
    });
    lines.push(
      `| | | | | | **all keys** (used_memory +${kb(r.usedMemoryDelta)} KB) | ${keys} | ${kb(total)} |`,
    );
  }
  return lines.join('\n');
}

function log(message: string): void {
  process.stderr.write(`[run-memory] ${message}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`run-memory: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
