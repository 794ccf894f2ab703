/**
 * The operators' dashboard in a real browser: the gateway listens on a loopback port, Bull Board
 * at /ui refuses a request without credentials, and, with them, shows the four queues and a
 * failed scan job read-only: no Retry button, its retry route refused even when called from the
 * page, and a header link to the API. The operator retries through the API from the same page
 * (the browser's own Origin and Sec-Fetch-Site pass the same-origin check) and the audit log
 * has it; the same POST from a page of another origin changes nothing. Leaves a screenshot in
 * test-results/.
 *
 * Needs a chromium (./scripts/test installs Debian's through apt-get). Skipped, with a warning,
 * only when SELFREVIEW_BROWSER_TESTS=0 or no chromium binary is found.
 */
import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { createServer } from 'node:http';
import { dirname, join } from 'node:path';
import { buildGateway, type GatewayQueues } from '@selfreview/gateway/app';
import { RepoPauses } from '@selfreview/shared/pauses';
import { ALL_QUEUES, type ScanJob } from '@selfreview/shared/queues';
import { RunStore } from '@selfreview/shared/runs';
import { parseServerConfig } from '@selfreview/shared/server-config';
import { createQueue } from '@selfreview/shared/worker';
import { type Job, UnrecoverableError, Worker } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserSkipReason, launchChromium } from './helpers/browser.ts';
import { listenOnLoopback } from './helpers/loopback.ts';
import { cleanPrefix, connect, uniquePrefix } from './helpers/redis.ts';

const STEP_MS = 30_000;
const SCREENSHOT = join(import.meta.dirname, '..', 'test-results', 'dashboard.png');

// The one reason this file may be skipped: no browser to drive. ./scripts/test installs chromium
// unless told not to (SELFREVIEW_BROWSER_TESTS=0); say so loudly rather than pass in silence.
const skipReason = browserSkipReason();
if (skipReason) console.warn(`dashboard browser test skipped: ${skipReason}`);

/** Polls `check` every 100 ms until it returns true, at most `ms`. */
async function until(what: string, check: () => Promise<boolean>, ms = STEP_MS): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * The labels matching `label` that hovering the buttons in `scope` shows: the job's actions are
 * icon-only buttons without an accessible name, labelled only by a tooltip while hovered.
 */
async function tooltipsMatching(page: Page, scope: Locator, label: RegExp): Promise<string[]> {
  const found: string[] = [];
  for (const button of await scope.getByRole('button').all()) {
    await button.hover();
    const tip = page.getByText(label).first();
    const shown = await tip.waitFor({ timeout: 2_000 }).then(
      () => true,
      () => false,
    );
    if (shown) found.push(((await tip.textContent()) ?? '').trim());
  }
  return found;
}

/**
 * Opens a page served from another loopback port (another origin) whose script POSTs to `target`
 * as a forged form would, and waits until the request has gone out and been answered.
 */
async function crossSitePost(context: BrowserContext, target: string): Promise<string> {
  const evil = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(
      `<script>fetch(${JSON.stringify(target)}, { method: 'POST', mode: 'no-cors', credentials: 'include' })` +
        `.then(() => { document.title = 'sent'; }, () => { document.title = 'failed'; });</script>`,
    );
  });
  const site = await listenOnLoopback(evil);
  await context.route(
    (url) => url.origin === new URL(site.url).origin,
    (route) => route.continue(),
  );
  const page = await context.newPage();
  try {
    await page.goto(site.url);
    // A string, evaluated in the page: the tests are typechecked without the DOM's types.
    await page.waitForFunction("document.title !== ''", undefined, { timeout: STEP_MS });
    return await page.title();
  } finally {
    await page.close();
    await site.close();
  }
}

