/**
 * Makes a fresh worktree behave like the user's checkout, so that verifying a fix there
 * answers the question "does this change break anything" and not "is a worktree different
 * from a checkout": submodules filled from the user's own clones of them (no network),
 * installed dependencies linked for the root and every package, and the repository's own
 * set-up command (in the sandbox, like every command of the repository). What can't be made
 * equivalent is returned as notes for the report (so is running without the sandbox); it
 * never fails a fix by itself.
 */
import { existsSync } from 'node:fs';
import { realpath } from 'node:fs/promises';
import path from 'node:path';
import type { RepoConfig } from '@selfreview/shared/config';
import { dependencyMounts, linkDependencies, workspacePackages } from '@selfreview/shared/dependencies';
import { activeSandbox, runRepositoryCode, sandboxWarning } from '@selfreview/shared/sandbox';
import type { Repository, Worktree } from '@selfreview/shared/workspace';

const DEPENDENCIES = 'node_modules';

export type PreparedWorktree = {
  /** Repository-relative `node_modules` links made in the worktree: never part of a change. */
  linked: string[];
  /** Why the worktree differs from the checkout, one sentence each. */
  notes: string[];
};

export async function prepareWorktree(
  repo: Repository,
  wt: Worktree,
  setup: RepoConfig['fix']['setup'],
  signal?: AbortSignal,
): Promise<PreparedWorktree> {
  const notes: string[] = [];
  for (const sub of await repo.submodulesAt(wt.baseSha)) {
    const why = await wt.checkoutSubmodule(sub.path, sub.sha, path.join(repo.root, sub.path));
    if (why) notes.push(why);
  }
  const linked: string[] = [];
  const tracked = await repo.listFiles(wt.baseSha);
  const folders = packageFolders(tracked);
  const manifests = await repo.readFiles(
    wt.baseSha,
    folders.map((d) => (d === '' ? 'package.json' : `${d}/package.json`)),
  );
  const packages = workspacePackages(manifests);
  const repoRoot = await realpath(repo.root);
  for (const dir of folders) {
    const installed = path.join(repo.root, dir, DEPENDENCIES);
    const link = path.join(wt.dir, dir, DEPENDENCIES);
    if (!existsSync(installed) || existsSync(link)) continue;
    // The worktree's own workspace packages, not the checkout's: its typecheck sees the change.
    await linkDependencies({ installed, link, tree: wt.dir, repoRoot, packages });
    linked.push(dir === '' ? DEPENDENCIES : `${dir}/${DEPENDENCIES}`);
  }
  // What the sandbox shows of the dependencies is settled now, before any repository code runs.
  const readOnly = await dependencyMounts(wt.dir);
  const unsandboxed = sandboxWarning(await activeSandbox());
  if (unsandboxed) notes.push(unsandboxed);
  if (setup.command) {
    const [cmd, ...args] = setup.command;
    const res = await runRepositoryCode(cmd as string, args, {
      cwd: wt.dir,
      timeoutMs: setup.timeoutSeconds * 1000,
      ...(signal ? { signal } : {}),
      readOnly,
    });
    if (res.timedOut) notes.push(`fix.setup timed out after ${setup.timeoutSeconds} s`);
    else if (res.code !== 0) {
      const last = (res.stderr || res.stdout).trim().split('\n').pop() ?? '';
      notes.push(`fix.setup exited ${res.code ?? res.signal}: ${last.slice(0, 200)}`);
    }
  }
  return { linked, notes };
}

/**
 * Folders (repository-relative, '' for the root) holding a tracked package.json: the root
 * and every workspace package, whichever package manager declared them. Installed
 * dependencies live next to each one.
 */
export function packageFolders(trackedFiles: readonly string[]): string[] {
  const folders = new Set<string>();
  for (const file of trackedFiles) {
    if (file !== 'package.json' && !file.endsWith('/package.json')) continue;
    if (file.split('/').includes(DEPENDENCIES)) continue;
    folders.add(path.posix.dirname(file) === '.' ? '' : path.posix.dirname(file));
  }
  return [...folders].sort();
}
