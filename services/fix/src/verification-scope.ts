/** What both halves of a batch's verification (./verification.ts) work with. */
import type { RepoConfig } from '@selfreview/shared/config';
import type { Worktree } from '@selfreview/shared/workspace';
import type { VerifyCache } from './verification-cache.ts';

export abstract class VerificationScope {
  constructor(
    protected readonly wt: Worktree,
    protected readonly config: RepoConfig['fix'],
    protected readonly cache: VerifyCache,
    /** A file's project (its tsconfig, worktree-relative), looked up once per file of the batch. */
    protected readonly projectOf: (file: string) => string,
    protected readonly deadline?: AbortSignal,
  ) {}
}
