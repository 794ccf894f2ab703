/**
 * The scan job: read the repository's TypeScript at the base commit, run the
 * rules, record the candidates, and hand each file's candidates to apply.
 * Scan never modifies anything.
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { handOverToFix } from '@selfreview/shared/pipeline';
import { type ApplyJob, applyJobId, type FixJob, type ScanJob } from '@selfreview/shared/queues';
import type { RunStore } from '@selfreview/shared/runs';
import type { Candidate } from '@selfreview/shared/schemas';
import { openJobRepository, type ProcessContext } from '@selfreview/shared/worker';
import type { Queue } from 'bullmq';
import { fullScan } from './engine/full-scan.ts';
import { pushScan } from './engine/push-scan.ts';
import { DEFAULT_COMPILER_TIMEOUT_MS, scanSettingsFrom } from './engine/settings.ts';
import type { WarmCache } from './engine/warm.ts';

export type ScanDeps = {
  /** Ends the run when its last job closes (summary, finishedAt); absent in tests that don't need it. */
  finishRun?: (runId: string) => Promise<unknown>;
  runs: RunStore;
  applyQueue: Queue<ApplyJob>;
  fixQueue: Queue<FixJob>;
  dataDir: string;
  /** Warm programs for push scans; kept for the worker's lifetime. */
  warm: WarmCache;
  /** The native compiler, null where it cannot run (the JavaScript compiler stands in). */
  tscPath: string | null;
  /** Per compiler run in a full scan. */
  compilerTimeoutMs?: number;
};

export type ScanResult = {
  files: number;
  candidates: number;
  applyJobs: number;
  warnings: number;
  errors: number;
};

export function createScanProcessor(deps: ScanDeps) {
  return async (data: ScanJob, { job, log }: ProcessContext): Promise<ScanResult> => {
    const started = Date.now();
    const { repo, config } = await openJobRepository(data.repo.path, data.baseSha);
    const settings = scanSettingsFrom(config);
    const result =
      data.mode === 'push' && data.files
        ? await pushScan(deps.warm, repo, data.baseSha, data.files, settings)
        : await fullScan(repo, data.baseSha, settings, {
            workDir: path.join(deps.dataDir, 'scan-work'),
            tscPath: deps.tscPath,
            timeoutMs: deps.compilerTimeoutMs ?? DEFAULT_COMPILER_TIMEOUT_MS,
            progress: (phase) => {
              log.info({ phase }, 'scan progress');
              void job.updateProgress({ phase }).catch(() => {});
            },
          });
    const warnings = result.warnings;
    for (const w of warnings) log.warn({ warning: w }, 'scan warning');
    for (const e of result.errors) log.error({ error: e }, 'scan error');

    await writeCandidateList(deps.dataDir, data.runId, result.candidates);
    await deps.runs.putCandidates(data.runId, result.candidates, result.files);
    await deps.runs.addWarnings(data.runId, warnings);
    await deps.runs.addErrors(data.runId, result.errors);

    const byFile = new Map<string, Candidate[]>();
    for (const c of result.candidates) byFile.set(c.file, [...(byFile.get(c.file) ?? []), c]);
    const run = { runId: data.runId, repo: data.repo, baseBranch: data.baseBranch, baseSha: data.baseSha };
    const applyJobs = [...byFile].map(([file, candidates]) => {
      const id = applyJobId(data.runId, file);
      return {
        name: 'apply-file',
        data: { ...run, file, candidates } satisfies ApplyJob,
        opts: { jobId: id },
      };
    });
    // Opened before they exist, so the run never looks drained between scan and apply.
    await deps.runs.openJobs(
      data.runId,
      'apply',
      applyJobs.map((j) => j.opts.jobId),
    );
    await deps.runs.setMeta(data.runId, { applyJobs: applyJobs.length });
    if (applyJobs.length > 0) await deps.applyQueue.addBulk(applyJobs);
    await deps.runs.markStage(data.runId, 'scan', started, Date.now());

    if (await deps.runs.closeAndClaimHandOver(data.runId, 'scan', String(job.id))) {
      await handOverToFix({
        runs: deps.runs,
        fixQueue: deps.fixQueue,
        run,
        maxFiles: config.fix.maxFiles,
        ...(deps.finishRun ? { finishRun: deps.finishRun } : {}),
      });
    }
    log.info(
      {
        files: result.files,
        candidates: result.candidates.length,
        engine: result.engine,
        ms: Math.round(result.durationMs),
      },
      'scan done',
    );
    return {
      files: result.files,
      candidates: result.candidates.length,
      applyJobs: applyJobs.length,
      warnings: warnings.length,
      errors: result.errors.length,
    };
  };
}

/** The run's candidate list file, written whole or not at all. */
async function writeCandidateList(
  dataDir: string,
  runId: string,
  candidates: readonly Candidate[],
): Promise<string> {
  const dir = path.join(dataDir, 'runs', runId);
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, 'candidates.json');
  await writeFile(`${file}.tmp`, `${JSON.stringify(candidates, null, 2)}\n`);
  await rename(`${file}.tmp`, file);
  return file;
}
