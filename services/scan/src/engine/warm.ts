/**
 * A warm program for push scans: the repository's TypeScript held in memory at a commit,
 * checked by a compiler that stays loaded in the long-running scan worker. A push scan
 * moves it to the new commit by reading only the files git says changed, then asks about
 * the pushed files alone; parsing, binding and module resolution of the rest are reused.
 *
 * Files come from git objects, never from the working tree; installed dependencies
 * (`node_modules`) and the compiler's own libraries come from disk.
 */
import path from 'node:path';
import type { Repository } from '@selfreview/shared/workspace';
import { parseSourceFile } from '../analyze.ts';
import type { SemanticDiagnostic, TestIndex } from '../rules/types.ts';
import { collectReferencedNames, isTestFile } from '../test-files.ts';
import type { LanguageServiceChecker } from './js-language-service.ts';
import {
  type FileView,
  loadNativeApi,
  NativeWarmChecker,
  type StartNativeApi,
  type WarmChecker,
} from './native-api.ts';
import { discoverProjects } from './projects.ts';
import { snapshotFiles } from './snapshot.ts';

export interface WarmDiagnostics {
  /** False when no project's program contains the file. */
  inProgram: boolean;
  diagnostics: SemanticDiagnostic[];
}

export type CheckerKind = 'native' | 'javascript';

export class WarmProject implements FileView {
  private readonly files = new Map<string, string>();
  private readonly dirs = new Set<string>();
  private checker: WarmChecker | undefined;
  private configs: string[] = [];
  private readonly testNames = new Map<string, Set<string>>();
  sha = '';
  /** When the project was last used, for eviction. */
  lastUsed = Date.now();

  readonly checkerKind: CheckerKind;

  private constructor(
    readonly root: string,
    private readonly testPatterns: readonly string[],
    private readonly nativeApi: StartNativeApi | null,
    private readonly Fallback: typeof LanguageServiceChecker | null,
  ) {
    this.checkerKind = nativeApi ? 'native' : 'javascript';
  }

  /** Reads the repository at `sha` and loads its projects into a compiler. */
  static async create(
    repo: Repository,
    sha: string,
    opts: { testPatterns?: readonly string[]; checker?: CheckerKind } = {},
  ): Promise<WarmProject> {
    const NativeApi = opts.checker === 'javascript' ? null : await loadNativeApi();
    // The JavaScript compiler is loaded only when the native one cannot serve.
    const Fallback = NativeApi ? null : (await import('./js-language-service.ts')).LanguageServiceChecker;
    const warm = new WarmProject(repo.root, opts.testPatterns ?? [], NativeApi, Fallback);
    const tree = await repo.listFilesWithSize(sha);
    const texts = await repo.readFiles(sha, snapshotFiles(tree));
    for (const [file, text] of texts) warm.files.set(file, text);
    warm.sha = sha;
    warm.rebuild();
    for (const file of warm.files.keys()) warm.indexTestFile(file);
    return warm;
  }

  /**
   * Moves to `sha`, reading only the files that differ from the current commit. Returns
   * how many files changed.
   */
  async advanceTo(repo: Repository, sha: string): Promise<number> {
    if (sha === this.sha) return 0;
    const changes = await repo.diffNameStatus(this.sha, sha);
    const relevant = changes.filter(
      (c) => snapshotFiles([{ path: c.path, size: 0, mode: '100644' }]).length > 0,
    );
    const texts = await repo.readFiles(
      sha,
      relevant.filter((c) => c.status !== 'D').map((c) => c.path),
    );
    const changed: string[] = [];
    const created: string[] = [];
    const deleted: string[] = [];
    for (const { path: file } of relevant) {
      const text = texts.get(file);
      if (text === undefined) {
        if (this.files.delete(file)) deleted.push(file);
      } else if (!this.files.has(file)) {
        this.files.set(file, text);
        created.push(file);
      } else if (this.files.get(file) !== text) {
        this.files.set(file, text);
        changed.push(file);
      }
      this.indexTestFile(file);
    }
    this.sha = sha;
    const structural =
      created.length > 0 ||
      deleted.length > 0 ||
      changed.some((f) => /(^|\/)(tsconfig[^/]*\.json|package\.json)$/.test(f));
    if (structural) this.rebuild();
    else if (changed.length > 0) this.checker?.filesChanged(changed, created, deleted);
    return relevant.length;
  }

