/** The gateway under test as a child process: its config, start, health wait, uncounted warm-up, stop. */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, openSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { FROM_SOURCE } from '../helpers/cli.ts';
import { type BenchRepo, type Options, pushDelivery } from './webhook-load.ts';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const GATEWAY_MAIN = path.join(REPO_ROOT, 'services/gateway/src/main.ts');
const WARMUP_REQUESTS = 100;

export const REPO: BenchRepo = {
  fullName: 'bench/web',
  cloneUrl: 'https://github.com/bench/web.git',
  branch: 'main',
};
const WARM_REPO: BenchRepo = {
  fullName: 'bench/warm',
  cloneUrl: 'https://github.com/bench/warm.git',
  branch: 'main',
};

/**
 * Writes the server config (the measured repository and the warm-up one, each with its own
 * webhook secret) into `dir`; returns the environment that points the gateway at it.
 */
export async function gatewayConfig(
  dir: string,
  secrets: { web: string; warm: string },
): Promise<Record<string, string>> {
  const configFile = path.join(dir, 'selfreview.server.yaml');
  await writeFile(
    configFile,
    [
      'repositories:',
      '  - name: web',
      `    url: ${REPO.cloneUrl}`,
      `    branch: ${REPO.branch}`,
      '    webhooks:',
      '      github: { secretEnv: WEB_HOOK_SECRET }',
      '  - name: warm',
      `    url: ${WARM_REPO.cloneUrl}`,
      `    branch: ${WARM_REPO.branch}`,
      '    webhooks:',
      '      github: { secretEnv: WARM_HOOK_SECRET }',
      '',
    ].join('\n'),
  );
  return {
    SELFREVIEW_SERVER_CONFIG: configFile,
    WEB_HOOK_SECRET: secrets.web,
    WARM_HOOK_SECRET: secrets.warm,
  };
}

export function startGateway(opts: {
  port: number;
  dir: string;
  options: Options;
  env: Record<string, string>;
}): {
  child: ChildProcess;
  logFile: string;
} {
  // Its log (one line per queued push, at the default level) goes to a file, as a deployment's would.
  const logFile = path.join(opts.dir, 'gateway.log');
  const fd = openSync(logFile, 'a');
  const profile = opts.options.cpuProfDir
    ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(opts.options.cpuProfDir)}`]
    : [];
  const child = spawn(process.execPath, [...profile, ...FROM_SOURCE, GATEWAY_MAIN], {
    cwd: opts.dir,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? os.tmpdir(),
      ...opts.env,
      SELFREVIEW_GATEWAY_HOST: '127.0.0.1',
      SELFREVIEW_GATEWAY_PORT: String(opts.port),
      SELFREVIEW_DATA_DIR: path.join(opts.dir, 'data'),
      // A throw-away loopback Redis without persistence or password is what this is. A password is
      // sent once per connection, not per request, so the measured path is a deployment's.
      SELFREVIEW_REDIS_EPHEMERAL: '1',
      SELFREVIEW_REDIS_AUTH: 'optional',
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  return { child, logFile };
}

export async function waitForHealth(base: string, child: ChildProcess, logFile: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) break;
    try {
      const res = await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(1_000) });
      if (res.ok) return;
    } catch {
      // Not listening yet.
    }
    await sleep(200);
  }
  const tail = (await readFile(logFile, 'utf8').catch(() => '')).trim().split('\n').slice(-5).join('\n');
  throw new Error(`the gateway did not answer /healthz within 60 s; its log ends:\n${tail}`);
}

/** SIGTERM (the gateway closes and exits, writing a CPU profile if asked), SIGKILL after `graceMs`. */
export async function stopGateway(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  if (!(await Promise.race([gone.then(() => true), sleep(graceMs).then(() => false)]))) {
    child.kill('SIGKILL');
    await Promise.race([gone, sleep(2_000)]);
  }
}

/** Pushes to the second repository, 10 at a time: compiled routes and loaded scripts, not counted. */
export async function warmUp(
  base: string,
  template: Record<string, unknown>,
  secret: string,
): Promise<{ sent: number; failed: number }> {
  const runId = `warm${randomBytes(3).toString('hex')}`;
  let next = 0;
  let failed = 0;
  const worker = async () => {
    while (next < WARMUP_REQUESTS) {
      const d = pushDelivery(template, runId, next++, WARM_REPO, secret);
      const res = await fetch(`${base}/webhooks/github`, {
        method: 'POST',
        headers: d.headers,
        body: d.body,
      });
      await res.arrayBuffer();
      if (res.status !== 202) failed += 1;
    }
  };
  await Promise.all(Array.from({ length: 10 }, worker));
  return { sent: WARMUP_REQUESTS, failed };
}
