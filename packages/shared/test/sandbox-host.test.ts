import { lstat, mkdir, mkdtemp, readdir, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dependencyMounts, linkDependencies } from '../src/dependencies.ts';
import {
  nodeModulesRoot,
  repositoryEnv,
  sandboxPath,
  sandboxSettings,
  sandboxWarning,
} from '../src/sandbox.ts';
import { HOST } from './sandbox-helpers.ts';

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