  hasProjects(): boolean {
    return this.configs.length > 0;
  }

  /** The compiler's diagnostics for one file, from the first project whose program has it. */
  diagnosticsFor(file: string): WarmDiagnostics {
    this.lastUsed = Date.now();
    const diagnostics = this.checker?.diagnosticsFor(file) ?? null;
    return diagnostics === null ? { inProgram: false, diagnostics: [] } : { inProgram: true, diagnostics };
  }

  testIndex(): TestIndex {
    const names = new Set<string>();
    for (const set of this.testNames.values()) for (const n of set) names.add(n);
    return { testFiles: this.testNames.size, referencedNames: names };
  }

  isTestFile(file: string): boolean {
    return isTestFile(file, this.testPatterns);
  }

  dispose(): void {
    this.checker?.dispose();
    this.checker = undefined;
  }

  // FileView: what the compilers see of the in-memory tree.

  text(file: string): string | undefined {
    return this.files.get(file);
  }

  rel(abs: string): string | undefined {
    const rel = path.relative(this.root, abs).split(path.sep).join('/');
    if (rel.startsWith('..') || path.isAbsolute(rel) || rel.split('/').includes('node_modules'))
      return undefined;
    return rel;
  }

  isDirectory(rel: string): boolean {
    return this.dirs.has(rel);
  }

  entries(rel: string): { files: string[]; directories: string[] } {
    const prefix = rel === '' ? '' : `${rel}/`;
    const files: string[] = [];
    const directories = new Set<string>();
    for (const file of this.files.keys()) {
      if (!file.startsWith(prefix)) continue;
      const rest = file.slice(prefix.length);
      const slash = rest.indexOf('/');
      if (slash < 0) files.push(rest);
      else directories.add(rest.slice(0, slash));
    }
    return { files, directories: [...directories] };
  }

  private indexTestFile(file: string): void {
    if (!/\.[cm]?tsx?$/.test(file) || !this.isTestFile(file)) return;
    const text = this.files.get(file);
    if (text === undefined) this.testNames.delete(file);
    else this.testNames.set(file, collectReferencedNames(parseSourceFile(file, text)));
  }

  /** New directories, projects and checker: after files came or went or a config changed. */
  private rebuild(): void {
    this.dirs.clear();
    this.dirs.add('');
    for (const file of this.files.keys()) {
      for (let dir = path.posix.dirname(file); dir !== '.'; dir = path.posix.dirname(dir)) this.dirs.add(dir);
    }
    this.checker?.dispose();
    this.configs = discoverProjects([...this.files.keys()], (p) => this.files.get(p));
    this.checker = undefined;
    if (this.configs.length === 0) return;
    this.checker = this.nativeApi
      ? new NativeWarmChecker(this.nativeApi, this, this.configs)
      : this.Fallback
        ? new this.Fallback(this, this.configs)
        : undefined;
  }
}

/**
 * The warm projects a scan worker keeps, at most `capacity` repositories; the least
 * recently used one is dropped first (each can hold hundreds of megabytes).
 */
export class WarmCache {
  private readonly projects = new Map<string, WarmProject>();
  constructor(
    private readonly capacity = 2,
    private readonly checker?: CheckerKind,
  ) {}

  /** The warm project for `repo`, created or advanced to `sha`. */
  async get(
    repo: Repository,
    sha: string,
    testPatterns: readonly string[],
  ): Promise<{ project: WarmProject; cold: boolean }> {
    const existing = this.projects.get(repo.root);
    if (existing) {
      await existing.advanceTo(repo, sha);
      existing.lastUsed = Date.now();
      return { project: existing, cold: false };
    }
    const project = await WarmProject.create(repo, sha, {
      testPatterns,
      ...(this.checker ? { checker: this.checker } : {}),
    });
    this.projects.set(repo.root, project);
    while (this.projects.size > this.capacity) {
      const oldest = [...this.projects.entries()].sort((a, b) => a[1].lastUsed - b[1].lastUsed)[0];
      if (!oldest) break;
      oldest[1].dispose();
      this.projects.delete(oldest[0]);
    }
    return { project, cold: true };
  }

  clear(): void {
    for (const p of this.projects.values()) p.dispose();
    this.projects.clear();
  }
}
