/**
 * A repository whose fixes need several fix batches (one unused import in each of six files;
 * batches hold at most two files), and the check that each of them was fixed exactly once.
 */
import type { RunReport } from '@selfreview/shared/schemas';
import { expect } from 'vitest';
import { git } from './git.ts';

export const FIX_FILES = ['src/f1.ts', 'src/f2.ts', 'src/f3.ts', 'src/f4.ts', 'src/f5.ts', 'src/f6.ts'];

export function severalBatchesRepo(): Record<string, string> {
  const files: Record<string, string> = {
    'tsconfig.json': JSON.stringify({
      compilerOptions: { strict: true, noEmit: true, types: [] },
      include: ['src'],
    }),
    'src/m.ts': 'export const a = 1;\nexport const b = 2;\n',
  };
  FIX_FILES.forEach((file, i) => {
    files[file] = `import { a, b } from './m';\nexport const x${i} = a;\n`;
  });
  return files;
}

/** `selfreview/*` branches of the repository, with their tips. */
export async function selfreviewBranches(repo: string): Promise<Map<string, string>> {
  const out = await git(
    repo,
    'for-each-ref',
    '--format=%(refname:short) %(objectname)',
    'refs/heads/selfreview/',
  );
  return new Map(
    out
      .split('\n')
      .filter(Boolean)
      .map((l) => l.split(' ') as [string, string]),
  );
}

/**
 * Every file with a `fix` verdict is committed exactly once, on a branch of one commit touching
 * at most two files; no branch is left without its commit; the report agrees with git.
 */
export async function expectEachFixCommittedOnce(
  repo: string,
  base: string,
  report: RunReport,
): Promise<void> {
  const fileOf = new Map(report.candidates.map((c) => [c.id, c.file]));
  const fixFiles = [
    ...new Set(report.decisions.filter((d) => d.verdict === 'fix').map((d) => fileOf.get(d.candidateId))),
  ].sort();
  expect(fixFiles).toEqual(FIX_FILES);

  const committed = report.fixes.filter((f) => f.status === 'committed');
  expect(committed.map((f) => f.file).sort()).toEqual(FIX_FILES);

  const branches = await selfreviewBranches(repo);
  const changedOnBranches: string[] = [];
  for (const [branch, tip] of branches) {
    expect(tip, `${branch} has no commit of its own`).not.toBe(base);
    expect(await git(repo, 'rev-list', '--count', `${base}..${branch}`), branch).toBe('1');
    const files = (await git(repo, 'diff', '--name-only', base, branch)).split('\n').filter(Boolean);
    expect(files.length, branch).toBeLessThanOrEqual(2);
    changedOnBranches.push(...files);
  }
  // Exactly once: no file fixed on two branches, none missing.
  expect(changedOnBranches.sort()).toEqual(FIX_FILES);
  for (const f of committed) {
    expect(f.branch && branches.has(f.branch), `${f.file}: branch ${f.branch}`).toBe(true);
    expect(await git(repo, 'diff', '--name-only', base, f.branch ?? '')).toContain(f.file);
  }
}
