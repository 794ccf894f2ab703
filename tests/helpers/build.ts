/**
 * The built code, what `./selfreview` runs: each package's dist/ from `pnpm build`. A test that
 * runs it builds first; turbo compiles only the packages whose sources changed since the last
 * build, and restores the rest from its cache (about a second when nothing changed).
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const exec = promisify(execFile);

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const BUILT_CLI = path.join(ROOT, 'packages/cli/dist/main.js');

/** `pnpm build`, for a test's beforeAll (give it minutes: a build from scratch takes a while on 2 cores). */
export async function build(): Promise<void> {
  await exec(path.join(ROOT, 'node_modules/.bin/turbo'), ['run', 'build', '--output-logs=errors-only'], {
    cwd: ROOT,
    env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' },
    maxBuffer: 16 * 1024 * 1024,
  });
}
