/**
 * Starts the stage workers, the publisher (and the gateway) as separate processes, as a
 * deployment would run them, and keeps them running: `up` and `run` share one supervisor, so a
 * worker that dies is restarted the same way in both. Each process gets its own environment,
 * with only the secrets it needs (processEnv).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { QueueName } from '@selfreview/shared/queues';

/** The processes of a deployment: the three stage workers, the publisher and the gateway. */
export type ProcessName = QueueName | 'gateway';

/**
 * Each process's entry point, as its package declares it ("exports"), so the CLI depends on the
 * services' packages, not on where their files happen to be.
 */
const ENTRY_POINTS: Record<ProcessName, string> = {
  gateway: '@selfreview/gateway/main',
  scan: '@selfreview/scan/main',
  apply: '@selfreview/apply/main',
  fix: '@selfreview/fix/main',
  publish: '@selfreview/fix/publish-main',
};

const resolveFromHere = createRequire(import.meta.url).resolve;

/**
 * The file a process starts from: its package's declared entry, resolved from the CLI's package
 * under the CLI's own conditions, so the built CLI starts built workers (dist/*.js) and a CLI run
 * from its sources with `--conditions=source` (development, the tests) starts their sources.
 */
export function entryPointOf(name: ProcessName): string {
  return resolveFromHere(ENTRY_POINTS[name]);
}

/**
 * How `node` starts a process at `entry`: built JavaScript as it is; TypeScript sources through
 * the tsx loader and with the "source" condition, so they import the other packages' sources too.
 */
export function nodeArgs(entry: string): string[] {
  return entry.endsWith('.ts') ? ['--conditions=source', '--import', resolveFromHere('tsx'), entry] : [entry];
}

/** The NAMES of the secret variables of a deployment, by who needs them. */
export type ProcessSecrets = {
  /** The model's API key: the processes that call the model (apply's second opinions, fix). */
  model: readonly string[];
  /** Forge tokens: the publisher only, which never runs repository code. */
  forge: readonly string[];
  /** Webhook secrets and the UI's credentials: the gateway only. */
  gateway: readonly string[];
  /** The run summary webhook's URL: the workers that may finish a run. */
  notify: readonly string[];
};

/** Not secrets, and what a program needs to find itself and the network: passed to every process. */
const PASS_THROUGH = new Set([
  'PATH',
  'HOME',
  'USER',
  'LOGNAME',
  'LANG',
  'LC_ALL',
  'LC_CTYPE',
  'TZ',
  'TMPDIR',
  'NODE_EXTRA_CA_CERTS',
  'SSL_CERT_FILE',
  'SSL_CERT_DIR',
  'HTTP_PROXY',
  'HTTPS_PROXY',
  'NO_PROXY',
  'http_proxy',
  'https_proxy',
  'no_proxy',
  // The scan worker's clones and the publisher's pushes over ssh use the operator's agent.
  'SSH_AUTH_SOCK',
  'LOG_LEVEL',
  'REDIS_URL',
  'ANTHROPIC_BASE_URL',
]);

/** Read by the gateway alone; never passed on with the other SELFREVIEW_ settings. */
const GATEWAY_ONLY = ['SELFREVIEW_UI_USER', 'SELFREVIEW_UI_PASSWORD'];

const ROLES: Record<ProcessName, (keyof ProcessSecrets)[]> = {
  scan: ['notify'],
  apply: ['model', 'notify'],
  fix: ['model', 'notify'],
  publish: ['forge', 'notify'],
  gateway: ['gateway'],
};

/**
 * One process's environment: from the CLI's own, only the pass-through variables and the
 * SELFREVIEW_ settings, never a secret; then `common` (what `up`/`run` decided); then the
 * secrets of this process's role. Repository code runs under the fix worker, so a forge token
 * there could be read back from /proc by that code: it is in the publisher's environment only.
 */
export function processEnv(
  name: ProcessName,
  opts: { from: NodeJS.ProcessEnv; common: Record<string, string>; secrets: ProcessSecrets },
): Record<string, string> {
  const secret = new Set([...Object.values(opts.secrets).flat(), ...GATEWAY_ONLY]);
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(opts.from)) {
    if (value === undefined || secret.has(key)) continue;
    if (PASS_THROUGH.has(key) || key.startsWith('SELFREVIEW_')) env[key] = value;
  }
  Object.assign(env, opts.common);
  const own = ROLES[name].flatMap((role) => opts.secrets[role]);
  for (const key of name === 'gateway' ? [...own, ...GATEWAY_ONLY] : own) {
    const value = opts.from[key];
    if (value !== undefined) env[key] = value;
  }
  return env;
}

export type WorkerProcess = {
  stage: ProcessName;
  child: ChildProcess;
  logFile: string;
  exited: Promise<number | null>;
};

