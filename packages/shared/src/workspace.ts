/**
 * The git adapter. Everything selfreview does to a repository goes through here:
 * reading files at a commit, worktrees for fixes, `selfreview/*` branches and
 * commits. It never touches the user's working tree, index or checked-out branch,
 * and never passes an untrusted string where git could read it as an option.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { type SimpleGit, simpleGit } from 'simple-git';
import { GitError, UserInputError } from './errors.ts';
import { runCommand } from './subprocess.ts';

const SHA = /^[0-9a-f]{40}$/;
/** Branches selfreview creates; it refuses to create, move or delete any other. */
export const BRANCH_PREFIX = 'selfreview/';
const SAFE_BRANCH = /^selfreview\/[A-Za-z0-9._/-]{1,200}$/;
const GIT_TIMEOUT_MS = 120_000;
/** A remote's name as `git remote add` accepts it, and never an option. */
const REMOTE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** How a push or ls-remote authenticates: an HTTP header, handed to git through its environment. */
export type RemoteAuth = { header: string; secret: string };

export type PushOutcome =
  | { ok: true; detail: string }
  | { ok: false; detail: string; reason: 'rejected' | 'refused' | 'unreachable' };

export const COMMITTER = { name: 'selfreview', email: 'selfreview@localhost' };

function assertSha(sha: string): void {
  if (!SHA.test(sha)) throw new GitError(`not a commit id: ${JSON.stringify(sha)}`);
}

export function assertSelfreviewBranch(name: string): void {
  if (!SAFE_BRANCH.test(name) || name.includes('..') || name.endsWith('.lock') || name.endsWith('/')) {
    throw new GitError(
      `refusing branch name ${JSON.stringify(name)}: only ${BRANCH_PREFIX}* branches are managed`,
    );
  }
}

/** A repo-relative path we are willing to hand to git (always after `--` or in `<sha>:<path>`). */
function assertRepoPath(p: string): void {
  if (
    p.length === 0 ||
    p.startsWith('/') ||
    p.startsWith('-') ||
    p.split('/').includes('..') ||
    /[\n\0]/.test(p)
  ) {
    throw new GitError(`unsafe path: ${JSON.stringify(p)}`);
  }
}

/**
 * Settings on every git command selfreview runs (as `-c`, which outranks every config file),
 * because repositories and hosts can configure git to run programs: hooks and signing belong to
 * the user's own commits; an fsmonitor hook would run on every status; a filter driver (Git LFS's
 * or any other under the `lfs` name) would run on checkout, status and add. The protocol setting
 * keeps file:// for commands selfreview itself starts, never for what a submodule names. All
 * constants, never repository input.
 */
export const GIT_HARDENING: readonly string[] = [
  'core.hooksPath=/dev/null',
  'core.fsmonitor=false',
  'filter.lfs.smudge=',
  'filter.lfs.clean=',
  'filter.lfs.process=',
  'filter.lfs.required=false',
  'protocol.file.allow=user',
  'commit.gpgsign=false',
  'core.quotePath=false',
];

/** GIT_HARDENING as arguments, for the git commands started without simple-git. */
export const GIT_HARDENING_ARGS: readonly string[] = GIT_HARDENING.flatMap((c) => ['-c', c]);

/**
 * The environment of every git command: no token, key or password of the worker's own
 * environment (git and what it starts see only this), no system-wide git config, no terminal
 * prompt, and Git LFS told not to download (a pointer file stays a pointer file).
 */
export function gitEnv(from: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const env: Record<string, string> = {
    PATH: from.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    // The user's ~/.gitconfig (safe.directory, url rewrites) still applies; -c outranks it.
    HOME: from.HOME ?? '/tmp',
    LANG: 'C.UTF-8',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_TERMINAL_PROMPT: '0',
    GIT_LFS_SKIP_SMUDGE: '1',
  };
  // Fetching a cached clone over ssh uses the operator's agent; proxies reach the network.
  for (const key of ['TMPDIR', 'SSH_AUTH_SOCK', 'HTTPS_PROXY', 'https_proxy', 'NO_PROXY', 'no_proxy']) {
    const value = from[key];
    if (value) env[key] = value;
  }
  return env;
}

