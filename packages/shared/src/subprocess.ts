/**
 * Running other programs (git, tsc, a repository's tests): asynchronously, so BullMQ
 * keeps renewing locks; with a minimal environment, so no token or API key of
 * ours reaches them; in their own process group, so a timeout kills the whole tree.
 * Repository code goes through `@selfreview/shared/sandbox`, which runs it with this.
 */
import { spawn } from 'node:child_process';

export type CommandResult = {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  durationMs: number;
};

export type RunOptions = {
  cwd: string;
  timeoutMs: number;
  /** Extra variables on top of the minimal environment. */
  env?: Record<string, string>;
  /**
   * The child's whole environment instead (`env` and the minimal environment are left out):
   * for a sandbox launcher, whose own environment the sandboxed code could read.
   */
  exactEnv?: Record<string, string>;
  /** Output kept per stream; the rest is dropped (a runaway test must not exhaust memory). */
  maxOutputBytes?: number;
  signal?: AbortSignal;
};

/** Only what a compiler or test runner needs to find itself and behave. */
export function minimalEnv(
  extra: Record<string, string> = {},
  from: NodeJS.ProcessEnv = process.env,
): Record<string, string> {
  const env: Record<string, string> = {
    PATH: from.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    HOME: from.HOME ?? '/tmp',
    LANG: 'C.UTF-8',
    CI: 'true',
    NO_COLOR: '1',
    FORCE_COLOR: '0',
  };
  if (from.TMPDIR) env.TMPDIR = from.TMPDIR;
  return { ...env, ...extra };
}

export function runCommand(
  command: string,
  args: readonly string[],
  opts: RunOptions,
): Promise<CommandResult> {
  const started = Date.now();
  const limit = opts.maxOutputBytes ?? 4 * 1024 * 1024;
  if (opts.signal?.aborted) {
    // The caller's deadline has already passed: starting the program would only overrun it.
    return Promise.resolve({
      code: null,
      signal: null,
      stdout: '',
      stderr: '',
      timedOut: true,
      durationMs: 0,
    });
  }
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: opts.cwd,
      env: opts.exactEnv ?? minimalEnv(opts.env),
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let outBytes = 0;
    let errBytes = 0;
    let timedOut = false;
    child.stdout.on('data', (chunk: Buffer) => {
      if (outBytes < limit) out.push(chunk);
      outBytes += chunk.length;
    });
    child.stderr.on('data', (chunk: Buffer) => {
      if (errBytes < limit) err.push(chunk);
      errBytes += chunk.length;
    });
    const killTree = () => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killTree();
    }, opts.timeoutMs);
    const onAbort = () => {
      timedOut = true;
      killTree();
    };
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    child.on('error', (e) => {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      // Grandchildren may outlive the direct child; the group goes with it.
      killTree();
      resolve({
        code,
        signal,
        stdout: Buffer.concat(out).toString('utf8').slice(0, limit),
        stderr: Buffer.concat(err).toString('utf8').slice(0, limit),
        timedOut,
        durationMs: Date.now() - started,
      });
    });
  });
}
