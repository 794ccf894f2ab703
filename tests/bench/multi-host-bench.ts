/**
 * Fix throughput with one and with two fix hosts (issue 17 item 4): `pnpm bench:multi-host`.
 * The deployment of tests/multi-host.test.ts (network namespaces, Redis with AOF and a password,
 * gateway, scan+apply, N fix hosts each with its own clone, the publisher, a forge over HTTPS;
 * tests/helpers/netns.ts), the built code, one signed push per repository, one repository at a
 * time; for each run: its committed batches, the fix stage's wall time (first batch started to
 * last batch ended, as the run records it), the whole run's (webhook to the run's end, publishing
 * included), and batches per hour of the fix stage. Every repository asks for fix.concurrency 2,
 * so two hosts may work on it at once. Needs root and `ip netns`.
 *
 *   pnpm bench:multi-host [--workers 1,2] [--repos six,twelve,app]
 *
 * On this 2-core machine all hosts share the same two cores: a second fix host adds a worker, not
 * CPU, so the speed-up it shows is a floor for hosts that are really separate machines.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { RunLifecycle } from '@selfreview/shared/coordinator';
import { RunStore } from '@selfreview/shared/runs';
import { build } from '../helpers/build.ts';
import { labUnavailable, manyBatchesRepo, manyFiles, startDeployment } from '../helpers/netns.ts';
import { until } from '../helpers/processes.ts';

const exec = promisify(execFile);

/**
 * A small application's shape: models, services, utilities and an API layer importing each other,
 * classes, interfaces and generics, `modules` files of which `withUnused` carry one unused import
 * each (one finding a file, so withUnused / 2 batches).
 */
export function appRepo(modules = 40, withUnused = 16): Record<string, string> {
  const areas = ['models', 'services', 'utils', 'api'];
  const files: Record<string, string> = {
    'tsconfig.json': JSON.stringify({
      compilerOptions: {
        strict: true,
        noEmit: true,
        target: 'ES2022',
        module: 'ESNext',
        moduleResolution: 'Bundler',
        types: [],
      },
      include: ['src'],
    }),
    'selfreview.config.json': JSON.stringify({ fix: { concurrency: 2 } }),
    'src/utils/base.ts': [
      'export interface Entity { id: string; createdAt: Date }',
      'export type Result<T> = { ok: true; value: T } | { ok: false; error: string };',
      'export function ok<T>(value: T): Result<T> {',
      '  return { ok: true, value };',
      '}',
      'export function fail<T>(error: string): Result<T> {',
      '  return { ok: false, error };',
      '}',
      'export const VERSION = 3;',
      '',
    ].join('\n'),
  };
  const name = (i: number) => `src/${areas[i % areas.length]}/mod${String(i).padStart(2, '0')}.ts`;
  const rel = (from: number, to: number) => {
    const a = areas[from % areas.length];
    const b = areas[to % areas.length];
    const file = `mod${String(to).padStart(2, '0')}`;
    return a === b ? `./${file}` : `../${b}/${file}`;
  };
  const baseRel = (i: number) => (areas[i % areas.length] === 'utils' ? './base' : '../utils/base');
  for (let i = 0; i < modules; i++) {
    const lines: string[] = [];
    const unused = i >= modules - withUnused;
    lines.push(`import { type Entity, ok, type Result${unused ? ', VERSION' : ''} } from '${baseRel(i)}';`);
    if (i > 0) lines.push(`import { make${i - 1}, type Item${i - 1} } from '${rel(i, i - 1)}';`);
    lines.push(
      '',
      `export interface Item${i} extends Entity {`,
      '  name: string;',
      `  weight: number;${i > 0 ? `\n  parent?: Item${i - 1};` : ''}`,
      '}',
      '',
      `export function make${i}(id: string, weight = ${i}): Item${i} {`,
      `  return { id, createdAt: new Date(0), name: 'item-${i}-' + id, weight${i > 0 ? `, parent: make${i - 1}(id)` : ''} };`,
      '}',
      '',
      `export class Store${i} {`,
      `  private readonly items = new Map<string, Item${i}>();`,
      `  put(item: Item${i}): Result<Item${i}> {`,
      "    if (this.items.has(item.id)) return { ok: false, error: 'duplicate ' + item.id };",
      '    this.items.set(item.id, item);',
      '    return ok(item);',
      '  }',
      `  heaviest(): Item${i} | undefined {`,
      `    let best: Item${i} | undefined;`,
      '    for (const item of this.items.values()) if (!best || item.weight > best.weight) best = item;',
      '    return best;',
      '  }',
      '}',
      '',
    );
    files[name(i)] = lines.join('\n');
  }
  return files;
}

