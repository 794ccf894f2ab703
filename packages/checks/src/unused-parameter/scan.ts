import { ts } from '@selfreview/shared/compiler';
import type { ScanPart } from '../lib/define.ts';
import type { ScanFinding, ScanInput } from '../lib/scan.ts';
import {
  bindingRoot,
  findAncestor,
  ownerName,
  scopePath,
  shorten,
  type UnusedBinding,
  unusedBindingsOfKind,
} from '../lib/semantic.ts';
import type { UnusedParameterEvidence } from './schema.ts';

/**
 * Parameters and type parameters the compiler reports as never read. The compiler leaves
 * out names starting with `_` (intentionally unused) and parameters of overloads, abstract
 * and ambient signatures. Semantic only.
 */
export const scan: ScanPart<object, UnusedParameterEvidence> = {
  semantic: true,
  analyze(input: ScanInput): ScanFinding<UnusedParameterEvidence>[] {
    if (input.semantic === null) return [];
    // No `_` test of our own: the compiler already skips `_`-prefixed parameters, and what it
    // still reports (a destructured `{ _a }` names a property) is a finding.
    return unusedBindingsOfKind(input.sourceFile, input.semantic, 'parameter').map(({ binding, code }) =>
      findingOf(input, binding, code),
    );
  },
};

function findingOf(
  { sourceFile, file }: ScanInput,
  binding: Extract<UnusedBinding, { kind: 'parameter' }>,
  code: number,
): ScanFinding<UnusedParameterEvidence> {
  const name = binding.name.text;
  const declaration = ts.isBindingElement(binding.declaration)
    ? bindingRoot(binding.declaration)
    : binding.declaration;
  const owner = findAncestor(
    declaration.parent,
    (n) =>
      ts.isFunctionLike(n) ||
      ts.isClassLike(n) ||
      ts.isInterfaceDeclaration(n) ||
      ts.isTypeAliasDeclaration(n),
  );
  const list: readonly ts.Node[] = binding.typeParameter
    ? ((owner as { typeParameters?: readonly ts.Node[] } | undefined)?.typeParameters ?? [])
    : ((owner as { parameters?: readonly ts.Node[] } | undefined)?.parameters ?? []);
  const functionName = owner ? (ownerName(owner) ?? '<anonymous>') : '<anonymous>';
  const evidence: UnusedParameterEvidence = {
    kind: 'unused-parameter',
    name,
    functionName,
    index: Math.max(0, list.indexOf(declaration)),
    typeParameter: binding.typeParameter,
    destructured: ts.isBindingElement(binding.declaration),
    code,
    signature: owner ? shorten(signatureText(owner, sourceFile)) : '',
  };
  const start = binding.name.getStart(sourceFile);
  const what = binding.typeParameter ? 'type parameter' : 'parameter';
  return {
    rule: 'unused-parameter',
    file,
    line: sourceFile.getLineAndCharacterOfPosition(start).line + 1,
    endLine: sourceFile.getLineAndCharacterOfPosition(binding.name.getEnd()).line + 1,
    message: `${what} '${name}' of '${functionName}' is never used`,
    evidence,
    fingerprint: `${what}\u0000${owner ? scopePath(owner) : ''}\u0000${functionName}\u0000${name}`,
  };
}

/** The declaration's text up to its body: what a reader needs to see the parameter list. */
function signatureText(owner: ts.Node, sourceFile: ts.SourceFile): string {
  const body = (owner as { body?: ts.Node }).body;
  const start = owner.getStart(sourceFile);
  const end = body ? body.getStart(sourceFile) : owner.getEnd();
  return sourceFile.text.slice(start, end);
}
