import { describe, expect, it } from 'vitest';
import { newFailures, parseTestReport, planTests } from '../src/test-plan.ts';

const bins = { vitest: '/r/node_modules/.bin/vitest', jest: '/r/node_modules/.bin/jest' };
const base = { changedFiles: ['src/a.ts'], scope: 'related' as const, bins, reportFile: '/r/report.json' };

describe('planTests', () => {
  it.each([
    [
      'vitest run',
      [
        bins.vitest,
        'related',
        '--run',
        'src/a.ts',
        '--passWithNoTests',
        '--reporter=json',
        '--outputFile=/r/report.json',
      ],
    ],
    [
      'vitest --config vitest.unit.ts',
      [
        bins.vitest,
        'related',
        '--run',
        'src/a.ts',
        '--config',
        'vitest.unit.ts',
        '--passWithNoTests',
        '--reporter=json',
        '--outputFile=/r/report.json',
      ],
    ],
    [
      'jest --coverage --verbose --watchAll',
      [
        bins.jest,
        '--verbose',
        '--ci',
        '--passWithNoTests',
        '--json',
        '--outputFile=/r/report.json',
        '--findRelatedTests',
        'src/a.ts',
      ],
    ],
  ])('runs %j directly, for the related tests only', (script, argv) => {
    expect(planTests({ ...base, script })).toEqual({
      runner: script.split(' ')[0],
      argv,
      reportFile: '/r/report.json',
      related: true,
    });
  });

  it('runs the whole suite when asked to', () => {
    expect(planTests({ ...base, script: 'vitest run', scope: 'all' })?.argv.slice(0, 2)).toEqual([
      bins.vitest,
      'run',
    ]);
  });

  it.each([
    ['a script that does more than call the runner', 'pnpm build && vitest run'],
    ['a runner we do not talk to', 'mocha test/**/*.spec.ts'],
    ['node’s test runner', 'node --test'],
  ])('falls back to npm test for %s', (_, script) => {
    expect(planTests({ ...base, script })).toEqual({
      runner: 'script',
      argv: ['npm', 'test', '--silent'],
      reportFile: null,
      related: false,
    });
  });

  it('falls back to npm test when the runner is not installed', () => {
    expect(planTests({ ...base, script: 'jest', bins: {} })?.runner).toBe('script');
  });

  it.each([[undefined], [''], ['echo "Error: no test specified" && exit 1']])(
    'has no plan for the test script %j',
    (script) => {
      expect(planTests({ ...base, script })).toBeNull();
    },
  );
});

describe('parseTestReport', () => {
  const report = JSON.stringify({
    testResults: [
      {
        name: '/w/src/a.test.ts',
        status: 'failed',
        assertionResults: [
          { fullName: 'height is three', status: 'passed', failureMessages: [] },
          { fullName: 'height is four', status: 'failed', failureMessages: ['expected 3 to be 4\n  at …'] },
          { fullName: 'later', status: 'skipped', failureMessages: [] },
        ],
      },
      {
        name: '/w/src/b.test.ts',
        status: 'failed',
        message: "Cannot find module './gone'\nstack",
        assertionResults: [],
      },
    ],
  });

  it('reads per-test results of a vitest or jest JSON report, relative to the worktree', () => {
    expect(parseTestReport(report, '/w')).toEqual([
      { id: 'src/a.test.ts > height is three', passed: true, message: '' },
      { id: 'src/a.test.ts > height is four', passed: false, message: 'expected 3 to be 4' },
      { id: 'src/b.test.ts (suite)', passed: false, message: "Cannot find module './gone'" },
    ]);
  });

  it.each([['not json'], ['{}'], ['null']])('is null for %j', (text) => {
    expect(parseTestReport(text, '/w')).toBeNull();
  });
});

describe('newFailures', () => {
  const t = (id: string, passed: boolean) => ({ id, passed, message: '' });

  it('counts only tests that did not already fail at the base, new tests included', () => {
    const before = [t('a > one', true), t('a > two', false)];
    const after = [t('a > one', false), t('a > two', false), t('a > three', false), t('a > four', true)];
    expect(newFailures(before, after).map((x) => x.id)).toEqual(['a > one', 'a > three']);
  });

  it('is empty when the same tests fail', () => {
    expect(newFailures([t('x', false)], [t('x', false)])).toEqual([]);
  });
});
