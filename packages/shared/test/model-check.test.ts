import { describe, expect, it } from 'vitest';
import { DEFAULT_MODEL } from '../src/config.ts';
import { judgeModel, parseSdkDate, sdkDeprecatedModels } from '../src/model/check.ts';

const HINT =
  'set SELFREVIEW_MODEL to an active model (https://docs.anthropic.com/en/docs/about-claude/models)';
const TODAY = '2026-12-01';
const active = { found: true as const, lifecycle: 'active' as const, retiresAt: null };

describe('judgeModel', () => {
  it('passes an active model the SDK does not list as deprecated', () => {
    expect(judgeModel({ model: 'm', lookup: active, sdkEndOfLife: null, today: TODAY })).toEqual({
      status: 'active',
      model: 'm',
    });
  });

  it('stops on a model the API does not know, naming it and what to set', () => {
    expect(
      judgeModel({ model: 'claude-x', lookup: { found: false }, sdkEndOfLife: null, today: TODAY }),
    ).toEqual({
      status: 'unusable',
      model: 'claude-x',
      line: `the model claude-x is unknown to the model API (404 not_found_error); ${HINT}`,
    });
  });

  it('stops on a model the API says is retired', () => {
    const lookup = { found: true as const, lifecycle: 'retired' as const, retiresAt: '2026-11-30T00:00:00Z' };
    expect(judgeModel({ model: 'm', lookup, sdkEndOfLife: null, today: TODAY })).toMatchObject({
      status: 'unusable',
      line: `the model m was retired on 2026-11-30; ${HINT}`,
    });
  });

  it("stops on a model whose end of life in the SDK's table is today or earlier, whatever the API says", () => {
    for (const date of ['2026-11-30', TODAY]) {
      expect(judgeModel({ model: 'm', lookup: active, sdkEndOfLife: date, today: TODAY })).toMatchObject({
        status: 'unusable',
        line: `the model m reached its end of life on ${date} (@anthropic-ai/sdk's deprecated models); ${HINT}`,
      });
    }
  });

  it('warns about a deprecated model that still has time, with its date', () => {
    expect(judgeModel({ model: 'm', lookup: active, sdkEndOfLife: '2026-12-02', today: TODAY })).toEqual({
      status: 'deprecated',
      model: 'm',
      warning: `the model m is deprecated and retires on 2026-12-02; ${HINT} before then`,
    });
    const lookup = { found: true as const, lifecycle: 'deprecated' as const, retiresAt: null };
    expect(judgeModel({ model: 'm', lookup, sdkEndOfLife: null, today: TODAY })).toMatchObject({
      status: 'deprecated',
      warning: `the model m is deprecated; ${HINT} before then`,
    });
  });
});

describe('parseSdkDate', () => {
  it.each([
    ['November 30th, 2026', '2026-11-30'],
    ['June 1st, 2027', '2027-06-01'],
    ['March 2nd, 2026', '2026-03-02'],
    ['2026-11-30', null],
    ['Smarch 3rd, 2026', null],
  ])('%s is %s', (text, date) => {
    expect(parseSdkDate(text)).toBe(date);
  });
});

describe("the installed SDK's deprecated models", () => {
  it('are read from the SDK: claude-sonnet-4-5 reached its end of life on 2026-11-30', () => {
    const table = sdkDeprecatedModels();
    expect(table['claude-sonnet-4-5']).toBe('2026-11-30');
    expect(table['claude-sonnet-4-5-20250929']).toBe('2026-11-30');
  });

  it('do not include the default model', () => {
    expect(sdkDeprecatedModels()[DEFAULT_MODEL]).toBeUndefined();
    expect(DEFAULT_MODEL).toBe('claude-sonnet-5-5');
  });
});
