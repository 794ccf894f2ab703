import type { Candidate, Decision } from '@selfreview/shared/schemas';
import { describe, expect, it } from 'vitest';
import type { JudgeContext } from '../../lib/judge.ts';
import { decide, judgeContext } from '../../lib/test/helpers.ts';
import { CheckCandidate } from '../../registry.ts';

const IMPORT = "import { readFile } from 'node:fs/promises';";
const SOURCE = `${IMPORT}\n\nexport const x = 1;\n`;

function todoCandidate(text: string, tag = 'TODO', context: string[] = []): Candidate {
  return CheckCandidate.parse({
    id: 'todo-1',
    rule: 'todo-comment',
    file: 'src/a.ts',
    line: 3,
    endLine: 3,
    message: `${tag} comment`,
    evidence: { kind: 'todo-comment', tag, text, context },
  });
}

const judge = (candidate: Candidate, over: Partial<JudgeContext> = {}): Decision =>
  decide(candidate, judgeContext(over.fileText === undefined ? SOURCE : over.fileText, over));

describe('todo-comment', () => {
  it('drops a planned TODO as planned_todo, naming the signals', () => {
    const d = judge(todoCandidate('support streaming in the next release'));
    expect(d).toMatchObject({
      candidateId: 'todo-1',
      verdict: 'drop',
      reason: 'planned_todo',
      confidence: 0.9,
      todoClass: 'planned',
    });
    expect(d.detail).toContain('next release');
    expect(d.changeType).toBeUndefined();
  });

  it('is surer of a planned TODO with a tracked issue', () => {
    const d = judge(todoCandidate('tidy the cache (#123)'));
    expect(d).toMatchObject({
      verdict: 'drop',
      reason: 'planned_todo',
      confidence: 0.95,
      todoClass: 'planned',
    });
    expect(d.detail).toContain('#123');
  });

  it('counts an issue link in the continuing comment line', () => {
    const d = judge(
      todoCandidate('tidy the cache', 'TODO', [
        '// TODO: tidy the cache',
        '// https://github.com/a/b/issues/4',
      ]),
    );
    expect(d).toMatchObject({ verdict: 'drop', reason: 'planned_todo', confidence: 0.95 });
  });

  it('lets the plan win over a defect and says so', () => {
    const d = judge(todoCandidate('memory leak, fix in v2', 'FIXME'));
    expect(d).toMatchObject({ verdict: 'drop', reason: 'planned_todo', todoClass: 'planned' });
    expect(d.detail).toContain('v2');
    expect(d.detail).toContain('leak');
  });

  it('queues an actionable TODO for the model fixer (resolve_todo)', () => {
    const d = judge(todoCandidate('crashes on empty input'));
    expect(d).toMatchObject({
      verdict: 'fix',
      reason: 'actionable_todo',
      changeType: 'resolve_todo',
      confidence: 0.8,
      todoClass: 'actionable',
    });
    expect(d.detail).toContain('crashes');
  });

  it('treats the FIXME tag as actionable even when the text omits it', () => {
    expect(judge(todoCandidate('tidy up', 'FIXME'))).toMatchObject({
      reason: 'actionable_todo',
      todoClass: 'actionable',
    });
    expect(judge(todoCandidate('FIXME: tidy up', 'FIXME'))).toMatchObject({ reason: 'actionable_todo' });
  });

  it('defers an ambiguous TODO for a person', () => {
    const d = judge(todoCandidate('tidy up'));
    expect(d).toMatchObject({
      verdict: 'defer',
      reason: 'ambiguous_todo',
      confidence: 0.5,
      todoClass: 'ambiguous',
    });
  });

  it('drops TODOs in generated files and in files that are gone', () => {
    expect(judge(todoCandidate('crashes'), { isGenerated: true })).toMatchObject({
      verdict: 'drop',
      reason: 'generated_file',
    });
    expect(judge(todoCandidate('crashes'), { fileText: null })).toMatchObject({
      verdict: 'drop',
      reason: 'stale',
    });
  });

  it('never queues a planned or ambiguous TODO, whatever the threshold', () => {
    for (const text of ['see #1', 'in the next version', 'tidy']) {
      expect(judge(todoCandidate(text), {}).verdict).not.toBe('fix');
    }
  });
});
