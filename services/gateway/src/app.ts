/**
 * The gateway: webhooks in, operators' dashboard and API, health and metrics. It only talks
 * to Redis (queues and run state); repositories are the workers' business, so it can be
 * deployed alone. `buildGateway` returns the fastify app without listening, for `inject()`.
 */
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { Logger } from '@selfreview/shared/logger';
import type { FindingMemory } from '@selfreview/shared/memory';
import type { RepoPauses } from '@selfreview/shared/pauses';
import type { ProposalIndex } from '@selfreview/shared/proposals';
import type { AnyQueueName, JobPayload, TriggerJob } from '@selfreview/shared/queues';
import type { Redis } from '@selfreview/shared/redis';
import type { RunStore } from '@selfreview/shared/runs';
import type { ServerConfig } from '@selfreview/shared/server-config';
import type { Queue } from 'bullmq';
import Fastify, { type FastifyInstance } from 'fastify';
import { apiRoutes } from './api.ts';
import { basicAuthMatches, type Credentials, crossSiteRefusal, headerValue } from './auth.ts';
import { collectMetrics } from './metrics.ts';
import { webhookRoutes } from './webhooks/routes.ts';

export type GatewayQueues = { [Q in AnyQueueName]: Queue<JobPayload<Q>> };

export type GatewayDeps = {
  /** A producer connection: it fails fast while Redis is away, so requests get 503, not a hang. */
  redis: Redis;
  prefix: string;
  queues: GatewayQueues;
  runs: RunStore;
  pauses: RepoPauses;
  serverConfig: ServerConfig;
  /** Where webhook secrets are looked up by the names the server configuration gives. */
  env: Readonly<Record<string, string | undefined>>;
  /** Dashboard and API credentials; null: everything behind authentication answers 401. */
  credentials: Credentials | null;
  log: Logger;
  bodyLimitBytes?: number;
  coalesceMs?: number;
  /** With both, a selfreview pull/merge request closed unmerged marks its findings `rejected`. */
  proposals?: ProposalIndex;
  memory?: FindingMemory;
};

const READY_DEADLINE_MS = 2_000;

export async function buildGateway(deps: GatewayDeps): Promise<FastifyInstance> {
  const app = Fastify({ logger: false, bodyLimit: 1024 * 1024, trustProxy: false });

  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_req, reply) => {
    try {
      await Promise.race([
        deps.redis.ping(),
        new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), READY_DEADLINE_MS)),
      ]);
      return { status: 'ready' };
    } catch (err) {
      return reply.code(503).send({ status: 'unavailable', redis: (err as Error).message });
    }
  });

  // Webhooks authenticate by signature or token, not by the dashboard's credentials.
  await app.register(async (scope) =>
    webhookRoutes(scope, {
      redis: deps.redis,
      prefix: deps.prefix,
      triggerQueue: deps.queues.trigger as Queue<TriggerJob>,
      serverConfig: deps.serverConfig,
      env: deps.env,
      log: deps.log,
      bodyLimitBytes: deps.bodyLimitBytes ?? 5 * 1024 * 1024,
      coalesceMs: deps.coalesceMs ?? 2_000,
      ...(deps.proposals && deps.memory ? { proposals: deps.proposals, memory: deps.memory } : {}),
    }),
  );

  // Everything else an operator sees or does: basic auth, and no state change from another site.
  await app.register(async (scope) => {
    scope.addHook('onRequest', async (req, reply) => {
      if (!basicAuthMatches(req.headers.authorization, deps.credentials)) {
        return reply
          .code(401)
          .header('www-authenticate', 'Basic realm="selfreview", charset="UTF-8"')
          .send({
            error: deps.credentials ? 'authentication required' : 'dashboard credentials are not configured',
          });
      }
      const refusal = crossSiteRefusal(req.method, {
        host: req.headers.host,
        origin: req.headers.origin,
        'sec-fetch-site': headerValue(req.headers['sec-fetch-site']),
      });
      if (refusal) return reply.code(403).send({ error: refusal });
      return undefined;
    });

    const board = new FastifyAdapter();
    createBullBoard({
      queues: Object.values(deps.queues).map((q) => new BullMQAdapter(q as Queue)),
      serverAdapter: board,
      options: { uiConfig: { boardTitle: 'selfreview' } },
    });
    board.setBasePath('/ui');
    await scope.register(board.registerPlugin(), { prefix: '/ui' });

    scope.get('/metrics', async (_req, reply) => {
      const text = await collectMetrics({
        queues: deps.queues,
        runs: deps.runs,
        redis: deps.redis,
        prefix: deps.prefix,
      });
      return reply.type('text/plain; version=0.0.4').send(text);
    });

    await scope.register(
      async (api) =>
        apiRoutes(api, {
          queues: deps.queues,
          runs: deps.runs,
          pauses: deps.pauses,
          serverConfig: deps.serverConfig,
          redis: deps.redis,
          prefix: deps.prefix,
        }),
      { prefix: '/api' },
    );
  });

  return app;
}
