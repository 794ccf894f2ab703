/**
 * The CLI as a running process the test watches while it works (its output so far, its pid, its
 * worker processes), and polling with a deadline instead of fixed sleeps.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { CLI_MAIN, type CliResult, FROM_SOURCE } from './cli.ts';

const exec = promisify(execFile);

export type RunningCli = {
  child: ChildProcess;
  /** stdout and stderr so far, interleaved as they came. */
  output: () => string;
  /** Resolves when the process has ended (it is killed after `timeoutMs`). */
  result: Promise<CliResult>;
};

export function startCli(args: string[], env: Record<string, string>, timeoutMs = 300_000): RunningCli {
  const child = spawn(process.execPath, [...FROM_SOURCE, CLI_MAIN, ...args], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let all = '';
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (c: Buffer) => {
    stdout += c.toString();
    all += c.toString();
  });
  child.stderr?.on('data', (c: Buffer) => {
    stderr += c.toString();
    all += c.toString();
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const result = new Promise<CliResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
  return { child, output: () => all, result };
}

/** Polls `check` every 50 ms until it holds; throws after `limitMs`. */
export async function until(
  what: string,
  check: () => boolean | Promise<boolean>,
  limitMs = 120_000,
): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out after ${limitMs} ms waiting for ${what}`);
}

/** Direct children of `pid` whose command line contains `needle` (`ps --ppid`, then /proc). */
export async function childPids(pid: number, needle: string): Promise<number[]> {
  // ps exits 1 when there is no child: that is an empty list, not an error.
  const listed = await exec('ps', ['-o', 'pid=', '--ppid', String(pid)]).catch(() => ({ stdout: '' }));
  const found: number[] = [];
  for (const child of listed.stdout.split(/\s+/).filter(Boolean).map(Number)) {
    const cmdline = await readFile(`/proc/${child}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.split('\0').some((arg) => arg.includes(needle))) found.push(child);
  }
  return found;
}

/** What the CLI and each worker said, for a run that failed or took minutes to come back. */
export async function printRunLogs(dataDir: string, cliOutput: string): Promise<void> {
  const parts = [`selfreview run:\n${cliOutput.slice(-4000)}`];
  const runsDir = path.join(dataDir, 'runs');
  for (const run of await readdir(runsDir).catch(() => [] as string[])) {
    for (const name of await readdir(path.join(runsDir, run)).catch(() => [] as string[])) {
      if (!name.endsWith('.log')) continue;
      const text = await readFile(path.join(runsDir, run, name), 'utf8').catch(() => '');
      parts.push(`${name}:\n${text.slice(-5000)}`);
    }
  }
  console.log(parts.join('\n\n'));
}
