/**
 * Gathering what the judgements need (the adapter side of apply): the file at the current
 * head and as scanned, the repository's export/import index when a candidate needs it,
 * memory from earlier runs, and the path rules of the repository's config.
 */
import { CHECKS_USING_REPO_INDEX, testFileGlobs } from '@selfreview/checks';
import { parseFile, type ts } from '@selfreview/shared/compiler';
import type { RepoConfig } from '@selfreview/shared/config';
import type { MemoryRecord } from '@selfreview/shared/memory';
import {
  importsTestRunner,
  isGeneratedFile,
  isTestFile,
  isTypeTestFile,
  selectSourceFiles,
} from '@selfreview/shared/repo-files';
import type { Candidate } from '@selfreview/shared/schemas';
import type { Repository } from '@selfreview/shared/workspace';
import picomatch from 'picomatch';
import { conventionFiles, matchesAny, type RepoConventions, readConventions } from './conventions.ts';
import type { JudgeContext } from './judgements/types.ts';
import { RepoIndex } from './repo-index.ts';

/**
 * Indexes and conventions (lint and test-runner configuration) by repository and commit,
 * kept for the worker's life (a push run touches many files of one commit).
 */
export class RepoIndexCache {
  private readonly entries = new Map<string, Promise<RepoIndex>>();
  private readonly conventionEntries = new Map<string, Promise<RepoConventions>>();
  private readonly trees = new Map<string, ReturnType<Repository['listFilesWithSize']>>();
  constructor(private readonly capacity = 4) {}

  /** The commit's file listing, which both the index and the conventions start from. */
  private tree(repo: Repository, sha: string): ReturnType<Repository['listFilesWithSize']> {
    const key = `${repo.root}\0${sha}`;
    let entry = this.trees.get(key);
    if (!entry) {
      entry = repo.listFilesWithSize(sha);
      this.trees.set(key, entry);
      entry.catch(() => this.trees.delete(key));
      while (this.trees.size > this.capacity) this.trees.delete(this.trees.keys().next().value as string);
    }
    return entry;
  }

  /** Read once per repository and commit; every candidate of every file needs them. */
  conventions(repo: Repository, sha: string): Promise<RepoConventions> {
    const key = `${repo.root}\0${sha}`;
    let entry = this.conventionEntries.get(key);
    if (!entry) {
      entry = (async () => {
        const tree = await this.tree(repo, sha);
        return readConventions(await repo.readFiles(sha, conventionFiles(tree.map((e) => e.path))));
      })();
      this.conventionEntries.set(key, entry);
      entry.catch(() => this.conventionEntries.delete(key));
      while (this.conventionEntries.size > this.capacity)
        this.conventionEntries.delete(this.conventionEntries.keys().next().value as string);
    }
    return entry;
  }

  get(repo: Repository, sha: string, ignore: readonly string[]): Promise<RepoIndex> {
    const key = `${repo.root}\0${sha}`;
    let entry = this.entries.get(key);
    if (!entry) {
      entry = (async () => {
        const tree = await this.tree(repo, sha);
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
  /**
   * The file's text at `headSha` and at `baseSha` (null where it does not exist), when the
   * caller has read them already (judgeFiles reads a whole group's in one git command each).
   */
  texts?: { fileText: string | null; scannedText: string | null };
}

/** One context per candidate (they differ only in memory), sharing the file's parse. */
export async function buildContexts(input: ContextInput): Promise<Map<string, JudgeContext>> {
  const { repo, config, file } = input;
  const fileText = input.texts ? input.texts.fileText : await repo.readFile(input.headSha, file);
  const scannedText = input.texts
    ? input.texts.scannedText
    : input.baseSha === input.headSha
      ? fileText
      : await repo.readFile(input.baseSha, file);
  // Parsed on first use: most findings of an unchanged file are judged from its text alone
  // (see needsModel), and the parse is most of what judging a file costs.
  let parsed: ts.SourceFile | null | undefined;
  const sourceFile = (): ts.SourceFile | null => {
    if (parsed === undefined) parsed = fileText === null ? null : parseFile(file, fileText);
    return parsed;
  };
  const needsIndex = input.candidates.some((c) => CHECKS_USING_REPO_INDEX.has(c.rule));
  const index = needsIndex ? await input.indexes.get(repo, input.headSha, config.ignore) : undefined;
  const conventions = await input.indexes.conventions(repo, input.headSha);
  const matches = (globs: readonly string[]) =>
    globs.length > 0 && picomatch([...globs], { dot: true })(file);
  const shared = {
    fileText,
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
    unusedNames: conventions.unusedNames,
    testFile:
      isTestFile(file, testFileGlobs(config)) ||
      isTestFile(file, []) ||
      matchesAny(conventions.testRunner.tests, file) ||
      matchesAny(conventions.testRunner.typeTests, file) ||
      (fileText !== null && importsTestRunner(fileText)),
    typeTestFile: typeTestReason(file, fileText, conventions),
  };
  return new Map(
    input.candidates.map((c) => {
      const context = { ...shared, memory: input.memory.get(c.id) };
      // A getter, defined after the spread (a spread would read it at once).
      Object.defineProperty(context, 'sourceFile', { get: sourceFile, enumerable: true });
      return [c.id, context as typeof context & { sourceFile: ts.SourceFile | null }];
    }),
  );
}

function typeTestReason(file: string, text: string | null, conventions: RepoConventions): string | undefined {
  if (isTypeTestFile(file, text)) return 'by its name or a type-assertion library import';
  if (matchesAny(conventions.testRunner.typeTests, file))
    return "the test runner's typecheck globs include it";
  return undefined;
}
