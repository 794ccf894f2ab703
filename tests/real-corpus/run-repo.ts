/**
 * Scan and judge one real repository at one commit, the way apply's worker does (no Redis,
 * no memory of earlier runs): the shared core of `pnpm eval:real-corpus` and of sampling.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { judgeFile, RepoIndexCache } from '@selfreview/apply/judge';
import { findNativeTsc, fullScan, scanSettingsFrom } from '@selfreview/scan';
import { loadRepoConfigAt } from '@selfreview/shared/repo-files';
import type { Candidate, Decision } from '@selfreview/shared/schemas';
import { Repository } from '@selfreview/shared/workspace';

export interface JudgedCandidate {
  candidate: Candidate;
  decision: Decision;
}

/** Reads the repository at `sha` through git only: the checkout's working tree is never touched. */
export async function scanAndJudge(root: string, sha: string): Promise<JudgedCandidate[]> {
  const repo = await Repository.open(root);
  const workDir = await mkdtemp(path.join(os.tmpdir(), 'selfreview-real-'));
  try {
    return await judgeCommit(repo, sha, { workDir, tscPath: await findNativeTsc(), timeoutMs: 600_000 });
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

/**
 * Every candidate of a full scan at `sha` with apply's decision, file by file, as the workers
 * would make them (no memory, no model): shared by both labeled corpora's evaluations.
 */
export async function judgeCommit(
  repo: Repository,
  sha: string,
  scanOpts: { workDir: string; tscPath: string | null; timeoutMs: number },
): Promise<JudgedCandidate[]> {
  const config = await loadRepoConfigAt(repo, sha);
  const scan = await fullScan(repo, sha, scanSettingsFrom(config), scanOpts);
  const byFile = new Map<string, Candidate[]>();
  for (const c of scan.candidates) byFile.set(c.file, [...(byFile.get(c.file) ?? []), c]);
  const indexes = new RepoIndexCache();
  const out: JudgedCandidate[] = [];
  for (const [file, candidates] of byFile) {
    const decisions = await judgeFile({
      repo,
      config,
      file,
      candidates,
      baseSha: sha,
      headSha: sha,
      memory: new Map(),
      indexes,
      llmAvailable: false,
    });
    decisions.forEach((decision, i) => {
      out.push({ candidate: candidates[i] as Candidate, decision });
    });
  }
  return out;
}
