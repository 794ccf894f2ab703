import { lstat, mkdir, mkdtemp, readdir, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dependencyMounts, linkDependencies } from '../src/dependencies.ts';
import {
  bwrapArgv,
  type HostLayout,
  nodeModulesRoot,
  outermost,
  parentFolders,
  repositoryEnv,
  type SandboxPolicy,
  sandboxPath,
  sandboxSettings,
  sandboxWarning,
} from '../src/sandbox.ts';

const HOST: HostLayout = {
  bwrap: '/usr/bin/bwrap',
  prlimit: '/usr/bin/prlimit',
  setpriv: '/usr/bin/setpriv',
  system: [
    { path: '/usr', symlink: null },
    { path: '/bin', symlink: 'usr/bin' },
    { path: '/lib', symlink: 'usr/lib' },
    { path: '/lib64', symlink: 'usr/lib64' },
  ],
  nodeFolders: [],
  features: { disableUserns: true, tmpfsSize: true },
};

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

describe('nodeModulesRoot', () => {
  it('cuts a path after its first node_modules', () => {
    expect(nodeModulesRoot('/w/node_modules/.pnpm/ts@5/node_modules/typescript/bin/tsc')).toBe(
      '/w/node_modules',
    );
    expect(nodeModulesRoot('/home/u/.ssh/id_rsa')).toBeNull();
  });
});

describe('repositoryEnv and sandboxPath', () => {
  it('is the allow-list: no token, no key, no HOME of the worker; NODE_OPTIONS only when the operator set it for the sandbox', () => {
    expect(repositoryEnv({ path: '/usr/bin', home: '/tmp/home', tmp: '/tmp', nodeOptions: null })).toEqual({
      PATH: '/usr/bin',
      HOME: '/tmp/home',
      TMPDIR: '/tmp',
      LANG: 'C.UTF-8',
      CI: '1',
      NO_COLOR: '1',
      FORCE_COLOR: '0',
    });
    expect(
      repositoryEnv({
        path: '/usr/bin',
        home: '/h',
        tmp: '/t',
        nodeOptions: '--max-old-space-size=4096',
        extra: { NODE_ENV: 'test' },
      }),
    ).toMatchObject({ NODE_OPTIONS: '--max-old-space-size=4096', NODE_ENV: 'test' });
  });

  it('puts node first and keeps the rest of PATH once', () => {
    expect(sandboxPath('/usr/bin:/opt/x/bin::/usr/bin', '/opt/node/bin')).toBe(
      '/opt/node/bin:/usr/bin:/opt/x/bin',
    );
    expect(sandboxPath(undefined, '/usr/bin')).toBe('/usr/bin:/usr/local/bin:/bin');
  });
});

describe('sandboxSettings', () => {
  const machine = { cores: 2, memoryMb: 24_000 };

  it('defaults: auto, processes 32 per core (at least 256), memory half the machine up to 8 GiB, nobody as runAs', () => {
    expect(sandboxSettings({}, machine)).toEqual({
      mode: 'auto',
      limits: { processes: 256, memoryMb: 8192, fileMb: 1024, tmpMb: 512 },
      uid: 65534,
      gid: 65534,
      readOnly: [],
      nodeOptions: null,
      bwrap: null,
    });
    expect(sandboxSettings({}, { cores: 64, memoryMb: 4000 }).limits).toMatchObject({
      processes: 2048,
      memoryMb: 2000,
    });
  });

  it('reads every setting', () => {
    expect(
      sandboxSettings(
        {
          SELFREVIEW_SANDBOX: 'bwrap',
          SELFREVIEW_SANDBOX_PROCESSES: '64',
          SELFREVIEW_SANDBOX_MEMORY_MB: '2048',
          SELFREVIEW_SANDBOX_FILE_MB: '10',
          SELFREVIEW_SANDBOX_TMP_MB: '64',
          SELFREVIEW_SANDBOX_UID: '2000',
          SELFREVIEW_SANDBOX_GID: '2001',
          SELFREVIEW_SANDBOX_READONLY: '/opt/tools:/nix/store',
          SELFREVIEW_SANDBOX_NODE_OPTIONS: '--max-old-space-size=3000',
          SELFREVIEW_SANDBOX_BWRAP: '/run/wrappers/bin/bwrap',
        },
        machine,
      ),
    ).toEqual({
      mode: 'bwrap',
      limits: { processes: 64, memoryMb: 2048, fileMb: 10, tmpMb: 64 },
      uid: 2000,
      gid: 2001,
      readOnly: ['/opt/tools', '/nix/store'],
      nodeOptions: '--max-old-space-size=3000',
      bwrap: '/run/wrappers/bin/bwrap',
    });
  });

  it('refuses what it cannot mean: another mode, a limit too low, uid 0, a relative path', () => {
    expect(() => sandboxSettings({ SELFREVIEW_SANDBOX: 'docker' }, machine)).toThrow(
      'SELFREVIEW_SANDBOX must be bwrap or off, got "docker"',
    );
    expect(() => sandboxSettings({ SELFREVIEW_SANDBOX_PROCESSES: '4' }, machine)).toThrow(
      'SELFREVIEW_SANDBOX_PROCESSES must be a whole number of at least 16, got 4',
    );
    expect(() => sandboxSettings({ SELFREVIEW_SANDBOX_UID: '0' }, machine)).toThrow(/SANDBOX_UID/);
    expect(() => sandboxSettings({ SELFREVIEW_SANDBOX_READONLY: 'tools' }, machine)).toThrow(
      'SELFREVIEW_SANDBOX_READONLY takes absolute paths, got tools',
    );
  });
});