const GIT_ENV_NAMES = ['GIT_CONFIG_NOSYSTEM', 'GIT_TERMINAL_PROMPT', 'GIT_LFS_SKIP_SMUDGE'];

function git(baseDir: string): SimpleGit {
  return simpleGit({
    baseDir,
    timeout: { block: GIT_TIMEOUT_MS },
    config: [...GIT_HARDENING],
    // simple-git refuses these settings unless asked: here they switch things off, with constants.
    unsafe: {
      allowUnsafeHooksPath: true,
      allowUnsafeFsMonitor: true,
      allowUnsafeFilter: true,
      allowUnsafeProtocolOverride: true,
    },
    allowEnvironment: GIT_ENV_NAMES,
  } as Parameters<typeof simpleGit>[0]).env(gitEnv());
}

async function wrap<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof GitError) throw err;
    const message = (err as Error).message?.trim().split('\n')[0] ?? String(err);
    throw new GitError(`git ${what} failed: ${message}`, { cause: err });
  }
}

export class Repository {
  private constructor(
    /** The repository's top-level folder (for a bare cache clone, its git dir). */
    readonly root: string,
  ) {}

  /** Opens an existing local repository; a clear UserInputError when it isn't one. */
  static async open(dir: string): Promise<Repository> {
    const abs = path.resolve(dir);
    if (!existsSync(abs)) throw new UserInputError(`${dir}: no such file or directory`);
    if (!statSync(abs).isDirectory()) throw new UserInputError(`${dir}: not a directory`);
    let top: string;
    try {
      // selfreview's own cached clones are bare: their git dir is the repository's root.
      if (
        (
          await git(abs)
            .raw(['rev-parse', '--is-bare-repository'])
            .catch(() => '')
        ).trim() === 'true'
      ) {
        return new Repository((await git(abs).raw(['rev-parse', '--absolute-git-dir'])).trim());
      }
      top = (await git(abs).raw(['rev-parse', '--show-toplevel'])).trim();
    } catch (err) {
      if (/not a git repository/i.test((err as Error).message)) {
        throw new UserInputError(`${dir}: not a git repository (run \`git init\` and commit first)`);
      }
      throw new GitError(`git rev-parse failed in ${dir}: ${(err as Error).message.trim().split('\n')[0]}`, {
        cause: err,
      });
    }
    if (top === '') throw new UserInputError(`${dir}: not a git repository with a working tree`);
    return new Repository(top);
  }

  /** Where the cached clone of `url` lives under `cacheRoot` (named by the URL's hash). */
  static clonePath(url: string, cacheRoot: string): string {
    return path.join(cacheRoot, 'clones', createHash('sha256').update(url).digest('hex').slice(0, 16));
  }

  /**
   * Clones `url` into `cacheRoot` (a bare clone named by the URL's hash), or fetches
   * if the clone is already there. The URL follows `--`, so it can't be taken for an option.
   */
  static async cloneOrFetch(url: string, cacheRoot: string): Promise<Repository> {
    if (!/^(https:\/\/|ssh:\/\/|git@[\w.-]+:|file:\/\/)/.test(url)) {
      throw new UserInputError(
        `unsupported repository URL ${JSON.stringify(url)}: expected https://, ssh:// or git@host:`,
      );
    }
    const dir = Repository.clonePath(url, cacheRoot);
    if (existsSync(path.join(dir, 'HEAD'))) {
      // selfreview's own branches are local work (fix branches not yet published, or never):
      // the negative refspec keeps the fetch from overwriting them and --prune from deleting them.
      await wrap('fetch', () =>
        git(dir).raw([
          'fetch',
          '--prune',
          '--no-tags',
          'origin',
          '+refs/heads/*:refs/heads/*',
          `^refs/heads/${BRANCH_PREFIX}*`,
        ]),
      );
    } else {
      await mkdir(path.dirname(dir), { recursive: true });
      await wrap('clone', () => git(cacheRoot).raw(['clone', '--bare', '--no-tags', '--', url, dir]));
    }
    return new Repository(dir);
  }

