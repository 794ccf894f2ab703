/**
 * Step 5, gates: the hard gates (`../gates.ts`, pure) judge what the batch changed in its
 * worktree. The model's every try is judged the same way before its typecheck (edit-model.ts).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { testFileGlobs } from '@selfreview/checks';
import { checkGates, findAddedCapabilities, type GateViolation, isTestFile } from '../gates.ts';
import { findAddedSecrets } from '../secrets.ts';
import { rejected, type Stopped, stopped } from './attempt.ts';
import type { Verified } from './verify.ts';
import type { BatchInWorktree } from './worktree.ts';

const MAX_DIFF_LINES = 400;

export async function gateBatch(batch: BatchInWorktree, verified: Verified): Promise<Verified | Stopped> {
  const violations = await worktreeViolations(batch, [
    ...verified.kept.map((w) => w.file),
    ...verified.created,
  ]);
  if (violations.length === 0) return verified;
  return stopped(
    rejected('gate', describeViolations(violations)),
    verified.work,
    verified.notes,
    verified.verification,
  );
}

export function describeViolations(violations: readonly GateViolation[]): string {
  return violations.map((v) => `gate ${v.gate}: ${v.detail}`).join('; ');
}

/** The facts the gates judge (each changed file at the base commit and now), and their verdict. */
export async function worktreeViolations(
  { repo, wt, data, config, linked }: BatchInWorktree,
  allowedFiles: readonly string[],
): Promise<GateViolation[]> {
  // The dependency links are ours, and a new file nobody asked for (a build info file a
  // verification step wrote) is never staged: the commit adds exactly the allowed files.
  const changedFiles = (await wt.status())
    .filter((e) => !linked.includes(e.file) && (!e.untracked || allowedFiles.includes(e.file)))
    .map((e) => e.file);
  // One `git cat-file` for all of them, not one per file.
  const beforeTexts = await repo.readFiles(data.baseSha, changedFiles);
  const texts = await Promise.all(
    changedFiles.map(async (file) => ({
      file,
      before: beforeTexts.get(file) ?? null,
      after: await readFile(path.join(wt.dir, file), 'utf8').catch(() => null),
    })),
  );
  const addedSecrets = (
    await Promise.all(texts.map((t) => findAddedSecrets(t.file, t.before, t.after)))
  ).flat();
  return checkGates({
    changedFiles,
    allowedFiles,
    diffLines: await wt.diffLines(),
    maxDiffLines: MAX_DIFF_LINES,
    protectedGlobs: config.protectedPaths,
    testFiles: texts.filter((t) => isTestFile(t.file, testFileGlobs(config))),
    addedSecrets,
    addedCapabilities: texts.flatMap((t) => findAddedCapabilities(t.file, t.before, t.after)),
  });
}
