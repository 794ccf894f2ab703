/**
 * `POST /webhooks/github` and `POST /webhooks/gitlab`. The body is read as raw bytes (the
 * signature is over them), limited in size before anything parses it, and nothing is parsed
 * unless one of the configured secrets signs it. An event that changes state (a push, a
 * selfreview pull/merge request closed) must then be signed with the secret of the repository
 * it names, or it is refused with 401. A push to a configured repository and branch becomes
 * one trigger job; a redelivered event starts nothing; the answer is 2xx only once the job is
 * in Redis, and 503 at once when Redis is not there.
 */
import { recordFirstPush } from '@selfreview/shared/coordinator';
import type { Logger } from '@selfreview/shared/logger';
import type { FindingMemory } from '@selfreview/shared/memory';
import type { ProposalIndex } from '@selfreview/shared/proposals';
import type { TriggerJob } from '@selfreview/shared/queues';
import type { Redis } from '@selfreview/shared/redis';
import {
  findRepository,
  repoTarget,
  type ServerConfig,
  type ServerRepo,
} from '@selfreview/shared/server-config';
import type { Queue } from 'bullmq';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { headerValue } from '../auth.ts';
import { type Forge, repositoriesNamed, secretOf, sharedSecrets } from './binding.ts';
import {
  type ClosedProposal,
  githubEventStartsWork,
  gitlabEventStartsWork,
  type PushEvent,
  parseGitHubClosedUnmerged,
  parseGitHubPush,
  parseGitLabClosedUnmerged,
  parseGitLabPush,
} from './payloads.ts';
import { verifyGitHubSignature, verifyGitLabToken } from './verify.ts';

export type WebhookDeps = {
  redis: Redis;
  prefix: string;
  triggerQueue: Queue<TriggerJob>;
  serverConfig: ServerConfig;
  env: Readonly<Record<string, string | undefined>>;
  log: Logger;
  /** Largest accepted body; GitHub caps payloads at 25 MB, pushes are far smaller. */
  bodyLimitBytes: number;
  /** Within this, a burst of pushes to one branch becomes one trigger (the newest wins). */
  coalesceMs: number;
  /** For rejected proposals: which findings a branch fixed, and where outcomes are remembered. */
  proposals?: ProposalIndex;
  memory?: FindingMemory;
};

/** A delivery id is remembered this long: GitHub and GitLab redeliver within days, not weeks. */
const DELIVERY_TTL_S = 7 * 24 * 60 * 60;
/** Redis must answer within this, or the webhook is answered 503 (the sender retries). */
const REDIS_DEADLINE_MS = 3_000;

/** Whether the delivery is signed with this repository's own secret. */
type SignedBy = (repo: ServerRepo) => boolean;

