/** One file's candidates judged with their context: what the apply job and the evaluation share. */
import type { Decision } from '@selfreview/shared/schemas';
import { buildContexts, type ContextInput } from './context.ts';
import { type JudgeContext, judgeCandidate } from './judgements/index.ts';

export { type ContextInput, RepoIndexCache } from './context.ts';

export async function judgeFile(input: ContextInput): Promise<Decision[]> {
  const contexts = await buildContexts(input);
  return input.candidates.map((c) =>
    judgeCandidate(c, contexts.get(c.id) as JudgeContext, {
      threshold: input.config.apply.confidenceThreshold,
    }),
  );
}
