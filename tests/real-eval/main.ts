/**
 * `pnpm eval:real <path>`: selfreview's recall and safety on a real repository, measured on a
 * copy with known problems injected. Exits 0 whatever the numbers (it measures, it does not
 * gate); 2 on bad input.
 */
import { existsSync, statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { BadInput, parseEvalArgs } from './args.ts';
import { git } from './git.ts';
import { evaluateRepository } from './harness.ts';
import { renderEvaluation } from './table.ts';

async function checkRepository(repo: string, tsconfig: string): Promise<void> {
  if (!existsSync(repo) || !statSync(repo).isDirectory()) throw new BadInput(`${repo}: no such directory`);
  const root = await git(repo, 'rev-parse', '--show-toplevel').catch(() => {
    throw new BadInput(`${repo}: not a git repository`);
  });
  await git(repo, 'rev-parse', '--verify', 'HEAD').catch(() => {
    throw new BadInput(`${repo}: the repository has no commits`);
  });
  if (!existsSync(path.join(root.trim(), tsconfig)))
    throw new BadInput(`${repo}: no ${tsconfig} at the repository root`);
}

try {
  const args = parseEvalArgs(process.argv.slice(2));
  const repo = path.resolve(args.path);
  await checkRepository(repo, args.tsconfig);
  const evaluation = await evaluateRepository({
    source: repo,
    seed: args.seed,
    files: args.files,
    timeoutMinutes: args.timeoutMinutes,
    tsconfig: args.tsconfig,
    env: process.env,
    progress: (text) => process.stderr.write(text),
  });
  process.stdout.write(`\n${renderEvaluation(evaluation)}`);
  if (args.out) {
    await writeFile(path.resolve(args.out), `${JSON.stringify(evaluation, null, 2)}\n`);
    process.stdout.write(`\nFull results: ${path.resolve(args.out)}\n`);
  }
  process.stdout.write(`The copy with its selfreview/* branches stays in ${evaluation.copy}\n`);
} catch (err) {
  if (err instanceof BadInput) {
    process.stderr.write(`eval:real: ${err.message}\n`);
    process.exit(2);
  }
  throw err;
}
