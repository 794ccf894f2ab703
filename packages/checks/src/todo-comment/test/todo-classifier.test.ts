import type { TodoClass } from '@selfreview/shared/schemas';
import { describe, expect, it } from 'vitest';
import { classifyTodo, signalKind } from '../todo-classifier.ts';

describe('classifyTodo', () => {
  // [text, class, signals that must be among those reported]
  it.each<[string, TodoClass, string[]]>([
    // English roadmap words
    ['TODO: planned for the importer rewrite', 'planned', ['planned:planned']],
    ['TODO: see roadmap', 'planned', ['planned:roadmap']],
    ['TODO: handle streaming later', 'planned', ['planned:later']],
    ['TODO: support plugins in the future', 'planned', ['planned:future']],
    ['TODO: someday make this pluggable', 'planned', ['planned:someday']],
    ['TODO: some day make this pluggable', 'planned', ['planned:some day']],
    ['TODO: add retries in the next version', 'planned', ['planned:next version']],
    ['TODO: Next Release should drop the shim', 'planned', ['planned:Next Release']],
    ['TODO: rename after the migration', 'planned', ['planned:after the migration']],
    ['TODO: add caching in the next\nrelease', 'planned', ['planned:next release']],
    // versions
    ['TODO: remove in v2', 'planned', ['planned:v2']],
    ['TODO: V3 drops this option', 'planned', ['planned:V3']],
    ['TODO: gone in v2.1.0', 'planned', ['planned:v2.1.0']],
    ['TODO: revisit in version 2', 'planned', ['planned:version 2']],
    ['TODO: drop the fallback in v8', 'planned', ['planned:v8']],
    // dates and milestones
    ['TODO: ship by 2027-Q1', 'planned', ['planned:2027-Q1']],
    ['TODO: revisit Q3 2026', 'planned', ['planned:Q3 2026']],
    ['TODO: remove after 2026-03', 'planned', ['planned:2026-03']],
    ['TODO: delete after 2026-03-15', 'planned', ['planned:2026-03']],
    ['TODO: migrate by March', 'planned', ['planned:by March']],
    ['TODO: finish in september 2026', 'planned', ['planned:september 2026']],
    // Korean, Japanese, Chinese
    ['TODO: 향후 캐시 지원', 'planned', ['planned:향후']],
    ['TODO: 다음 버전에서 제거', 'planned', ['planned:다음 버전']],
    ['TODO: 추후 개선', 'planned', ['planned:추후']],
    ['TODO: 나중에 정리', 'planned', ['planned:나중에']],
    ['TODO: 今後対応する', 'planned', ['planned:今後']],
    ['TODO: 将来的に削除', 'planned', ['planned:将来']],
    ['TODO: 以后再优化', 'planned', ['planned:以后']],
    ['TODO: 下个版本删除', 'planned', ['planned:下个版本']],
    // tracked issues
    ['TODO(#123): tidy the cache', 'planned', ['issue:#123']],
    ['TODO: blocked on #45', 'planned', ['issue:#45']],
    ['TODO: see GH-12', 'planned', ['issue:GH-12']],
    ['TODO: see gh-12', 'planned', ['issue:gh-12']],
    ['TODO: ABC-123 covers this', 'planned', ['issue:ABC-123']],
    [
      'TODO: https://github.com/acme/app/issues/12',
      'planned',
      ['issue:https://github.com/acme/app/issues/12'],
    ],
    [
      'TODO: https://gitlab.com/acme/app/-/issues/7',
      'planned',
      ['issue:https://gitlab.com/acme/app/-/issues/7'],
    ],
    [
      'TODO: waits for https://github.com/acme/app/pull/99',
      'planned',
      ['issue:https://github.com/acme/app/pull/99'],
    ],
    // planned wins over actionable
    ['FIXME: memory leak, tracked in #88', 'planned', ['issue:#88', 'actionable:FIXME', 'actionable:leak']],
    ['TODO: fix later', 'planned', ['planned:later', 'actionable:fix']],
    ['TODO: 버그, 향후 수정', 'planned', ['planned:향후', 'actionable:버그']],
    // actionable
    ['TODO: fix the off-by-one in paging', 'actionable', ['actionable:fix']],
    ['TODO: this is a bug', 'actionable', ['actionable:bug']],
    ['TODO: parser is broken for CRLF', 'actionable', ['actionable:broken']],
    ['TODO: crashes on empty input', 'actionable', ['actionable:crashes']],
    ['TODO: listener leak', 'actionable', ['actionable:leak']],
    ['TODO: wrong offset for surrogate pairs', 'actionable', ['actionable:wrong']],
    ['TODO: incorrect rounding', 'actionable', ['actionable:incorrect']],
    ['TODO: race between flush and close', 'actionable', ['actionable:race']],
    ['TODO: race condition on reconnect', 'actionable', ['actionable:race condition']],
    ['TODO: workaround for a Safari quirk', 'actionable', ['actionable:workaround']],
    ['TODO: remove this once callers migrate', 'actionable', ['actionable:remove this']],
    ["TODO: retry doesn't work", 'actionable', ["actionable:doesn't work"]],
    ['TODO: retry doesn’t work', 'actionable', ['actionable:doesn’t work']],
    ['TODO: retry does not work', 'actionable', ['actionable:does not work']],
    ['FIXME: tidy up', 'actionable', ['actionable:FIXME']],
    ['TODO: 버그 있음', 'actionable', ['actionable:버그']],
    ['TODO: 정렬 수정 필요', 'actionable', ['actionable:수정']],
    ['TODO: a V8 bug needs this', 'actionable', ['actionable:bug']],
    ['TODO: UTF-8 decoding is wrong', 'actionable', ['actionable:wrong']],
    // ambiguous, including words that only contain a signal
    ['TODO: tidy up', 'ambiguous', []],
    ['TODO: make this nicer', 'ambiguous', []],
    ['TODO: v', 'ambiguous', []],
    ['TODO: move to a fixture', 'ambiguous', []],
    ['TODO: strip the prefix', 'ambiguous', []],
    ['TODO: attach the debugger', 'ambiguous', []],
    ['TODO: debug output', 'ambiguous', []],
    ['TODO: use Promise.race here', 'ambiguous', []],
    ['TODO: use a fixed-size buffer', 'ambiguous', []],
    ['TODO: collateral cleanup', 'ambiguous', []],
    ['TODO: devtools v-model', 'ambiguous', []],
    ['TODO: support UTF-8 and SHA-256 names', 'ambiguous', []],
    ['TODO: escape &#123; in templates', 'ambiguous', []],
    ['TODO: mention the 2026 style guide', 'ambiguous', []],
    ['HACK: keep the order', 'ambiguous', []],
  ])('%j is %s', (text, todoClass, expected) => {
    const result = classifyTodo(text);
    expect(result.todoClass).toBe(todoClass);
    expect(result.signals).toEqual(expect.arrayContaining(expected));
    if (todoClass === 'ambiguous') expect(result.signals).toEqual([]);
  });

  it('reports signals in the order they appear', () => {
    expect(classifyTodo('FIXME: leak, see #12 for v2').signals).toEqual([
      'actionable:FIXME',
      'actionable:leak',
      'issue:#12',
      'planned:v2',
    ]);
  });

  it('reports a repeated signal once', () => {
    expect(classifyTodo('TODO: later, much later').signals).toEqual(['planned:later']);
  });

  describe('context', () => {
    it('takes an issue link from the comment line that continues the TODO', () => {
      const result = classifyTodo('TODO: tidy the cache', [
        'const data = load();',
        '// TODO: tidy the cache',
        '//   see https://github.com/acme/app/issues/12',
        'use(data);',
      ]);
      expect(result.todoClass).toBe('planned');
      expect(result.signals).toEqual(['issue:https://github.com/acme/app/issues/12 (context)']);
    });

    it('takes a plan from the comment line above the TODO', () => {
      const result = classifyTodo('TODO: tidy the cache', [
        '// Scheduled for v2.',
        '// TODO: tidy the cache',
      ]);
      expect(result.todoClass).toBe('planned');
      expect(result.signals).toEqual(['planned:v2 (context)']);
    });

    it('ignores comments separated from the TODO by code', () => {
      const result = classifyTodo('TODO: tidy the cache', [
        '// see #99 for the format',
        'const x = 1;',
        '// TODO: tidy the cache',
      ]);
      expect(result.todoClass).toBe('ambiguous');
    });

    it("ignores another TODO's plan", () => {
      const result = classifyTodo('TODO: tidy the cache', [
        '// TODO(#7): other thing',
        '// TODO: tidy the cache',
      ]);
      expect(result.todoClass).toBe('ambiguous');
    });

    it('never reads actionable words from context, nor anything from code lines', () => {
      const result = classifyTodo('TODO: tidy the cache', [
        '// TODO: tidy the cache',
        '// the old one had a bug',
        'fixBug(v2, later); // fix',
      ]);
      expect(result.todoClass).toBe('ambiguous');
    });

    it('does not count the comment itself twice', () => {
      const result = classifyTodo('TODO(#5): tidy', ['// TODO(#5): tidy']);
      expect(result.signals).toEqual(['issue:#5']);
    });
  });

  it('signalKind reads the kind of a signal', () => {
    expect(signalKind('issue:https://example.com/issues/1')).toBe('issue');
    expect(signalKind('planned:v2 (context)')).toBe('planned');
    expect(signalKind('actionable:FIXME')).toBe('actionable');
  });
});
