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

export function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
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
  if (values.help || !values.repo || !values.project) {
    process.stderr.write(`${USAGE}\n`);
    process.exit(values.help ? 0 : 2);
  }
  const runs = Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs must be a positive integer');
  return {
    repo: path.resolve(values.repo),
    project: values.project,
    file: values.file ?? null,
    runs,
    keep: values.keep,
    json: values.json ? path.resolve(values.json) : null,
  };
}
