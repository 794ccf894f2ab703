/**
 * A record on disk of the runs this host started and has not yet seen finish: a run's state
 * lives in Redis, and a Redis that restarts without persistence (or evicts keys) takes it
 * with it. The journal is what lets the run be reported as lost, with the branches it made,
 * instead of vanishing. One small file per run under `<dataDir>/journal/`.
 */
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { RUN_TTL_S } from './run-keys.ts';
import type { RunMeta, RunStore } from './runs.ts';

const RUN_TTL_MS = RUN_TTL_S * 1000;

const RUN_ID = /^[A-Za-z0-9_-]{1,80}$/;

export class RunJournal {
  private readonly dir: string;

  constructor(dataDir: string) {
    this.dir = path.join(dataDir, 'journal');
  }

  /** Written after the run exists in Redis, so an entry without a run in Redis means it was lost. */
  async record(meta: RunMeta): Promise<void> {
    if (!RUN_ID.test(meta.runId)) throw new Error(`not a run id: ${JSON.stringify(meta.runId)}`);
    await mkdir(this.dir, { recursive: true });
    const file = path.join(this.dir, `${meta.runId}.json`);
    // Whole or not at all: a crash never leaves half an entry.
    await writeFile(`${file}.tmp`, `${JSON.stringify(meta)}\n`);
    await rename(`${file}.tmp`, file);
  }

  async forget(runId: string): Promise<void> {
    if (!RUN_ID.test(runId)) return;
    await rm(path.join(this.dir, `${runId}.json`), { force: true });
  }

  /** The runs recorded and not forgotten; unreadable entries are skipped (and removed). */
  async list(): Promise<RunMeta[]> {
    const names = await readdir(this.dir).catch(() => [] as string[]);
    const out: RunMeta[] = [];
    for (const name of names.filter((n) => n.endsWith('.json'))) {
      const file = path.join(this.dir, name);
      const meta = parseMeta(await readFile(file, 'utf8').catch(() => ''));
      if (meta) out.push(meta);
      else await rm(file, { force: true });
    }
    return out.sort((a, b) => a.runId.localeCompare(b.runId));
  }
}

function parseMeta(text: string): RunMeta | null {
  try {
    const v = JSON.parse(text) as Record<string, unknown>;
    const fields = ['runId', 'repoPath', 'baseBranch', 'baseSha', 'startedAt'] as const;
    if (!fields.every((f) => typeof v[f] === 'string')) return null;
    if (!RUN_ID.test(v.runId as string)) return null;
    return Object.fromEntries(fields.map((f) => [f, v[f] as string])) as RunMeta;
  } catch {
    return null;
  }
}

/** Why a run's state is gone, as its report and the API say it. */
export const LOST_RUN_REASON =
  'Redis lost this run\'s state (it restarted without persistence, or evicted keys: see "Redis settings" in the README)';

/**
 * Compares the journal with Redis: a run that finished there is forgotten; a run that is not
 * there any more is recorded as lost (finished, with the reason and the branches it made, found
 * in its repository) and then forgotten. Returns the ids of the runs found lost, including those
 * a fix worker had already recorded as lost (its batch in flight ended first): either way this
 * worker's log says which runs Redis lost.
 */
export async function reconcileJournal(opts: {
  journal: RunJournal;
  runs: RunStore;
  /** The branches a run made, from its repository; [] when the repository cannot be read. */
  branchesOf: (meta: RunMeta) => Promise<string[]>;
  now?: number;
}): Promise<string[]> {
  const lost: string[] = [];
  for (const meta of await opts.journal.list()) {
    const current = await opts.runs.meta(meta.runId);
    if (current?.repoPath) {
      if (current.finishedAt) await opts.journal.forget(meta.runId);
      if (current.lost) lost.push(meta.runId);
      continue;
    }
    const startedMs = Date.parse(meta.startedAt);
    if (Number.isFinite(startedMs) && (opts.now ?? Date.now()) - startedMs > RUN_TTL_MS) {
      // Expired with its keys, as every run does after two weeks: nothing was lost.
      await opts.journal.forget(meta.runId);
      continue;
    }
    await opts.runs.markLost(meta, LOST_RUN_REASON, await opts.branchesOf(meta).catch(() => []));
    await opts.journal.forget(meta.runId);
    lost.push(meta.runId);
  }
  return lost;
}