  async head(): Promise<{ branch: string; sha: string }> {
    const sha = (
      await wrap('rev-parse', () => git(this.root).raw(['rev-parse', '--verify', 'HEAD^{commit}']))
    ).trim();
    let branch = (
      await wrap('symbolic-ref', () => git(this.root).raw(['rev-parse', '--abbrev-ref', 'HEAD']))
    ).trim();
    if (branch === 'HEAD') branch = sha; // detached
    return { branch, sha };
  }

  async hasCommits(): Promise<boolean> {
    try {
      await git(this.root).raw(['rev-parse', '--verify', 'HEAD^{commit}']);
      return true;
    } catch {
      return false;
    }
  }

  /** Tracked files at `sha`, repo-relative. */
  async listFiles(sha: string): Promise<string[]> {
    assertSha(sha);
    const out = await wrap('ls-tree', () =>
      git(this.root).raw(['ls-tree', '-r', '-z', '--name-only', '--full-tree', sha]),
    );
    return out.split('\0').filter((p) => p.length > 0);
  }

  /** Blob sizes at `sha`, so huge files can be skipped before they are read. */
  async listFilesWithSize(sha: string): Promise<{ path: string; size: number; mode: string }[]> {
    assertSha(sha);
    const out = await wrap('ls-tree', () =>
      git(this.root).raw(['ls-tree', '-r', '-z', '-l', '--full-tree', sha]),
    );
    return out
      .split('\0')
      .filter((line) => line.length > 0)
      .map((line) => {
        const tab = line.indexOf('\t');
        const [mode = '', , , size = '0'] = line.slice(0, tab).split(/\s+/);
        return { path: line.slice(tab + 1), size: Number(size) || 0, mode };
      });
  }

  /** Submodules (gitlinks) at `sha`: where each sits and the commit it pins. */
  async submodulesAt(sha: string): Promise<{ path: string; sha: string }[]> {
    assertSha(sha);
    const out = await wrap('ls-tree', () => git(this.root).raw(['ls-tree', '-r', '-z', '--full-tree', sha]));
    return out
      .split('\0')
      .filter((line) => line.startsWith('160000 commit '))
      .map((line) => {
        const tab = line.indexOf('\t');
        return { path: line.slice(tab + 1), sha: line.slice(0, tab).split(' ')[2] ?? '' };
      })
      .filter((s) => /^[0-9a-f]{40,64}$/.test(s.sha));
  }

  async readFile(sha: string, file: string): Promise<string | null> {
    const map = await this.readFiles(sha, [file]);
    return map.get(file) ?? null;
  }

