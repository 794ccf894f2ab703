/**
 * A repository selfreview works on and a worktree it made, as objects over the git modules:
 * what the services hold and pass around. Both live here because each refers to the other.
 * Nothing here touches the user's working tree, index or checked-out branch.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { GitError, UserInputError } from '../errors.ts';
import { GitBatch } from './batch.ts';
import { failureReason, git, runGit } from './exec.ts';
import * as objects from './objects.ts';
import * as refs from './refs.ts';
import type { PushOutcome, RemoteAuth } from './remote.ts';
import * as remote from './remote.ts';
import * as worktrees from './worktree.ts';

export class Repository {
  /** Set by keepGitOpen: reads go through one long-lived git process. */
  private batch: GitBatch | null = null;

  private constructor(
    /** The repository's top-level folder (for a bare cache clone, its git dir). */
    readonly root: string,
  ) {}

  /**
   * From now on files and branch tips are read through one long-lived `git cat-file
   * --batch-command` (see batch.ts) instead of a git process per call: for a worker that keeps
   * its repositories across jobs. close() ends that process (a later read starts it again).
   */
  keepGitOpen(opts?: { idleMs?: number }): this {
    this.batch ??= new GitBatch(this.root, opts);
    return this;
  }

  close(): void {
    this.batch?.close();
  }

  /** Opens an existing local repository; a clear UserInputError when it isn't one. */
  static async open(dir: string): Promise<Repository> {
    const abs = path.resolve(dir);
    if (!existsSync(abs)) throw new UserInputError(`${dir}: no such file or directory`);
    if (!statSync(abs).isDirectory()) throw new UserInputError(`${dir}: not a directory`);
    // selfreview's own cached clones are bare: their git dir is the repository's root.
    const bare = await runGit(['rev-parse', '--is-bare-repository'], { cwd: abs });
    if (bare.code === 0 && bare.stdout.trim() === 'true') {
      return new Repository((await git(['rev-parse', '--absolute-git-dir'], { cwd: abs })).trim());
    }
    const top = await runGit(['rev-parse', '--show-toplevel'], { cwd: abs });
    if (top.code !== 0) {
      if (/not a git repository/i.test(top.stderr)) {
        throw new UserInputError(`${dir}: not a git repository (run \`git init\` and commit first)`);
      }
      throw new GitError(`git rev-parse failed in ${dir}: ${failureReason(top)}`);
    }
    const root = top.stdout.trim();
    if (root === '') throw new UserInputError(`${dir}: not a git repository with a working tree`);
    return new Repository(root);
  }

  /** Where the cached clone of `url` lives under `cacheRoot` (named by the URL's hash). */
  static clonePath(url: string, cacheRoot: string): string {
    return remote.clonePath(url, cacheRoot);
  }

  /** Clones `url` into the cache (a bare clone named by the URL's hash), or fetches into it. */
  static async cloneOrFetch(url: string, cacheRoot: string): Promise<Repository> {
    return new Repository(await remote.cloneOrFetch(url, cacheRoot));
  }

  head(): Promise<{ branch: string; sha: string }> {
    return refs.head(this.root);
  }

  hasCommits(): Promise<boolean> {
    return refs.hasCommits(this.root);
  }

  /** Tracked files at `sha`, repo-relative. */
  listFiles(sha: string): Promise<string[]> {
    return objects.listFiles(this.root, sha);
  }

  /** Blob sizes at `sha`, so huge files can be skipped before they are read. */
  listFilesWithSize(sha: string): Promise<{ path: string; size: number; mode: string }[]> {
    return objects.listFilesWithSize(this.root, sha);
  }

  /** Submodules (gitlinks) at `sha`: where each sits and the commit it pins. */
  submodulesAt(sha: string): Promise<{ path: string; sha: string }[]> {
    return objects.submodulesAt(this.root, sha);
  }

  async readFile(sha: string, file: string): Promise<string | null> {
    const map = await this.readFiles(sha, [file]);
    return map.get(file) ?? null;
  }

  /** Reads many files at `sha` in one git command; missing files are absent from the map. */
  readFiles(sha: string, files: readonly string[]): Promise<Map<string, string>> {
    if (this.batch) return this.batch.readFiles(sha, files);
    return objects.readFiles(this.root, sha, files);
  }

  async branchExists(name: string): Promise<boolean> {
    return (await this.resolveBranch(name)) !== null;
  }

  /** The commit a local branch (any branch, e.g. the base branch) points at now, or null. */
  branchTip(name: string): Promise<string | null> {
    if (this.batch) return this.batch.branchTip(name);
    return refs.branchTip(this.root, name);
  }

  /** The commit a `selfreview/*` branch points at, or null. */
  resolveBranch(name: string): Promise<string | null> {
    return refs.resolveBranch(this.root, name);
  }

  /**
   * A new worktree at `sha` on a new branch `branch`, created atomically: git refuses
   * if the branch already exists.
   */
  async addWorktree(dir: string, sha: string, branch: string): Promise<Worktree> {
    await worktrees.addWorktree(this.root, dir, sha, branch);
    return new Worktree(this, dir, branch, sha);
  }

  /**
   * A worktree kept from an earlier batch (detached at `sha`, clean: resetWorktree) on a new
   * branch `branch` at `sha`; git refuses if the branch already exists.
   */
  async reuseWorktree(dir: string, sha: string, branch: string): Promise<Worktree> {
    await worktrees.startBranch(dir, branch, sha);
    return new Worktree(this, dir, branch, sha);
  }

  /** Resets a worktree to `sha`, detached and clean but for `keep`; whether it is (worktree.ts). */
  resetWorktree(dir: string, sha: string, keep: readonly string[]): Promise<boolean> {
    return worktrees.resetWorktree(dir, sha, keep);
  }

  removeWorktree(dir: string): Promise<void> {
    return worktrees.removeWorktree(this.root, dir);
  }

  /** The repository's registered worktrees (the main one first), with the branch each has checked out. */
  listWorktrees(): Promise<{ dir: string; head: string | null; branch: string | null }[]> {
    return worktrees.listWorktrees(this.root);
  }

  /** Removes worktrees under `folder` left by a crash; `keep` spares the ones still in use. */
  pruneWorktreesUnder(folder: string, keep?: (dir: string) => boolean): Promise<number> {
    return worktrees.pruneWorktreesUnder(this.root, folder, keep);
  }

  /** Facts kept about one of selfreview's branches, in the branch's own git config section. */
  setBranchNote(branch: string, key: 'batch' | 'base', value: string): Promise<void> {
    return refs.setBranchNote(this.root, branch, key, value);
  }

  branchNote(branch: string, key: 'batch' | 'base'): Promise<string | null> {
    return refs.branchNote(this.root, branch, key);
  }

  deleteBranch(name: string): Promise<void> {
    return refs.deleteBranch(this.root, name);
  }

  /** The URL of a configured remote, or null when there is no remote of that name. */
  remoteUrl(name: string): Promise<string | null> {
    return remote.remoteUrl(this.root, name);
  }

  /** Pushes one `selfreview/*` branch as a fast-forward, never to the default or protected branch. */
  pushBranch(
    name: string,
    branch: string,
    opts: { protectedBranch: string; auth?: RemoteAuth; timeoutMs?: number },
  ): Promise<PushOutcome> {
    return remote.pushBranch(this.root, name, branch, opts);
  }

  listSelfreviewBranches(): Promise<string[]> {
    return refs.listSelfreviewBranches(this.root);
  }

  /** The selfreview branches a run made (their tip carries `Selfreview-Run: <runId>`). */
  branchesOfRun(runId: string): Promise<string[]> {
    return refs.branchesOfRun(this.root, runId);
  }

  /** Commits reachable from `tip` whose message has the trailer line `key: value`, newest first. */
  commitsWithTrailer(key: string, value: string, tip: string): Promise<string[]> {
    return objects.commitsWithTrailer(this.root, key, value, tip);
  }

  commitsBetween(base: string, tip: string): Promise<string[]> {
    return objects.commitsBetween(this.root, base, tip);
  }

  changedFiles(from: string, to: string): Promise<string[]> {
    return objects.changedFiles(this.root, from, to);
  }

  /** Files that differ between two commits, with git's status letter; renames as delete + add. */
  diffNameStatus(from: string, to: string): Promise<{ status: string; path: string }[]> {
    return objects.diffNameStatus(this.root, from, to);
  }

  commitMessage(sha: string): Promise<string> {
    return objects.commitMessage(this.root, sha);
  }

  /** The full id of a commit named by a (possibly abbreviated) hex id, or null. */
  resolveCommit(hex: string): Promise<string | null> {
    return objects.resolveCommit(this.root, hex);
  }

  /** Whether commit `ancestor` is reachable from commit `tip`. */
  isAncestor(ancestor: string, tip: string): Promise<boolean> {
    return objects.isAncestor(this.root, ancestor, tip);
  }

  /** `selfreview/*` branches whose history contains `sha`. */
  selfreviewBranchesContaining(sha: string): Promise<string[]> {
    return refs.selfreviewBranchesContaining(this.root, sha);
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
  commit(files: readonly string[], message: string): Promise<string> {
    return worktrees.commitFiles(this.dir, files, message);
  }

  /** Files changed in the worktree relative to its base commit (tracked and untracked). */
  async changedFiles(): Promise<string[]> {
    return (await this.status()).map((e) => e.file);
  }

  /** Changed files, each marked tracked (modified, deleted) or untracked (new, never added). */
  status(): Promise<{ file: string; untracked: boolean }[]> {
    return worktrees.status(this.dir);
  }

  /** Lines added plus removed per tracked file, against the base commit. */
  diffLines(): Promise<number> {
    return worktrees.diffLines(this.dir, this.baseSha);
  }

  /** Reverts `commits` (newest first) with new commits on this branch; returns the new tip. */
  revert(commits: readonly string[]): Promise<string> {
    return worktrees.revert(this.dir, commits);
  }

  /** Fills a submodule from the user's own checkout of it; why not, or null when done. */
  checkoutSubmodule(subPath: string, sha: string, source: string): Promise<string | null> {
    return worktrees.checkoutSubmodule(this.dir, subPath, sha, source);
  }

  restoreFile(file: string): Promise<void> {
    return worktrees.restoreFile(this.dir, this.baseSha, file);
  }
}
