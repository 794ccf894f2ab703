/** apply's adapter on real git: findings are re-checked at the branch tip, exporters come from the repository. */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { judgeFile, RepoIndexCache } from '@selfreview/apply/judge';
import { findNativeTsc, fullScan, scanSettingsFrom } from '@selfreview/scan';
import { defaultRepoConfig } from '@selfreview/shared/config';
import { Repository } from '@selfreview/shared/workspace';
import { describe, expect, it } from 'vitest';
import { git, makeRepo, removeDir, tempDir } from './helpers/git.ts';

const TSCONFIG = JSON.stringify({ compilerOptions: { strict: true, types: [] }, include: ['src'] });

async function scanAt(repo: Repository, sha: string) {
  return fullScan(repo, sha, scanSettingsFrom(defaultRepoConfig()), {
    workDir: await tempDir('selfreview-ctx-'),
    tscPath: await findNativeTsc(),
    timeoutMs: 60_000,
  });
}

describe('apply context on a real repository', () => {
  it('drops a finding that is gone at the branch tip as stale, and adds an import only from the one exporter', async () => {
    const dir = await makeRepo({
      'tsconfig.json': TSCONFIG,
      'src/a.ts': "import { unused } from './b';\nexport const total = sum(1, 2);\n",
      'src/b.ts': 'export const unused = 1;\n',
      'src/math.ts': 'export function sum(a: number, b: number) {\n  return a + b;\n}\n',
    });
    try {
      const repo = await Repository.open(dir);
      const base = (await repo.head()).sha;
      const scan = await scanAt(repo, base);
      const candidates = scan.candidates.filter((c) => c.file === 'src/a.ts' && c.rule !== 'untested-export');
      expect(candidates.map((c) => c.rule).sort()).toEqual(['undefined-identifier', 'unused-import']);

      // Someone removes the import after the scan: at the tip it is no longer there.
      await writeFile(path.join(dir, 'src/a.ts'), 'export const total = sum(1, 2);\n');
      await git(dir, '-c', 'user.name=t', '-c', 'user.email=t@localhost', 'commit', '--quiet', '-am', 'tidy');
      const tip = await repo.branchTip('main');
      expect(tip).not.toBe(base);

      const decisions = await judgeFile({
        repo,
        config: defaultRepoConfig(),
        file: 'src/a.ts',
        candidates,
        baseSha: base,
        headSha: tip as string,
        memory: new Map(),
        indexes: new RepoIndexCache(),
        llmAvailable: false,
      });
      const byRule = Object.fromEntries(candidates.map((c, i) => [c.rule, decisions[i]]));
      expect(byRule['unused-import']).toMatchObject({ verdict: 'drop', reason: 'stale' });
      expect(byRule['undefined-identifier']).toMatchObject({
        verdict: 'fix',
        reason: 'missing_import',
        changeType: 'add_missing_import',
        importFrom: { module: 'src/math.ts', typeOnly: false, isDefault: false },
      });
      expect(byRule['undefined-identifier']?.detail).toContain('src/math.ts');
    } finally {
      await removeDir(dir);
    }
  });
});
