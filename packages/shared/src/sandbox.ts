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
import { spawnSync } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { type CommandResult, type RunOptions, runCommand } from './subprocess.ts';

const MIB = 1024 * 1024;

/** Inside the sandbox: the command's HOME (fresh and empty each time) and its TMPDIR. */
export const SANDBOX_HOME = '/tmp/home';
export const SANDBOX_TMP = '/tmp';

/**
 * /etc entries the tools need (dynamic linker cache, Debian's alternatives symlinks, user and
 * group names, time zone, host names for loopback): bound when present. Nothing else of /etc,
 * which holds host configuration and sometimes credentials (npmrc, gitconfig, ssl/private).
 */
export const ETC_ENTRIES = [
  '/etc/alternatives',
  '/etc/group',
  '/etc/hosts',
  '/etc/ld.so.cache',
  '/etc/ld.so.conf',
  '/etc/ld.so.conf.d',
  '/etc/localtime',
  '/etc/nsswitch.conf',
  '/etc/passwd',
  '/etc/ssl/certs',
  '/etc/ssl/openssl.cnf',
];

/** Top-level system folders: bound read-only, or recreated as the symlink they are (merged /usr). */
const SYSTEM_ENTRIES = ['/usr', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32'];

export type SandboxLimits = {
  /** Processes and threads the command may have at once (RLIMIT_NPROC). */
  processes: number;
  /**
   * Memory per process, MiB (RLIMIT_DATA: what a process allocates, not the address space it
   * reserves, which V8 and WebAssembly make huge without using it).
   */
  memoryMb: number;
  /** Largest file a process may write, MiB (RLIMIT_FSIZE). */
  fileMb: number;
  /** Size of the sandbox's /tmp, where HOME and TMPDIR are (memory-backed), MiB. */
  tmpMb: number;
};

export type HostLayout = {
  bwrap: string;
  /** util-linux, run inside the sandbox: they must be in a system folder. */
  prlimit: string;
  setpriv: string | null;
  system: { path: string; symlink: string | null }[];
  /** Folders of the node binary running selfreview, when outside the system folders. */
  nodeFolders: string[];
  /** Options of this bwrap that are newer than the rest (`bwrap --help` lists what it has). */
  features: { disableUserns: boolean; tmpfsSize: boolean };
};

export type SandboxPolicy = {
  host: HostLayout;
  /**
   * Set when the worker runs as root: the command runs as this uid and gid (bwrap as root,
   * without a user namespace, then setpriv), because the kernel never applies RLIMIT_NPROC to
   * uid 0, in any user namespace. null: an unprivileged user namespace, in which the limit
   * counts only the sandbox's own processes.
   */
  runAs: { uid: number; gid: number } | null;
  limits: SandboxLimits;
  /** CPU seconds per process (RLIMIT_CPU): a backstop behind the wall-clock limit. */
  cpuSeconds: number;
  /** The whole environment of the command. */
  env: Record<string, string>;
  readOnly: readonly string[];
  writable: readonly string[];
  cwd: string;
};

/**
 * The bwrap argv for `command args` under `policy`. Mount order matters: later mounts cover
 * earlier ones, so the writable trees come last (a worktree under /tmp, or under a read-only
 * folder the operator added, stays writable).
 */
export function bwrapArgv(policy: SandboxPolicy, command: string, args: readonly string[]): string[] {
  const { host, limits, runAs } = policy;
  const argv = [host.bwrap];
  if (runAs) {
    // bwrap as root: namespaces without a user namespace, and only the capabilities that
    // setpriv needs to become runAs, and bwrap to enter a worktree runAs owns with mode 0700;
    // setuid from 0 clears them, before any repository code starts.
    argv.push('--unshare-ipc', '--unshare-pid', '--unshare-net', '--unshare-uts', '--unshare-cgroup-try');
    argv.push('--cap-drop', 'ALL');
    for (const cap of ['CAP_DAC_READ_SEARCH', 'CAP_SETGID', 'CAP_SETUID']) argv.push('--cap-add', cap);
  } else {
    argv.push('--unshare-all', '--unshare-user');
    if (host.features.disableUserns) argv.push('--disable-userns');
    argv.push('--cap-drop', 'ALL');
  }
  argv.push('--die-with-parent', '--new-session', '--clearenv');
  for (const name of Object.keys(policy.env).sort()) argv.push('--setenv', name, policy.env[name] as string);
  for (const entry of host.system) {
    if (entry.symlink === null) argv.push('--ro-bind', entry.path, entry.path);
    else argv.push('--symlink', entry.symlink, entry.path);
  }
  argv.push('--proc', '/proc', '--dev', '/dev');
  if (host.features.tmpfsSize) argv.push('--size', String(limits.tmpMb * MIB));
  argv.push('--perms', '1777', '--tmpfs', SANDBOX_TMP, '--perms', '0777', '--dir', SANDBOX_HOME);
  const readOnly = outermost([...host.nodeFolders, ...policy.readOnly]);
  const writable = outermost(policy.writable);
  // bwrap makes the folders above a mount point 0700 when it runs as root, which runAs could
  // not pass through: each is made first, 0755.
  for (const dir of parentFolders([...ETC_ENTRIES, ...readOnly, ...writable], host))
    argv.push('--perms', '0755', '--dir', dir);
  for (const entry of ETC_ENTRIES) argv.push('--ro-bind-try', entry, entry);
  // -try: a folder the operator named, or a tool's, that is missing fails the command, not bwrap.
  for (const dir of readOnly) argv.push('--ro-bind-try', dir, dir);
  for (const dir of writable) argv.push('--bind', dir, dir);
  argv.push('--chdir', policy.cwd, '--');
  if (runAs) {
    if (!host.setpriv) throw new Error('setpriv is needed to run the sandbox as root');
    argv.push(host.setpriv, `--reuid=${runAs.uid}`, `--regid=${runAs.gid}`, '--clear-groups', '--');
  }
  argv.push(
    host.prlimit,
    `--nproc=${limits.processes}`,
    `--data=${limits.memoryMb * MIB}`,
    `--cpu=${policy.cpuSeconds}`,
    `--fsize=${limits.fileMb * MIB}`,
    '--core=0',
    '--',
    command,
    ...args,
  );
  return argv;
}

/** Sorted, without duplicates and without folders inside another of the list (already visible). */
export function outermost(dirs: readonly string[]): string[] {
  const sorted = [...new Set(dirs.map((d) => path.resolve(d)))].sort();
  const out: string[] = [];
  for (const dir of sorted) {
    const last = out[out.length - 1];
    if (last !== undefined && (dir === last || dir.startsWith(last === '/' ? '/' : `${last}/`))) continue;
    out.push(dir);
  }
  return out;
}

/**
 * The folders above `paths` that the sandbox has to make, parents first: not /, nor the
 * system folders and what is in them, nor /tmp itself (a tmpfs of its own).
 */
export function parentFolders(paths: readonly string[], host: Pick<HostLayout, 'system'>): string[] {
  const taken = [...host.system.map((s) => s.path), '/proc', '/dev'];
  const within = (dir: string, top: string) => dir === top || dir.startsWith(`${top}/`);
  const dirs = new Set<string>();
  for (const p of paths) {
    for (let dir = path.dirname(path.resolve(p)); dir !== '/'; dir = path.dirname(dir)) {
      if (dir !== SANDBOX_TMP && !taken.some((top) => within(dir, top))) dirs.add(dir);
    }
  }
  // Shallow first, so each folder's parent exists before it; alphabetical within a depth.
  return [...dirs].sort((a, b) => a.split('/').length - b.split('/').length || (a < b ? -1 : a > b ? 1 : 0));
}

export type SandboxSettings = {
  /** `auto`: bwrap when it works here, else off (refused in server mode). */
  mode: 'auto' | 'bwrap' | 'off';
  limits: SandboxLimits;
  /** When the worker is root: who the command runs as. */
  uid: number;
  gid: number;
  /** More folders the sandbox shows read-only (a toolchain outside the system folders). */
  readOnly: string[];
  /** NODE_OPTIONS for the command, only when the operator sets it for the sandbox. */
  nodeOptions: string | null;
  /** bwrap where it is not on PATH or in a system folder (NixOS: /run/wrappers/bin/bwrap). */
  bwrap: string | null;
};

/**
 * The sandbox settings from the environment. Defaults scale with the machine: processes
 * (threads count too) 32 per core and at least 256; memory half the machine's, at most
 * 8 GiB, per process.
 */
export function sandboxSettings(
  env: Readonly<Record<string, string | undefined>>,
  machine: { cores: number; memoryMb: number } = {
    cores: os.availableParallelism(),
    memoryMb: Math.floor(os.totalmem() / MIB),
  },
): SandboxSettings {
  const mode = env.SELFREVIEW_SANDBOX?.trim() || 'auto';
  if (mode !== 'auto' && mode !== 'bwrap' && mode !== 'off')
    throw new Error(`SELFREVIEW_SANDBOX must be bwrap or off, got ${JSON.stringify(mode)}`);
  const count = (name: string, fallback: number, min: number): number => {
    const text = env[name]?.trim();
    if (!text) return fallback;
    const n = Number(text);
    if (!Number.isInteger(n) || n < min)
      throw new Error(`${name} must be a whole number of at least ${min}, got ${text}`);
    return n;
  };
  return {
    mode,
    limits: {
      processes: count('SELFREVIEW_SANDBOX_PROCESSES', Math.max(256, 32 * machine.cores), 16),
      memoryMb: count(
        'SELFREVIEW_SANDBOX_MEMORY_MB',
        Math.max(1024, Math.min(8192, Math.floor(machine.memoryMb / 2))),
        256,
      ),
      fileMb: count('SELFREVIEW_SANDBOX_FILE_MB', 1024, 1),
      tmpMb: count('SELFREVIEW_SANDBOX_TMP_MB', 512, 16),
    },
    uid: count('SELFREVIEW_SANDBOX_UID', 65534, 1),
    gid: count('SELFREVIEW_SANDBOX_GID', 65534, 1),
    readOnly: (env.SELFREVIEW_SANDBOX_READONLY ?? '')
      .split(':')
      .filter((p) => p !== '')
      .map((p) => {
        if (!path.isAbsolute(p))
          throw new Error(`SELFREVIEW_SANDBOX_READONLY takes absolute paths, got ${p}`);
        return p;
      }),
    nodeOptions: env.SELFREVIEW_SANDBOX_NODE_OPTIONS?.trim() || null,
    bwrap: env.SELFREVIEW_SANDBOX_BWRAP?.trim() || null,
  };
}

/**
 * The command's whole environment: the allow-list, and what the caller adds. HOME and TMPDIR
 * are given by the caller (inside the sandbox, or fresh folders without it).
 */
export function repositoryEnv(opts: {
  path: string;
  home: string;
  tmp: string;
  nodeOptions: string | null;
  extra?: Record<string, string>;
}): Record<string, string> {
  return {
    PATH: opts.path,
    HOME: opts.home,
    TMPDIR: opts.tmp,
    LANG: 'C.UTF-8',
    CI: '1',
    NO_COLOR: '1',
    FORCE_COLOR: '0',
    ...(opts.nodeOptions ? { NODE_OPTIONS: opts.nodeOptions } : {}),
    ...opts.extra,
  };
}

/** PATH inside: node's folder first, then the worker's PATH (folders the sandbox lacks do no harm). */
export function sandboxPath(hostPath: string | undefined, nodeBin: string): string {
  const dirs = [nodeBin, ...(hostPath || '/usr/local/bin:/usr/bin:/bin').split(':')].filter((d) => d !== '');
  return [...new Set(dirs)].join(':');
}

/**
 * The folder a tool at `file` needs to be visible with: its outermost `node_modules` (a
 * package's own dependencies and pnpm's store are in there), else the tool's own folder.
 */
export function toolMount(file: string): string {
  let real = file;
  try {
    real = realpathSync(file);
  } catch {
    // A tool that does not exist fails in the sandbox as it would outside.
  }
  return nodeModulesRoot(real) ?? path.dirname(real);
}

/** The path up to its first `node_modules` segment; null when it has none. */
export function nodeModulesRoot(file: string): string | null {
  const parts = path.resolve(file).split(path.sep);
  const at = parts.indexOf('node_modules');
  return at < 0 ? null : parts.slice(0, at + 1).join(path.sep) || null;
}

function findTool(name: string, dirs: readonly string[]): string | null {
  for (const dir of dirs) {
    const file = path.join(dir, name);
    if (existsSync(file)) return file;
  }
  return null;
}

const SYSTEM_BIN = ['/usr/bin', '/bin', '/usr/sbin', '/sbin'];

/** What this machine has: where bwrap and util-linux are, how / is laid out, where node is. */
export function hostLayout(
  env: Readonly<Record<string, string | undefined>> = process.env,
  bwrapPath: string | null = null,
): HostLayout | string {
  if (bwrapPath !== null && !existsSync(bwrapPath))
    return `${bwrapPath} (SELFREVIEW_SANDBOX_BWRAP) does not exist`;
  const bwrap =
    bwrapPath ??
    findTool('bwrap', [...SYSTEM_BIN, '/usr/local/bin', ...(env.PATH ?? '').split(':').filter(Boolean)]);
  if (!bwrap) return 'bwrap is not installed (Debian and Ubuntu: apt-get install bubblewrap)';
  const prlimit = findTool('prlimit', SYSTEM_BIN);
  if (!prlimit) return 'prlimit (util-linux) is not installed in /usr/bin or /bin';
  const setpriv = findTool('setpriv', SYSTEM_BIN);
  const system: HostLayout['system'] = [];
  for (const entry of SYSTEM_ENTRIES) {
    try {
      const target = realpathSync(entry);
      // A merged-/usr link (/bin -> usr/bin) is recreated as a link, so paths through it work.
      system.push({ path: entry, symlink: target === entry ? null : path.relative('/', target) });
    } catch {
      // Not on this machine.
    }
  }
  const nodeBin = path.dirname(realpathSync(process.execPath));
  const nodePrefix = path.dirname(nodeBin);
  const inSystem = system.some(
    (s) => s.symlink === null && (nodeBin === s.path || nodeBin.startsWith(`${s.path}/`)),
  );
  // bin and lib only: the prefix's etc/npmrc may hold a registry token.
  const nodeFolders = inSystem ? [] : [nodeBin, path.join(nodePrefix, 'lib')].filter((d) => existsSync(d));
  // bwrap lists its options on --help: older ones lack the newest (and fail the probe if one is needed).
  const shown = spawnSync(bwrap, ['--help'], { env: {}, encoding: 'utf8', timeout: 10_000 });
  const help = `${shown.stdout ?? ''}${shown.stderr ?? ''}`;
  return {
    bwrap,
    prlimit,
    setpriv,
    system,
    nodeFolders,
    features: { disableUserns: help.includes('--disable-userns'), tmpfsSize: help.includes('--size') },
  };
}

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
