/**
 * Git hardening on real repositories: the programs a repository's or host's git config names
 * (an LFS filter, an fsmonitor hook, hooks) never run when selfreview makes or inspects a
 * worktree, git sees no secret of the worker's environment, and fetching a cached clone keeps
 * the fix branches that were never pushed. Each case first shows plain git running the program,
 * so the test fails if the set-up stops triggering it.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Repository } from '@selfreview/shared/workspace';
import { afterAll, describe, expect, it } from 'vitest';
import { git, makeRepo, removeDir, tempDir } from './helpers/git.ts';

const exec = promisify(execFile);
const cleanup: string[] = [];

afterAll(async () => {
  for (const dir of cleanup.splice(0)) await removeDir(dir);
});

async function scratch(): Promise<string> {
  const dir = await realpath(await tempDir());
  cleanup.push(dir);
  return dir;
}

/** A script that records that it ran (and its environment) in `marker`, then behaves like `cat`. */
async function tattletale(dir: string, name: string, marker: string): Promise<string> {
  const script = path.join(dir, name);
  await writeFile(script, `#!/bin/sh\nenv >> '${marker}'\ncat\n`);
  await chmod(script, 0o755);
  return script;
}

/** Plain git, as a person or another tool would run it here: the control. */
async function plainGit(cwd: string, ...args: string[]): Promise<void> {
  await exec('git', args, { cwd, env: { PATH: process.env.PATH ?? '', HOME: os.tmpdir() } });
}