/** Starts one process with exactly `env` (nothing of the CLI's own environment is added). */
export function spawnWorker(stage: ProcessName, env: Record<string, string>, logDir: string): WorkerProcess {
  const logFile = path.join(logDir, `${stage}.log`);
  // Appending: a restarted worker writes after the lines that show why the last one died.
  const log = createWriteStream(logFile, { flags: 'a' });
  const child = spawn(process.execPath, nodeArgs(entryPointOf(stage)), {
    env,
    // The IPC channel carries no messages: it closes when this process dies, however it dies,
    // and the worker then shuts down (handleShutdown) rather than outlive it.
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const exited = new Promise<number | null>((resolve) => {
    child.on('exit', (code) => resolve(code));
    // A process that could not start at all never emits 'exit'; unhandled, 'error' would end the CLI.
    child.on('error', () => resolve(null));
  });
  return { stage, child, logFile, exited };
}

export async function stopWorkers(workers: readonly WorkerProcess[], graceMs = 15_000): Promise<void> {
  await Promise.all(
    workers.map(async (w) => {
      if (w.child.exitCode !== null || w.child.signalCode !== null) return;
      w.child.kill('SIGTERM');
      const timer = setTimeout(() => w.child.kill('SIGKILL'), graceMs);
      await w.exited;
      clearTimeout(timer);
    }),
  );
}

/** Exit code 2 is how a process says a setting it needs is wrong: a restart would fail the same way. */
const EXIT_CONFIGURATION = 2;

export type SupervisorOptions = {
  names: readonly ProcessName[];
  /** Each process's environment (processEnv). */
  env: (name: ProcessName) => Record<string, string>;
  logDir: string;
  /** One line per restart or give-up, for the person watching. */
  say: (line: string) => void;
  /** Restarts of one process within `windowMs` beyond which it is not restarted again. */
  maxRestarts?: number;
  windowMs?: number;
  /** Wait before the n-th restart within the window (n from 1): a crash loop slows down. */
  backoffMs?: (n: number) => number;
};

/**
 * Runs the named processes and restarts one that stops unexpectedly, a bounded number of times
 * with a growing pause. A job the dead worker held is not lost: its lock expires and BullMQ hands
 * it, as stalled, to the restarted worker (SELFREVIEW_JOB_LOCK_SECONDS sets how soon).
 */
export class Supervisor {
  private readonly procs = new Map<ProcessName, WorkerProcess>();
  private readonly restartTimes = new Map<ProcessName, number[]>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private stopping = false;
  private givenUp: string | null = null;
  private readonly maxRestarts: number;
  private readonly windowMs: number;
  private readonly backoffMs: (n: number) => number;

  constructor(private readonly opts: SupervisorOptions) {
    this.maxRestarts = opts.maxRestarts ?? 5;
    this.windowMs = opts.windowMs ?? 10 * 60_000;
    this.backoffMs = opts.backoffMs ?? ((n) => 1000 * n);
  }

  start(): void {
    for (const name of this.opts.names) this.spawn(name);
  }

  /** The processes running now (the latest of each name). */
  processes(): WorkerProcess[] {
    return [...this.procs.values()];
  }

  /** Why a process was given up on, or null while every one is running or being restarted. */
  failure(): string | null {
    return this.givenUp;
  }

  async stop(graceMs?: number): Promise<void> {
    this.stopping = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    await stopWorkers(this.processes(), graceMs);
  }

  private spawn(name: ProcessName): void {
    const proc = spawnWorker(name, this.opts.env(name), this.opts.logDir);
    this.procs.set(name, proc);
    void proc.exited.then((code) => this.onExit(proc, code));
  }

  private onExit(proc: WorkerProcess, code: number | null): void {
    if (this.stopping) return;
    const name = proc.stage;
    const who =
      name === 'gateway' ? 'The gateway' : name === 'publish' ? 'The publisher' : `The ${name} worker`;
    const how = proc.child.signalCode ? `signal ${proc.child.signalCode}` : `exit ${code}`;
    if (code === EXIT_CONFIGURATION) {
      this.giveUp(
        `${who} stopped (${how}: a setting it needs is wrong); not restarting it. See ${proc.logFile}`,
      );
      return;
    }
    const now = Date.now();
    const recent = (this.restartTimes.get(name) ?? []).filter((t) => now - t < this.windowMs);
    recent.push(now);
    this.restartTimes.set(name, recent);
    const n = recent.length;
    if (n > this.maxRestarts) {
      this.giveUp(
        `${who} stopped (${how}) ${n} times within ${Math.round(this.windowMs / 60_000)} min; not restarting it. See ${proc.logFile}`,
      );
      return;
    }
    const wait = this.backoffMs(n);
    this.opts.say(
      `${who} stopped (${how}); restarting it in ${Math.round(wait / 1000)} s (${n}/${this.maxRestarts}). See ${proc.logFile}`,
    );
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (!this.stopping) this.spawn(name);
    }, wait);
    this.timers.add(timer);
  }

  private giveUp(line: string): void {
    this.givenUp ??= line;
    this.opts.say(line);
  }
}
