/** The one-file edit verify-bench times: fix's removal of an unused import or local (planted if none). */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { getCheck } from '@selfreview/checks';
import { analyzeFile } from '@selfreview/scan/analyze';
import type { FixItem } from '@selfreview/shared/schemas';
import type { Repository } from '@selfreview/shared/workspace';
import type { Options } from './verify-options.ts';
import { git } from './verify-repo.ts';

const RULES = ['unused-import', 'unused-local'];
/** The name of the unused import the benchmark adds to a file that has none. */
const SYNTHETIC = 'selfreviewBenchUnused';

/**
 * `text` with a second, unused import of the first name its first named import brings in
 * (`import { a as selfreviewBenchUnused } from "m";` after it), or null without one.
 */
function withUnusedImport(text: string): string | null {
  const m = /^import\s+(type\s+)?\{\s*([A-Za-z_$][\w$]*)[^}]*\}\s*from\s*(['"][^'"\n]+['"]);?[^\n]*\n/m.exec(
    text,
  );
  if (!m) return null;
  const [line, type = '', name, from] = m as unknown as [string, string | undefined, string, string];
  const at = m.index + line.length;
  return `${text.slice(0, at)}import ${type}{ ${name} as ${SYNTHETIC} } from ${from};\n${text.slice(at)}`;
}

/** The first fix item scan finds for `file` with RULES, or null. */
function firstItem(file: string, text: string): FixItem | null {
  const [candidate] = analyzeFile(file, text, { rules: RULES }).candidates;
  if (!candidate) return null;
  const codemod = getCheck(candidate.rule).fix.codemod;
  if (!codemod) return null;
  return { candidate, changeType: codemod.changeType, confidence: 0.9 } as FixItem;
}

/** The text of `file` with `item` fixed by its codemod. */
function fixed(file: string, text: string, item: FixItem): string {
  const codemod = getCheck(item.candidate.rule).fix.codemod;
  const result = codemod?.apply({ file, text, items: [item] });
  if (result?.applied.length !== 1) throw new Error(`the codemod did not apply to ${file}`);
  return result.text;
}

/** The file to edit and the edit, and the base commit (a commit of the clone when synthetic). */
export async function chooseEdit(
  origin: Repository,
  opts: Options,
): Promise<{ file: string; before: string; after: string; sha: string; synthetic: boolean; what: string }> {
  let sha = await git(origin.root, 'rev-parse', 'HEAD');
  let file = opts.file;
  if (file === null) {
    const folder = path.posix.dirname(opts.project);
    const files = (await origin.listFiles(sha)).filter(
      (f) => (folder === '.' || f.startsWith(`${folder}/`)) && /\.[cm]?tsx?$/.test(f) && !f.endsWith('.d.ts'),
    );
    for (const f of files) {
      if (firstItem(f, (await origin.readFile(sha, f)) ?? '')) {
        file = f;
        break;
      }
    }
    if (file === null) throw new Error(`no unused import or local under ${folder}: name a file with --file`);
  }
  let before = await origin.readFile(sha, file);
  if (before === null) throw new Error(`${file} is not in the repository`);
  let item = firstItem(file, before);
  let synthetic = false;
  if (!item) {
    synthetic = true;
    const added = withUnusedImport(before);
    if (added === null) throw new Error(`${file} has no named import to copy as an unused one`);
    before = added;
    await writeFile(path.join(origin.root, file), before);
    await git(origin.root, 'add', '--', file);
    await git(
      origin.root,
      '-c',
      'user.name=bench',
      '-c',
      'user.email=bench@localhost',
      'commit',
      '--quiet',
      '--no-verify',
      '-m',
      'bench: an unused import to remove',
    );
    sha = await git(origin.root, 'rev-parse', 'HEAD');
    item = firstItem(file, before);
    if (!item) throw new Error(`scan does not find the unused import added to ${file}`);
  }
  return { file, before, after: fixed(file, before, item), sha, synthetic, what: item.candidate.message };
}
