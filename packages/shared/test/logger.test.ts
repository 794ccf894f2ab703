import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, jobLogger, redactUrl } from '../src/logger.ts';

/** A logger writing to memory; `lines()` gives each written line parsed, without pino's own fields. */
function capture(level?: string) {
  const written: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, callback) {
      written.push(String(chunk));
      callback();
    },
  });
  const log = createLogger({ name: 'test', ...(level ? { level } : {}) }, destination);
  const lines = () =>
    written
      .join('')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => {
        const {
          time: _time,
          pid: _pid,
          hostname: _hostname,
          ...rest
        } = JSON.parse(l) as Record<string, unknown>;
        return rest;
      });
  return { log, lines };
}

describe('createLogger', () => {
  it('writes the name, level, fields and message', () => {
    const { log, lines } = capture();
    log.info({ files: 3 }, 'scan done');
    expect(lines()).toEqual([{ level: 30, name: 'test', files: 3, msg: 'scan done' }]);
  });

  it('drops lines below its level', () => {
    const { log, lines } = capture('warn');
    log.info('hidden');
    log.warn('shown');
    expect(lines().map((l) => l.msg)).toEqual(['shown']);
  });

  it.each(['token', 'password', 'apiKey', 'secret', 'authorization'])(
    'redacts a top-level %s field',
    (key) => {
      const { log, lines } = capture();
      log.info({ [key]: 'ghp_abc123', kept: 'visible' }, 'm');
      expect(lines()).toEqual([{ level: 30, name: 'test', [key]: '[redacted]', kept: 'visible', msg: 'm' }]);
    },
  );

  it('redacts headers.authorization and keeps the other headers', () => {
    const { log, lines } = capture();
    log.info({ headers: { authorization: 'Bearer ghp_abc', accept: 'application/json' } }, 'm');
    expect(lines()[0]?.headers).toEqual({ authorization: '[redacted]', accept: 'application/json' });
  });

  it('redacts token, password and apiKey one level down', () => {
    const { log, lines } = capture();
    log.info(
      { github: { token: 'ghp_abc', user: 'me' }, redis: { password: 'pw' }, llm: { apiKey: 'sk-ant-x' } },
      'm',
    );
    const line = lines()[0];
    expect(line?.github).toEqual({ token: '[redacted]', user: 'me' });
    expect(line?.redis).toEqual({ password: '[redacted]' });
    expect(line?.llm).toEqual({ apiKey: '[redacted]' });
  });

  it('redacts fields of a job logger too', () => {
    const { log, lines } = capture();
    jobLogger(log, { runId: 'r1', jobId: 'j1', repo: '/tmp/repo' }).info({ token: 'ghp_abc' }, 'm');
    expect(lines()[0]?.token).toBe('[redacted]');
  });

  it('strips credentials from URLs in any string field', () => {
    const { log, lines } = capture();
    log.info(
      {
        remote: 'https://user:ghp_abc@github.com/x.git',
        err: 'fatal: could not read from https://x-access-token:ghs_1@github.com/o/r.git',
        nested: { urls: ['http://tok@host/a', 'https://github.com/plain'] },
      },
      'm',
    );
    expect(lines()).toEqual([
      {
        level: 30,
        name: 'test',
        remote: 'https://[redacted]@github.com/x.git',
        err: 'fatal: could not read from https://[redacted]@github.com/o/r.git',
        nested: { urls: ['http://[redacted]@host/a', 'https://github.com/plain'] },
        msg: 'm',
      },
    ]);
  });

  it('leaves numbers, booleans and null alone', () => {
    const { log, lines } = capture();
    log.info({ n: 1, b: false, z: null }, 'm');
    expect(lines()).toEqual([{ level: 30, name: 'test', n: 1, b: false, z: null, msg: 'm' }]);
  });
});

describe('jobLogger', () => {
  it('adds runId, jobId and repo to every line', () => {
    const { log, lines } = capture();
    const job = jobLogger(log, { runId: 'run-1', jobId: 'run-1-scan', repo: '/tmp/repo' });
    job.info({ attempt: 1 }, 'job started');
    job.warn('job failed');
    expect(lines()).toEqual([
      {
        level: 30,
        name: 'test',
        runId: 'run-1',
        jobId: 'run-1-scan',
        repo: '/tmp/repo',
        attempt: 1,
        msg: 'job started',
      },
      { level: 40, name: 'test', runId: 'run-1', jobId: 'run-1-scan', repo: '/tmp/repo', msg: 'job failed' },
    ]);
  });

  it('leaves jobId out when the job has none', () => {
    const { log, lines } = capture();
    jobLogger(log, { runId: 'run-1', jobId: undefined, repo: '/tmp/repo' }).info('m');
    expect(lines()).toEqual([{ level: 30, name: 'test', runId: 'run-1', repo: '/tmp/repo', msg: 'm' }]);
  });

  it('does not add the job fields to the parent logger', () => {
    const { log, lines } = capture();
    jobLogger(log, { runId: 'run-1', jobId: 'j', repo: '/tmp/repo' });
    log.info('m');
    expect(lines()).toEqual([{ level: 30, name: 'test', msg: 'm' }]);
  });
});

describe('redactUrl', () => {
  it.each([
    ['https://user:ghp_abc@github.com/x.git', 'https://[redacted]@github.com/x.git'],
    ['http://token@host/path', 'http://[redacted]@host/path'],
    ['ssh://git@github.com/o/r.git', 'ssh://[redacted]@github.com/o/r.git'],
    ['git+https://u:p@registry.example/pkg', 'git+https://[redacted]@registry.example/pkg'],
    ['HTTPS://U:P@HOST/x', 'HTTPS://[redacted]@HOST/x'],
    ['https://user:@host/x', 'https://[redacted]@host/x'],
    ['redis://:s3cret@127.0.0.1:6379/0', 'redis://[redacted]@127.0.0.1:6379/0'],
    ['rediss://worker:s3cret@cache.example:6380', 'rediss://[redacted]@cache.example:6380'],
    [
      'push https://a:b@one.example/r and https://c@two.example/r',
      'push https://[redacted]@one.example/r and https://[redacted]@two.example/r',
    ],
  ])('redacts %s', (text, expected) => {
    expect(redactUrl(text)).toBe(expected);
  });

  it.each([
    'https://github.com/o/r.git',
    'git@github.com:o/r.git',
    'mailto:someone@example.com',
    'someone@example.com',
    'https://github.com/o/r/blob/main/a@b.ts',
    'no url here',
    '',
  ])('leaves %j unchanged', (text) => {
    expect(redactUrl(text)).toBe(text);
  });
});