export async function webhookRoutes(app: FastifyInstance, deps: WebhookDeps): Promise<void> {
  // Raw bytes for every content type: the signature covers the exact body.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: deps.bodyLimitBytes }, (_req, body, done) =>
    done(null, body),
  );

  // Secrets are looked up once: the configuration and the environment are fixed for the process.
  const githubSecrets = configuredSecrets(deps, 'github');
  const gitlabTokens = configuredSecrets(deps, 'gitlab');
  for (const forge of ['github', 'gitlab'] as const) {
    for (const repositories of sharedSecrets(deps.serverConfig, forge, deps.env))
      deps.log.warn(
        { forge, repositories },
        'repositories share a webhook secret: an event signed for one is accepted for the others',
      );
  }

  app.post('/webhooks/github', { bodyLimit: deps.bodyLimitBytes }, async (req, reply) => {
    const raw = bodyBytes(req);
    const header = headerValue(req.headers['x-hub-signature-256']);
    // Nothing is parsed unless a configured secret signs the body; which repository it may
    // speak for is decided once the payload names one.
    if (!githubSecrets.some((s) => verifyGitHubSignature(raw, header, s).ok))
      return unauthorized(reply, header === undefined ? 'missing signature' : 'bad signature');
    const signedBy: SignedBy = (repo) => {
      const secret = secretOf(repo, 'github', deps.env);
      return secret !== undefined && verifyGitHubSignature(raw, header, secret).ok;
    };
    const event = headerValue(req.headers['x-github-event']);
    const starts = githubEventStartsWork(event);
    // Only pushes and pull requests are read at all; every other event is answered unparsed.
    if (!starts && event !== 'pull_request')
      return ignored(reply, `event ${event ?? '(none)'} does not start work`);
    const payload = parseJsonBody(raw, req.headers['content-type']);
    if (!starts) {
      const closed = parseGitHubClosedUnmerged(event, payload);
      return closed
        ? rejected(deps, reply, closed, signedBy)
        : ignored(reply, `event ${event} does not start work`);
    }
    return accept(deps, reply, {
      forge: 'github',
      delivery: headerValue(req.headers['x-github-delivery']),
      push: parseGitHubPush(payload),
      signedBy,
    });
  });

  app.post('/webhooks/gitlab', { bodyLimit: deps.bodyLimitBytes }, async (req, reply) => {
    const raw = bodyBytes(req);
    const header = headerValue(req.headers['x-gitlab-token']);
    if (!gitlabTokens.some((t) => verifyGitLabToken(header, t).ok))
      return unauthorized(reply, header === undefined ? 'missing token' : 'bad token');
    const signedBy: SignedBy = (repo) => {
      const token = secretOf(repo, 'gitlab', deps.env);
      return token !== undefined && verifyGitLabToken(header, token).ok;
    };
    const event = headerValue(req.headers['x-gitlab-event']);
    const starts = gitlabEventStartsWork(event);
    if (!starts && event !== 'Merge Request Hook')
      return ignored(reply, `event ${event ?? '(none)'} does not start work`);
    const payload = parseJsonBody(raw, req.headers['content-type']);
    if (!starts) {
      const closed = parseGitLabClosedUnmerged(event, payload);
      return closed
        ? rejected(deps, reply, closed, signedBy)
        : ignored(reply, `event ${event} does not start work`);
    }
    return accept(deps, reply, {
      forge: 'gitlab',
      delivery: headerValue(req.headers['x-gitlab-event-uuid']),
      push: parseGitLabPush(payload),
      signedBy,
    });
  });
}

async function accept(
  deps: WebhookDeps,
  reply: FastifyReply,
  opts: { forge: Forge; delivery: string | undefined; push: PushEvent | null; signedBy: SignedBy },
): Promise<FastifyReply> {
  const { push } = opts;
  if (!push) return ignored(reply, 'not a branch push');
  const repo = findRepository(deps.serverConfig, push.repository);
  if (!repo) {
    deps.log.info(
      { forge: opts.forge, repository: push.repository.fullName },
      'push for an unknown repository ignored',
    );
    return ignored(reply, `repository ${push.repository.fullName} is not configured`);
  }
  if (!opts.signedBy(repo)) return foreignSignature(deps, reply, opts.forge, repo.name);
  if (push.branch !== repo.branch) return ignored(reply, `branch ${push.branch} is not watched`);
  if (push.deletedBranch) return ignored(reply, 'branch deleted');

  const deliveryKey = opts.delivery ? `${deps.prefix}:delivery:${opts.forge}:${opts.delivery}` : null;
  try {
    if (deliveryKey) {
      const first = await withDeadline(deps.redis.set(deliveryKey, '1', 'EX', DELIVERY_TTL_S, 'NX'));
      if (first === null) return reply.code(200).send({ status: 'duplicate', delivery: opts.delivery });
    }
    // Before the trigger: where this burst of pushes began, should no scan of the branch exist.
    await withDeadline(
      recordFirstPush(deps.redis, deps.prefix, { name: repo.name, branch: repo.branch, before: push.before }),
    );
    const job = await withDeadline(
      enqueue(deps, repo, push, `${opts.forge}:${opts.delivery ?? 'no-delivery-id'}`),
    );
    deps.log.info({ repo: repo.name, branch: push.branch, after: push.after, job: job.id }, 'push queued');
    return reply.code(202).send({ status: 'queued', repository: repo.name, job: job.id });
  } catch (err) {
    // Not in Redis: forget the delivery so the sender's retry is not taken for a duplicate.
    if (deliveryKey) await withDeadline(deps.redis.del(deliveryKey)).catch(() => undefined);
    deps.log.warn({ err: (err as Error).message }, 'webhook not queued: redis unavailable');
    return reply.code(503).send({ error: 'queue unavailable, retry later' });
  }
}

/**
 * A selfreview request closed unmerged: its findings are remembered as `rejected`, so apply
 * does not propose them again within its memory window. Recording twice changes nothing. The
 * proposal is looked up by the project the payload names, so the event must be signed with
 * the secret of a repository configured for that very project.
 */
