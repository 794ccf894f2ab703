/**
 * A fix that removes the only use of another name leaves that name unused (TS6133, TS6196,
 * TS6192, TS6198): `const total = sum(xs); const unused = total * 2;` loses `unused`, and
 * `total` is next. Rather than fail a fix for being incomplete, the batch finishes it with
 * the same codemods when the leftover is the same kind of finding the same judgement would
 * let through: a declaration or import in that file, not a parameter, not marked unused on
 * purpose. Pure: the processor applies the items this returns and re-verifies.
 */
import { CHECKS } from '@selfreview/checks';
import { UNUSED_CODES } from '@selfreview/checks/lib/semantic';
import { ts } from '@selfreview/shared/compiler';
import type { FixItem } from '@selfreview/shared/schemas';
import { scriptKindFor } from '@selfreview/shared/syntax';
import type { Diagnostic } from './typecheck-output.ts';

/** The compiler's "declared but never used" family. */
export { UNUSED_CODES };
export type FollowUp = {
  /** Items the codemods can finish in this batch. */
  items: FixItem[];
  /** Leftovers they can't (parameters, underscore names, unknown shapes), described for the report. */
  leftovers: string[];
};

export function followUpItems(
  file: string,
  text: string,
  diagnostics: readonly Diagnostic[],
  confidence: number,
): FollowUp {
  const items: FixItem[] = [];
  const leftovers: string[] = [];
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, scriptKindFor(file));
  for (const d of diagnostics) {
    if (d.file !== file || !UNUSED_CODES.has(d.code)) continue;
    const name = /'([^']+)'/.exec(d.message)?.[1];
    const where = `TS${d.code} line ${d.line}`;
    if (!name) {
      leftovers.push(`${where}: ${firstLine(d.message)}`);
      continue;
    }
    if (name.startsWith('_')) {
      leftovers.push(`${name} (${where}): named as unused on purpose`);
      continue;
    }
    const item = itemFor(sf, file, name, d, confidence);
    if (item) items.push(item);
    else leftovers.push(`${name} (${where}): not a declaration the codemods finish`);
  }
  return { items, leftovers };
}

/** The item of the first check (in registry order) whose fix takes this leftover on, if any. */
function itemFor(
  sf: ts.SourceFile,
  file: string,
  name: string,
  d: Diagnostic,
  confidence: number,
): FixItem | null {
  const declaration = declarationAt(sf, name, d.line);
  if (!declaration) return null;
  for (const check of CHECKS) {
    const found = check.fix.followUp?.({ sourceFile: sf, name, declaration, code: d.code });
    if (!found) continue;
    const { line } = d;
    return {
      candidate: {
        id: `follow-up:${file}:${name}:${line}`,
        rule: check.id,
        file,
        line,
        endLine: line,
        message: found.message,
        evidence: found.evidence as FixItem['candidate']['evidence'],
      },
      changeType: check.fix.changeType,
      confidence,
    };
  }
  return null;
}

/** The declaration named `name` whose name sits on `line` (1-based); parameters are not looked for. */
function declarationAt(sf: ts.SourceFile, name: string, line: number): ts.Node | null {
  let found: ts.Node | null = null;
  const visit = (node: ts.Node): void => {
    if (found) return;
    const declName = (node as { name?: ts.Node }).name;
    if (
      declName &&
      ts.isIdentifier(declName) &&
      declName.text === name &&
      !ts.isParameter(node) &&
      sf.getLineAndCharacterOfPosition(declName.getStart(sf)).line + 1 === line
    ) {
      found = node;
      return;
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? '';
}
