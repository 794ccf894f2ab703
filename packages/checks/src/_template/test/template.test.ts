import { describe, expect, it } from 'vitest';
import { judgeContext, scanText } from '../../lib/test/helpers.ts';
import { CHECKS } from '../../registry.ts';
import { exampleCheck } from '../index.ts';

const SOURCE = 'export function run() {\n  debugger;\n  return 1;\n}\n';

describe('the template check', () => {
  it('finds a debugger statement with its function', () => {
    const { candidates } = scanText(exampleCheck, 'src/a.ts', SOURCE);
    expect(candidates.map((c) => [c.line, c.message, c.evidence])).toEqual([
      [2, "'debugger' statement in 'run'", { kind: 'example-check', functionName: 'run' }],
    ]);
  });

  it('skips test files unless its option says otherwise', () => {
    const scan = (inTests: boolean) =>
      scanText(exampleCheck, 'src/a.test.ts', SOURCE, {
        isTestFile: true,
        options: { 'example-check': { inTests } },
      }).candidates;
    expect(scan(false)).toEqual([]);
    expect(scan(true)).toHaveLength(1);
  });

  it('queues it for the model while it is there, and drops it once it is gone', () => {
    const [candidate] = scanText(exampleCheck, 'src/a.ts', SOURCE).candidates;
    if (!candidate) throw new Error('no candidate');
    // Not registered, so judged directly rather than through the registry.
    expect(
      exampleCheck.judge(candidate, { kind: 'example-check', functionName: 'run' }, judgeContext(SOURCE)),
    ).toMatchObject({ verdict: 'fix', changeType: 'remove_debugger' });
    expect(
      exampleCheck.judge(candidate, { kind: 'example-check', functionName: 'run' }, judgeContext('')),
    ).toMatchObject({ verdict: 'drop', reason: 'stale' });
  });

  it('is not in the registry', () => {
    expect(CHECKS.map((c) => c.id)).not.toContain('example-check');
  });
});
