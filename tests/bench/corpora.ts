/**
 * The pinned npm corpora of docs/anchors.md, turned into git repositories every tool reads
 * the same way: `npm pack` -> tarball cache -> extracted package -> repos/<name> holding the
 * package's TypeScript sources under `src/`, one generated tsconfig.json, and a package.json that
 * carries only the package's own module type.
 *
 * Why the package.json: with `module: nodenext` a .ts file is ESM or CommonJS by the nearest
 * package.json's "type". Without one in the repository, the answer would come from whatever folder
 * holds the cache (selfreview's own root says "module", which buried rxjs under 1,200 "relative
 * import needs an extension" errors), so the results would depend on where the cache lives.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cp, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const exec = promisify(execFile);

export const CORPORA = [
  { name: 'rxjs', version: '7.8.2' },
  { name: 'zod', version: '4.6.7' },
  { name: 'effect', version: '4.1.0' },
] as const;

export type Corpus = (typeof CORPORA)[number];
export type CorpusName = Corpus['name'];
export const CORPUS_NAMES: readonly CorpusName[] = CORPORA.map((c) => c.name);

/** The one tsconfig every tool gets, so they all see the same program. */
export const BENCH_TSCONFIG = {
  compilerOptions: {
    strict: true,
    noEmit: true,
    target: 'es2022',
    module: 'nodenext',
    moduleResolution: 'nodenext',
    allowImportingTsExtensions: true,
    skipLibCheck: true,
    types: [],
    lib: ['es2022', 'dom'],
  },
  include: ['src'],
};

/**
 * Only TypeScript sources are copied: rxjs ships tsconfig*.json files and some .js inside `src/`,
 * and a nested tsconfig or stray .js would let the tools disagree about what the program is.
 */
const TS_SOURCE = /\.(ts|tsx|mts|cts)$/;
/** Bump when the repository layout changes, so cached repositories are rebuilt. */
const REPO_LAYOUT = 'ts-sources-v2';

export type PreparedCorpus = {
  name: CorpusName;
  version: string;
  /** The git repository the tools run in. */
  repo: string;
  stats: CorpusStats;
};

/** Source files the tools lint (not .d.ts), and their lines; compare with docs/anchors.md. */
export type CorpusStats = { tsFiles: number; lines: number; declarationFiles: number };

export class CorpusError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'CorpusError';
  }
}

export async function prepareCorpus(
  corpus: Corpus,
  cacheDir: string,
  log: (msg: string) => void,
): Promise<PreparedCorpus> {
  await mkdir(cacheDir, { recursive: true });
  const tarball = await fetchTarball(corpus, cacheDir, log);
  const extracted = await extract(corpus, tarball, cacheDir, log);
  const repo = await makeRepo(corpus, extracted, path.join(cacheDir, 'repos'), log);
  return { name: corpus.name, version: corpus.version, repo, stats: await corpusStats(repo) };
}

