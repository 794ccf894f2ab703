/**
 * Gathering what the judgements need (the adapter side of apply): the file at the current
 * head and as scanned, the repository's export/import index when a candidate needs it,
 * memory from earlier runs, and the path rules of the repository's config.
 */
import type { RepoConfig } from '@selfreview/shared/config';
import type { MemoryRecord } from '@selfreview/shared/memory';
import { isGeneratedFile, selectSourceFiles } from '@selfreview/shared/repo-files';
import type { Candidate } from '@selfreview/shared/schemas';
import type { Repository } from '@selfreview/shared/workspace';
import picomatch from 'picomatch';
import { ts } from 'ts-morph';
import type { JudgeContext } from './judgements/types.ts';
import { RepoIndex } from './repo-index.ts';

/** Rules whose judgement asks who exports or imports a name. */
const NEEDS_INDEX = new Set<Candidate['rule']>(['undefined-identifier', 'unused-parameter']);

/** Indexes by repository and commit, kept for the worker's life (a push run touches many files of one commit). */
export class RepoIndexCache {
  private readonly entries = new Map<string, Promise<RepoIndex>>();
  constructor(private readonly capacity = 4) {}

  get(repo: Repository, sha: string, ignore: readonly string[]): Promise<RepoIndex> {
    const key = `${repo.root}\0${sha}`;
    let entry = this.entries.get(key);
    if (!entry) {
      entry = (async () => {
        const tree = await repo.listFilesWithSize(sha);
        const files = selectSourceFiles(tree, { ignore: [...ignore] }).files;
        return RepoIndex.build(await repo.readFiles(sha, files));
      })();
      this.entries.set(key, entry);
      entry.catch(() => this.entries.delete(key));
      while (this.entries.size > this.capacity)
        this.entries.delete(this.entries.keys().next().value as string);
    }
    return entry;
  }
}

export interface ContextInput {
  repo: Repository;
  config: RepoConfig;
  file: string;
  candidates: readonly Candidate[];
  baseSha: string;
  /** The commit the candidates are re-checked at: the branch's tip now. */
  headSha: string;
  memory: ReadonlyMap<string, MemoryRecord>;
  indexes: RepoIndexCache;
  llmAvailable: boolean;
  now?: number;
}

/** One context per candidate (they differ only in memory), sharing the file's parse. */
export async function buildContexts(input: ContextInput): Promise<Map<string, JudgeContext>> {
  const { repo, config, file } = input;
  const fileText = await repo.readFile(input.headSha, file);
  const scannedText = input.baseSha === input.headSha ? fileText : await repo.readFile(input.baseSha, file);
  const sourceFile =
    fileText === null
      ? null
      : ts.createSourceFile(
          file,
          fileText,
          { languageVersion: ts.ScriptTarget.Latest, jsDocParsingMode: ts.JSDocParsingMode.ParseNone },
          true,
        );
  const needsIndex = input.candidates.some((c) => NEEDS_INDEX.has(c.rule));
  const index = needsIndex ? await input.indexes.get(repo, input.headSha, config.ignore) : undefined;
  const matches = (globs: readonly string[]) =>
    globs.length > 0 && picomatch([...globs], { dot: true })(file);
  const shared = {
    fileText,
    sourceFile,
    scannedText,
    isGenerated: fileText !== null && isGeneratedFile(file, fileText),
    llmAvailable: input.llmAvailable,
    exportersOf: (name: string) => index?.exportersOf(name, file) ?? [],
    importSourceOf: (name: string, module: string) => index?.importSource(name, module),
    importersOf: (name: string) => index?.importersOf(file, name) ?? [],
    now: input.now ?? Date.now(),
    memoryDays: config.apply.memoryDays,
    protectedPath: matches(config.protectedPaths),
    ignoredPath: matches(config.ignore),
  };
  return new Map(input.candidates.map((c) => [c.id, { ...shared, memory: input.memory.get(c.id) }]));
}
