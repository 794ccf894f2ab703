/** The run report (docs/design.md): a pure function of what the stages recorded. */
import type { QueueName } from './queues.ts';
import {
  type Candidate,
  type Decision,
  type FixResult,
  type PullRequestRecord,
  RunReport,
} from './schemas.ts';

/** When each stage ran: its earliest job's start and its latest job's end. */
export type StageTimes = Partial<Record<QueueName, { startMs: number; endMs: number }>>;

export type ReportInput = {
  runId: string;
  repo: { path: string; baseBranch: string; baseSha: string };
  startedAt: string;
  finishedAt: string;
  files: number;
  candidates: readonly Candidate[];
  decisions: readonly Decision[];
  fixes: readonly FixResult[];
  /** Whether a model was configured, and what it used. */
  model?: {
    enabled: boolean;
    calls: number;
    inputTokens: number;
    outputTokens: number;
    estimatedCostUsd: number;
  };
  /** Absent in callers that predate publishing: no records. */
  pullRequests?: readonly PullRequestRecord[];
  stageTimes: StageTimes;
  warnings: readonly string[];
  /** What the run lost; absent in callers that predate it: nothing. */
  errors?: readonly string[];
};

const byFileLine = (a: { file: string; line: number }, b: { file: string; line: number }) =>
  a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line;

export function buildReport(input: ReportInput): RunReport {
  const duration = (stage: keyof StageTimes) => {
    const t = input.stageTimes[stage];
    return t ? Math.max(0, t.endMs - t.startMs) : 0;
  };
  const count = (v: Decision['verdict']) => input.decisions.filter((d) => d.verdict === v).length;
  const fixCount = (s: FixResult['status']) => input.fixes.filter((f) => f.status === s).length;
  const candidates = [...input.candidates].sort(byFileLine);
  const order = new Map(candidates.map((c, i) => [c.id, i]));
  const report: RunReport = {
    runId: input.runId,
    repo: input.repo,
    startedAt: input.startedAt,
    finishedAt: input.finishedAt,
    stages: {
      scan: { files: input.files, candidates: candidates.length, durationMs: duration('scan') },
      apply: { fix: count('fix'), drop: count('drop'), defer: count('defer'), durationMs: duration('apply') },
      fix: {
        batches: new Set(input.fixes.map((f) => f.batchId)).size,
        committed: fixCount('committed'),
        failed: fixCount('failed'),
        carriedOver: fixCount('carried_over'),
        durationMs: duration('fix'),
      },
    },
    candidates: candidates.map(({ id, rule, file, line, endLine, message }) => ({
      id,
      rule,
      file,
      line,
      endLine,
      message,
    })),
    decisions: [...input.decisions].sort(
      (a, b) => (order.get(a.candidateId) ?? 0) - (order.get(b.candidateId) ?? 0),
    ),
    fixes: [...input.fixes].sort((a, b) =>
      a.batchId === b.batchId
        ? byFileLine({ file: a.file, line: 0 }, { file: b.file, line: 0 })
        : a.batchId < b.batchId
          ? -1
          : 1,
    ),
    model: input.model ?? { enabled: false, calls: 0, inputTokens: 0, outputTokens: 0, estimatedCostUsd: 0 },
    pullRequests: [...(input.pullRequests ?? [])].sort((a, b) => (a.batchId < b.batchId ? -1 : 1)),
    warnings: [...input.warnings],
    ...(input.errors && input.errors.length > 0 ? { errors: [...input.errors] } : {}),
  };
  // The report is a contract: refuse to write one that breaks it.
  return RunReport.parse(report);
}
