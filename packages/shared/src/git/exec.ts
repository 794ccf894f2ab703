/**
 * The one way selfreview runs git. Every git command goes through `runGit` (or the two helpers
 * over it), so each one gets the same hardening settings, the same minimal environment and a
 * time limit, and its caller sees the exit code: git answers some questions (does this branch
 * exist, is this commit an ancestor) by exit code alone, with nothing printed.
 */
import { GitError } from '../errors.ts';
import { type CommandBytesResult, type CommandResult, runCommand, runCommandBytes } from '../subprocess.ts';

/** How long one git command may take before it is killed (with everything it started). */
export const GIT_TIMEOUT_MS = 120_000;

/**
 * git's output is data selfreview parses (file lists, file contents, commit ids): cut short it
 * would be wrong rather than shorter, so none of it is dropped.
 */
const ALL_OUTPUT = Number.POSITIVE_INFINITY;

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

/** GIT_HARDENING as arguments: what the runner puts before every git command's own arguments. */
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

export type GitRun = {
  /** The folder git runs in (a repository, a worktree, or where a clone goes). */
  cwd: string;
  /** Defaults to GIT_TIMEOUT_MS. */
  timeoutMs?: number;
  /** Variables on top of gitEnv() (a push's credentials): constants or secrets, never options. */
  env?: Record<string, string>;
  /** Written to git's standard input (`cat-file --batch` requests). */
  input?: string;
  /** Names the command in error messages; defaults to the subcommand. */
  what?: string;
};

export type GitResult = CommandResult;
export type GitBytesResult = CommandBytesResult;

function options(run: GitRun) {
  return {
    cwd: run.cwd,
    timeoutMs: run.timeoutMs ?? GIT_TIMEOUT_MS,
    // The whole environment, not minimalEnv's: git needs none of a compiler's settings.
    exactEnv: { ...gitEnv(), ...run.env },
    input: run.input,
    maxOutputBytes: ALL_OUTPUT,
  };
}

/** The subcommand, for messages: the first argument after any `-c key=value` and `-C dir`. */
function subcommand(args: readonly string[]): string {
  let i = 0;
  while (args[i] === '-c' || args[i] === '-C') i += 2;
  return args[i] ?? 'git';
}

/** Runs git with the hardening settings; resolves whatever the exit code (the caller reads it). */
export async function runGit(args: readonly string[], run: GitRun): Promise<GitResult> {
  try {
    return await runCommand('git', [...GIT_HARDENING_ARGS, ...args], options(run));
  } catch (err) {
    // Only starting git can fail here (no git on PATH, the folder gone).
    throw startFailure(run.what ?? subcommand(args), err);
  }
}

/** runGit with stdout as bytes, for output read by byte counts. */
export async function runGitBytes(args: readonly string[], run: GitRun): Promise<GitBytesResult> {
  try {
    return await runCommandBytes('git', [...GIT_HARDENING_ARGS, ...args], options(run));
  } catch (err) {
    throw startFailure(run.what ?? subcommand(args), err);
  }
}

/** Runs git and returns its stdout; a GitError naming the command when it fails or times out. */
export async function git(args: readonly string[], run: GitRun): Promise<string> {
  const res = await runGit(args, run);
  assertSucceeded(res, run.what ?? subcommand(args));
  return res.stdout;
}

/** Throws the GitError for a result that is not a success: `git <what> failed: <git's reason>`. */
export function assertSucceeded(res: GitResult | GitBytesResult, what: string): void {
  if (res.timedOut) {
    throw new GitError(`git ${what} timed out after ${Math.round(res.durationMs / 1000)} s`);
  }
  if (res.code !== 0) throw new GitError(`git ${what} failed: ${failureReason(res)}`);
}

/**
 * git's first line of complaint; some failures are told on stdout alone (`commit` with nothing
 * to commit ends with why), then its last line; else the exit code or signal.
 */
export function failureReason(res: GitResult | GitBytesResult): string {
  return (
    firstLine(part(res.stderr, 0, 4096)) ||
    lastLine(part(res.stdout, -4096)) ||
    `exit ${res.code ?? res.signal}`
  );
}

/** A few KB of an output, enough for the line wanted: a failed command's output may be large. */
function part(output: string | Buffer, from: number, to?: number): string {
  return typeof output === 'string' ? output.slice(from, to) : output.subarray(from, to).toString('utf8');
}

function startFailure(what: string, err: unknown): GitError {
  return new GitError(`git ${what} failed: ${firstLine((err as Error).message ?? String(err))}`, {
    cause: err,
  });
}

function firstLine(text: string): string {
  return text.trim().split('\n')[0]?.trim() ?? '';
}

/** The last non-empty line of git's output, shortened: the line that says what went wrong. */
export function lastLine(text: string): string {
  return (
    text
      .trim()
      .split('\n')
      .filter((l) => l.trim() !== '')
      .pop() ?? ''
  ).slice(0, 300);
}
