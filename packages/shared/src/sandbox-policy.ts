/**
 * The sandbox policy as a pure function of its inputs: what bubblewrap is told to show, hide
 * and limit for one command (`bwrapArgv`). Settings from the environment and the host's
 * layout are in `sandbox-settings.ts`; running a command is in `sandbox.ts`.
 */
import path from 'node:path';

export const MIB = 1024 * 1024;

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
export const SYSTEM_ENTRIES = ['/usr', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32'];

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
