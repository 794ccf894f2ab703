/**
 * The scan job: read the repository's TypeScript at the base commit, run the
 * rules, record the candidates, and hand each file's candidates to apply.
 * Scan never modifies anything.
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { RunCoordinator } from '@selfreview/shared/coordinator';
import type { ApplyJob, FixJob, ScanJob } from '@selfreview/shared/queues';
import type { Candidate } from '@selfreview/shared/schemas';
import { openJobRepository, type ProcessContext } from '@selfreview/shared/worker';
import type { Queue } from 'bullmq';
import { fullScan } from './engine/full-scan.ts';
import { pushScan } from './engine/push-scan.ts';
import { DEFAULT_COMPILER_TIMEOUT_MS, scanSettingsFrom } from './engine/settings.ts';
import type { WarmCache } from './engine/warm.ts';

export type ScanDeps = {
  /** Records what the scan found and hands it to apply (and, when it is the run's last job, to fix). */
  coordinator: RunCoordinator;
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

    const { coordinator } = deps;
    await writeCandidateList(deps.dataDir, data.runId, result.candidates);
    await coordinator.runs.putCandidates(data.runId, result.candidates, result.files);
    await coordinator.runs.addWarnings(data.runId, warnings);
    await coordinator.runs.addErrors(data.runId, result.errors);

    const run = { runId: data.runId, repo: data.repo, baseBranch: data.baseBranch, baseSha: data.baseSha };
    const applyJobs = await coordinator.handOverToApply(deps.applyQueue, run, result.candidates);
    await coordinator.runs.markStage(data.runId, 'scan', started, Date.now());
    await coordinator.closeStageJob(
      deps.fixQueue,
      { stage: 'scan', jobId: String(job.id), run },
      config.fix.maxFiles,
    );
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
      applyJobs,
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