  /** Reads many files at `sha` through one `git cat-file --batch`; missing files are absent from the map. */
  async readFiles(sha: string, files: readonly string[]): Promise<Map<string, string>> {
    assertSha(sha);
    for (const f of files) assertRepoPath(f);
    const result = new Map<string, string>();
    if (files.length === 0) return result;
    const child = spawn('git', [...GIT_HARDENING_ARGS, 'cat-file', '--batch'], {
      cwd: this.root,
      stdio: ['pipe', 'pipe', 'pipe'],
      env: gitEnv(),
    });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    const done = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), GIT_TIMEOUT_MS);
      child.on('error', reject);
      child.on('close', (code) => {
        clearTimeout(timer);
        if (code === 0) resolve();
        else reject(new GitError(`git cat-file failed (${code}): ${stderr.trim()}`));
      });
    });
    child.stdin.end(files.map((f) => `${sha}:${f}\n`).join(''));
    await done;
    const buf = Buffer.concat(chunks);
    let pos = 0;
    for (const file of files) {
      const nl = buf.indexOf(10, pos);
      if (nl < 0) break;
      const header = buf.subarray(pos, nl).toString();
      pos = nl + 1;
      if (header.endsWith(' missing') || header.endsWith(' ambiguous')) continue;
      const size = Number(header.split(' ')[2]);
      const type = header.split(' ')[1];
      if (type === 'blob') result.set(file, buf.subarray(pos, pos + size).toString('utf8'));
      pos += size + 1; // content, then a newline
    }
    return result;
  }

  async branchExists(name: string): Promise<boolean> {
    // simple-git resolves a failing command that prints nothing (`--quiet`), so the
    // answer is read from the output, not from whether the call threw.
    return (await this.resolveBranch(name)) !== null;
  }

  /**
   * The commit a local branch (any branch, e.g. the base branch) points at now, or null.
   * The name is checked to be a plain branch name, so it can never act as an option.
   */
  async branchTip(name: string): Promise<string | null> {
    if (!/^[A-Za-z0-9._/-]{1,200}$/.test(name) || name.startsWith('-') || name.includes('..')) {
      throw new GitError(`not a branch name: ${JSON.stringify(name)}`);
    }
    try {
      const out = await git(this.root).raw([
        'rev-parse',
        '--verify',
        '--quiet',
        `refs/heads/${name}^{commit}`,
      ]);
      return out.trim() || null;
    } catch {
      return null;
    }
  }

  async resolveBranch(name: string): Promise<string | null> {
    assertSelfreviewBranch(name);
    try {
      return (
        (
          await git(this.root).raw(['rev-parse', '--verify', '--quiet', `refs/heads/${name}^{commit}`])
        ).trim() || null
      );
    } catch {
      return null;
    }
  }

  /**
   * A new worktree at `sha` on a new branch `branch`, created atomically: git refuses
   * if the branch already exists. Returns the worktree's folder.
   */
  async addWorktree(dir: string, sha: string, branch: string): Promise<Worktree> {
    assertSha(sha);
    assertSelfreviewBranch(branch);
    if (!path.isAbsolute(dir)) throw new GitError(`worktree folder must be absolute: ${dir}`);
    await mkdir(path.dirname(dir), { recursive: true });
    await wrap('worktree add', () =>
      git(this.root).raw(['worktree', 'add', '--no-track', '-b', branch, dir, sha]),
    );
    return new Worktree(this, dir, branch, sha);
  }

  async removeWorktree(dir: string): Promise<void> {
    try {
      await git(this.root).raw(['worktree', 'remove', '--force', dir]);
    } catch {
      // Already gone, or never registered: make sure the folder goes too.
    }
    await rm(dir, { recursive: true, force: true });
    await git(this.root)
      .raw(['worktree', 'prune'])
      .catch(() => {});
  }

  /** The repository's registered worktrees (the main one first), with the branch each has checked out. */
  async listWorktrees(): Promise<{ dir: string; head: string | null; branch: string | null }[]> {
    const list = await wrap('worktree list', () => git(this.root).raw(['worktree', 'list', '--porcelain']));
    return list
      .split('\n\n')
      .map((block) => block.split('\n'))
      .filter((lines) => lines[0]?.startsWith('worktree '))
      .map((lines) => {
        const field = (key: string) =>
          lines.find((l) => l.startsWith(`${key} `))?.slice(key.length + 1) ?? null;
        const ref = field('branch');
        return {
          dir: field('worktree') as string,
          head: field('HEAD'),
          branch: ref?.startsWith('refs/heads/') ? ref.slice('refs/heads/'.length) : null,
        };
      });
  }

  /**
   * Removes worktrees under `folder` left by a crash (git's own registry and the folders);
   * `keep` spares the ones still in use.
   */
  async pruneWorktreesUnder(folder: string, keep: (dir: string) => boolean = () => false): Promise<number> {
    const stale = (await this.listWorktrees())
      .map((w) => w.dir)
      .filter((p) => p.startsWith(folder + path.sep) && !keep(p));
    for (const dir of stale) await this.removeWorktree(dir);
    return stale.length;
  }

  /**
   * Facts selfreview keeps about one of its branches (which batch made it, from which commit),
   * in the branch's own git config section: they go when the branch is deleted.
   */
  async setBranchNote(branch: string, key: 'batch' | 'base', value: string): Promise<void> {
    assertSelfreviewBranch(branch);
    if (!/^[A-Za-z0-9_.:-]{1,120}$/.test(value) || value.startsWith('-')) {
      throw new GitError(`refusing branch note value ${JSON.stringify(value)}`);
    }
    // Two processes writing .git/config at once: git refuses the second (config.lock); try again.
    for (let attempt = 0; ; attempt++) {
      try {
        await git(this.root).raw(['config', '--local', `branch.${branch}.selfreview-${key}`, value]);
        return;
      } catch (err) {
        if (attempt >= 4 || !/lock/i.test((err as Error).message)) {
          throw new GitError(`git config failed: ${(err as Error).message.trim().split('\n')[0]}`, {
            cause: err,
          });
        }
        await new Promise((r) => setTimeout(r, 50 + Math.random() * 200));
      }
    }
  }

  async branchNote(branch: string, key: 'batch' | 'base'): Promise<string | null> {
    assertSelfreviewBranch(branch);
    try {
      return (
        (
          await git(this.root).raw(['config', '--local', '--get', `branch.${branch}.selfreview-${key}`])
        ).trim() || null
      );
    } catch {
      return null;
    }
  }

  async deleteBranch(name: string): Promise<void> {
    assertSelfreviewBranch(name);
    await wrap('branch -D', () => git(this.root).raw(['branch', '-D', '--', name]));
  }

  /** The URL of a configured remote, or null when there is no remote of that name. */
  async remoteUrl(remote: string): Promise<string | null> {
    if (!REMOTE_NAME.test(remote)) throw new GitError(`not a remote name: ${JSON.stringify(remote)}`);
    const names = (await wrap('remote', () => git(this.root).raw(['remote'])))
      .split('\n')
      .map((l) => l.trim());
    if (!names.includes(remote)) return null;
    return (
      await wrap('remote get-url', () => git(this.root).raw(['remote', 'get-url', '--', remote]))
    ).trim();
  }

  /**
   * Pushes one `selfreview/*` branch to `remote`, as a fast-forward only (no `--force`, no `+`
   * refspec), and never to the remote's default branch or to `protectedBranch` (the base).
   * Credentials travel in git's environment (`http.extraHeader`), never in argv or the URL.
   */
  async pushBranch(
    remote: string,
    branch: string,
    opts: { protectedBranch: string; auth?: RemoteAuth; timeoutMs?: number },
  ): Promise<PushOutcome> {
    assertSelfreviewBranch(branch);
    const url = await this.remoteUrl(remote);
    if (url === null) return { ok: false, reason: 'refused', detail: `no remote named ${remote}` };
    const env: Record<string, string> = {
      ...gitEnv(),
      GIT_ASKPASS: 'true',
      SSH_ASKPASS: 'true',
    };
    if (opts.auth) {
      env.GIT_CONFIG_COUNT = '1';
      env.GIT_CONFIG_KEY_0 = 'http.extraHeader';
      env.GIT_CONFIG_VALUE_0 = opts.auth.header;
    }
    const scrub = (text: string) => (opts.auth ? text.split(opts.auth.secret).join('***') : text);
    const timeoutMs = opts.timeoutMs ?? GIT_TIMEOUT_MS;
    const run = (args: string[]) =>
      runCommand('git', [...GIT_HARDENING_ARGS, ...args], { cwd: this.root, timeoutMs, env });

    const head = await run(['ls-remote', '--symref', '--', remote, 'HEAD']);
    if (head.code !== 0) {
      return {
        ok: false,
        reason: 'unreachable',
        detail: scrub(
          `git ls-remote ${remote}: ${lastLine(head.stderr) || `exit ${head.code ?? head.signal}`}`,
        ),
      };
    }
    const defaultBranch = /^ref: refs\/heads\/(\S+)\tHEAD$/m.exec(head.stdout)?.[1];
    if (branch === defaultBranch || branch === opts.protectedBranch) {
      return {
        ok: false,
        reason: 'refused',
        detail: `refusing to push to ${branch}: it is the default branch`,
      };
    }
    const ref = `refs/heads/${branch}`;
    const push = await run(['push', '--porcelain', '--no-verify', '--', remote, `${ref}:${ref}`]);
    const status = push.stdout
      .split('\n')
      .find((l) => l.includes(`\t${ref}:${ref}\t`) || l.includes(`\t${ref}:${ref}`));
    if (push.code === 0) {
      return { ok: true, detail: status?.startsWith('=') ? 'already up to date' : 'pushed' };
    }
    if (push.timedOut)
      return { ok: false, reason: 'unreachable', detail: `git push timed out after ${timeoutMs / 1000} s` };
    const why = status?.split('\t')[2] ?? (lastLine(push.stderr) || `exit ${push.code ?? push.signal}`);
    return {
      ok: false,
      reason: status?.startsWith('!') ? 'rejected' : 'unreachable',
      detail: scrub(`git push ${remote} ${branch}: ${why}`),
    };
  }

  async listSelfreviewBranches(): Promise<string[]> {
    const out = await wrap('for-each-ref', () =>
      git(this.root).raw(['for-each-ref', '--format=%(refname:short)', `refs/heads/${BRANCH_PREFIX}`]),
    );
    return out.split('\n').filter(Boolean);
  }

  /**
   * The selfreview branches a run made: those whose tip commit carries the trailer
   * `Selfreview-Run: <runId>` (one for-each-ref, reading every tip's message at once).
   */
  async branchesOfRun(runId: string): Promise<string[]> {
    if (!/^[A-Za-z0-9_-]{1,80}$/.test(runId)) throw new GitError(`not a run id: ${JSON.stringify(runId)}`);
    const out = await wrap('for-each-ref', () =>
      git(this.root).raw([
        'for-each-ref',
        '--format=%(refname:short)%00%(contents)%00%00',
        `refs/heads/${BRANCH_PREFIX}`,
      ]),
    );
    return out
      .split('\0\0')
      .map((record) => record.replace(/^\n/, '').split('\0'))
      .filter(
        ([name, message]) =>
          name && message?.split('\n').some((l) => l.trim() === `Selfreview-Run: ${runId}`),
      )
      .map(([name]) => name as string);
  }

  /**
   * Commits reachable from `tip` whose message has the trailer line `key: value` exactly,
   * newest first. Key and value are checked to be plain tokens, so neither reaches git as an option.
   */
  async commitsWithTrailer(key: string, value: string, tip: string): Promise<string[]> {
    assertSha(tip);
    if (!/^[A-Za-z][A-Za-z-]{0,40}$/.test(key) || !/^[A-Za-z0-9_.-]{1,80}$/.test(value)) {
      throw new GitError(`not a trailer to search for: ${JSON.stringify(`${key}: ${value}`)}`);
    }
    const line = `${key}: ${value}`;
    const out = await wrap('log --grep', () =>
      git(this.root).raw(['log', '--format=%H', '--fixed-strings', `--grep=${line}`, tip, '--']),
    );
    const found: string[] = [];
    // --grep matches substrings (`b-1` in `b-10`): keep only exact trailer lines.
    for (const sha of out.split('\n').filter(Boolean)) {
      if ((await this.commitMessage(sha)).split('\n').some((l) => l.trim() === line)) found.push(sha);
    }
    return found;
  }

  async commitsBetween(base: string, tip: string): Promise<string[]> {
    assertSha(base);
    assertSha(tip);
    const out = await wrap('rev-list', () => git(this.root).raw(['rev-list', `${base}..${tip}`]));
    return out.split('\n').filter(Boolean);
  }

  async changedFiles(from: string, to: string): Promise<string[]> {
    assertSha(from);
    assertSha(to);
    const out = await wrap('diff', () =>
      git(this.root).raw(['diff', '--no-ext-diff', '--no-textconv', '--name-only', '-z', from, to]),
    );
    return out.split('\0').filter(Boolean);
  }

  /** Files that differ between two commits, with git's status letter (A, M, D, T); renames as delete + add. */
  async diffNameStatus(from: string, to: string): Promise<{ status: string; path: string }[]> {
    assertSha(from);
    assertSha(to);
    const out = await wrap('diff', () =>
      git(this.root).raw([
        'diff',
        '--no-ext-diff',
        '--no-textconv',
        '--name-status',
        '-z',
        '--no-renames',
        from,
        to,
        '--',
      ]),
    );
    const fields = out.split('\0');
    const changes: { status: string; path: string }[] = [];
    for (let i = 0; i + 1 < fields.length; i += 2) {
      const status = fields[i] ?? '';
      const file = fields[i + 1] ?? '';
      if (status !== '' && file !== '') changes.push({ status: status.slice(0, 1), path: file });
    }
    return changes;
  }

  async commitMessage(sha: string): Promise<string> {
    assertSha(sha);
    return wrap('log', () => git(this.root).raw(['log', '-1', '--format=%B', sha]));
  }

  /** The full id of a commit named by a (possibly abbreviated) hex id, or null. */
  async resolveCommit(hex: string): Promise<string | null> {
    if (!/^[0-9a-f]{7,40}$/.test(hex)) return null;
    try {
      const out = await git(this.root).raw(['rev-parse', '--verify', '--quiet', `${hex}^{commit}`]);
      return out.trim() || null;
    } catch {
      return null;
    }
  }

  /** Whether commit `ancestor` is reachable from commit `tip` (e.g. a fix merged into a branch). */
  async isAncestor(ancestor: string, tip: string): Promise<boolean> {
    assertSha(ancestor);
    assertSha(tip);
    // `merge-base --is-ancestor` answers by exit code alone, which simple-git does not
    // report when nothing is printed: compare the merge base with the ancestor instead.
    const base = await git(this.root)
      .raw(['merge-base', ancestor, tip])
      .catch(() => '');
    return base.trim() === ancestor;
  }

  /** `selfreview/*` branches whose history contains `sha`. */
  async selfreviewBranchesContaining(sha: string): Promise<string[]> {
    assertSha(sha);
    const out = await wrap('branch', () =>
      git(this.root).raw([
        'branch',
        '--format=%(refname:short)',
        '--contains',
        sha,
        '--list',
        `${BRANCH_PREFIX}*`,
      ]),
    );
    return out
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean);
  }
}

