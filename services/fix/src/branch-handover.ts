/**
 * A committed batch's branch, carried from the fix worker's host to the publisher's. The fix
 * worker commits in its own clone; the publisher pushes from its own, usually on another host, so
 * the branch travels through Redis as a git bundle of the batch's commit over its base (a few KB:
 * one commit, the changed trees and files), kept a week under `<prefix>:fix-branch:<batch>`.
 * The publisher takes it only for the exact commit the run recorded as committed and verified:
 * objects are named by their hash, so a bundle edited in Redis cannot bring any other content; the
 * branch is created only when it is absent (never moved), and pushed only after the usual checks.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runGit } from '@selfreview/shared/git';
import type { Logger } from '@selfreview/shared/logger';
import type { PublishJob } from '@selfreview/shared/queues';
import type { Redis } from '@selfreview/shared/redis';
import type { Repository } from '@selfreview/shared/workspace';

/** As long as a publish job may still be retried. */
const BUNDLE_TTL_S = 7 * 24 * 60 * 60;
const ZERO = '0'.repeat(40);

export class BranchHandover {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private key(batchId: string): string {
    return `${this.prefix}:fix-branch:${batchId}`;
  }

  /**
   * Keeps the batch's branch for the publisher. A re-run that finds the batch committed by an
   * earlier attempt on another host has no such branch here: that attempt kept it already.
   */
  async put(repo: Repository, job: PublishJob, log: Logger): Promise<void> {
    if ((await repo.resolveBranch(job.branch)) !== job.commit) {
      if (await this.redis.exists(this.key(job.batchId))) return;
      log.warn(
        { branch: job.branch, commit: job.commit },
        'the committed branch is not in this host’s clone: the publisher must find it in its own',
      );
      return;
    }
    const tmp = await mkdtemp(path.join(os.tmpdir(), 'selfreview-bundle-'));
    try {
      const file = path.join(tmp, 'branch.bundle');
      const made = await runGit(
        ['bundle', 'create', '--quiet', file, `refs/heads/${job.branch}`, `^${job.baseSha}`],
        { cwd: repo.root, what: 'bundle create' },
      );
      if (made.code !== 0) throw new Error(`git bundle create failed: ${made.stderr.trim()}`);
      await this.redis.set(this.key(job.batchId), await readFile(file), 'EX', BUNDLE_TTL_S);
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  }

  /**
   * Makes the job's branch in `repo` from the kept bundle, at exactly the job's commit, when the
   * branch is not there; returns whether it is there now. Any mismatch leaves the repository as it was.
   */
  async take(repo: Repository, job: PublishJob, log: Logger): Promise<boolean> {
    const bundle = await this.redis.getBuffer(this.key(job.batchId));
    if (!bundle) return false;
    if ((await repo.resolveBranch(job.branch)) !== null) return false;
    const tmp = await mkdtemp(path.join(os.tmpdir(), 'selfreview-bundle-'));
    const scratchRef = `refs/selfreview-handover/${job.batchId}`;
    try {
      const file = path.join(tmp, 'branch.bundle');
      await writeFile(file, bundle);
      const run = (args: string[]) => runGit(args, { cwd: repo.root });
      const fetched = await run([
        'fetch',
        '--quiet',
        '--no-tags',
        file,
        `refs/heads/${job.branch}:${scratchRef}`,
      ]);
      if (fetched.code !== 0) {
        log.warn({ branch: job.branch, err: fetched.stderr.trim() }, 'the kept branch could not be fetched');
        return false;
      }
      const tip = (await run(['rev-parse', '--verify', '--quiet', `${scratchRef}^{commit}`])).stdout.trim();
      if (tip !== job.commit) {
        log.warn(
          { branch: job.branch, tip, commit: job.commit },
          'the kept branch is not at the batch’s commit',
        );
        return false;
      }
      // Created only if absent: the old value all zeros.
      const made = await run(['update-ref', `refs/heads/${job.branch}`, job.commit, ZERO]);
      return made.code === 0;
    } finally {
      await runGit(['update-ref', '-d', scratchRef], { cwd: repo.root }).catch(() => undefined);
      await rm(tmp, { recursive: true, force: true });
    }
  }
}
