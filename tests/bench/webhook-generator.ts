/** The load: autocannon sending signed GitHub pushes, with each request's times and answer kept. */
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import { type BenchRepo, type Options, pushDelivery, type RequestRecord } from './webhook-load.ts';

/** Starts the load; `stop` ends it early, and `done` then resolves with what autocannon saw so far. */
export function startLoad(opts: {
  base: string;
  options: Options;
  template: Record<string, unknown>;
  runId: string;
  repo: BenchRepo;
  secret: string;
}): { records: Map<string, RequestRecord>; done: Promise<autocannon.Result>; stop: () => void } {
  const { base, options, template, runId, repo, secret } = opts;
  const records = new Map<string, RequestRecord>();
  let seq = 0;
  type Ctx = { delivery?: string };
  const loadOptions: autocannon.Options = {
    url: base,
    connections: options.connections,
    overallRate: options.rate,
    duration: options.durationS,
    ignoreCoordinatedOmission: true,
    timeout: 10,
    requests: [
      {
        method: 'POST',
        path: '/webhooks/github',
        setupRequest: (request, context) => {
          const d = pushDelivery(template, runId, seq++, repo, secret);
          records.set(d.id, { delivery: d.id, sha: d.sha, sentAt: performance.now() });
          (context as Ctx).delivery = d.id;
          return { ...request, body: d.body, headers: d.headers };
        },
        onResponse: (status, body, context) => {
          const record = records.get((context as Ctx).delivery ?? '');
          if (!record) return;
          record.answeredAt = performance.now();
          record.status = status;
          record.outcome = outcomeOf(body);
        },
      },
    ],
  };
  let instance: autocannon.Instance | undefined;
  const done = new Promise<autocannon.Result>((resolve, reject) => {
    instance = autocannon(loadOptions, (err: Error | null, res: autocannon.Result) =>
      err ? reject(err) : resolve(res),
    );
  });
  return { records, done, stop: () => instance?.stop() };
}

export function pushTemplate(): Record<string, unknown> {
  type Definition = { name: string; examples: Record<string, unknown>[] };
  const definitions = createRequire(import.meta.url)(
    '@octokit/webhooks-examples/api.github.com/index.json',
  ) as Definition[];
  const push = definitions
    .find((d) => d.name === 'push')
    ?.examples.find((e) => String(e.ref).startsWith('refs/heads/') && e.deleted !== true);
  if (!push) throw new Error('@octokit/webhooks-examples has no branch push example');
  return push;
}

function outcomeOf(body: string): string {
  try {
    const parsed = JSON.parse(body) as { status?: unknown };
    return typeof parsed.status === 'string' ? parsed.status : 'unreadable';
  } catch {
    return 'unreadable';
  }
}

export function autocannonVersion(): string {
  try {
    return (createRequire(import.meta.url)('autocannon/package.json') as { version: string }).version;
  } catch {
    return '?';
  }
}