/** A worktree selfreview made: the only place it writes files. */
export class Worktree {
  constructor(
    readonly repo: Repository,
    readonly dir: string,
    readonly branch: string,
    readonly baseSha: string,
  ) {}

  /** Stages exactly `files` (never `-A`) and commits them; returns the new commit's id. */
  async commit(files: readonly string[], message: string): Promise<string> {
    for (const f of files) assertRepoPath(f);
    const g = git(this.dir);
    await wrap('add', () => g.raw(['add', '--', ...files]));
    // The message is the value of -m, so git never reads it as an option.
    await wrap('commit', () =>
      g.raw([
        '-c',
        `user.name=${COMMITTER.name}`,
        '-c',
        `user.email=${COMMITTER.email}`,
        'commit',
        '--no-verify',
        '-m',
        message,
      ]),
    );
    return (await wrap('rev-parse', () => g.raw(['rev-parse', 'HEAD']))).trim();
  }

  /** Files changed in the worktree relative to its base commit (tracked and untracked). */
  async changedFiles(): Promise<string[]> {
    return (await this.status()).map((e) => e.file);
  }

  /** Changed files, each marked tracked (modified, deleted) or untracked (new, never added). */
  async status(): Promise<{ file: string; untracked: boolean }[]> {
    const out = await wrap('status', () =>
      git(this.dir).raw(['status', '--porcelain', '-z', '--untracked-files=all', '--ignore-submodules=all']),
    );
    return out
      .split('\0')
      .filter(Boolean)
      .map((entry) => ({ file: entry.slice(3), untracked: entry.startsWith('??') }));
  }

