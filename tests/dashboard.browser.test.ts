/**
 * The operators' dashboard in a real browser: the gateway listens on a loopback port, Bull Board
 * at /ui refuses a request without credentials, and, with them, shows the four queues and lets an
 * operator retry a failed scan job (a state-changing request that passes the same-origin check,
 * because it comes from the dashboard's own page). Leaves a screenshot in test-results/.
 *
 * Needs a chromium (./scripts/test installs Debian's through apt-get). Skipped, with a warning,
 * only when SELFREVIEW_BROWSER_TESTS=0 or no chromium binary is found.
 */
import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
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
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserSkipReason, launchChromium } from './helpers/browser.ts';
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

/** The button in `scope` whose hover tooltip matches `label`. */
async function buttonWithTooltip(page: Page, scope: Locator, label: RegExp): Promise<Locator> {
  for (const button of await scope.getByRole('button').all()) {
    await button.hover();
    const shown = await page
      .getByText(label)
      .waitFor({ timeout: 2_000 })
      .then(
        () => true,
        () => false,
      );
    if (shown) return button;
  }
  throw new Error(`no button with a tooltip matching ${label}`);
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
    'shows the queues and retries a failed job, leaving a screenshot',
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
        page.on('dialog', (d) => void d.accept());

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

        // The job's actions are icon-only buttons without an accessible name: their label is a
        // tooltip that exists only while hovered. So: hover each until the tooltip says Retry.
        const retry = await buttonWithTooltip(page, card, /^retry$/i);
        const retried = page.waitForResponse(
          (r) => r.request().method() === 'PUT' && /\/retry\b/.test(r.url()),
        );
        await retry.click();
        // The board asks in its own modal (an alertdialog, not window.confirm) unless the
        // operator turned confirmations off in its settings: confirm when it shows up.
        const confirm = page.getByRole('alertdialog').getByRole('button', { name: /confirm/i });
        const response = await Promise.race([retried, confirm.click().then(() => retried)]);
        expect(response.status(), await response.text()).toBeLessThan(300);

        const job = await queues.scan.getJob(failed.id!);
        let state = await job?.getState();
        for (let i = 0; i < 50 && state === 'failed'; i++) {
          await new Promise((r) => setTimeout(r, 200));
          state = await job?.getState();
        }
        expect(['waiting', 'active', 'completed', 'prioritized', 'delayed']).toContain(state);
      } finally {
        await context.close();
      }
    },
    4 * STEP_MS,
  );
});
