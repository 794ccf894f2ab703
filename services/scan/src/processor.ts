/**
 * The scan job: read the repository's TypeScript at the base commit, run the
 * rules, record the candidates, and hand each file's candidates to apply.
 * Scan never modifies anything.
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { handOverToFix } from '@selfreview/shared/pipeline';
import { type ApplyJob, applyJobId, type FixJob, type ScanJob } from '@selfreview/shared/queues';
import { hasRootTsconfig, selectSourceFiles } from '@selfreview/shared/repo-files';
import type { RunStore } from '@selfreview/shared/runs';
import type { Candidate } from '@selfreview/shared/schemas';
import { openJobRepository, type ProcessContext } from '@selfreview/shared/worker';
import type { Queue } from 'bullmq';
import { UnrecoverableError } from 'bullmq';
import { analyzeFiles } from './analyze.ts';

export type ScanDeps = {
  runs: RunStore;
  applyQueue: Queue<ApplyJob>;
  fixQueue: Queue<FixJob>;
  dataDir: string;
};

export type ScanResult = { files: number; candidates: number; applyJobs: number; warnings: number };

export function createScanProcessor(deps: ScanDeps) {
  return async (data: ScanJob, { job, log }: ProcessContext): Promise<ScanResult> => {
    const started = Date.now();
    const { repo, config } = await openJobRepository(data.repo.path, data.baseSha);
    const tree = await repo.listFilesWithSize(data.baseSha);
    if (!hasRootTsconfig(tree)) throw new UnrecoverableError('no tsconfig.json at the repository root');

    const selection = selectSourceFiles(tree, config);
    const wanted =
      data.mode === 'push' && data.files
        ? selection.files.filter((f) => data.files?.includes(f))
        : selection.files;
    const texts = await repo.readFiles(data.baseSha, wanted);
    const enabled = Object.entries(config.rules)
      .filter(([, r]) => r.enabled)
      .map(([id]) => id) as Candidate['rule'][];
    const result = analyzeFiles(
      wanted.flatMap((file) => {
        const text = texts.get(file);
        return text === undefined ? [] : [{ file, text }];
      }),
      { rules: enabled },
    );
    const warnings = [
      ...selection.skipped.map((s) => `${s.file}: skipped (${s.reason})`),
      ...result.warnings,
    ];
    for (const w of warnings) log.warn({ warning: w }, 'scan warning');

    await writeCandidateList(deps.dataDir, data.runId, result.candidates);
    await deps.runs.putCandidates(data.runId, result.candidates, wanted.length);
    await deps.runs.addWarnings(data.runId, warnings);

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
      await handOverToFix({ runs: deps.runs, fixQueue: deps.fixQueue, run, maxFiles: config.fix.maxFiles });
    }
    log.info({ files: wanted.length, candidates: result.candidates.length }, 'scan done');
    return {
      files: wanted.length,
      candidates: result.candidates.length,
      applyJobs: applyJobs.length,
      warnings: warnings.length,
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
