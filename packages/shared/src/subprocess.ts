/**
 * Running other programs (git, tsc, a repository's tests): asynchronously, so BullMQ
 * keeps renewing locks; with a minimal environment, so no token or API key of
 * ours reaches them; in their own process group, so a timeout kills the whole tree.
 * Repository code goes through `@selfreview/shared/sandbox`, which runs it with this.
 */
import { type ChildProcessByStdio, spawn } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';

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
  /** Written to the program's standard input, which is then closed; without it, stdin is /dev/null. */
  input?: string | Buffer;
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

/** A result with the output as bytes, for output parsed by byte offsets (`git cat-file --batch`). */
export type CommandBytesResult = Omit<CommandResult, 'stdout' | 'stderr'> & {
  stdout: Buffer;
  stderr: Buffer;
};

const DEFAULT_MAX_OUTPUT_BYTES = 4 * 1024 * 1024;

export async function runCommand(
  command: string,
  args: readonly string[],
  opts: RunOptions,
): Promise<CommandResult> {
  const limit = opts.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
  const res = await collect(command, args, opts, limit);
  return {
    ...res,
    stdout: res.stdout.toString('utf8').slice(0, limit),
    stderr: res.stderr.toString('utf8').slice(0, limit),
  };
}

/** runCommand with the output left as bytes, each stream cut to maxOutputBytes. */
export async function runCommandBytes(
  command: string,
  args: readonly string[],
  opts: RunOptions,
): Promise<CommandBytesResult> {
  const limit = opts.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
  const res = await collect(command, args, opts, limit);
  return { ...res, stdout: res.stdout.subarray(0, limit), stderr: res.stderr.subarray(0, limit) };
}

/**
 * Runs the program and keeps whole chunks of output until a stream has passed `limit`:
 * each caller cuts to the limit in its own unit (characters for text, bytes for bytes).
 */
function collect(
  command: string,
  args: readonly string[],
  opts: RunOptions,
  limit: number,
): Promise<CommandBytesResult> {
  const started = Date.now();
  if (opts.signal?.aborted) {
    // The caller's deadline has already passed: starting the program would only overrun it.
    return Promise.resolve({
      code: null,
      signal: null,
      stdout: Buffer.alloc(0),
      stderr: Buffer.alloc(0),
      timedOut: true,
      durationMs: 0,
    });
  }
  return new Promise((resolve, reject) => {
    // Node types a computed stdio loosely: stdout and stderr are pipes, stdin only with input.
    const child = spawn(command, args, {
      cwd: opts.cwd,
      env: opts.exactEnv ?? minimalEnv(opts.env),
      stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      detached: true,
    }) as ChildProcessByStdio<Writable | null, Readable, Readable>;
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
    if (child.stdin && opts.input !== undefined) {
      // A program that exits without reading all its input makes the write fail (EPIPE):
      // its exit code and output tell what happened, so the write error is not the story.
      child.stdin.on('error', () => {});
      child.stdin.end(opts.input);
    }
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
        stdout: Buffer.concat(out),
        stderr: Buffer.concat(err),
        timedOut,
        durationMs: Date.now() - started,
      });
    });
  });
}