describe('sandboxWarning', () => {
  const settings = sandboxSettings({}, { cores: 2, memoryMb: 8000 });

  it('says, for the run, that repository code ran without the sandbox and why; nothing with it', () => {
    expect(sandboxWarning({ mode: 'off', settings, chosen: true, reason: 'SELFREVIEW_SANDBOX=off' })).toBe(
      'repository code (tests, typecheck, fix.setup) ran without a sandbox: SELFREVIEW_SANDBOX=off',
    );
    expect(sandboxWarning({ mode: 'bwrap', settings, host: HOST, runAs: null })).toBeNull();
  });
});

describe('dependencyMounts', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'selfreview-mounts-'));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  async function linked(repoName: string): Promise<{ repo: string; tree: string; installed: string }> {
    const repo = path.join(root, repoName);
    const tree = path.join(root, `${repoName}-tree`);
    const installed = path.join(repo, 'node_modules');
    await mkdir(tree, { recursive: true });
    return { repo, tree, installed };
  }

  it('shows the installed folder and the outermost node_modules its links lead to, never a folder outside any node_modules', async () => {
    const { repo, tree, installed } = await linked('app');
    const tool = path.join(root, 'tool', 'node_modules', '.pnpm', 'vitest@4', 'node_modules', 'vitest');
    const scoped = path.join(root, 'store', 'node_modules', 'pkg');
    const secret = path.join(root, 'home', '.ssh');
    for (const dir of [
      tool,
      scoped,
      secret,
      path.join(installed, '.bin'),
      path.join(installed, '@org'),
      path.join(installed, 'own'),
    ])
      await mkdir(dir, { recursive: true });
    await writeFile(path.join(secret, 'id_rsa'), 'key');
    await symlink(tool, path.join(installed, 'vitest'));
    await symlink(scoped, path.join(installed, '@org', 'pkg'));
    await symlink(secret, path.join(installed, 'evil'));
    await symlink('../own', path.join(installed, '.bin', 'own'));
    await linkDependencies({
      installed,
      link: path.join(tree, 'node_modules'),
      tree,
      repoRoot: repo,
      packages: new Map(),
    });

    expect(await dependencyMounts(tree)).toEqual([
      installed,
      path.join(root, 'store', 'node_modules'),
      path.join(root, 'tool', 'node_modules'),
    ]);
  });

  it("links every entry into a folder of the tree's own, leaving out the caches tools write while they run", async () => {
    const { repo, tree, installed } = await linked('caches');
    for (const dir of ['.vite-temp', '.vite/vitest', '.cache/babel', 'lib'])
      await mkdir(path.join(installed, dir), { recursive: true });
    await writeFile(path.join(installed, '.vite', 'vitest', 'results.json'), '{}');
    await linkDependencies({
      installed,
      link: path.join(tree, 'node_modules'),
      tree,
      repoRoot: repo,
      packages: new Map(),
    });

    const folder = path.join(tree, 'node_modules');
    expect((await lstat(folder)).isDirectory()).toBe(true);
    expect((await readdir(folder)).sort()).toEqual(['lib']);
    expect(await readlink(path.join(folder, 'lib'))).toBe(path.join(installed, 'lib'));
    // What a tool then writes stays in the tree: the installed caches are untouched.
    await mkdir(path.join(folder, '.vite-temp'));
    await writeFile(path.join(folder, '.vite-temp', 'config.mjs'), 'export default {}');
    expect(await readdir(path.join(installed, '.vite-temp'))).toEqual([]);
  });

  it('shows nothing for an installed "node_modules" that is a link to another kind of folder, or for a tree never linked', async () => {
    const { repo, tree, installed } = await linked('trap');
    const secret = path.join(root, 'trap-home', '.ssh');
    await mkdir(secret, { recursive: true });
    await mkdir(repo, { recursive: true });
    await symlink(secret, installed);
    await linkDependencies({
      installed,
      link: path.join(tree, 'node_modules'),
      tree,
      repoRoot: repo,
      packages: new Map(),
    });

    expect(await dependencyMounts(tree)).toEqual([]);
    expect(await dependencyMounts(path.join(root, 'never-linked'))).toEqual([]);
  });
});
