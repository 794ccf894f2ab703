/**
 * One long-lived `git cat-file --batch-command` per repository, for a worker that reads the same
 * repositories job after job: files at a commit and a branch's tip with no git process started per
 * read (starting one from a worker's large Node process blocks its thread for tens of milliseconds).
 * git looks refs up again for each command and looks for new packs when an object is not found,
 * so the answers are those a new process would give (tests/git-batch.test.ts moves, packs and
 * deletes a branch under it).
 *
 * Commands are answered in the order they were written, one answer per line; callers may
 * interleave. A command still unanswered after the time limit kills the process, and the process
 * dying fails every command in flight (GitError); the next command starts a new process. The
 * process is started as every git command is (exec.ts: the hardening settings, git's own
 * environment, its own process group), ends after `idleMs` without a command or at close(), and
 * never keeps the worker's process alive by itself.
 */
import { type ChildProcessByStdio, spawn } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { GitError } from '../errors.ts';
import { GIT_HARDENING_ARGS, GIT_TIMEOUT_MS, gitEnv } from './exec.ts';
import { assertBranchName, assertRepoPath, assertSha } from './names.ts';

type Header = { oid: string; type: string; size: number } | null;

type Pending = {
  /** `contents` answers carry the object's bytes after the header; `info` answers do not. */
  withContents: boolean;
  resolve: (answer: { header: Header; body: Buffer | null }) => void;
  reject: (err: Error) => void;
};

type Child = ChildProcessByStdio<Writable, Readable, Readable>;

/** `<oid> <type> <size>`; anything else (`<name> missing`, `<name> ambiguous`) is no object. */
function parseHeader(line: string): Header {
  const parts = line.split(' ');
  if (parts.length !== 3) return null;
  const [oid = '', type = '', size = ''] = parts;
  if (!/^[0-9a-f]{40,64}$/.test(oid) || !/^\d+$/.test(size)) return null;
  return { oid, type, size: Number(size) };
}

export class GitBatch {
  private child: Child | null = null;
  private readonly pending: Pending[] = [];
  private chunks: Buffer[] = [];
  private buffered = 0;
  /** The header of the `contents` answer whose bytes are still arriving. */
  private reading: { header: NonNullable<Header>; pending: Pending } | null = null;
  private idleTimer: NodeJS.Timeout | null = null;
  private deadline: NodeJS.Timeout | null = null;
  private stderr = '';

  constructor(
    private readonly root: string,
    private readonly opts: { idleMs?: number; timeoutMs?: number } = {},
  ) {}

  /** Files at `sha` (text); missing files, and paths that are not files, are absent from the map. */
  async readFiles(sha: string, files: readonly string[]): Promise<Map<string, string>> {
    assertSha(sha);
    for (const f of files) assertRepoPath(f);
    const answers = await Promise.all(this.send(files.map((f) => `contents ${sha}:${f}`)));
    const result = new Map<string, string>();
    answers.forEach((a, i) => {
      if (a.header?.type === 'blob' && a.body) result.set(files[i] as string, a.body.toString('utf8'));
    });
    return result;
  }

  /** The commit a local branch points at now, or null (as `rev-parse --verify refs/heads/<name>^{commit}`). */
  async branchTip(name: string): Promise<string | null> {
    assertBranchName(name);
    const [answer] = await Promise.all(this.send([`info refs/heads/${name}^{commit}`]));
    return answer?.header?.type === 'commit' ? answer.header.oid : null;
  }

  /** Ends the process (commands in flight fail); a later command starts a new one. */
  close(): void {
    this.stop(new GitError('git cat-file was closed'));
  }

  private send(lines: readonly string[]): Promise<{ header: Header; body: Buffer | null }>[] {
    if (lines.length === 0) return [];
    const child = this.child ?? this.start();
    if (this.idleTimer) {
      clearTimeout(this.idleTimer);
      this.idleTimer = null;
    }
    const answers = lines.map(
      (line) =>
        new Promise<{ header: Header; body: Buffer | null }>((resolve, reject) => {
          this.pending.push({ withContents: line.startsWith('contents '), resolve, reject });
        }),
    );
    child.ref();
    (child.stdout as Readable & { ref?: () => void }).ref?.();
    this.armDeadline();
    child.stdin.write(`${lines.join('\n')}\n`);
    return answers;
  }

