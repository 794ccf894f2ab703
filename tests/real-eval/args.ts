/** `pnpm eval:real <path> [--seed N] [--files K] [--out report.json] [--timeout MIN] [--tsconfig FILE]`. */

export type EvalArgs = {
  path: string;
  seed: number;
  files: number;
  out: string | null;
  timeoutMinutes: number;
  tsconfig: string;
};

export const USAGE =
  'usage: pnpm eval:real <path> [--seed N] [--files K] [--out report.json] [--timeout MINUTES] [--tsconfig FILE]';

export class BadInput extends Error {}

function integer(option: string, value: string | undefined, min: number): number {
  if (value === undefined || !/^\d+$/.test(value) || Number(value) < min) {
    throw new BadInput(
      `${option} needs an integer of at least ${min}, got ${value === undefined ? 'nothing' : JSON.stringify(value)}`,
    );
  }
  return Number(value);
}

export function parseEvalArgs(argv: readonly string[]): EvalArgs {
  const args: EvalArgs = {
    path: '',
    seed: 1,
    files: 10,
    out: null,
    timeoutMinutes: 60,
    tsconfig: 'tsconfig.json',
  };
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = argv[i + 1];
    switch (arg) {
      case '--seed':
        args.seed = integer(arg, value, 0);
        i++;
        break;
      case '--files':
        // 0: no injection, the pipeline on the repository as it is.
        args.files = integer(arg, value, 0);
        i++;
        break;
      case '--timeout':
        args.timeoutMinutes = integer(arg, value, 1);
        i++;
        break;
      case '--out':
      case '--tsconfig':
        if (value === undefined || value.startsWith('--')) throw new BadInput(`${arg} needs a file name`);
        if (arg === '--out') args.out = value;
        else args.tsconfig = value;
        i++;
        break;
      default:
        if (arg.startsWith('-')) throw new BadInput(`unknown option ${arg}; ${USAGE}`);
        positional.push(arg);
    }
  }
  if (positional.length !== 1)
    throw new BadInput(positional.length === 0 ? USAGE : `one path only; ${USAGE}`);
  args.path = positional[0]!;
  return args;
}
