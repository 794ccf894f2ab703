/** `pnpm bench`'s flags (./all.ts): which pieces run, and whether --quick shortens them. */
import { parseArgs } from 'node:util';

export const PIECES = ['scan', 'apply', 'verify', 'fix', 'webhook'] as const;
export type PieceName = (typeof PIECES)[number];
export const USAGE = `usage: pnpm bench [--only ${PIECES.join(',')}] [--quick]`;

export type Options = { only: PieceName[]; quick: boolean };

export class UsageError extends Error {}

export function parseOptions(argv: string[]): Options {
  let values: { only?: string | undefined; quick?: boolean | undefined; help?: boolean | undefined };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        only: { type: 'string' },
        quick: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  if (values.help) throw new UsageError('');
  const only = (values.only ?? PIECES.join(',')).split(',').map((p) => p.trim());
  for (const p of only)
    if (!(PIECES as readonly string[]).includes(p))
      throw new UsageError(`unknown piece ${JSON.stringify(p)}`);
  return { only: PIECES.filter((p) => only.includes(p)), quick: values.quick ?? false };
}