const REPOS: Record<string, () => Record<string, string>> = {
  six: () => manyBatchesRepo(manyFiles(12)),
  twelve: () => manyBatchesRepo(manyFiles(24)),
  app: () => appRepo(),
};

type Row = { repo: string; workers: number; batches: number; fixS: number; runS: number; perHour: number };

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

async function main(): Promise<void> {
  const why = await labUnavailable();
  if (why) {
    console.error(`bench:multi-host cannot run here: ${why}`);
    process.exit(2);
  }
  const workerCounts = option('workers', '1,2').split(',').map(Number);
  const repoNames = option('repos', 'six,twelve,app').split(',');
  for (const r of repoNames)
    if (!REPOS[r]) throw new Error(`unknown repository ${r} (${Object.keys(REPOS).join(', ')})`);
  await build();
  const rows: Row[] = [];
  for (const workers of workerCounts) {
    const repos = Object.fromEntries(repoNames.map((r) => [r, (REPOS[r] as () => Record<string, string>)()]));
    const d = await startDeployment({ repos, fixHosts: workers, lockSeconds: 30 });
    try {
      const runs = new RunStore(d.redis, d.prefix);
      const lifecycle = new RunLifecycle(d.redis, d.prefix);
      for (const repo of repoNames) {
        const known = new Set(await runs.recentRuns(50));
        const sentAt = Date.now();
        const status = await d.push(repo);
        if (!/^20[02]$/.test(status)) throw new Error(`the gateway answered ${status} to ${repo}'s push`);
        let runId = '';
        await until(
          `${repo}'s run to start`,
          async () => {
            runId = (await runs.recentRuns(50)).find((id) => !known.has(id)) ?? '';
            return runId !== '';
          },
          120_000,
        );
        await until(
          `${repo}'s run to end`,
          async () => {
            const meta = await runs.meta(runId);
            const p = await lifecycle.progress(runId);
            return Boolean(meta?.finishedAt) && Object.values(p.open).every((n) => n === 0);
          },
          1_200_000,
        );
        const runS = (Date.now() - sentAt) / 1000;
        const results = await runs.fixResults(runId);
        const batches = new Set(results.filter((r) => r.status === 'committed').map((r) => r.batchId)).size;
        const failed = results.filter((r) => r.status === 'failed').length;
        const fix = (await runs.stageTimes(runId)).fix;
        const fixS = fix ? (fix.endMs - fix.startMs) / 1000 : Number.NaN;
        const branches = (
          await exec('git', ['-C', d.repos[repo]?.bare ?? '', 'for-each-ref', 'refs/heads/selfreview/'])
        ).stdout
          .split('\n')
          .filter(Boolean).length;
        if (failed > 0 || branches !== batches) {
          console.warn(
            `${repo}, ${workers} worker(s): ${failed} failed fixes, ${branches} branches for ${batches} batches`,
          );
        }
        const row = { repo, workers, batches, fixS, runS, perHour: (batches / fixS) * 3600 };
        rows.push(row);
        console.log(
          `${repo}: ${workers} fix host(s), ${batches} batches, fix stage ${fixS.toFixed(1)} s, run ${runS.toFixed(1)} s (load ${(await loadAverage()).toFixed(1)})`,
        );
      }
    } finally {
      await d.stop();
    }
  }
  console.log(table(rows));
}

async function loadAverage(): Promise<number> {
  const { stdout } = await exec('cat', ['/proc/loadavg']);
  return Number(stdout.split(' ')[0]);
}

export function table(rows: readonly Row[]): string {
  const head = ['repository', 'fix hosts', 'batches', 'fix stage (s)', 'run (s)', 'batches/hour', 'speed-up'];
  const lines = rows.map((r) => {
    const one = rows.find((o) => o.repo === r.repo && o.workers === 1);
    const speedUp = one ? `${(r.perHour / one.perHour).toFixed(2)}x` : '';
    return [
      r.repo,
      String(r.workers),
      String(r.batches),
      r.fixS.toFixed(1),
      r.runS.toFixed(1),
      Math.round(r.perHour).toLocaleString('en'),
      speedUp,
    ];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? '').length)));
  const fmt = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [fmt(head), fmt(widths.map((w) => '-'.repeat(w))), ...lines.map(fmt)].join('\n');
}

main().catch((err: Error) => {
  console.error(err.stack ?? err.message);
  process.exit(1);
});