async function rejected(
  deps: WebhookDeps,
  reply: FastifyReply,
  closed: ClosedProposal,
  signedBy: SignedBy,
): Promise<FastifyReply> {
  const repos = repositoriesNamed(deps.serverConfig, closed.project);
  if (repos.length === 0) return ignored(reply, `repository ${closed.project} is not configured`);
  if (!repos.some(signedBy)) return foreignSignature(deps, reply, closed.forge, closed.project);
  if (!deps.proposals || !deps.memory) return ignored(reply, 'rejections are not recorded here');
  try {
    const proposed = await withDeadline(deps.proposals.lookup(closed.forge, closed.project, closed.branch));
    if (!proposed) return ignored(reply, `no selfreview proposal known for ${closed.branch}`);
    for (const id of proposed.candidateIds)
      await withDeadline(deps.memory.record(proposed.repoPath, id, 'rejected'));
    await withDeadline(deps.proposals.forget(closed.forge, closed.project, closed.branch));
    deps.log.info(
      { branch: closed.branch, findings: proposed.candidateIds.length },
      'proposal rejected: remembered',
    );
    return reply.code(202).send({ status: 'recorded', findings: proposed.candidateIds.length });
  } catch (err) {
    deps.log.warn({ err: (err as Error).message }, 'rejection not recorded: redis unavailable');
    return reply.code(503).send({ error: 'store unavailable, retry later' });
  }
}

/**
 * One trigger per repository and branch (BullMQ deduplication on `push:<repo>:<branch>`), queued
 * `coalesceMs` later. A push while the trigger is still delayed replaces it: that job is removed
 * and this push's job waits the whole delay again, so a burst of pushes is one trigger after the
 * last of them. A push while the trigger is being processed is kept and queued when it finishes
 * (of several, the last). A push after the delay is over but before a worker takes the trigger
 * is dropped: that trigger has not read the branch yet. The trigger scans the branch's tip as
 * it reads it, from the last scanned commit, so coalescing loses no change; of the push it
 * carries, it reads `after` only to skip a deleted branch (all zeros). For a branch with no scan
 * recorded it diffs from the `before` of the first push since the last trigger, which the
 * caller records first (recordFirstPush): a replaced push's `before` is not in the job.
 */
function enqueue(deps: WebhookDeps, repo: ServerRepo, push: PushEvent, source: string) {
  const data: TriggerJob = {
    kind: 'push',
    repo: repoTarget(repo),
    before: push.before.slice(0, 40),
    after: push.after.slice(0, 40),
    source,
    ...(deps.serverConfig.notify ? { notifyEnv: deps.serverConfig.notify.webhookUrlEnv } : {}),
  };
  return deps.triggerQueue.add('push', data, {
    delay: deps.coalesceMs,
    deduplication: { id: `push:${repo.name}:${repo.branch}`, replace: true, keepLastIfActive: true },
  });
}

/** The distinct secrets configured for a forge. */
function configuredSecrets(deps: WebhookDeps, forge: Forge): string[] {
  const values = deps.serverConfig.repositories.map((repo) => secretOf(repo, forge, deps.env));
  return [...new Set(values.filter((v) => v !== undefined))];
}

function bodyBytes(req: FastifyRequest): Buffer {
  return Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
}

/** JSON, or GitHub's form encoding (`payload=<json>`); anything unreadable is null. */
function parseJsonBody(raw: Buffer, contentType: string | undefined): unknown {
  try {
    if (contentType?.startsWith('application/x-www-form-urlencoded')) {
      const payload = new URLSearchParams(raw.toString('utf8')).get('payload');
      return payload === null ? null : JSON.parse(payload);
    }
    return JSON.parse(raw.toString('utf8'));
  } catch {
    return null;
  }
}

function unauthorized(reply: FastifyReply, why: string): FastifyReply {
  return reply.code(401).send({ error: why });
}

/** Signed with a secret, but not with the secret of the repository the event names. */
function foreignSignature(deps: WebhookDeps, reply: FastifyReply, forge: Forge, repository: string) {
  // A configured secret speaking for another repository: worth an operator's look.
  deps.log.warn({ forge, repository }, "webhook refused: signed with another repository's secret");
  return unauthorized(reply, 'signature does not belong to this repository');
}

function ignored(reply: FastifyReply, why: string): FastifyReply {
  return reply.code(202).send({ status: 'ignored', reason: why });
}

function withDeadline<T>(promise: Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('redis did not answer in time')), REDIS_DEADLINE_MS);
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}