describe.skipIf(skipReason !== null)('dashboard in a browser', () => {
  const prefix = uniquePrefix('dash');
  const redis = connect('producer');
  const workerRedis = connect('worker');
  const credentials = { user: 'ops', password: randomBytes(12).toString('hex') };
  let queues: GatewayQueues;
  let app: FastifyInstance;
  let browser: Browser | undefined;
  let worker: Worker<ScanJob, void> | undefined;
  let base: string;
  let failed: Job;

  beforeAll(async () => {
    queues = Object.fromEntries(ALL_QUEUES.map((q) => [q, createQueue(q, redis, prefix)])) as GatewayQueues;
    app = await buildGateway({
      redis,
      prefix,
      queues,
      runs: new RunStore(redis, prefix),
      pauses: new RepoPauses(redis, prefix),
      serverConfig: parseServerConfig('repositories: []\n', 'selfreview.server.yaml'),
      env: {},
      credentials,
      log: pino({ level: 'silent' }),
    });
    base = await app.listen({ host: '127.0.0.1', port: 0 });

    // A failed scan job: a well-formed payload, and a worker whose processor gives up at once.
    const payload: ScanJob = {
      runId: 'dash-run-1',
      repo: { path: '/srv/repos/web' },
      baseBranch: 'main',
      baseSha: 'a'.repeat(40),
      mode: 'full',
    };
    failed = await queues.scan.add('scan', payload);
    const failing = new Worker<ScanJob, void>(
      'scan',
      async () => {
        throw new UnrecoverableError('boom: failed on purpose for the dashboard test');
      },
      { connection: workerRedis, prefix },
    );
    worker = failing;
    await until('the scan job to fail', async () => (await failed.getState()) === 'failed');
    await failing.close();
    worker = undefined;

    browser = await launchChromium();
  }, 4 * STEP_MS);

  afterAll(async () => {
    await browser?.close();
    await worker?.close();
    await app?.close();
    for (const q of Object.values(queues ?? {})) await q.close();
    await cleanPrefix(redis, prefix);
    workerRedis.disconnect();
    redis.disconnect();
  });

  it('refuses /ui without credentials', async () => {
    const res = await fetch(`${base}/ui`, { signal: AbortSignal.timeout(STEP_MS) });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Basic /);
  });

  it(
    'shows the queues and the failed job read-only, and the operator retries it through the API, audited',
    async () => {
      const context = await browser!.newContext({
        httpCredentials: { username: credentials.user, password: credentials.password },
        viewport: { width: 1280, height: 900 },
      });
      context.setDefaultTimeout(STEP_MS);
      // Hermetic: the board links Google Fonts; nothing leaves the machine.
      const origin = new URL(base).origin;
      await context.route(
        (url) => url.origin !== origin,
        (route) => route.abort(),
      );
      try {
        const page = await context.newPage();

        await page.goto(`${base}/ui`);
        const nav = page.getByRole('navigation');
        for (const name of ALL_QUEUES) await nav.getByRole('link', { name, exact: true }).waitFor();

        await nav.getByRole('link', { name: 'scan', exact: true }).click();
        await page.getByRole('link', { name: /^failed/i }).click();
        await page.waitForURL(/\/ui\/queue\/scan\?status=failed$/);
        const card = page
          .locator('div')
          .filter({ has: page.getByRole('link', { name: new RegExp(`^#${failed.id}\\b`) }) })
          .filter({ has: page.getByRole('tab', { name: 'Error' }) })
          .last();
        await card.getByText('failed on purpose').waitFor();
        await mkdir(dirname(SCREENSHOT), { recursive: true });
        await page.screenshot({ path: SCREENSHOT, fullPage: true });

        // Read-only: none of the job's buttons retries, cleans or promotes it.
        expect(
          await tooltipsMatching(page, card, /^(retry|clean|remove|promote|duplicate|delete)$/i),
        ).toEqual([]);
        // Not just hidden: the board's own retry route, called from its own page, is refused.
        const boardRetry = await page.evaluate(
          async (url) => (await fetch(url, { method: 'PUT' })).status,
          `/ui/api/queues/scan/${failed.id}/retry`,
        );
        expect(boardRetry).toBe(405);
        expect(await queues.scan.getJobState(failed.id!)).toBe('failed');

        // The header's menu points the operator to the API.
        await page.locator('header li').last().getByRole('button').click();
        const apiLink = page.getByRole('menuitem', { name: /selfreview API/ });
        await apiLink.waitFor();
        expect(await page.locator('a', { hasText: /selfreview API/ }).getAttribute('href')).toBe('/api');

        // A page of another origin (another loopback port) posting the retry: refused, nothing changes.
        const csrf = await crossSitePost(context, `${base}/api/queues/scan/jobs/${failed.id}/retry`);
        expect(csrf).toBe('sent');
        expect(await queues.scan.getJobState(failed.id!)).toBe('failed');

        // The API from the dashboard's own page: the browser's Origin and Sec-Fetch-Site pass.
        const retried = await page.evaluate(async (url) => {
          const res = await fetch(url, { method: 'POST' });
          return { status: res.status, body: await res.text() };
        }, `/api/queues/scan/jobs/${failed.id}/retry`);
        expect(retried.status, retried.body).toBe(200);
        expect(['waiting', 'active', 'completed', 'prioritized', 'delayed']).toContain(
          await queues.scan.getJobState(failed.id!),
        );

        const audit = (await page.evaluate(async () => (await fetch('/api/audit')).json())) as {
          entries: { user: string; action: string; target: string; address: string; status: number }[];
        };
        expect(audit.entries[0]).toMatchObject({
          user: credentials.user,
          action: 'queue.job.retry',
          target: `scan/${failed.id}`,
          address: '127.0.0.1',
          status: 200,
        });
        // The refused board call and the cross-site POST (the browser sent the credentials with
        // it, as it would for a forged form: only the same-origin check stopped it) are on record.
        expect(audit.entries.map((e) => [e.action, e.status])).toEqual([
          ['queue.job.retry', 200],
          ['queue.job.retry', 403],
          ['PUT /ui/api/queues/:queueName/:jobId/retry', 405],
        ]);
      } finally {
        await context.close();
      }
    },
    4 * STEP_MS,
  );
});
