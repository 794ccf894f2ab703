/**
 * Run summaries for a team's chat: one Slack-compatible message (`{ text }`, which Slack,
 * Mattermost and most chat webhooks accept) posted when a run finishes. The message is a pure
 * function of the report; posting is best effort and never fails a run.
 */
import type { RunReport } from './schemas.ts';

export function summaryMessage(report: RunReport, repoName?: string): { text: string } {
  const { scan, apply, fix } = report.stages;
  const where = `${repoName ?? report.repo.path} (${report.repo.baseBranch} @ ${report.repo.baseSha.slice(0, 7)})`;
  const lines = [
    `selfreview run ${report.runId} on ${where}`,
    `scan: ${scan.files} files, ${scan.candidates} candidates · apply: ${apply.fix} fix, ${apply.drop} drop, ${apply.defer} defer · fix: ${fix.committed} committed, ${fix.failed} failed, ${fix.carriedOver} carried over`,
  ];
  for (const pr of report.pullRequests) {
    lines.push(
      pr.url ? `• ${pr.url} (${pr.labels.join(', ')})` : `• ${pr.branch}: ${pr.status}, ${pr.reason}`,
    );
  }
  if (report.model.calls > 0) {
    lines.push(
      `model: ${report.model.calls} calls, ${report.model.inputTokens + report.model.outputTokens} tokens, about $${report.model.estimatedCostUsd.toFixed(2)}`,
    );
  }
  if (report.warnings.length > 0) lines.push(`${report.warnings.length} warning(s); see the report`);
  return { text: lines.join('\n') };
}

/** Posts the message; returns an error message instead of throwing (a chat outage must not fail a run). */
export async function postSummary(
  url: string,
  message: { text: string },
  fetchImpl: typeof fetch = fetch,
): Promise<string | null> {
  try {
    const res = await fetchImpl(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(message),
      signal: AbortSignal.timeout(5_000),
      redirect: 'error',
    });
    return res.ok ? null : `summary webhook answered ${res.status}`;
  } catch (err) {
    return `summary webhook failed: ${(err as Error).message}`;
  }
}
