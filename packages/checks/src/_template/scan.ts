import { ts } from '@selfreview/shared/compiler';
import type { ScanPart } from '../lib/define.ts';
import { namePath } from '../lib/names.ts';
import type { ScanFinding } from '../lib/scan.ts';
import { findAncestor } from '../lib/semantic.ts';
import type { ExampleEvidence, ExampleOptions } from './schema.ts';

/** `debugger` statements: left from a debugging session, they stop any attached debugger. */
export const scan: ScanPart<ExampleOptions, ExampleEvidence> = {
  semantic: false,
  analyze({ sourceFile, file, options, isTestFile }) {
    if (isTestFile && !options.inTests) return [];
    const findings: ScanFinding<ExampleEvidence>[] = [];
    const visit = (node: ts.Node): void => {
      if (ts.isDebuggerStatement(node)) {
        const owner = findAncestor(node, ts.isFunctionLike);
        const functionName = owner ? namePath(owner) : '<module>';
        const line = sourceFile.getLineAndCharacterOfPosition(node.getStart(sourceFile)).line + 1;
        findings.push({
          rule: 'example-check',
          file,
          line,
          endLine: line,
          message: `'debugger' statement in '${functionName}'`,
          evidence: { kind: 'example-check', functionName },
          // Two in one function are told apart by their order.
          fingerprint: functionName,
        });
      }
      ts.forEachChild(node, visit);
    };
    visit(sourceFile);
    return findings;
  },
};
