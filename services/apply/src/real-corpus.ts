/**
 * The schema of the real-code corpus (tests/real-corpus): labeled decisions of real scan +
 * apply runs on pinned commits of public repositories. Here because apply owns its
 * evaluation and depends on zod; the corpus and its runner live in tests/real-corpus.
 */
import { CheckId } from '@selfreview/checks';
import { GitSha, RepoPath, Verdict } from '@selfreview/shared/schemas';
import { z } from 'zod';

/** A checkout folder name: the folder under the real-repositories directory. */
const RepoName = z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'must be a lowercase folder name');

export const RealRepo = z.object({
  name: RepoName,
  url: z.url(),
  commit: GitSha,
});

export const LabeledDecision = z.object({
  repo: RepoName,
  /** The pinned commit the decision was sampled at (the repo's `commit`). */
  commit: GitSha,
  file: RepoPath,
  line: z.number().int().positive(),
  rule: CheckId,
  /** The evidence name: import binding, local, parameter, undefined name, or the TODO tag. */
  name: z.string().min(1),
  /** What apply said when the decision was sampled, and why; which stratum it was drawn from. */
  sampled: z.object({ verdict: Verdict, reason: z.string().min(1), stratum: z.string().min(1) }),
  /** Whether a reviewer would accept a branch making this fix. */
  expected: z.enum(['fix', 'not-fix']),
  /** One line: why, as the reviewer reading the code sees it. */
  label: z.string().min(1).max(200),
  /** At most one line of the code, shortened. */
  excerpt: z
    .string()
    .max(160)
    .refine((s) => !s.includes('\n'), 'one line at most')
    .optional(),
});
export type LabeledDecision = z.infer<typeof LabeledDecision>;

export const RealCorpus = z
  .object({
    description: z.string().min(1),
    sampledOn: z.iso.date(),
    labeledBy: z.string().min(1),
    repos: z.array(RealRepo).min(1),
    decisions: z.array(LabeledDecision).min(1),
  })
  .superRefine((corpus, ctx) => {
    const pinned = new Map(corpus.repos.map((r) => [r.name, r.commit]));
    const seen = new Set<string>();
    corpus.decisions.forEach((d, i) => {
      if (!pinned.has(d.repo)) {
        ctx.addIssue({
          code: 'custom',
          path: ['decisions', i, 'repo'],
          message: `unknown repository ${d.repo}`,
        });
      } else if (pinned.get(d.repo) !== d.commit) {
        ctx.addIssue({
          code: 'custom',
          path: ['decisions', i, 'commit'],
          message: `not ${d.repo}'s pinned commit`,
        });
      }
      const key = decisionKey(d);
      if (seen.has(key))
        ctx.addIssue({ code: 'custom', path: ['decisions', i], message: `duplicate ${key}` });
      seen.add(key);
    });
  });
export type RealCorpus = z.infer<typeof RealCorpus>;

/** One decision per repository, file, line, rule and name: what a label is attached to. */
export function decisionKey(d: {
  repo: string;
  file: string;
  line: number;
  rule: string;
  name: string;
}): string {
  return `${d.repo}\0${d.file}\0${d.line}\0${d.rule}\0${d.name}`;
}
