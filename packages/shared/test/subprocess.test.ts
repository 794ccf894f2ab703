import { existsSync, realpathSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { minimalEnv, runCommand } from '../src/subprocess.ts';

const NODE = process.execPath;
const CWD = os.tmpdir();

describe('minimalEnv', () => {
  it('keeps PATH, HOME and TMPDIR from the given environment and nothing else of it', () => {
    const from = {
      PATH: '/opt/bin:/usr/bin',
      HOME: '/home/me',
      TMPDIR: '/var/tmp',
      ANTHROPIC_API_KEY: 'sk-ant-secret',
      GITHUB_TOKEN: 'ghp_secret',
      REDIS_URL: 'redis://:pw@localhost:6379',
      NODE_OPTIONS: '--require /tmp/evil.js',
    };
    expect(minimalEnv({}, from)).toEqual({
      PATH: '/opt/bin:/usr/bin',
      HOME: '/home/me',
      TMPDIR: '/var/tmp',
      LANG: 'C.UTF-8',
      CI: 'true',
      NO_COLOR: '1',
      FORCE_COLOR: '0',
    });
  });

  it('falls back to a default PATH and HOME and leaves TMPDIR out when the environment lacks them', () => {
    expect(minimalEnv({}, {})).toEqual({
      PATH: '/usr/local/bin:/usr/bin:/bin',
      HOME: '/tmp',
      LANG: 'C.UTF-8',
      CI: 'true',
      NO_COLOR: '1',
      FORCE_COLOR: '0',
    });
  });

  it('adds the extra variables on top, overriding the defaults', () => {
    expect(minimalEnv({ CI: 'false', NODE_ENV: 'test' }, { PATH: '/bin', HOME: '/h' })).toEqual({
      PATH: '/bin',
      HOME: '/h',
      LANG: 'C.UTF-8',
      CI: 'false',
      NO_COLOR: '1',
      FORCE_COLOR: '0',
      NODE_ENV: 'test',
    });
  });
});

describe('runCommand', () => {
  it('captures the exit code, stdout and stderr', async () => {
    const res = await runCommand(
      NODE,
      ['-e', 'process.stdout.write("out\\n"); process.stderr.write("err\\n"); process.exitCode = 3'],
      { cwd: CWD, timeoutMs: 20_000 },
    );
    expect(res).toMatchObject({ code: 3, signal: null, stdout: 'out\n', stderr: 'err\n', timedOut: false });
  });

  it('runs in the given working directory', async () => {
    const res = await runCommand(NODE, ['-e', 'process.stdout.write(process.cwd())'], {
      cwd: CWD,
      timeoutMs: 20_000,
    });
    expect(res.code).toBe(0);
    expect(res.stdout).toBe(realpathSync(CWD));
  });

  it('gives the child no API key or token from our environment, only the extra variables', async () => {
    const saved = {
      ANTHROPIC_API_KEY: process.env.ANTHROPIC_API_KEY,
      GITHUB_TOKEN: process.env.GITHUB_TOKEN,
    };
    process.env.ANTHROPIC_API_KEY = 'sk-ant-test-secret';
    process.env.GITHUB_TOKEN = 'ghp_test_secret';
    try {
      const res = await runCommand(NODE, ['-e', 'process.stdout.write(JSON.stringify(process.env))'], {
        cwd: CWD,
        timeoutMs: 20_000,
        env: { EXTRA: 'yes' },
      });
      expect(res.code).toBe(0);
      const childEnv = JSON.parse(res.stdout) as Record<string, string>;
      expect(childEnv.ANTHROPIC_API_KEY).toBeUndefined();
      expect(childEnv.GITHUB_TOKEN).toBeUndefined();
      expect(res.stdout).not.toContain('secret');
      expect(childEnv.EXTRA).toBe('yes');
      expect(childEnv.CI).toBe('true');
    } finally {
      for (const [key, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    }
  });

  it('kills a command that runs past its timeout', async () => {
    const res = await runCommand(NODE, ['-e', 'setTimeout(()=>{},30000)'], { cwd: CWD, timeoutMs: 300 });
    expect(res.timedOut).toBe(true);
    expect(res.code).not.toBe(0);
    expect(res.signal).toBe('SIGKILL');
  });

  it('kills the command when its AbortSignal fires', async () => {
    const controller = new AbortController();
    const pending = runCommand(NODE, ['-e', 'setTimeout(()=>{},30000)'], {
      cwd: CWD,
      timeoutMs: 20_000,
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 200);
    const res = await pending;
    expect(res.timedOut).toBe(true);
    expect(res.code).not.toBe(0);
    expect(res.signal).toBe('SIGKILL');
  });

  it('does not start the command when its AbortSignal has already fired', async () => {
    const marker = path.join(os.tmpdir(), `selfreview-not-started-${process.pid}`);
    const res = await runCommand(
      NODE,
      ['-e', `require('fs').writeFileSync(${JSON.stringify(marker)}, 'x')`],
      {
        cwd: CWD,
        timeoutMs: 20_000,
        signal: AbortSignal.abort(),
      },
    );
    expect(res).toMatchObject({ timedOut: true, code: null, stdout: '' });
    expect(existsSync(marker)).toBe(false);
  });

  it('keeps at most maxOutputBytes of output', async () => {
    const res = await runCommand(NODE, ['-e', 'process.stdout.write("x".repeat(1000))'], {
      cwd: CWD,
      timeoutMs: 20_000,
      maxOutputBytes: 10,
    });
    expect(res.code).toBe(0);
    expect(res.stdout).toBe('xxxxxxxxxx');
  });

  it('rejects when the command does not exist', async () => {
    await expect(
      runCommand('/nonexistent/selfreview-test-bin', [], { cwd: CWD, timeoutMs: 20_000 }),
    ).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
