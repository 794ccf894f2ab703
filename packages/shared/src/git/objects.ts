/**
 * Reading a repository at a commit, never through a working tree: the files and their sizes,
 * their contents, what changed between two commits, and commit history. Every function takes
 * the repository's root and full commit ids (checked), so nothing here reads user edits.
 */
import { GitError } from '../errors.ts';
import { assertSucceeded, git, runGit, runGitBytes } from './exec.ts';
import { assertRepoPath, assertSha } from './names.ts';

/** Tracked files at `sha`, repo-relative. */
export async function listFiles(root: string, sha: string): Promise<string[]> {
  assertSha(sha);
  const out = await git(['ls-tree', '-r', '-z', '--name-only', '--full-tree', sha], { cwd: root });
  return out.split('\0').filter((p) => p.length > 0);
}

/** Blob sizes at `sha`, so huge files can be skipped before they are read. */
export async function listFilesWithSize(
  root: string,
  sha: string,
): Promise<{ path: string; size: number; mode: string }[]> {
  assertSha(sha);
  const out = await git(['ls-tree', '-r', '-z', '-l', '--full-tree', sha], { cwd: root });
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
export async function submodulesAt(root: string, sha: string): Promise<{ path: string; sha: string }[]> {
  assertSha(sha);
  const out = await git(['ls-tree', '-r', '-z', '--full-tree', sha], { cwd: root });
  return out
    .split('\0')
    .filter((line) => line.startsWith('160000 commit '))
    .map((line) => {
      const tab = line.indexOf('\t');
      return { path: line.slice(tab + 1), sha: line.slice(0, tab).split(' ')[2] ?? '' };
    })
    .filter((s) => /^[0-9a-f]{40,64}$/.test(s.sha));
}

/** Reads many files at `sha` through one `git cat-file --batch`; missing files are absent from the map. */
export async function readFiles(
  root: string,
  sha: string,
  files: readonly string[],
): Promise<Map<string, string>> {
  assertSha(sha);
  for (const f of files) assertRepoPath(f);
  const result = new Map<string, string>();
  if (files.length === 0) return result;
  const res = await runGitBytes(['cat-file', '--batch'], {
    cwd: root,
    input: files.map((f) => `${sha}:${f}\n`).join(''),
  });
  assertSucceeded(res, 'cat-file');
  // The answers are read by byte counts (each header gives its blob's size), hence bytes.
  const buf = res.stdout;
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

export async function commitMessage(root: string, sha: string): Promise<string> {
  assertSha(sha);
  return git(['log', '-1', '--format=%B', sha], { cwd: root });
}

/** The full id of a commit named by a (possibly abbreviated) hex id, or null. */
export async function resolveCommit(root: string, hex: string): Promise<string | null> {
  if (!/^[0-9a-f]{7,40}$/.test(hex)) return null;
  const res = await runGit(['rev-parse', '--verify', '--quiet', `${hex}^{commit}`], { cwd: root });
  return res.code === 0 ? res.stdout.trim() || null : null;
}

/** Whether commit `ancestor` is reachable from commit `tip` (e.g. a fix merged into a branch). */
export async function isAncestor(root: string, ancestor: string, tip: string): Promise<boolean> {
  assertSha(ancestor);
  assertSha(tip);
  // git answers by exit code alone: 0 yes, 1 no; an unknown commit (128) is not an ancestor either.
  const res = await runGit(['merge-base', '--is-ancestor', ancestor, tip], { cwd: root });
  return res.code === 0;
}

export async function commitsBetween(root: string, base: string, tip: string): Promise<string[]> {
  assertSha(base);
  assertSha(tip);
  const out = await git(['rev-list', `${base}..${tip}`], { cwd: root });
  return out.split('\n').filter(Boolean);
}

/**
 * Commits reachable from `tip` whose message has the trailer line `key: value` exactly,
 * newest first. Key and value are checked to be plain tokens, so neither reaches git as an option.
 */
export async function commitsWithTrailer(
  root: string,
  key: string,
  value: string,
  tip: string,
): Promise<string[]> {
  assertSha(tip);
  if (!/^[A-Za-z][A-Za-z-]{0,40}$/.test(key) || !/^[A-Za-z0-9_.-]{1,80}$/.test(value)) {
    throw new GitError(`not a trailer to search for: ${JSON.stringify(`${key}: ${value}`)}`);
  }
  const line = `${key}: ${value}`;
  const out = await git(['log', '--format=%H', '--fixed-strings', `--grep=${line}`, tip, '--'], {
    cwd: root,
    what: 'log --grep',
  });
  const found: string[] = [];
  // --grep matches substrings (`b-1` in `b-10`): keep only exact trailer lines.
  for (const sha of out.split('\n').filter(Boolean)) {
    if ((await commitMessage(root, sha)).split('\n').some((l) => l.trim() === line)) found.push(sha);
  }
  return found;
}

export async function changedFiles(root: string, from: string, to: string): Promise<string[]> {
  assertSha(from);
  assertSha(to);
  const out = await git(['diff', '--no-ext-diff', '--no-textconv', '--name-only', '-z', from, to], {
    cwd: root,
  });
  return out.split('\0').filter(Boolean);
}

/** Files that differ between two commits, with git's status letter (A, M, D, T); renames as delete + add. */
export async function diffNameStatus(
  root: string,
  from: string,
  to: string,
): Promise<{ status: string; path: string }[]> {
  assertSha(from);
  assertSha(to);
  const out = await git(
    ['diff', '--no-ext-diff', '--no-textconv', '--name-status', '-z', '--no-renames', from, to, '--'],
    { cwd: root },
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
