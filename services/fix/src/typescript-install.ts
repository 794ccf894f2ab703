/** Which TypeScript a project's typecheck runs with, and its version (part of the cache key). */
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { resolveTsc } from './verify.ts';

/** The TypeScript installed nearest to `dir` (in the worktree, up to its root), else selfreview's. */
export function nearestTsc(root: string, dir: string): string {
  let d = dir;
  for (;;) {
    const candidate = path.join(root, d === '.' ? '' : d, 'node_modules', 'typescript', 'bin', 'tsc');
    if (existsSync(candidate)) return candidate;
    if (d === '.' || d === '') return resolveTsc(root).tsc;
    d = path.posix.dirname(d);
  }
}

/** The version of the TypeScript whose `bin/tsc` is `arg`; '' for any other argument. */
export function typescriptVersion(arg: string): string {
  if (!arg.endsWith(path.join('typescript', 'bin', 'tsc'))) return '';
  try {
    const pkg = path.join(path.dirname(path.dirname(realpathSync(arg))), 'package.json');
    return (JSON.parse(readFileSync(pkg, 'utf8')) as { version?: string }).version ?? '';
  } catch {
    return '';
  }
}
