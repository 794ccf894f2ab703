/**
 * Watching a run of `selfreview run` until it drains: the progress line on the person's screen,
 * and the run's state in Redis polled through the coordinator's RunLifecycle.
 */
import { RunLifecycle, type RunProgress } from '@selfreview/shared/coordinator';
import type { RunStore } from '@selfreview/shared/runs';
import type { RedisPatience } from './redis-wait.ts';
import { renderProgress } from './render.ts';
import type { Supervisor } from './workers.ts';

/** Lines for a person: a status line that redraws in place on a terminal, and lines that stay. */
export class Screen {
  private onStatus = false;
  private status = '';
  private readonly tty: boolean;

  constructor(private readonly out: NodeJS.WriteStream) {
    this.tty = out.isTTY === true;
  }

  /** A line that stays (a message), written above the status line. */
  line(text: string): void {
    if (this.onStatus) {
      this.out.write(`\r\x1b[2K${text}\n`);
      // The message took the status line's place: redraw it at the next update.
      this.status = '';
    } else this.out.write(`${text}\n`);
    this.onStatus = false;
  }

  /** The progress line; written only when it changed. */
  progress(text: string): void {
    if (text === this.status) return;
    this.status = text;
    if (this.tty) {
      this.out.write(`\r\x1b[2K${text}`);
      this.onStatus = true;
    } else this.out.write(`${text}\n`);
  }

  /** Ends the status line, so what follows starts on a line of its own. */
  done(): void {
    if (this.onStatus) this.out.write('\n');
    this.onStatus = false;
  }
}

/** The run's record is gone from Redis (its meta hash, written before anything was queued). */
export class RunStateLost extends Error {}

export function lostReason(patience: RedisPatience): string {
  return patience.sawOutage
    ? "Redis lost this run's state: it restarted without persistence"
    : "Redis lost this run's state: its keys are gone (Redis restarted without persistence, or they were deleted or evicted)";
}

/**
 * Polls the run's progress until every stage has drained. A worker that dies is restarted by the
 * supervisor (this only fails once it gave up); Redis going away is waited out within a bound.
 * `seen` hears each progress read, so the caller knows the last one even when this throws.
 */
export async function waitUntilDrained(opts: {
  runs: RunStore;
  lifecycle: RunLifecycle;
  runId: string;
  supervisor: Supervisor;
  patience: RedisPatience;
  timeoutMs: number;
  screen: Screen;
  checkInterrupt: () => void;
  seen: (p: RunProgress) => void;
}): Promise<void> {
  const deadline = Date.now() + opts.timeoutMs;
  for (;;) {
    opts.checkInterrupt();
    const failure = opts.supervisor.failure();
    if (failure) throw new Error(failure);
    if (Date.now() > deadline)
      throw new Error(`the pipeline did not drain within ${Math.round(opts.timeoutMs / 60_000)} min`);
    let progress: RunProgress;
    let meta: Awaited<ReturnType<RunStore['meta']>>;
    try {
      progress = await opts.lifecycle.progress(opts.runId);
      // After the progress: keys gone in between make the meta missing, never a false "drained".
      meta = await opts.runs.meta(opts.runId);
      opts.patience.answered();
    } catch (err) {
      opts.patience.failed(err);
      await new Promise((r) => setTimeout(r, 500));
      continue;
    }
    // Written before the first job was queued and kept for 14 days: missing means Redis lost it.
    // A worker that finds the run gone may write it back marked `lost`: just as gone.
    if (!meta?.baseSha || meta.lost) throw new RunStateLost(lostReason(opts.patience));
    opts.seen(progress);
    opts.screen.progress(
      renderProgress(progress, {
        applyJobs: meta.applyJobs !== undefined ? Number(meta.applyJobs) : null,
        fixBatches: meta.fixBatches !== undefined ? Number(meta.fixBatches) : null,
      }),
    );
    if (RunLifecycle.isDrained(progress)) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  opts.screen.done();
}
