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
import type { TriggerJob } from '@selfreview/shared/queues';
import type { Redis } from '@selfreview/shared/redis';
import type { RunStore } from '@selfreview/shared/runs';
import type { ServerConfig } from '@selfreview/shared/server-config';
import type { Queue } from 'bullmq';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { apiRoutes } from './api.ts';
import { type AuditEntry, AuditLog, auditTarget } from './audit.ts';
import { authenticatedUser, type Credentials, crossSiteRefusal, headerValue, SAFE_METHODS } from './auth.ts';
import { collectMetrics } from './metrics.ts';
import type { GatewayQueues } from './queues.ts';
import { webhookRoutes } from './webhooks/routes.ts';

export type { GatewayQueues };

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
  /** How many audit entries Redis keeps (newest); DEFAULT_AUDIT_MAX_ENTRIES when absent. */
  auditMaxEntries?: number;
};

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The action's name in the audit log; `METHOD /route` when a route gives none. */
    audit?: string;
    /** One line for the API's index (`GET /api`). */
    summary?: string;
  }
}

const READY_DEADLINE_MS = 2_000;
/** An audit write waits no longer than this for Redis; the answer is not held up by a hung Redis. */
const AUDIT_DEADLINE_MS = 3_000;

const DASHBOARD_READ_ONLY =
  'the dashboard is read-only: retry, re-queue, pause and resume through the API (GET /api lists it)';

export async function buildGateway(deps: GatewayDeps): Promise<FastifyInstance> {
  const app = Fastify({ logger: false, bodyLimit: 1024 * 1024, trustProxy: false });

  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_req, reply) => {
    try {
      await withDeadline(deps.redis.ping(), READY_DEADLINE_MS);
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

  // Everything else an operator sees or does: basic auth, no state change from another site,
  // and every state-changing request in the audit log, refused ones included.
  const audit = new AuditLog(deps.redis, deps.prefix, deps.log, deps.auditMaxEntries);
  await app.register(async (scope) => {
    const operators = new WeakMap<FastifyRequest, string>();
    scope.addHook('onRequest', async (req, reply) => {
      const user = authenticatedUser(req.headers.authorization, deps.credentials);
      if (user === null) {
        return reply
          .code(401)
          .header('www-authenticate', 'Basic realm="selfreview", charset="UTF-8"')
          .send({
            error: deps.credentials ? 'authentication required' : 'dashboard credentials are not configured',
          });
      }
      operators.set(req, user);
      const refusal = crossSiteRefusal(req.method, {
        host: req.headers.host,
        origin: req.headers.origin,
        'sec-fetch-site': headerValue(req.headers['sec-fetch-site']),
      });
      if (refusal) return reply.code(403).send({ error: refusal });
      return undefined;
    });
    // onSend, not onResponse: the entry is in Redis before the operator sees the answer, so
    // whoever reads /api/audit right after an action finds it.
    scope.addHook('onSend', async (req, reply, payload) => {
      const user = operators.get(req);
      if (user === undefined || SAFE_METHODS.has(req.method)) return payload;
      const entry: AuditEntry = {
        at: new Date().toISOString(),
        user,
        address: req.ip,
        action: req.routeOptions.config.audit ?? `${req.method} ${req.routeOptions.url ?? req.url}`,
        target: auditTarget(req.params),
        status: reply.statusCode,
      };
      try {
        await withDeadline(audit.record(entry), AUDIT_DEADLINE_MS);
      } catch (err) {
        // The action is done (or refused) either way; the log line record() wrote keeps it.
        deps.log.error({ err: (err as Error).message, audit: entry }, 'audit entry not stored in Redis');
      }
      return payload;
    });

    // Read-only: bull-board's own flag hides the buttons and refuses its writing routes, and
    // anything but GET/HEAD is refused here before bull-board sees it, so a route a later
    // version adds without the flag's check (or pause-all, which answers 200 doing nothing)
    // changes nothing either. Retries, pauses and resumes go through the audited API.
    const board = new FastifyAdapter();
    createBullBoard({
      queues: Object.values(deps.queues).map((q) => new BullMQAdapter(q as Queue, { readOnlyMode: true })),
      serverAdapter: board,
      options: {
        uiConfig: {
          boardTitle: 'selfreview (read-only)',
          miscLinks: [{ text: 'Retry, pause, resume: the selfreview API', url: '/api' }],
        },
      },
    });
    board.setBasePath('/ui');
    await scope.register(
      async (ui) => {
        ui.addHook('onRequest', async (req, reply) => {
          if (SAFE_METHODS.has(req.method)) return undefined;
          return reply.code(405).header('allow', 'GET, HEAD').send({ error: DASHBOARD_READ_ONLY });
        });
        await ui.register(board.registerPlugin());
      },
      { prefix: '/ui' },
    );

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
          audit,
        }),
      { prefix: '/api' },
    );
  });

  return app;
}

function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`redis did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}
