/** Runs the real `selfreview` CLI as a process, the way a person does. */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

export const CLI_MAIN = fileURLToPath(new URL('../../packages/cli/src/main.ts', import.meta.url));
export const TSX = createRequire(import.meta.url).resolve('tsx', {
  paths: [fileURLToPath(new URL('../../packages/cli/', import.meta.url))],
});
/**
 * How the tests start a process from its TypeScript sources, with no build: through tsx, and with
 * the "source" condition, so the other workspace packages are imported from their sources too
 * (plain `node` gets their built dist/).
 */
export const FROM_SOURCE = ['--conditions=source', '--import', TSX];

export type CliResult = { code: number | null; stdout: string; stderr: string };

export function runCli(args: string[], env: Record<string, string>, timeoutMs = 240_000): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...FROM_SOURCE, CLI_MAIN, ...args], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
