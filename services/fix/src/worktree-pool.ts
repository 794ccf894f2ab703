/**
 * Worktrees kept between batches of one worker process. Making a worktree checks out every file
 * of the repository (1,520 on date-fns: 0.2 s on a quiet machine, over 1 s while it reclaims
 * memory) and fills its submodules and dependency links again; a batch of the same base commit
 * can instead take the previous batch's worktree, reset to that commit, where only the files the
 * last batch changed differ. The pool is this process's alone: each kept worktree's owner marker
 * names this process, so other workers leave it alone while it lives and prune it as dead when it
 * is gone, as they do any worktree of a crashed batch. This module only keeps the list; the git
 * side (reset, clean, remove) is in pipeline/worktree.ts.
 */
import type { PreparedWorktree } from './worktree-setup.ts';

export type ParkedWorktree = Readonly<{
  /** The repository's root (the key: worktrees of one repository only). */
  repoRoot: string;
  dir: string;
  /** The commit the worktree is reset to, detached. */
  baseSha: string;
  /** What prepared the worktree (`fix.setup`), so a changed set-up command is not skipped. */
  setupKey: string;
  /** Its submodules, dependency links and set-up, done once for this commit. */
  prepared: PreparedWorktree;
}>;

export type WorktreePoolOptions = {
  /** Worktrees kept per repository; more are removed, oldest first. */
  perRepository: number;
  /** A kept worktree nobody took for this long is removed. */
  idleMs: number;
  /** Removes a worktree the pool lets go of (git's record and the folder). */
  remove: (parked: ParkedWorktree) => Promise<void>;
};

type Entry = { parked: ParkedWorktree; timer: NodeJS.Timeout };

export class WorktreePool {
  private readonly entries: Entry[] = [];
  private readonly removing = new Set<Promise<void>>();
  private closed = false;

  constructor(private readonly options: WorktreePoolOptions) {}

  /** A kept worktree of `repoRoot` at `baseSha`, prepared by `setupKey`, now the caller's; or null. */
  take(repoRoot: string, baseSha: string, setupKey: string): ParkedWorktree | null {
    const at = this.entries.findIndex(
      (e) => e.parked.repoRoot === repoRoot && e.parked.baseSha === baseSha && e.parked.setupKey === setupKey,
    );
    if (at < 0) return null;
    const [entry] = this.entries.splice(at, 1) as [Entry];
    clearTimeout(entry.timer);
    return entry.parked;
  }

  /**
   * Keeps a worktree (already reset and clean) for the next batch. Worktrees of the same
   * repository at another commit go first (a newer commit's batches will not take them), then
   * the oldest beyond `perRepository`.
   */
  park(parked: ParkedWorktree): void {
    if (this.closed) {
      this.track(this.options.remove(parked));
      return;
    }
    for (const e of this.entries.filter((x) => x.parked.repoRoot === parked.repoRoot)) {
      if (e.parked.baseSha !== parked.baseSha) this.evict(e);
    }
    const timer = setTimeout(() => this.evict(entry), this.options.idleMs);
    timer.unref();
    const entry: Entry = { parked, timer };
    this.entries.push(entry);
    const same = this.entries.filter((x) => x.parked.repoRoot === parked.repoRoot);
    for (const e of same.slice(0, Math.max(0, same.length - this.options.perRepository))) this.evict(e);
  }

  /** How many worktrees are kept now. */
  get size(): number {
    return this.entries.length;
  }

  /**
   * Removes every kept worktree and keeps none from now on (a batch that ends later removes its
   * own), then waits for the removals under way: the worker is stopping. Called before the
   * worker waits for its running batches, which may never end if Redis is gone, and again after.
   */
  async drain(): Promise<void> {
    this.closed = true;
    for (const e of [...this.entries]) this.evict(e);
    await Promise.all([...this.removing]);
  }

  private evict(entry: Entry): void {
    const at = this.entries.indexOf(entry);
    if (at < 0) return;
    this.entries.splice(at, 1);
    clearTimeout(entry.timer);
    this.track(this.options.remove(entry.parked));
  }

  private track(removal: Promise<void>): void {
    // A removal that fails leaves a folder owned by this process; the first prune after it
    // stops removes it.
    const settled = removal.catch(() => {});
    this.removing.add(settled);
    void settled.then(() => this.removing.delete(settled));
  }
}
