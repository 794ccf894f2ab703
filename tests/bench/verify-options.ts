/** verify-bench's flags (./verify-bench.ts): the repository, its project and file, runs, --keep, --json. */
import path from 'node:path';
import { parseArgs } from 'node:util';

const USAGE =
  'usage: node --import tsx tests/bench/verify-bench.ts --repo DIR --project TSCONFIG [--file FILE] [--runs N] [--keep] [--json FILE]';

export type Options = {
  repo: string;
  project: string;
  file: string | null;
  runs: number;
  keep: boolean;
  json: string | null;
};

/** A bad command line: its message and the usage on stderr, exit status 2 (as for a missing flag). */
function usageError(message: string): never {
  process.stderr.write(`verify-bench: ${message}\n${USAGE}\n`);
  process.exit(2);
}

export function parseOptions(argv: string[]): Options {
  let parsed: ReturnType<typeof parseFlags>;
  try {
    parsed = parseFlags(argv);
  } catch (err) {
    usageError(err instanceof Error ? err.message : String(err));
  }
  const { values } = parsed;
  if (values.help || !values.repo || !values.project) {
    process.stderr.write(`${USAGE}\n`);
    process.exit(values.help ? 0 : 2);
  }
  const runs = Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1) usageError('--runs must be a positive integer');
  return {
    repo: path.resolve(values.repo),
    project: values.project,
    file: values.file ?? null,
    runs,
    keep: values.keep,
    json: values.json ? path.resolve(values.json) : null,
  };
}

function parseFlags(argv: string[]) {
  return parseArgs({
    args: argv,
    options: {
      repo: { type: 'string' },
      project: { type: 'string' },
      file: { type: 'string' },
      runs: { type: 'string', default: '3' },
      keep: { type: 'boolean', default: false },
      json: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
}