  private start(): Child {
    const child = spawn('git', [...GIT_HARDENING_ARGS, 'cat-file', '--batch-command'], {
      cwd: this.root,
      env: gitEnv(),
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
    }) as Child;
    this.child = child;
    this.stderr = '';
    child.stdin.on('error', () => {});
    child.stdout.on('data', (chunk: Buffer) => this.onData(chunk));
    child.stderr.on('data', (chunk: Buffer) => {
      if (this.stderr.length < 4096) this.stderr += chunk.toString('utf8');
    });
    const gone = (why: string) => {
      if (this.child !== child) return;
      this.child = null;
      const reason = this.stderr.trim().split('\n')[0] || why;
      this.failAll(new GitError(`git cat-file failed: ${reason}`));
    };
    child.on('error', (err) => gone(err.message));
    child.on('close', (code, signal) => gone(`exit ${code ?? signal}`));
    return child;
  }

  private onData(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    // A large file arrives in many chunks: they are joined once it is all there.
    if (this.reading && this.buffered < this.reading.header.size + 1) {
      this.armDeadline();
      return;
    }
    let buf = this.chunks.length === 1 ? (this.chunks[0] as Buffer) : Buffer.concat(this.chunks);
    let pos = 0;
    for (;;) {
      if (this.reading) {
        const { header, pending } = this.reading;
        // The object's bytes, then a newline.
        if (buf.length - pos < header.size + 1) break;
        const body = Buffer.from(buf.subarray(pos, pos + header.size));
        pos += header.size + 1;
        this.reading = null;
        pending.resolve({ header, body });
        continue;
      }
      const nl = buf.indexOf(10, pos);
      if (nl < 0) break;
      const line = buf.subarray(pos, nl).toString('utf8');
      pos = nl + 1;
      const pending = this.pending.shift();
      if (!pending) {
        this.stop(new GitError(`git cat-file answered what was not asked: ${line.slice(0, 200)}`));
        return;
      }
      const header = parseHeader(line);
      if (header && pending.withContents) this.reading = { header, pending };
      else pending.resolve({ header, body: null });
    }
    buf = buf.subarray(pos);
    this.chunks = buf.length > 0 ? [buf] : [];
    this.buffered = buf.length;
    if (this.pending.length === 0 && !this.reading) this.idle();
    else this.armDeadline();
  }

  /** Nothing in flight: the process no longer keeps the worker alive, and ends after idleMs. */
  private idle(): void {
    if (this.deadline) {
      clearTimeout(this.deadline);
      this.deadline = null;
    }
    const child = this.child;
    if (!child) return;
    child.unref();
    (child.stdout as Readable & { unref?: () => void }).unref?.();
    (child.stderr as Readable & { unref?: () => void }).unref?.();
    (child.stdin as Writable & { unref?: () => void }).unref?.();
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      this.idleTimer = null;
      if (this.child === child && this.pending.length === 0) this.stop(null);
    }, this.opts.idleMs ?? 60_000);
    this.idleTimer.unref();
  }

  /** The time limit runs from the last answer (or the first command): progress resets it. */
  private armDeadline(): void {
    if (this.deadline) clearTimeout(this.deadline);
    const limit = this.opts.timeoutMs ?? GIT_TIMEOUT_MS;
    this.deadline = setTimeout(() => {
      this.deadline = null;
      this.stop(new GitError(`git cat-file timed out after ${Math.round(limit / 1000)} s`));
    }, limit);
  }

  /** Ends the process: gently when nothing is in flight, else killed (its commands fail with `err`). */
  private stop(err: GitError | null): void {
    const child = this.child;
    this.child = null;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    const busy = this.pending.length > 0 || this.reading !== null;
    if (child) {
      child.stdin.end();
      if (busy && child.pid !== undefined) {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          // Already gone.
        }
      }
      child.unref();
    }
    this.failAll(err ?? new GitError('git cat-file was closed'));
  }

  private failAll(err: GitError): void {
    if (this.deadline) clearTimeout(this.deadline);
    this.deadline = null;
    const pending = [...this.pending.splice(0), ...(this.reading ? [this.reading.pending] : [])];
    this.reading = null;
    this.chunks = [];
    this.buffered = 0;
    for (const p of pending) p.reject(err);
  }
}