  /** Lines added plus removed per tracked file, against the base commit. */
  async diffLines(): Promise<number> {
    const out = await wrap('diff', () =>
      git(this.dir).raw(['diff', '--no-ext-diff', '--no-textconv', '--numstat', this.baseSha]),
    );
    return out
      .split('\n')
      .filter(Boolean)
      .reduce((sum, line) => {
        const [added = '0', removed = '0'] = line.split('\t');
        return sum + (Number(added) || 0) + (Number(removed) || 0);
      }, 0);
  }

  /**
   * Reverts `commits` (newest first) with new commits on this worktree's branch: history
   * is added to, never rewritten. Returns the new tip.
   */
  async revert(commits: readonly string[]): Promise<string> {
    for (const c of commits) assertSha(c);
    const g = git(this.dir);
    await wrap('revert', () =>
      g.raw([
        '-c',
        `user.name=${COMMITTER.name}`,
        '-c',
        `user.email=${COMMITTER.email}`,
        'revert',
        '--no-edit',
        ...commits,
      ]),
    );
    return (await wrap('rev-parse', () => g.raw(['rev-parse', 'HEAD']))).trim();
  }

  /**
   * Fills the submodule at `subPath` with commit `sha`, taken from the user's own checkout of
   * that submodule (`source`): a clone sharing its objects, so nothing is fetched or copied.
   * Returns why not when the local checkout doesn't have the commit.
   */
  async checkoutSubmodule(subPath: string, sha: string, source: string): Promise<string | null> {
    assertRepoPath(subPath);
    assertSha(sha);
    if (!existsSync(path.join(source, '.git')))
      return `submodule ${subPath} is not checked out in the repository`;
    const has = await runCommand(
      'git',
      [...GIT_HARDENING_ARGS, '-C', source, 'cat-file', '-e', `${sha}^{commit}`],
      { cwd: source, timeoutMs: GIT_TIMEOUT_MS, env: gitEnv() },
    );
    if (has.code !== 0)
      return `submodule ${subPath}: commit ${sha.slice(0, 12)} is not in its local checkout`;
    const target = path.join(this.dir, subPath);
    const cloned = await runCommand(
      'git',
      [
        ...GIT_HARDENING_ARGS,
        'clone',
        '--quiet',
        '--shared',
        '--no-checkout',
        '--no-hardlinks',
        '--',
        source,
        target,
      ],
      { cwd: this.dir, timeoutMs: GIT_TIMEOUT_MS, env: gitEnv() },
    );
    if (cloned.code !== 0) return `submodule ${subPath}: ${lastLine(cloned.stderr) || 'clone failed'}`;
    const checkedOut = await runCommand(
      'git',
      [...GIT_HARDENING_ARGS, '-c', 'advice.detachedHead=false', 'checkout', '--quiet', '--detach', sha],
      { cwd: target, timeoutMs: GIT_TIMEOUT_MS, env: gitEnv() },
    );
    if (checkedOut.code !== 0)
      return `submodule ${subPath}: ${lastLine(checkedOut.stderr) || 'checkout failed'}`;
    return null;
  }

  async restoreFile(file: string): Promise<void> {
    assertRepoPath(file);
    await wrap('checkout', () => git(this.dir).raw(['checkout', this.baseSha, '--', file]));
  }
}

function lastLine(text: string): string {
  return (
    text
      .trim()
      .split('\n')
      .filter((l) => l.trim() !== '')
      .pop() ?? ''
  ).slice(0, 300);
}
