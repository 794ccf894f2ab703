/** The bundled example repository, copied to a temporary folder and committed, so a first run has something to show. */
import { execFile } from 'node:child_process';
import { cp, mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const EXAMPLE_DIR = fileURLToPath(new URL('../../../examples/basic', import.meta.url));

export async function prepareExample(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'selfreview-example-'));
  await cp(EXAMPLE_DIR, dir, { recursive: true });
  const git = (...args: string[]) => run('git', args, { cwd: dir });
  await git('init', '--quiet', '--initial-branch=main');
  await git('add', '--all');
  await git(
    '-c',
    'user.name=selfreview example',
    '-c',
    'user.email=example@localhost',
    '-c',
    'commit.gpgsign=false',
    'commit',
    '--quiet',
    '--no-verify',
    '-m',
    'example project',
  );
  return dir;
}
