import { ts } from '@selfreview/shared/compiler';
import type { ScanPart } from '../lib/define.ts';
import type { ScanFinding, ScanInput } from '../lib/scan.ts';
import { nodeAt, positionOf, scopePath, shorten, UNDEFINED_CODES } from '../lib/semantic.ts';
import type { UndefinedIdentifierEvidence } from './schema.ts';

/**
 * Names the compiler cannot resolve: a missing import, a typo, a global the project's
 * `lib`/`types` do not declare. Semantic only: whether a name resolves depends on the
 * whole program (globals, ambient modules, `lib`).
 */
export const scan: ScanPart<object, UndefinedIdentifierEvidence> = {
  semantic: true,
  analyze(input: ScanInput): ScanFinding<UndefinedIdentifierEvidence>[] {
    if (input.semantic === null) return [];
    const { sourceFile, file } = input;
    const findings: ScanFinding<UndefinedIdentifierEvidence>[] = [];
    for (const diagnostic of input.semantic) {
      if (!UNDEFINED_CODES.has(diagnostic.code)) continue;
      const pos = positionOf(sourceFile, diagnostic.line, diagnostic.column);
      const node = nodeAt(sourceFile, pos);
      const name = ts.isIdentifier(node) ? node.text : (/'([^']+)'/.exec(diagnostic.message)?.[1] ?? '');
      const line = sourceFile.getLineAndCharacterOfPosition(pos).line;
      const lineText = sourceFile.text.slice(
        sourceFile.getLineStarts()[line] ?? 0,
        sourceFile.getLineStarts()[line + 1] ?? sourceFile.text.length,
      );
      const evidence: UndefinedIdentifierEvidence = {
        kind: 'undefined-identifier',
        name,
        code: diagnostic.code,
        compilerMessage: diagnostic.message.split('\n', 1)[0] ?? '',
        lineText: shorten(lineText, 300),
      };
      findings.push({
        rule: 'undefined-identifier',
        file,
        line: line + 1,
        endLine: line + 1,
        message: `cannot find name '${name}'`,
        evidence,
        fingerprint: `${scopePath(node)}\u0000${name}`,
      });
    }
    return findings;
  },
};
