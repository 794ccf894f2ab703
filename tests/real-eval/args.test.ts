import { describe, expect, it } from 'vitest';
import { BadInput, parseEvalArgs } from './args.ts';

describe('parseEvalArgs', () => {
  it('has the documented defaults', () => {
    expect(parseEvalArgs(['/r'])).toEqual({
      path: '/r',
      seed: 1,
      files: 10,
      out: null,
      timeoutMinutes: 60,
      tsconfig: 'tsconfig.json',
    });
  });

  it('reads every option', () => {
    expect(
      parseEvalArgs([
        '--seed',
        '7',
        '/r',
        '--files',
        '3',
        '--out',
        'o.json',
        '--timeout',
        '5',
        '--tsconfig',
        'tsconfig.lib.json',
      ]),
    ).toEqual({
      path: '/r',
      seed: 7,
      files: 3,
      out: 'o.json',
      timeoutMinutes: 5,
      tsconfig: 'tsconfig.lib.json',
    });
  });

  it('takes --files 0: the repository as it is, nothing injected', () => {
    expect(parseEvalArgs(['/r', '--files', '0'])).toMatchObject({ path: '/r', files: 0 });
  });

  it.each([
    [[], /usage/],
    [['a', 'b'], /one path only/],
    [['/r', '--files', '-1'], /--files needs an integer of at least 0, got "-1"/],
    [['/r', '--seed', 'x'], /--seed needs an integer/],
    [['/r', '--out'], /--out needs a file name/],
    [['/r', '--verbose'], /unknown option --verbose/],
  ])('refuses %j', (argv, message) => {
    expect(() => parseEvalArgs(argv)).toThrow(BadInput);
    expect(() => parseEvalArgs(argv)).toThrow(message);
  });
});
