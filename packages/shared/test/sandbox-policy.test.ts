import { describe, expect, it } from 'vitest';
import { bwrapArgv, outermost, parentFolders, type SandboxPolicy } from '../src/sandbox.ts';
import { HOST } from './sandbox-helpers.ts';

const LIMITS = { processes: 256, memoryMb: 4096, fileMb: 1024, tmpMb: 512 };
const MIB = 1024 * 1024;

function policy(over: Partial<SandboxPolicy> = {}): SandboxPolicy {
  return {
    host: HOST,
    runAs: null,
    limits: LIMITS,
    cpuSeconds: 1201,
    env: { PATH: '/usr/bin:/bin', HOME: '/tmp/home', CI: '1' },
    readOnly: ['/home/me/app/node_modules'],
    writable: ['/home/me/.local/share/selfreview/worktrees/app/b-1'],
    cwd: '/home/me/.local/share/selfreview/worktrees/app/b-1',
    ...over,
  };
}

/** What every policy has between the namespace flags and the per-run mounts. */
const SYSTEM_PART = [
  '--die-with-parent',
  '--new-session',
  '--clearenv',
  '--setenv',
  'CI',
  '1',
  '--setenv',
  'HOME',
  '/tmp/home',
  '--setenv',
  'PATH',
  '/usr/bin:/bin',
  '--ro-bind',
  '/usr',
  '/usr',
  '--symlink',
  'usr/bin',
  '/bin',
  '--symlink',
  'usr/lib',
  '/lib',
  '--symlink',
  'usr/lib64',
  '/lib64',
  '--proc',
  '/proc',
  '--dev',
  '/dev',
  '--size',
  String(512 * MIB),
  '--perms',
  '1777',
  '--tmpfs',
  '/tmp',
  '--perms',
  '0777',
  '--dir',
  '/tmp/home',
];

const ETC_PART = [
  '--ro-bind-try',
  '/etc/alternatives',
  '/etc/alternatives',
  '--ro-bind-try',
  '/etc/group',
  '/etc/group',
  '--ro-bind-try',
  '/etc/hosts',
  '/etc/hosts',
  '--ro-bind-try',
  '/etc/ld.so.cache',
  '/etc/ld.so.cache',
  '--ro-bind-try',
  '/etc/ld.so.conf',
  '/etc/ld.so.conf',
  '--ro-bind-try',
  '/etc/ld.so.conf.d',
  '/etc/ld.so.conf.d',
  '--ro-bind-try',
  '/etc/localtime',
  '/etc/localtime',
  '--ro-bind-try',
  '/etc/nsswitch.conf',
  '/etc/nsswitch.conf',
  '--ro-bind-try',
  '/etc/passwd',
  '/etc/passwd',
  '--ro-bind-try',
  '/etc/ssl/certs',
  '/etc/ssl/certs',
  '--ro-bind-try',
  '/etc/ssl/openssl.cnf',
  '/etc/ssl/openssl.cnf',
];

const dirs = (...paths: string[]) => paths.flatMap((p) => ['--perms', '0755', '--dir', p]);

const LIMITS_PART = [
  '/usr/bin/prlimit',
  '--nproc=256',
  `--data=${4096 * MIB}`,
  '--cpu=1201',
  `--fsize=${1024 * MIB}`,
  '--core=0',
  '--',
];

