import { ts } from '@selfreview/shared/compiler';
import type { ScanPart } from '../lib/define.ts';
import { isFunctionWithBody, namePath } from '../lib/names.ts';
import type { ScanFinding, ScanInput } from '../lib/scan.ts';
import type { LongFunctionEvidence, LongFunctionOptions } from './schema.ts';

/**
 * Reports every function-like with a body whose lines, from its first token to its last,
 * are more than `maxLines`. Each function is judged on its own lines: a long
 * function that holds a long callback is two findings.
 */
export const scan: ScanPart<LongFunctionOptions, LongFunctionEvidence> = {
  semantic: false,
  analyze(input: ScanInput<LongFunctionOptions>): ScanFinding<LongFunctionEvidence>[] {
    const { sourceFile, file } = input;
    const limit = input.options.maxLines;
    const findings: ScanFinding<LongFunctionEvidence>[] = [];
    const lineOf = (pos: number): number => sourceFile.getLineAndCharacterOfPosition(pos).line;
    const visit = (node: ts.Node): void => {
      // A node whose whole range (its leading comments included) spans no more lines than
      // the limit holds no function longer than the limit: most of a file is skipped so.
      if (lineOf(node.end) - lineOf(node.pos) + 1 <= limit) return;
      if (isFunctionWithBody(node)) {
        const line = lineOf(node.getStart(sourceFile)) + 1;
        const endLine = lineOf(node.getEnd()) + 1;
        const lines = endLine - line + 1;
        if (lines > limit) {
          const name = namePath(node);
          const evidence: LongFunctionEvidence = { kind: 'long-function', name, lines, limit };
          findings.push({
            rule: 'long-function',
            file,
            line,
            endLine,
            message: `'${name}' is ${lines} lines long (limit ${limit})`,
            evidence,
            fingerprint: name,
          });
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(sourceFile);
    return findings;
  },
};
