/** The few git and process calls the evaluation makes, with errors that say what failed. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const exec = promisify(execFile);

export async function git(cwd: string, ...args: string[]): Promise<string> {
  try {
    const { stdout } = await exec('git', args, {
      cwd,
      maxBuffer: 64 * 1024 * 1024,
      env: { ...process.env, GIT_TERMINAL_PROMPT: '0', LANG: 'C' },
    });
    return stdout;
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`git ${args.join(' ')} in ${cwd}: ${(e.stderr || e.message).trim()}`);
  }
}

/** Commits as the evaluation, never as whoever runs it, and without the repository's hooks. */
export async function commitAll(cwd: string, message: string): Promise<string> {
  await git(cwd, 'add', '--all');
  await git(
    cwd,
    '-c',
    'user.name=selfreview-eval',
    '-c',
    'user.email=selfreview-eval@localhost',
    '-c',
    'commit.gpgsign=false',
    'commit',
    '--quiet',
    '--no-verify',
    '-m',
    message,
  );
  return (await git(cwd, 'rev-parse', 'HEAD')).trim();
}
