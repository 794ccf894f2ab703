/**
 * Which findings each proposed branch fixes, by forge project and branch, so that when a
 * reviewer closes the pull/merge request without merging, the gateway can remember those
 * findings as `rejected` and apply does not propose them again within its memory window.
 */
import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { ForgeKind } from './schemas.ts';

const ProposedBranch = z.object({
  repoPath: z.string(),
  runId: z.string(),
  batchId: z.string(),
  candidateIds: z.array(z.string()),
});
export type ProposedBranch = z.infer<typeof ProposedBranch>;

/** Long enough for a slow review; a request closed later than this is simply not remembered. */
const TTL_S = 90 * 24 * 60 * 60;

export class ProposalIndex {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private key(forge: ForgeKind, project: string, branch: string): string {
    return `${this.prefix}:proposal:${forge}:${project.toLowerCase()}:${branch}`;
  }

  async remember(forge: ForgeKind, project: string, branch: string, proposed: ProposedBranch): Promise<void> {
    await this.redis.set(this.key(forge, project, branch), JSON.stringify(proposed), 'EX', TTL_S);
  }

  async lookup(forge: ForgeKind, project: string, branch: string): Promise<ProposedBranch | null> {
    const raw = await this.redis.get(this.key(forge, project, branch));
    if (!raw) return null;
    const parsed = ProposedBranch.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : null;
  }

  async forget(forge: ForgeKind, project: string, branch: string): Promise<void> {
    await this.redis.del(this.key(forge, project, branch));
  }
}
