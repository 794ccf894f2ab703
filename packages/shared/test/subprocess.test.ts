import { existsSync, realpathSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { minimalEnv, runCommand, runCommandBytes } from '../src/subprocess.ts';

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

  it('writes the input to the command and closes its standard input', async () => {
    const res = await runCommand(
      NODE,
      ['-e', 'let s="";process.stdin.on("data",c=>s+=c).on("end",()=>process.stdout.write(s.toUpperCase()))'],
      { cwd: CWD, timeoutMs: 20_000, input: 'from stdin\n' },
    );
    expect(res).toMatchObject({ code: 0, stdout: 'FROM STDIN\n' });
  });

  it('gives a command without input an empty standard input', async () => {
    const res = await runCommand(
      NODE,
      ['-e', 'let n=0;process.stdin.on("data",c=>n+=c.length).on("end",()=>process.stdout.write(String(n)))'],
      { cwd: CWD, timeoutMs: 20_000 },
    );
    expect(res).toMatchObject({ code: 0, stdout: '0' });
  });

  it('is not upset by a command that exits without reading its input', async () => {
    const res = await runCommand(NODE, ['-e', 'process.exitCode = 4'], {
      cwd: CWD,
      timeoutMs: 20_000,
      input: 'x'.repeat(1024 * 1024),
    });
    expect(res.code).toBe(4);
  });
});

describe('runCommandBytes', () => {
  it('hands back the output as bytes, cut to maxOutputBytes bytes', async () => {
    const script = 'process.stdout.write(Buffer.from([0xc3, 0xa9, 0x0a, 0xff])); process.stderr.write("é")';
    const res = await runCommandBytes(NODE, ['-e', script], { cwd: CWD, timeoutMs: 20_000 });
    expect(res.code).toBe(0);
    expect([...res.stdout]).toEqual([0xc3, 0xa9, 0x0a, 0xff]);
    expect(res.stderr.toString('utf8')).toBe('é');
    const cut = await runCommandBytes(NODE, ['-e', script], {
      cwd: CWD,
      timeoutMs: 20_000,
      maxOutputBytes: 1,
    });
    expect([...cut.stdout]).toEqual([0xc3]);
  });
});
