/** Candidates judged with their context: what the apply job and the evaluation share. */
import type { Candidate, Decision } from '@selfreview/shared/schemas';
import { buildContexts, type ContextInput } from './context.ts';
import { type JudgeContext, judgeCandidate } from './judgements/index.ts';

export { type ContextInput, RepoIndexCache } from './context.ts';

/** One file's candidates. */
export async function judgeFile(input: ContextInput): Promise<Decision[]> {
  const contexts = await buildContexts(input);
  return input.candidates.map((c) =>
    judgeCandidate(c, contexts.get(c.id) as JudgeContext, {
      threshold: input.config.apply.confidenceThreshold,
    }),
  );
}

export type FilesInput = Omit<ContextInput, 'file' | 'candidates' | 'texts'> & {
  files: readonly { file: string; candidates: readonly Candidate[] }[];
};

export type JudgedFile = {
  file: string;
  /** The file at `headSha`, null when it is gone. */
  fileText: string | null;
  /** In the order of the file's candidates. */
  decisions: Decision[];
};

/**
 * Several files' candidates, each file judged as judgeFile judges it; the files are read at the
 * two commits in one git command each, not two per file.
 */
export async function judgeFiles(input: FilesInput): Promise<JudgedFile[]> {
  const { files, ...shared } = input;
  const paths = files.map((f) => f.file);
  const atHead = await input.repo.readFiles(input.headSha, paths);
  const atBase = input.baseSha === input.headSha ? atHead : await input.repo.readFiles(input.baseSha, paths);
  const judged: JudgedFile[] = [];
  for (const { file, candidates } of files) {
    const texts = { fileText: atHead.get(file) ?? null, scannedText: atBase.get(file) ?? null };
    judged.push({
      file,
      fileText: texts.fileText,
      decisions: await judgeFile({ ...shared, file, candidates, texts }),
    });
  }
  return judged;
}
