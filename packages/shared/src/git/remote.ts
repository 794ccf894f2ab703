/**
 * The network side: selfreview's cached bare clones (cloned once, fetched after) and pushing
 * one `selfreview/*` branch. URLs and remote names are checked before git sees them, and
 * credentials travel in git's environment, never in its arguments or a URL.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { UserInputError } from '../errors.ts';
import { GIT_TIMEOUT_MS, git, lastLine, runGit } from './exec.ts';
import { assertRemoteName, assertSelfreviewBranch, BRANCH_PREFIX } from './names.ts';

/** How a push or ls-remote authenticates: an HTTP header, handed to git through its environment. */
export type RemoteAuth = { header: string; secret: string };

export type PushOutcome =
  | { ok: true; detail: string }
  | { ok: false; detail: string; reason: 'rejected' | 'refused' | 'unreachable' };

/** Where the cached clone of `url` lives under `cacheRoot` (named by the URL's hash). */
export function clonePath(url: string, cacheRoot: string): string {
  return path.join(cacheRoot, 'clones', createHash('sha256').update(url).digest('hex').slice(0, 16));
}

/**
 * Clones `url` into `cacheRoot` (a bare clone named by the URL's hash), or fetches if the
 * clone is already there; returns the clone's folder. The URL follows `--`, so it can't be
 * taken for an option.
 */
export async function cloneOrFetch(url: string, cacheRoot: string): Promise<string> {
  if (!/^(https:\/\/|ssh:\/\/|git@[\w.-]+:|file:\/\/)/.test(url)) {
    throw new UserInputError(
      `unsupported repository URL ${JSON.stringify(url)}: expected https://, ssh:// or git@host:`,
    );
  }
  const dir = clonePath(url, cacheRoot);
  if (existsSync(path.join(dir, 'HEAD'))) {
    // selfreview's own branches are local work (fix branches not yet published, or never):
    // the negative refspec keeps the fetch from overwriting them and --prune from deleting them.
    await git(
      [
        'fetch',
        '--prune',
        '--no-tags',
        'origin',
        '+refs/heads/*:refs/heads/*',
        `^refs/heads/${BRANCH_PREFIX}*`,
      ],
      { cwd: dir },
    );
  } else {
    await mkdir(path.dirname(dir), { recursive: true });
    await git(['clone', '--bare', '--no-tags', '--', url, dir], { cwd: cacheRoot });
  }
  return dir;
}

/** The URL of a configured remote, or null when there is no remote of that name. */
export async function remoteUrl(root: string, remote: string): Promise<string | null> {
  assertRemoteName(remote);
  const names = (await git(['remote'], { cwd: root })).split('\n').map((l) => l.trim());
  if (!names.includes(remote)) return null;
  return (await git(['remote', 'get-url', '--', remote], { cwd: root, what: 'remote get-url' })).trim();
}

/**
 * Pushes one `selfreview/*` branch to `remote`, as a fast-forward only (no `--force`, no `+`
 * refspec), and never to the remote's default branch or to `protectedBranch` (the base).
 * Credentials travel in git's environment (`http.extraHeader`), never in argv or the URL.
 */
export async function pushBranch(
  root: string,
  remote: string,
  branch: string,
  opts: { protectedBranch: string; auth?: RemoteAuth; timeoutMs?: number },
): Promise<PushOutcome> {
  assertSelfreviewBranch(branch);
  const url = await remoteUrl(root, remote);
  if (url === null) return { ok: false, reason: 'refused', detail: `no remote named ${remote}` };
  // No program may ask for a password: a push without working credentials fails at once.
  const env: Record<string, string> = { GIT_ASKPASS: 'true', SSH_ASKPASS: 'true' };
  if (opts.auth) {
    env.GIT_CONFIG_COUNT = '1';
    env.GIT_CONFIG_KEY_0 = 'http.extraHeader';
    env.GIT_CONFIG_VALUE_0 = opts.auth.header;
  }
  const scrub = (text: string) => (opts.auth ? text.split(opts.auth.secret).join('***') : text);
  const timeoutMs = opts.timeoutMs ?? GIT_TIMEOUT_MS;
  const run = (args: string[]) => runGit(args, { cwd: root, timeoutMs, env });

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
