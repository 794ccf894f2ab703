/**
 * Running repository code (its tests, its TypeScript, its `fix.setup` command, the compiler
 * on its files) where it can do no harm: under bubblewrap, in new namespaces (no network, so
 * not even Redis on loopback; no other process to see, so not the worker's environment in
 * /proc), with an environment from an allow-list and a fresh empty HOME, seeing only the
 * system folders, its worktree (writable), the dependencies it links to (read-only) and the
 * tools it runs (read-only), with limits on processes, memory, CPU time and file size.
 *
 * `bwrapArgv` is the policy as a pure function of its inputs; `runRepositoryCode` is the one
 * way to run repository code, with or without the sandbox as the process was started
 * (`sandboxAtStart`, or on first use from the environment).
 */
import { existsSync, realpathSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { bwrapArgv, type HostLayout, outermost, SANDBOX_HOME, SANDBOX_TMP } from './sandbox-policy.ts';
import {
  hostLayout,
  repositoryEnv,
  type SandboxSettings,
  sandboxPath,
  sandboxSettings,
} from './sandbox-settings.ts';
import { type CommandResult, type RunOptions, runCommand } from './subprocess.ts';

export * from './sandbox-policy.ts';
export * from './sandbox-settings.ts';

/**
 * How this process runs repository code:
 * - `bwrap`: in the sandbox;
 * - `off`: without it, with the allow-listed environment and a fresh HOME only, because the
 *   operator said so (`chosen`) or because it cannot run here outside server mode; every run
 *   that ran repository code gets a warning saying so;
 * - `refused`: not at all (SELFREVIEW_SANDBOX=bwrap, or server mode, and it cannot run here).
 */
export type Sandbox =
  | { mode: 'bwrap'; settings: SandboxSettings; host: HostLayout; runAs: { uid: number; gid: number } | null }
  | { mode: 'off'; settings: SandboxSettings; chosen: boolean; reason: string }
  | { mode: 'refused'; settings: SandboxSettings; reason: string };

/** Server mode: `selfreview up`, or a worker given a server configuration. */
function serverMode(env: Readonly<Record<string, string | undefined>>): boolean {
  return Boolean(env.SELFREVIEW_SERVER_CONFIG);
}

/**
 * The sandbox the environment asks for, checked by running it once here. Throws on a setting
 * that is not valid.
 */
export async function resolveSandbox(env: Readonly<Record<string, string | undefined>>): Promise<Sandbox> {
  const settings = sandboxSettings(env);
  if (settings.mode === 'off')
    return { mode: 'off', settings, chosen: true, reason: 'SELFREVIEW_SANDBOX=off' };
  const checked = await checkSandbox(settings, env);
  if (typeof checked !== 'string') return checked;
  const reason = `the sandbox for repository code (bubblewrap) cannot run here: ${checked}`;
  if (settings.mode === 'bwrap' || serverMode(env)) return { mode: 'refused', settings, reason };
  return { mode: 'off', settings, chosen: false, reason };
}

function asRoot(): boolean {
  return process.getuid?.() === 0;
}

/** The sandbox with these settings once a real run of it worked here; else why not. */
async function checkSandbox(
  settings: SandboxSettings,
  env: Readonly<Record<string, string | undefined>>,
): Promise<Extract<Sandbox, { mode: 'bwrap' }> | string> {
  if (process.platform !== 'linux') return `it needs Linux, this is ${process.platform}`;
  const host = hostLayout(env, settings.bwrap);
  if (typeof host === 'string') return host;
  const runAs = asRoot() ? { uid: settings.uid, gid: settings.gid } : null;
  if (runAs && !host.setpriv) return 'setpriv (util-linux) is not installed in /usr/bin or /bin';
  const sandbox = { mode: 'bwrap' as const, settings, host, runAs };
  const dir = await mkdtemp(path.join(os.tmpdir(), 'selfreview-sandbox-check-'));
  try {
    // Writing in the writable tree is what a test does first; it exercises the root path's chown too.
    const res = await runInSandbox(sandbox, '/bin/sh', ['-c', 'echo ok > check'], {
      cwd: dir,
      timeoutMs: 30_000,
    });
    if (res.code === 0 && existsSync(path.join(dir, 'check'))) return sandbox;
    const said = (res.stderr || res.stdout).trim().split('\n')[0] ?? '';
    return said || `bwrap exited ${res.code ?? res.signal}${res.timedOut ? ' (timed out)' : ''}`;
  } catch (err) {
    return (err as Error).message;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

let active: Promise<Sandbox> | null = null;

/** This process's sandbox: as `sandboxAtStart` found it, else found now from the environment. */
export function activeSandbox(): Promise<Sandbox> {
  active ??= resolveSandbox(process.env);
  return active;
}

type StartLog = {
  info: (obj: object, msg: string) => void;
  warn: (obj: object, msg: string) => void;
  error: (obj: object, msg: string) => void;
};

/**
 * Decides the sandbox once, as a worker starts, and says so. False: the worker must not start
 * (exit 2): a setting is wrong, or the sandbox is required (server mode, or
 * SELFREVIEW_SANDBOX=bwrap) and cannot run here.
 */
export async function sandboxAtStart(opts: {
  env: Readonly<Record<string, string | undefined>>;
  log: StartLog;
  who: string;
}): Promise<boolean> {
  let sandbox: Sandbox;
  try {
    sandbox = await resolveSandbox(opts.env);
  } catch (err) {
    opts.log.error({}, (err as Error).message);
    process.stderr.write(`selfreview ${opts.who}: ${(err as Error).message}\n`);
    return false;
  }
  active = Promise.resolve(sandbox);
  if (sandbox.mode === 'bwrap') {
    opts.log.info(
      { limits: sandbox.settings.limits, runAs: sandbox.runAs ?? 'user namespace' },
      'repository code runs in the bubblewrap sandbox',
    );
    return true;
  }
  if (sandbox.mode === 'refused') {
    const line = `${sandbox.reason}; install bubblewrap (apt-get install bubblewrap) with unprivileged user namespaces allowed or as root, or set SELFREVIEW_SANDBOX=off to run repository code without it`;
    opts.log.error({}, line);
    process.stderr.write(`selfreview ${opts.who}: ${line}\n`);
    return false;
  }
  opts.log.warn(
    { reason: sandbox.reason },
    'repository code (tests, typecheck, fix.setup) runs WITHOUT a sandbox: it can read what this user can read and reach the network',
  );
  return true;
}

/**
 * Why `selfreview up` must not start (the sandbox is required in server mode), or null: for
 * the command to refuse before it starts anything, as its workers would.
 */
export async function serverSandboxProblem(
  env: Readonly<Record<string, string | undefined>>,
): Promise<string | null> {
  const sandbox = await resolveSandbox({
    ...env,
    SELFREVIEW_SERVER_CONFIG: env.SELFREVIEW_SERVER_CONFIG || 'up',
  });
  if (sandbox.mode !== 'refused') return null;
  return `${sandbox.reason}; install bubblewrap (apt-get install bubblewrap) with unprivileged user namespaces allowed or as root, or set SELFREVIEW_SANDBOX=off to run repository code without it`;
}

/** The run warning for repository code run without the sandbox; null with it. */
export function sandboxWarning(sandbox: Sandbox): string | null {
  if (sandbox.mode !== 'off') return null;
  return `repository code (tests, typecheck, fix.setup) ran without a sandbox: ${sandbox.reason}`;
}

export type RepositoryRunOptions = Omit<RunOptions, 'exactEnv'> & {
  /** Trees the command may write (default: its cwd). */
  writable?: readonly string[];
  /** Folders it may read besides the system's, node's and the writable trees. */
  readOnly?: readonly string[];
};

/**
 * Runs repository code: in the sandbox, or (mode `off`) with the allow-listed environment and
 * a fresh empty HOME. Throws when the sandbox is required and cannot run.
 */
export async function runRepositoryCode(
  command: string,
  args: readonly string[],
  opts: RepositoryRunOptions,
): Promise<CommandResult> {
  const sandbox = await activeSandbox();
  if (sandbox.mode === 'refused') throw new Error(sandbox.reason);
  if (sandbox.mode === 'bwrap') return runInSandbox(sandbox, command, args, opts);
  const home = await mkdtemp(path.join(os.tmpdir(), 'selfreview-home-'));
  try {
    const { writable: _w, readOnly: _r, env, ...run } = opts;
    return await runCommand(command, args, {
      ...run,
      exactEnv: repositoryEnv({
        path: process.env.PATH || '/usr/local/bin:/usr/bin:/bin',
        home,
        tmp: process.env.TMPDIR || os.tmpdir(),
        nodeOptions: sandbox.settings.nodeOptions,
        ...(env ? { extra: env } : {}),
      }),
    });
  } finally {
    await rm(home, { recursive: true, force: true });
  }
}

async function runInSandbox(
  sandbox: Extract<Sandbox, { mode: 'bwrap' }>,
  command: string,
  args: readonly string[],
  opts: RepositoryRunOptions,
): Promise<CommandResult> {
  const { settings, host, runAs } = sandbox;
  const writable = opts.writable ?? [opts.cwd];
  const nodeBin = path.dirname(realpathSync(process.execPath));
  const argv = bwrapArgv(
    {
      host,
      runAs,
      limits: settings.limits,
      // Wall-clock time is the real limit; CPU time only stops a process that outlives it somehow.
      cpuSeconds: Math.ceil(opts.timeoutMs / 1000) * os.availableParallelism() + 1,
      env: repositoryEnv({
        path: sandboxPath(process.env.PATH, nodeBin),
        home: SANDBOX_HOME,
        tmp: SANDBOX_TMP,
        nodeOptions: settings.nodeOptions,
        ...(opts.env ? { extra: opts.env } : {}),
      }),
      readOnly: [...settings.readOnly, ...(opts.readOnly ?? [])],
      writable,
      cwd: opts.cwd,
    },
    command,
    args,
  );
  // As root the command runs as another uid, which must own what it may write; given back after.
  if (runAs) await chownTrees(writable, runAs);
  try {
    const [bwrap, ...rest] = argv;
    return await runCommand(bwrap as string, rest, {
      cwd: opts.cwd,
      timeoutMs: opts.timeoutMs,
      ...(opts.maxOutputBytes !== undefined ? { maxOutputBytes: opts.maxOutputBytes } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
      // bwrap is pid 1 in the sandbox: its environment is readable there, so it gets none.
      exactEnv: {},
    });
  } finally {
    if (runAs) await chownTrees(writable, { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 });
  }
}

/** chown -R without following links (the links themselves change owner). */
async function chownTrees(dirs: readonly string[], to: { uid: number; gid: number }): Promise<void> {
  for (const dir of outermost(dirs)) {
    const res = await runCommand('chown', ['-R', '-h', '-P', `${to.uid}:${to.gid}`, '--', dir], {
      cwd: '/',
      timeoutMs: 120_000,
    });
    if (res.code !== 0) throw new Error(`chown of ${dir} for the sandbox failed: ${res.stderr.trim()}`);
  }
}
