import { afterEach, describe, expect, it, vi } from 'vitest';
import { type ParkedWorktree, WorktreePool } from '../src/worktree-pool.ts';

const prepared = { linked: ['node_modules'], notes: [] };

function kept(dir: string, baseSha = 'a'.repeat(40), repoRoot = '/repo'): ParkedWorktree {
  return { repoRoot, dir, baseSha, setupKey: '{}', prepared };
}

function poolRecordingRemovals(perRepository = 2, idleMs = 60_000) {
  const removed: string[] = [];
  const pool = new WorktreePool({
    perRepository,
    idleMs,
    remove: async (p) => {
      removed.push(p.dir);
    },
  });
  return { pool, removed };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('WorktreePool', () => {
  it('gives a kept worktree to a batch of the same repository, commit and set-up, once', () => {
    const { pool, removed } = poolRecordingRemovals();
    pool.park(kept('/wt/1'));
    expect(pool.take('/other', 'a'.repeat(40), '{}')).toBeNull();
    expect(pool.take('/repo', 'b'.repeat(40), '{}')).toBeNull();
    expect(pool.take('/repo', 'a'.repeat(40), '{"command":["make"]}')).toBeNull();
    expect(pool.take('/repo', 'a'.repeat(40), '{}')).toEqual(kept('/wt/1'));
    expect(pool.take('/repo', 'a'.repeat(40), '{}')).toBeNull();
    expect(pool.size).toBe(0);
    expect(removed).toEqual([]);
  });

  it("removes a repository's worktrees of another commit when one of a new commit is kept", async () => {
    const { pool, removed } = poolRecordingRemovals();
    pool.park(kept('/wt/old', 'a'.repeat(40)));
    pool.park(kept('/wt/elsewhere', 'a'.repeat(40), '/other'));
    pool.park(kept('/wt/new', 'b'.repeat(40)));
    await pool.drain();
    expect(removed).toEqual(['/wt/old', '/wt/elsewhere', '/wt/new']);
  });

  it('keeps at most perRepository worktrees of one repository, removing the oldest', () => {
    const { pool, removed } = poolRecordingRemovals(2);
    pool.park(kept('/wt/1'));
    pool.park(kept('/wt/2'));
    pool.park(kept('/wt/3'));
    expect(removed).toEqual(['/wt/1']);
    expect(pool.size).toBe(2);
  });

  it('removes a worktree nobody took within idleMs, and not one taken before', () => {
    vi.useFakeTimers();
    const { pool, removed } = poolRecordingRemovals(2, 1_000);
    pool.park(kept('/wt/idle'));
    vi.advanceTimersByTime(500);
    pool.park(kept('/wt/taken'));
    vi.advanceTimersByTime(600);
    expect(removed).toEqual(['/wt/idle']);
    const taken = pool.take('/repo', 'a'.repeat(40), '{}');
    expect(taken?.dir).toBe('/wt/taken');
    vi.advanceTimersByTime(5_000);
    expect(removed).toEqual(['/wt/idle']);
  });

  it('drain removes every kept worktree and waits for the removals, a failed one included', async () => {
    const order: string[] = [];
    const pool = new WorktreePool({
      perRepository: 2,
      idleMs: 60_000,
      remove: async (p) => {
        await new Promise((r) => setTimeout(r, 10));
        order.push(p.dir);
        if (p.dir === '/wt/2') throw new Error('git failed');
      },
    });
    pool.park(kept('/wt/1'));
    pool.park(kept('/wt/2'));
    await pool.drain();
    expect(order.sort()).toEqual(['/wt/1', '/wt/2']);
    expect(pool.size).toBe(0);
  });

  it('after drain keeps nothing: a worktree parked later is removed at once, and a second drain waits for it', async () => {
    const { pool, removed } = poolRecordingRemovals();
    await pool.drain();
    pool.park(kept('/wt/late'));
    expect(pool.size).toBe(0);
    await pool.drain();
    expect(removed).toEqual(['/wt/late']);
  });
});