describe('bwrapArgv', () => {
  it('as a user: every namespace, a user namespace that cannot make more, no capabilities, the worktree writable and its dependencies read-only', () => {
    expect(bwrapArgv(policy(), 'npm', ['test', '--silent'])).toEqual([
      '/usr/bin/bwrap',
      '--unshare-all',
      '--unshare-user',
      '--disable-userns',
      '--cap-drop',
      'ALL',
      ...SYSTEM_PART,
      ...dirs(
        '/etc',
        '/home',
        '/etc/ssl',
        '/home/me',
        '/home/me/.local',
        '/home/me/app',
        '/home/me/.local/share',
        '/home/me/.local/share/selfreview',
        '/home/me/.local/share/selfreview/worktrees',
        '/home/me/.local/share/selfreview/worktrees/app',
      ),
      ...ETC_PART,
      '--ro-bind-try',
      '/home/me/app/node_modules',
      '/home/me/app/node_modules',
      '--bind',
      '/home/me/.local/share/selfreview/worktrees/app/b-1',
      '/home/me/.local/share/selfreview/worktrees/app/b-1',
      '--chdir',
      '/home/me/.local/share/selfreview/worktrees/app/b-1',
      '--',
      ...LIMITS_PART,
      'npm',
      'test',
      '--silent',
    ]);
  });

  it('as root: no user namespace, the command becomes runAs through setpriv before the limits apply', () => {
    const argv = bwrapArgv(
      policy({ runAs: { uid: 65534, gid: 65534 }, readOnly: [], writable: ['/tmp/wt'], cwd: '/tmp/wt' }),
      'node',
      ['t.js'],
    );
    expect(argv).toEqual([
      '/usr/bin/bwrap',
      '--unshare-ipc',
      '--unshare-pid',
      '--unshare-net',
      '--unshare-uts',
      '--unshare-cgroup-try',
      '--cap-drop',
      'ALL',
      '--cap-add',
      'CAP_DAC_READ_SEARCH',
      '--cap-add',
      'CAP_SETGID',
      '--cap-add',
      'CAP_SETUID',
      ...SYSTEM_PART,
      // /tmp is the sandbox's own tmpfs: nothing to make above the worktree there.
      ...dirs('/etc', '/etc/ssl'),
      ...ETC_PART,
      '--bind',
      '/tmp/wt',
      '/tmp/wt',
      '--chdir',
      '/tmp/wt',
      '--',
      '/usr/bin/setpriv',
      '--reuid=65534',
      '--regid=65534',
      '--clear-groups',
      '--',
      ...LIMITS_PART,
      'node',
      't.js',
    ]);
  });

  it('leaves out the options an older bwrap lacks, and shows node from outside the system folders', () => {
    const argv = bwrapArgv(
      policy({
        host: {
          ...HOST,
          nodeFolders: ['/opt/node/bin', '/opt/node/lib'],
          features: { disableUserns: false, tmpfsSize: false },
        },
        readOnly: [],
        writable: ['/tmp/wt'],
        cwd: '/tmp/wt',
      }),
      'true',
      [],
    );
    expect(argv).not.toContain('--disable-userns');
    expect(argv).not.toContain('--size');
    const mounts = argv.flatMap((a, i) =>
      a === '--ro-bind-try' && !argv[i + 1]?.startsWith('/etc') ? [argv[i + 1]] : [],
    );
    expect(mounts).toEqual(['/opt/node/bin', '/opt/node/lib']);
  });

  it('mounts the writable trees after the read-only ones, so a worktree inside a read-only folder stays writable', () => {
    const argv = bwrapArgv(
      policy({
        readOnly: ['/srv/data', '/srv/data/x/node_modules'],
        writable: ['/srv/data/wt'],
        cwd: '/srv/data/wt',
      }),
      'true',
      [],
    );
    const at = (flag: string, p: string) => argv.findIndex((a, i) => a === flag && argv[i + 1] === p);
    expect(at('--ro-bind-try', '/srv/data')).toBeGreaterThan(0);
    // Inside a folder already shown: not mounted again.
    expect(at('--ro-bind-try', '/srv/data/x/node_modules')).toBe(-1);
    expect(at('--bind', '/srv/data/wt')).toBeGreaterThan(at('--ro-bind-try', '/srv/data'));
  });

  it('passes only the environment it is given, sorted', () => {
    const argv = bwrapArgv(policy({ env: { Z: '1', A: '2' } }), 'true', []);
    const set = argv.flatMap((a, i) => (a === '--setenv' ? [`${argv[i + 1]}=${argv[i + 2]}`] : []));
    expect(set).toEqual(['A=2', 'Z=1']);
    expect(argv).toContain('--clearenv');
  });
});

describe('parentFolders', () => {
  it('lists each folder above the paths once, parents first, skipping /, /tmp and the system folders', () => {
    expect(
      parentFolders(['/tmp/a/b/wt', '/usr/local/lib/x', '/home/u/p/node_modules', '/home/u/q'], HOST),
    ).toEqual(['/home', '/home/u', '/tmp/a', '/home/u/p', '/tmp/a/b']);
  });
});

describe('outermost', () => {
  it('drops duplicates and folders inside another of the list, but not a sibling with a common prefix', () => {
    expect(outermost(['/a/b', '/a', '/a/b/c', '/ab', '/a/'])).toEqual(['/a', '/ab']);
  });
});
