import { describe, expect, it } from 'vitest';
import {
  currentProcess,
  endedFromStat,
  isProcessRunning,
  ownerLiveness,
  type ProcessIdentity,
  parseIdentity,
  processStartTicks,
  startTicksFromStat,
} from '../src/process-identity.ts';

describe('startTicksFromStat', () => {
  it('reads field 22 after the command name, whatever the name holds', () => {
    const fields = Array.from({ length: 50 }, (_, i) => String(i + 3)).join(' ');
    expect(startTicksFromStat(`1234 (node) ${fields}`)).toBe('22');
    expect(startTicksFromStat(`1234 (a (b) c) ${fields}`)).toBe('22');
    expect(startTicksFromStat('garbage')).toBeNull();
  });
});

describe('endedFromStat', () => {
  it('counts a zombie (Z) and a dying process (X) as ended, whatever the name holds', () => {
    expect(endedFromStat('1234 (node) Z 1 1234')).toBe(true);
    expect(endedFromStat('1234 (a) S (b)) X 1')).toBe(true);
    expect(endedFromStat('1234 (node) S 1 1234')).toBe(false);
    expect(endedFromStat('1234 (Z) R 1')).toBe(false);
    expect(endedFromStat('garbage')).toBe(false);
  });
});

describe('isProcessRunning', () => {
  it('is false for a child that has exited but is not reaped yet (a zombie), and for no process', async () => {
    // The child exits at once; Node reaps it only when its 'exit' event is handled, so for a
    // moment it is a zombie whose pid still answers signal 0.
    const { spawnSync, spawn } = await import('node:child_process');
    expect(isProcessRunning(process.pid)).toBe(true);
    expect(processStartTicks(process.pid)).not.toBeNull();
    const child = spawn('sh', ['-c', 'exit 0'], { stdio: 'ignore' });
    const pid = child.pid as number;
    // Wait, without returning to the event loop (which would reap it), until the kernel says Z.
    const deadline = Date.now() + 10_000;
    let stat = '';
    while (Date.now() < deadline) {
      stat = spawnSync('cat', [`/proc/${pid}/stat`], { encoding: 'utf8' }).stdout;
      if (endedFromStat(stat)) break;
    }
    expect(endedFromStat(stat), stat).toBe(true);
    expect(() => process.kill(pid, 0)).not.toThrow();
    expect(isProcessRunning(pid)).toBe(false);
    expect(processStartTicks(pid)).toBeNull();
    await new Promise((resolve) => child.on('exit', resolve));
    expect(isProcessRunning(pid)).toBe(false);
  });
});

describe('ownerLiveness', () => {
  const here: ProcessIdentity = { pid: 1, startTicks: '100', bootId: 'boot-a', host: 'h1' };
  const owner: ProcessIdentity = { pid: 42, startTicks: '500', bootId: 'boot-a', host: 'h1' };
  const probe = (ticks: Record<number, string>) => ({
    startTicks: (pid: number) => ticks[pid] ?? null,
    exists: (pid: number) => pid in ticks,
  });

  it('is alive only while the same process (pid and start time) runs on the same boot', () => {
    expect(ownerLiveness(owner, here, probe({ 42: '500' }))).toBe('alive');
    // The pid was reused by a later process.
    expect(ownerLiveness(owner, here, probe({ 42: '900' }))).toBe('dead');
    expect(ownerLiveness(owner, here, probe({}))).toBe('dead');
    // The machine rebooted since.
    expect(ownerLiveness({ ...owner, bootId: 'boot-b' }, here, probe({ 42: '500' }))).toBe('dead');
  });

  it("cannot tell for another host's process, and falls back to the pid without /proc", () => {
    expect(ownerLiveness({ ...owner, host: 'h2' }, here, probe({}))).toBe('unknown');
    const noProc = { ...owner, startTicks: null, bootId: null };
    expect(ownerLiveness(noProc, { ...here, startTicks: null, bootId: null }, probe({ 42: '1' }))).toBe(
      'alive',
    );
    expect(ownerLiveness(noProc, { ...here, startTicks: null, bootId: null }, probe({}))).toBe('dead');
  });

  it('sees this process as alive through the real /proc', () => {
    expect(ownerLiveness(currentProcess())).toBe('alive');
  });
});

describe('parseIdentity', () => {
  it('keeps what it knows and refuses what is not an identity', () => {
    expect(parseIdentity({ pid: 7, host: 'h', startTicks: '9', bootId: 'b', extra: 1 })).toEqual({
      pid: 7,
      host: 'h',
      startTicks: '9',
      bootId: 'b',
    });
    expect(parseIdentity({ pid: 7, host: 'h' })).toEqual({
      pid: 7,
      host: 'h',
      startTicks: null,
      bootId: null,
    });
    expect(parseIdentity({ pid: '7', host: 'h' })).toBeNull();
    expect(parseIdentity(null)).toBeNull();
  });
});
