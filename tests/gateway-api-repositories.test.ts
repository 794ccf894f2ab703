/**
 * The gateway's operator API for configured repositories: listed, paused and resumed (resume
 * queues a catch-up scan), a manual scan queued, and unknown or malformed requests refused.
 */
import { describe, expect, it } from 'vitest';
import { AUTH, apiGatewayTestBed } from './helpers/gateway.ts';

const gw = apiGatewayTestBed();
const { get, post } = gw;

describe('gateway API: repositories', () => {
  it('lists the configured repositories, pauses and resumes them; resume queues a catch-up scan', async () => {
    const list = async () => (await get('/api/repositories')).json();
    expect(await list()).toEqual({
      repositories: [{ name: 'web', branch: 'main', schedule: '0 3 * * *', paused: false }],
    });

    const paused = await post('/api/repositories/web/pause');
    expect(paused.statusCode).toBe(200);
    expect(paused.json()).toEqual({ name: 'web', paused: true });
    expect(await gw.pauses.isPaused('web')).toBe(true);
    expect((await list()).repositories[0].paused).toBe(true);
    // A paused repository starts no run: a manual scan would be skipped, so it is refused.
    const refused = await post('/api/repositories/web/scan');
    expect(refused.statusCode).toBe(409);
    expect(await gw.queues.trigger.getWaitingCount()).toBe(0);

    const resumed = await post('/api/repositories/web/resume');
    expect(resumed.statusCode).toBe(200);
    expect(resumed.json()).toMatchObject({ name: 'web', paused: false });
    expect(await gw.pauses.isPaused('web')).toBe(false);
    const [trigger] = await gw.queues.trigger.getWaiting();
    expect(trigger?.name).toBe('manual');
    expect(trigger?.data).toEqual({
      kind: 'manual',
      repo: { name: 'web', path: '/tmp/web', branch: 'main' },
      source: 'resume',
    });
  });

  it('queues a manual full scan with 202', async () => {
    const res = await post('/api/repositories/web/scan');
    expect(res.statusCode).toBe(202);
    expect(res.json()).toMatchObject({ name: 'web', status: 'queued' });
    const waiting = await gw.queues.trigger.getWaiting();
    expect(waiting).toHaveLength(1);
    expect(waiting[0]?.data).toMatchObject({ kind: 'manual', repo: { name: 'web' } });
  });

  it('answers 404 for an unknown repository, 400 for a malformed name or a body', async () => {
    for (const url of [
      '/api/repositories/api/pause',
      '/api/repositories/api/resume',
      '/api/repositories/api/scan',
    ]) {
      const res = await post(url);
      expect(res.statusCode).toBe(404);
      expect(res.json().error).toMatch(/no repository "api"/);
    }
    expect((await get('/api/repositories/api/findings')).statusCode).toBe(404);
    expect((await get('/api/repositories/api/fixes')).statusCode).toBe(404);
    expect(await gw.pauses.list()).toEqual([]);

    const badName = await post('/api/repositories/we%20b!/pause');
    expect(badName.statusCode).toBe(400);
    expect(badName.json().error).toMatch(/name/);
    const withBody = await gw.app.inject({
      method: 'POST',
      url: '/api/repositories/web/pause',
      headers: { authorization: AUTH, 'content-type': 'application/json' },
      payload: JSON.stringify({ force: true }),
    });
    expect(withBody.statusCode).toBe(400);
    expect(withBody.json().error).toMatch(/force/);
    const xml = await gw.app.inject({
      method: 'POST',
      url: '/api/repositories/web/pause',
      headers: { authorization: AUTH, 'content-type': 'application/xml' },
      payload: '<pause/>',
    });
    expect(xml.statusCode).toBe(415);
    const emptyJson = await gw.app.inject({
      method: 'POST',
      url: '/api/repositories/web/pause',
      headers: { authorization: AUTH, 'content-type': 'application/json' },
      payload: '{}',
    });
    expect(emptyJson.statusCode).toBe(200);
  });
});
