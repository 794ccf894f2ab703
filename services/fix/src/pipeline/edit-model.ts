/**
 * The model's half of step 3, edit: one model work at a time, the model proposes
 * (`../model-fixer/run.ts`) and each try is written into the worktree and judged there: the
 * hard gates, then a typecheck against the base and the tests. A gate violation is final: it is
 * never sent back to be argued with.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { modelTaskOf, testFileGlobs } from '@selfreview/checks';
import { describeChanges } from '../branch.ts';
import { isTestFile } from '../gates.ts';
import { type FileChange, fixWithModel, type ModelFixInput } from '../model-fixer/run.ts';
import type { Verifier } from '../verification.ts';
import { type Stopped, stopped } from './attempt.ts';
import { changedLines } from './changed-lines.ts';
import { untilDeadline } from './deadline.ts';
import type { ModelDeps } from './deps.ts';
import { describeViolations, worktreeViolations } from './gates.ts';
import { carriedOver, createdFiles, failed, type PendingWork, replaced, type Work } from './work.ts';
import type { BatchInWorktree } from './worktree.ts';

export async function editWithModel(
  batch: BatchInWorktree,
  model: ModelDeps,
  planned: Work[],
): Promise<Work[] | Stopped> {
  const modelWork = planned.filter((w): w is PendingWork => w.status === 'pending' && w.via === 'model');
  if (modelWork.length === 0) return planned;
  const existingFiles = new Set(await batch.repo.listFiles(batch.data.baseSha));
  let work = planned;
  for (const w of modelWork) {
    if (batch.deadline.signal.aborted) break;
    // Test files earlier model works of this batch wrote: allowed and verified, like the batch's files.
    const createdSoFar = createdFiles(work);
    const next = await untilDeadline(
      batch.deadline,
      () => applyModelFix(batch, model, w, existingFiles, createdSoFar),
      () => null,
    );
    if (next === null) return stopped({ kind: 'time_up' }, work, [...batch.notes]);
    work = replaced(work, w, next);
  }
  return work;
}

async function applyModelFix(
  batch: BatchInWorktree,
  model: ModelDeps,
  w: PendingWork,
  existingFiles: ReadonlySet<string>,
  createdSoFar: readonly string[],
): Promise<Work> {
  const { repo, wt, data, config } = batch;
  const text = await readFile(path.join(wt.dir, w.file), 'utf8').catch(() => null);
  if (text === null) return failed(w, 'file no longer exists at the base commit');
  const changeType = w.items[0].changeType;
  const testFilePath = modelTaskOf(changeType)?.writesTestFile
    ? newTestFilePath(w.file, existingFiles)
    : undefined;
  const testGlobs = testFileGlobs(config);
  const example = testFilePath ? [...existingFiles].sort().find((f) => isTestFile(f, testGlobs)) : undefined;
  const exampleTest = example ? await repo.readFile(data.baseSha, example) : null;
  // Earlier model work of the batch may have changed the batch's other files: they are allowed here.
  const allowed = [
    ...data.files.map((f) => f.file),
    ...createdSoFar,
    ...(testFilePath ? [testFilePath] : []),
  ];
  const verified = [...batch.files, ...createdSoFar];
  const outcome = await fixWithModel({
    client: model.client,
    scope: { repo: repo.root, runId: data.runId, batchId: data.batchId, limits: config.llm.budgets },
    file: w.file,
    text,
    items: w.items,
    changeType,
    ...(testFilePath ? { testFilePath, exampleTest } : {}),
    existingFiles,
    secrets: model.secrets,
    maxTokens: config.llm.maxOutputTokens,
    deadline: batch.deadline.at,
    tryChange: (changes) => tryModelChange(batch, changes, allowed, verified),
  });
  if (outcome.status === 'failed') return failed(w, outcome.reason);
  if (outcome.status === 'waiting') return carriedOver(w, outcome.reason, outcome.retryLater);
  const after = outcome.changes.find((c) => c.file === w.file);
  const createdFile = outcome.changes.find((c) => c.created)?.file;
  return {
    ...w,
    lines: after ? changedLines(text, after.text) : [1],
    summary: [`${describeChanges([changeType])}: ${outcome.summary}`],
    ...(createdFile ? { createdFile } : {}),
  };
}

/** Writes a try into the worktree and judges it; a try that fails is undone. */
async function tryModelChange(
  batch: BatchInWorktree,
  changes: readonly FileChange[],
  allowed: readonly string[],
  verified: readonly string[],
): ReturnType<ModelFixInput['tryChange']> {
  for (const c of changes) {
    const target = path.join(batch.wt.dir, c.file);
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, c.text);
  }
  const undo = async () => {
    for (const c of changes) {
      if (c.created) await rm(path.join(batch.wt.dir, c.file), { force: true });
      else await batch.wt.restoreFile(c.file);
    }
  };
  const violations = await worktreeViolations(batch, allowed);
  if (violations.length > 0) {
    await undo();
    return { failure: describeViolations(violations), final: true };
  }
  const failure = await verificationFailure(batch.verifier, verified);
  if (failure === null) return null;
  await undo();
  return { failure, final: false };
}

/** Why the typecheck or the tests refuse the worktree as it is now; null when they accept it. */
async function verificationFailure(verifier: Verifier, files: readonly string[]): Promise<string | null> {
  const tc = await verifier.typecheck(files);
  if (tc.error) return `typecheck: ${tc.error}`;
  if (tc.regressions.length > 0) {
    return `typecheck: new diagnostics: ${tc.regressions.flatMap((d) => d.sample.map((x) => `${d.file || '(global)'}: ${x}`)).join('; ')}`;
  }
  const tests = await verifier.tests(files);
  return tests.outcome === 'fail' ? tests.detail : null;
}

/** Where a new test for `file` goes: beside it, `name.test.ts`, unless that exists. */
function newTestFilePath(file: string, existing: ReadonlySet<string>): string {
  const ext = path.posix.extname(file);
  const stem = file.slice(0, file.length - ext.length);
  const candidates = [`${stem}.test${ext}`, `${stem}.selfreview.test${ext}`];
  return candidates.find((c) => !existing.has(c)) ?? `${stem}.selfreview-${Date.now()}.test${ext}`;
}