describe('git configuration that runs programs', () => {
  it('an LFS filter of the repository config does not run when selfreview makes, inspects and commits a worktree', async () => {
    const dir = await realpath(
      await makeRepo({
        '.gitattributes': '*.bin filter=lfs diff=lfs merge=lfs -text\n',
        'data.bin': 'version https://git-lfs.github.com/spec/v1\noid sha256:00\nsize 3\n',
        'src/a.ts': 'export const a = 1;\n',
      }),
    );
    cleanup.push(dir);
    const tools = await scratch();
    const marker = path.join(tools, 'filter-ran');
    const filter = await tattletale(tools, 'filter.sh', marker);
    // What `git lfs install` writes, pointing at a program of the host's choosing.
    await git(dir, 'config', 'filter.lfs.smudge', `${filter} %f`);
    await git(dir, 'config', 'filter.lfs.clean', `${filter} %f`);
    await git(dir, 'config', 'filter.lfs.required', 'true');
    const sha = await git(dir, 'rev-parse', 'HEAD');

    const control = path.join(tools, 'control');
    await plainGit(dir, 'worktree', 'add', '--quiet', '--detach', control, sha);
    expect(existsSync(marker)).toBe(true);
    await plainGit(dir, 'worktree', 'remove', '--force', control);
    await rm(marker);

    const repo = await Repository.open(dir);
    const wt = await repo.addWorktree(path.join(tools, 'wt'), sha, 'selfreview/lfs-test');
    // The pointer file is checked out as committed, not passed through the filter.
    expect(await readFile(path.join(wt.dir, 'data.bin'), 'utf8')).toContain('oid sha256:00');
    await writeFile(path.join(wt.dir, 'data.bin'), 'changed\n');
    await writeFile(path.join(wt.dir, 'src/a.ts'), 'export const a = 2;\n');
    expect((await wt.status()).map((e) => e.file).sort()).toEqual(['data.bin', 'src/a.ts']);
    await wt.diffLines();
    await wt.commit(['data.bin', 'src/a.ts'], 'selfreview: test');
    expect(existsSync(marker)).toBe(false);
    await repo.removeWorktree(wt.dir);
  });

  it('an fsmonitor hook and the repository hooks do not run', async () => {
    const dir = await realpath(await makeRepo({ 'src/a.ts': 'export const a = 1;\n' }));
    cleanup.push(dir);
    const tools = await scratch();
    const marker = path.join(tools, 'hook-ran');
    // An fsmonitor hook answers a query; this one records that it was asked and fails (git then scans).
    const hook = path.join(tools, 'fsmonitor.sh');
    await writeFile(hook, `#!/bin/sh\necho fsmonitor >> '${marker}'\nexit 1\n`);
    await chmod(hook, 0o755);
    await git(dir, 'config', 'core.fsmonitor', hook);
    const postCheckout = path.join(dir, '.git', 'hooks', 'post-checkout');
    await writeFile(postCheckout, `#!/bin/sh\necho post-checkout >> '${marker}'\n`);
    await chmod(postCheckout, 0o755);

    await plainGit(dir, 'status', '--porcelain');
    expect(existsSync(marker)).toBe(true);
    await rm(marker);

    const repo = await Repository.open(dir);
    const sha = await git(dir, 'rev-parse', 'HEAD');
    const wt = await repo.addWorktree(path.join(tools, 'wt'), sha, 'selfreview/fsmonitor-test');
    await writeFile(path.join(wt.dir, 'src/a.ts'), 'export const a = 2;\n');
    expect(await wt.changedFiles()).toEqual(['src/a.ts']);
    await wt.commit(['src/a.ts'], 'selfreview: test');
    await repo.listFiles(sha);
    await repo.readFiles(sha, ['src/a.ts']);
    await repo.removeWorktree(wt.dir);
    expect(existsSync(marker)).toBe(false);
  });

  it('git sees no secret of the worker: what it starts gets a minimal environment', async () => {
    const upstream = await realpath(await makeRepo({ 'a.txt': 'a\n' }));
    cleanup.push(upstream);
    const cache = await scratch();
    const tools = await scratch();
    const marker = path.join(tools, 'upload-pack-env');
    // The program git starts to fetch over the local transport, as a remote's config may name it.
    const uploadPack = path.join(tools, 'upload-pack.sh');
    await writeFile(uploadPack, `#!/bin/sh\nenv > '${marker}'\nexec git-upload-pack "$@"\n`);
    await chmod(uploadPack, 0o755);
    const url = `file://${upstream}`;
    const clone = await Repository.cloneOrFetch(url, cache);
    await git(clone.root, 'config', 'remote.origin.uploadpack', uploadPack);

    const saved = { token: process.env.GITHUB_TOKEN, key: process.env.ANTHROPIC_API_KEY };
    process.env.GITHUB_TOKEN = 'sr-git-env-token-31f4a2';
    process.env.ANTHROPIC_API_KEY = 'sr-git-env-key-77c0b1';
    try {
      await Repository.cloneOrFetch(url, cache);
    } finally {
      for (const [name, value] of [
        ['GITHUB_TOKEN', saved.token],
        ['ANTHROPIC_API_KEY', saved.key],
      ] as const) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
    const env = await readFile(marker, 'utf8');
    expect(env).not.toContain('sr-git-env-token-31f4a2');
    expect(env).not.toContain('sr-git-env-key-77c0b1');
    expect(env).toMatch(/^GIT_LFS_SKIP_SMUDGE=1$/m);
    expect(env).toMatch(/^GIT_CONFIG_NOSYSTEM=1$/m);
    expect(env).toMatch(/^GIT_TERMINAL_PROMPT=0$/m);
  });
});

describe('cached clones', () => {
  it('a fetch keeps the fix branches that were never pushed, and prunes what the remote deleted', async () => {
    const upstream = await realpath(await makeRepo({ 'a.txt': 'a\n' }));
    cleanup.push(upstream);
    await git(upstream, 'branch', 'feature');
    const url = `file://${upstream}`;
    const cache = await scratch();
    const clone = await Repository.cloneOrFetch(url, cache);
    const base = await git(clone.root, 'rev-parse', 'main');

    // A fix branch with a commit of its own, made in a worktree of the cached clone.
    const wtDir = path.join(await scratch(), 'wt');
    const wt = await clone.addWorktree(wtDir, base, 'selfreview/unpushed-fix');
    await writeFile(path.join(wtDir, 'a.txt'), 'fixed\n');
    const fix = await wt.commit(['a.txt'], 'selfreview: fix');
    await clone.removeWorktree(wtDir);
    // The remote deletes a branch, moves main, and has a selfreview branch of the same name elsewhere.
    await git(upstream, 'branch', '-D', 'feature');
    await writeFile(path.join(upstream, 'a.txt'), 'b\n');
    await git(upstream, '-c', 'user.name=t', '-c', 'user.email=t@localhost', 'commit', '-qam', 'b');
    await git(upstream, 'branch', 'selfreview/unpushed-fix', 'main');
    const newMain = await git(upstream, 'rev-parse', 'main');

    // The control: the refspec without the exclusion deletes or overwrites the fix branch.
    const copy = path.join(await scratch(), 'copy.git');
    await plainGit(cache, 'clone', '--quiet', '--bare', clone.root, copy);
    await git(copy, 'branch', '-D', 'selfreview/unpushed-fix');
    await git(copy, 'branch', 'selfreview/other-fix', base);
    await plainGit(copy, 'fetch', '--quiet', '--prune', '--no-tags', url, '+refs/heads/*:refs/heads/*');
    expect(await git(copy, 'branch', '--list', 'selfreview/other-fix')).toBe('');

    await Repository.cloneOrFetch(url, cache);
    expect(await clone.resolveBranch('selfreview/unpushed-fix')).toBe(fix);
    expect(await git(clone.root, 'rev-parse', 'main')).toBe(newMain);
    expect(await git(clone.root, 'branch', '--list', 'feature')).toBe('');
  });
});
