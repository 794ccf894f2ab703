/**
 * The sandbox settings an operator gives through the environment, and the host's layout the
 * policy needs (where bwrap, setpriv, prlimit and node are; which system folders exist).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type HostLayout, MIB, type SandboxLimits, SYSTEM_ENTRIES } from './sandbox-policy.ts';

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
