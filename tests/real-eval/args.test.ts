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

  it.each([
    [[], /usage/],
    [['a', 'b'], /one path only/],
    [['/r', '--files', '0'], /--files needs an integer of at least 1, got "0"/],
    [['/r', '--seed', 'x'], /--seed needs an integer/],
    [['/r', '--out'], /--out needs a file name/],
    [['/r', '--verbose'], /unknown option --verbose/],
  ])('refuses %j', (argv, message) => {
    expect(() => parseEvalArgs(argv)).toThrow(BadInput);
    expect(() => parseEvalArgs(argv)).toThrow(message);
  });
});
