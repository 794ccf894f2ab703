/**
 * The operators' JSON API under `/api`: recent runs and their reports, the configured
 * repositories with their findings and fixes, pause and resume, manual scans, queue depths and
 * failed jobs, re-queueing those, and the audit log. The dashboard is read-only, so every
 * operator action is here. Authentication, the cross-site check and the audit entries are the
 * app's (see app.ts); here every parameter is checked, and errors are `{ error }` with a status
 * that says whose fault it is: 400 bad input, 404 unknown thing, 409 wrong state, 503 no Redis.
 * The routes come in groups, one module each under ./api/: runs, repositories, queues.
 */
import type { FastifyError, FastifyInstance } from 'fastify';
import { z } from 'zod';
import { type ApiDeps, HttpError, limit, parse } from './api/http.ts';
import { queueRoutes } from './api/queues.ts';
import { repositoryRoutes } from './api/repositories.ts';
import { runRoutes } from './api/runs.ts';

export type { ApiDeps } from './api/http.ts';

const AuditQuery = z.object({ limit: limit(50, 1000) }).strict();

export async function apiRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  app.setErrorHandler((err: Error, _req, reply) => {
    if (err instanceof HttpError) return reply.code(err.statusCode).send({ error: err.message });
    const status = (err as FastifyError).statusCode;
    // Fastify's own refusals (unsupported media type, malformed JSON): the client's to fix.
    if (status !== undefined && status >= 400 && status < 500)
      return reply.code(status).send({ error: err.message });
    if (deps.redis.status !== 'ready') {
      return reply.code(503).send({ error: `redis unavailable: ${err.message}` });
    }
    return reply.code(500).send({ error: err.message });
  });

  // The index (`GET /api`), from the routes themselves, so it cannot drift from them. The
  // actions say what they do; what the reads return is in the names and the README.
  const index: { method: string; path: string; summary?: string; audit?: string }[] = [];
  app.addHook('onRoute', (route) => {
    const config = route.config as { summary?: string; audit?: string } | undefined;
    for (const method of [route.method].flat()) {
      if (method === 'HEAD') continue;
      index.push({
        method,
        path: route.url ?? route.path,
        ...(config?.summary ? { summary: config.summary } : {}),
        ...(config?.audit ? { audit: config.audit } : {}),
      });
    }
  });

  runRoutes(app, deps);
  repositoryRoutes(app, deps);
  queueRoutes(app, deps);

  app.get(
    '/audit',
    { config: { summary: 'the audit log of operator actions, newest first (?limit=1..1000)' } },
    async (req) => {
      const query = parse(AuditQuery, req.query, 'query');
      return { entries: await deps.audit.recent(query.limit) };
    },
  );

  app.get('/', async () => ({
    about:
      'The selfreview API. The dashboard at /ui is read-only: retries, re-queues, pauses and resumes are these POSTs, with the same credentials; each is recorded in GET /api/audit.',
    routes: index,
  }));
}