async function fetchTarball(corpus: Corpus, cacheDir: string, log: (msg: string) => void): Promise<string> {
  // npm names a scoped package's tarball scope-name-version.tgz.
  const file = path.join(
    cacheDir,
    `${corpus.name.replace(/^@/, '').replace('/', '-')}-${corpus.version}.tgz`,
  );
  if (existsSync(file)) return file;
  log(`npm pack ${corpus.name}@${corpus.version}`);
  // Pack into a private folder and rename, so an interrupted download never looks complete.
  const staging = path.join(cacheDir, `.download-${randomBytes(4).toString('hex')}`);
  await mkdir(staging);
  try {
    await run('npm', ['pack', `${corpus.name}@${corpus.version}`, '--pack-destination', staging], cacheDir);
    const [packed] = await readdir(staging);
    if (packed === undefined)
      throw new CorpusError(`npm pack ${corpus.name}@${corpus.version} wrote nothing`);
    await rename(path.join(staging, packed), file);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  return file;
}

async function extract(
  corpus: Corpus,
  tarball: string,
  cacheDir: string,
  log: (msg: string) => void,
): Promise<string> {
  const dir = path.join(cacheDir, `${corpus.name}-${corpus.version}`);
  if (existsSync(dir)) return dir;
  log(`extract ${path.basename(tarball)}`);
  const staging = `${dir}.partial-${randomBytes(4).toString('hex')}`;
  await mkdir(staging);
  try {
    // npm tarballs hold everything under package/; strip it so the folder is the package root.
    await run('tar', ['-xzf', tarball, '-C', staging, '--strip-components=1'], cacheDir);
    await rename(staging, dir);
  } catch (err) {
    await rm(staging, { recursive: true, force: true });
    throw err;
  }
  return dir;
}

async function makeRepo(
  corpus: Corpus,
  packageDir: string,
  reposDir: string,
  log: (msg: string) => void,
): Promise<string> {
  const repo = path.join(reposDir, corpus.name);
  // The marker lives beside the repository, not in it, so no tool sees it.
  const markerFile = path.join(reposDir, `${corpus.name}.json`);
  const packageJson = {
    name: `bench-${corpus.name}`,
    private: true,
    type: (await moduleType(packageDir)) ?? 'commonjs',
  };
  const marker = `${JSON.stringify({ ...corpus, layout: REPO_LAYOUT, tsconfig: BENCH_TSCONFIG, packageJson }, null, 2)}\n`;
  if (existsSync(path.join(repo, '.git')) && (await readText(markerFile)) === marker) return repo;

  log(`create repository ${repo}`);
  const src = path.join(packageDir, 'src');
  if (!existsSync(src)) throw new CorpusError(`${corpus.name}@${corpus.version} has no src/ folder`);
  await rm(markerFile, { force: true });
  await rm(repo, { recursive: true, force: true });
  await mkdir(repo, { recursive: true });
  await cp(src, path.join(repo, 'src'), {
    recursive: true,
    filter: async (from) => TS_SOURCE.test(from) || (await stat(from)).isDirectory(),
  });
  await writeFile(path.join(repo, 'tsconfig.json'), `${JSON.stringify(BENCH_TSCONFIG, null, 2)}\n`);
  await writeFile(path.join(repo, 'package.json'), `${JSON.stringify(packageJson, null, 2)}\n`);
  await git(repo, 'init', '--quiet', '--initial-branch=main');
  await git(repo, 'add', '--all');
  await git(
    repo,
    '-c',
    'user.name=bench',
    '-c',
    'user.email=bench@localhost',
    '-c',
    'commit.gpgsign=false',
    'commit',
    '--quiet',
    '--no-verify',
    '-m',
    `${corpus.name}@${corpus.version} src`,
  );
  await writeFile(markerFile, marker);
  return repo;
}

/** The "type" of the published package.json, the module format its sources are written for. */
async function moduleType(packageDir: string): Promise<string | undefined> {
  const text = await readText(path.join(packageDir, 'package.json'));
  if (text === undefined) throw new CorpusError(`${packageDir} has no package.json`);
  const { type } = JSON.parse(text) as { type?: unknown };
  return typeof type === 'string' ? type : undefined;
}

async function corpusStats(repo: string): Promise<CorpusStats> {
  const files = (await readdir(path.join(repo, 'src'), { recursive: true })).filter((f) => TS_SOURCE.test(f));
  let tsFiles = 0;
  let lines = 0;
  let declarationFiles = 0;
  for (const file of files) {
    if (/\.d\.(ts|mts|cts)$/.test(file)) {
      declarationFiles += 1;
      continue;
    }
    tsFiles += 1;
    const text = await readFile(path.join(repo, 'src', file), 'utf8');
    lines += text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
  }
  return { tsFiles, lines, declarationFiles };
}

async function readText(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
}

function git(cwd: string, ...args: string[]): Promise<string> {
  return run('git', args, cwd, { GIT_CONFIG_NOSYSTEM: '1', LANG: 'C' });
}

async function run(
  command: string,
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv = {},
): Promise<string> {
  try {
    const { stdout } = await exec(command, args, {
      cwd,
      env: { ...process.env, ...env },
      maxBuffer: 64 * 1024 * 1024,
      timeout: 10 * 60_000,
    });
    return stdout;
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr ?? '';
    throw new CorpusError(`${command} ${args.join(' ')} failed: ${stderr.trim() || String(err)}`, {
      cause: err,
    });
  }
}
