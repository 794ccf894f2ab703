/**
 * Operator actions through the gateway's API: each one, refused ones too, is written to the audit
 * log in Redis and the process log, readable at /api/audit with credentials only; a cross-site
 * request is refused even with valid credentials. The log keeps the newest entries up to its cap.
 */
import { AuditLog } from '@selfreview/gateway/audit';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { AUTH, securityGatewayTestBed } from './helpers/gateway.ts';

const gw = securityGatewayTestBed();
const { prefix, redis, logLines, failedScanJob, auditEntries } = gw;

describe('operator actions through the API', () => {
  it('re-queues a failed job and audits it: user, action, target, address, status, in Redis and in the log', async () => {
    const failed = await failedScanJob('run-r');
    const res = await gw.app.inject({
      method: 'POST',
      url: `/api/queues/scan/jobs/${failed.id}/retry`,
      headers: { authorization: AUTH },
      remoteAddress: '127.0.0.9',
    });
    expect(res.statusCode).toBe(200);
    expect(await failed.getState()).toBe('waiting');

    const [entry] = await auditEntries();
    expect(entry).toMatchObject({
      user: 'ops',
      action: 'queue.job.retry',
      target: `scan/${failed.id}`,
      address: '127.0.0.9',
      status: 200,
    });
    expect(Date.now() - Date.parse(entry?.at ?? '')).toBeLessThan(60_000);
    const logged = logLines.find((l) => l.msg === 'operator action');
    expect(logged?.audit).toEqual(entry);

    // A retry the API refuses (not failed any more) is recorded as refused.
    expect(
      (
        await gw.app.inject({
          method: 'POST',
          url: `/api/queues/scan/jobs/${failed.id}/retry`,
          headers: { authorization: AUTH },
        })
      ).statusCode,
    ).toBe(409);
    expect((await auditEntries())[0]).toMatchObject({ action: 'queue.job.retry', status: 409 });
  });

  it('audits pause and resume of a repository, newest first; reads are not audited', async () => {
    for (const action of ['pause', 'resume']) {
      const res = await gw.app.inject({
        method: 'POST',
        url: `/api/repositories/web/${action}`,
        headers: { authorization: AUTH },
      });
      expect(res.statusCode).toBe(200);
    }
    await gw.app.inject({ url: '/api/repositories', headers: { authorization: AUTH } });
    expect((await auditEntries()).map((e) => [e.action, e.target, e.status])).toEqual([
      ['repository.resume', 'web', 200],
      ['repository.pause', 'web', 200],
    ]);
  });

  it('refuses a cross-site POST with valid credentials, changes nothing, and audits the refusal', async () => {
    const failed = await failedScanJob('run-x');
    const url = `/api/queues/scan/jobs/${failed.id}/retry`;
    const crossSite: Record<string, string>[] = [
      { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
      // A browser that sends no Sec-Fetch-Site still sends Origin with a POST.
      { origin: 'https://evil.example' },
      // A sibling subdomain is not this origin either.
      { origin: 'https://evil.gw.example', 'sec-fetch-site': 'same-site' },
      { origin: 'null' },
    ];
    for (const headers of crossSite) {
      const res = await gw.app.inject({
        method: 'POST',
        url,
        headers: { authorization: AUTH, host: 'gw.example', ...headers },
      });
      expect(res.statusCode, JSON.stringify(headers)).toBe(403);
      expect(res.json().error).toMatch(/cross-site/);
    }
    expect(await failed.getState()).toBe('failed');
    const entries = await auditEntries();
    expect(entries).toHaveLength(crossSite.length);
    for (const e of entries)
      expect(e).toMatchObject({
        user: 'ops',
        action: 'queue.job.retry',
        target: `scan/${failed.id}`,
        status: 403,
      });

    // From the gateway's own page it goes through.
    const same = await gw.app.inject({
      method: 'POST',
      url,
      headers: {
        authorization: AUTH,
        host: 'gw.example',
        origin: 'https://gw.example',
        'sec-fetch-site': 'same-origin',
      },
    });
    expect(same.statusCode).toBe(200);
    expect(await failed.getState()).toBe('waiting');
  });

  it('reads the audit log only with credentials, and records nothing for a request without them', async () => {
    expect((await gw.app.inject({ url: '/api/audit' })).statusCode).toBe(401);
    const wrong = `Basic ${Buffer.from('ops:nope').toString('base64')}`;
    expect((await gw.app.inject({ url: '/api/audit', headers: { authorization: wrong } })).statusCode).toBe(
      401,
    );
    expect(
      (
        await gw.app.inject({
          method: 'POST',
          url: '/api/repositories/web/pause',
          headers: { authorization: wrong },
        })
      ).statusCode,
    ).toBe(401);
    expect(await auditEntries()).toEqual([]);
    expect(
      (await gw.app.inject({ url: '/api/audit?limit=0', headers: { authorization: AUTH } })).statusCode,
    ).toBe(400);
  });

  it('keeps the newest entries only, up to its cap', async () => {
    const audit = new AuditLog(redis, `${prefix}-cap`, pino({ level: 'silent' }), 3);
    for (let i = 1; i <= 5; i++) {
      await audit.record({
        at: new Date().toISOString(),
        user: 'ops',
        address: '127.0.0.1',
        action: 'repository.pause',
        target: `r${i}`,
        status: 200,
      });
    }
    expect(await redis.llen(audit.key)).toBe(3);
    expect((await audit.recent(10)).map((e) => e.target)).toEqual(['r5', 'r4', 'r3']);
    await redis.del(audit.key);
  });
});
