/**
 * A warm program for push scans: the repository's TypeScript held in memory at a commit,
 * with one language service per project, kept by the long-running scan worker. A push
 * scan moves it to the new commit by re-reading only the files git says changed, then
 * asks the compiler about the pushed files alone; everything else (parsed files, module
 * resolution) is reused from the previous scan.
 *
 * Files come from git objects, never from the working tree; installed dependencies
 * (`node_modules`) and the compiler's own libraries come from disk.
 */
import path from 'node:path';
import type { Repository } from '@selfreview/shared/workspace';
// The JavaScript compiler package itself: it ships the `lib` declaration files on disk,
// which the language service reads (ts-morph's bundled copy keeps them in memory).
import ts from 'typescript';
import { parseSourceFile } from '../analyze.ts';
import type { SemanticDiagnostic, TestIndex } from '../rules/types.ts';
import { collectReferencedNames, isTestFile } from '../test-files.ts';
import { compilerOverrides } from './in-process.ts';
import { discoverProjects } from './projects.ts';
import { snapshotFiles } from './snapshot.ts';

interface Entry {
  text: string;
  version: number;
}

interface Project {
  config: string;
  service: ts.LanguageService;
  /** Absolute file names of the project's root files, recomputed when files come or go. */
  fileNames: string[];
  options: ts.CompilerOptions;
}

export interface WarmDiagnostics {
  /** False when no project's program contains the file. */
  inProgram: boolean;
  diagnostics: SemanticDiagnostic[];
}

export class WarmProject {
  private readonly files = new Map<string, Entry>();
  private readonly dirs = new Set<string>();
  private projects: Project[] = [];
  private readonly registry = ts.createDocumentRegistry();
  private testNames = new Map<string, Set<string>>();
  /** Versions are unique across the whole life of the project, so a re-added file is never mistaken for its old self. */
  private nextVersion = 1;
  sha = '';
  /** When the project was last used, for eviction. */
  lastUsed = Date.now();

  private constructor(
    readonly root: string,
    private readonly testPatterns: readonly string[],
  ) {}

  /** Reads the repository at `sha` and sets up its projects (no type checking yet). */
  static async create(
    repo: Repository,
    sha: string,
    testPatterns: readonly string[] = [],
  ): Promise<WarmProject> {
    const warm = new WarmProject(repo.root, testPatterns);
    const tree = await repo.listFilesWithSize(sha);
    const texts = await repo.readFiles(sha, snapshotFiles(tree));
    for (const [file, text] of texts) warm.files.set(file, { text, version: 0 });
    warm.sha = sha;
    warm.rebuildDirs();
    warm.rebuildProjects();
    for (const file of warm.files.keys()) warm.indexTestFile(file);
    return warm;
  }

  /**
   * Moves to `sha`, reading only the files that differ from the current commit. Returns
   * how many files changed.
   */
  async advanceTo(repo: Repository, sha: string): Promise<number> {
    if (sha === this.sha) return 0;
    const changed = await repo.changedFiles(this.sha, sha);
    const tree = await repo.listFilesWithSize(sha);
    const wanted = new Set(snapshotFiles(tree));
    const relevant = changed.filter((f) => wanted.has(f) || this.files.has(f));
    const texts = await repo.readFiles(
      sha,
      relevant.filter((f) => wanted.has(f)),
    );
    let structural = false;
    for (const file of relevant) {
      const text = texts.get(file);
      const entry = this.files.get(file);
      if (text === undefined) {
        if (entry) {
          this.files.delete(file);
          structural = true;
        }
      } else if (!entry) {
        this.files.set(file, { text, version: this.nextVersion++ });
        structural = true;
      } else if (entry.text !== text) {
        this.files.set(file, { text, version: this.nextVersion++ });
      }
      if (/(^|\/)(tsconfig[^/]*\.json|package\.json)$/.test(file)) structural = true;
      this.indexTestFile(file);
    }
    this.sha = sha;
    if (structural) {
      this.rebuildDirs();
      this.rebuildProjects();
    }
    return relevant.length;
  }

  text(file: string): string | undefined {
    return this.files.get(file)?.text;
  }

  hasProjects(): boolean {
    return this.projects.length > 0;
  }

  /** The compiler's diagnostics for one file, from the first project whose program has it. */
  diagnosticsFor(file: string): WarmDiagnostics {
    this.lastUsed = Date.now();
    const abs = this.abs(file);
    for (const project of this.projects) {
      const program = project.service.getProgram();
      const sourceFile = program?.getSourceFile(abs);
      if (!sourceFile) continue;
      const diagnostics = project.service.getSemanticDiagnostics(abs).map((d) => {
        const pos = sourceFile.getLineAndCharacterOfPosition(d.start ?? 0);
        return {
          code: d.code,
          line: pos.line + 1,
          column: pos.character + 1,
          message: ts.flattenDiagnosticMessageText(d.messageText, '\n'),
        };
      });
      return { inProgram: true, diagnostics };
    }
    return { inProgram: false, diagnostics: [] };
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
    for (const p of this.projects) p.service.dispose();
    this.projects = [];
  }

  private indexTestFile(file: string): void {
    if (!/\.[cm]?tsx?$/.test(file) || !this.isTestFile(file)) return;
    const entry = this.files.get(file);
    if (!entry) {
      this.testNames.delete(file);
      return;
    }
    this.testNames.set(file, collectReferencedNames(parseSourceFile(file, entry.text)));
  }

  private abs(file: string): string {
    return path.join(this.root, file);
  }

  /** The repository path of an absolute name inside the in-memory tree, else undefined. */
  private rel(abs: string): string | undefined {
    const rel = path.relative(this.root, abs).split(path.sep).join('/');
    if (rel.startsWith('..') || path.isAbsolute(rel) || rel.split('/').includes('node_modules'))
      return undefined;
    return rel;
  }

  private rebuildDirs(): void {
    this.dirs.clear();
    this.dirs.add('');
    for (const file of this.files.keys()) {
      for (let dir = path.posix.dirname(file); dir !== '.'; dir = path.posix.dirname(dir)) this.dirs.add(dir);
    }
  }

  private rebuildProjects(): void {
    for (const p of this.projects) p.service.dispose();
    const configs = discoverProjects([...this.files.keys()], (p) => this.files.get(p)?.text);
    this.projects = configs.flatMap((config) => {
      const parsed = this.parseConfig(config);
      return parsed ? [this.createProject(config, parsed)] : [];
    });
  }

  private parseConfig(config: string): ts.ParsedCommandLine | undefined {
    const host = this.configHost();
    const json = ts.readConfigFile(this.abs(config), host.readFile);
    if (json.error) return undefined;
    return ts.parseJsonConfigFileContent(
      json.config,
      host,
      path.dirname(this.abs(config)),
      compilerOverrides(),
      this.abs(config),
    );
  }

  private createProject(config: string, parsed: ts.ParsedCommandLine): Project {
    // Rejected or deprecated options only produce option diagnostics, which are not asked
    // for: per-file diagnostics are computed all the same.
    const options: ts.CompilerOptions = parsed.options;
    const project: Project = {
      config,
      service: undefined as unknown as ts.LanguageService,
      fileNames: parsed.fileNames,
      options,
    };
    const host: ts.LanguageServiceHost = {
      getCompilationSettings: () => project.options,
      getScriptFileNames: () => project.fileNames,
      getScriptVersion: (name) => {
        const rel = this.rel(name);
        const entry = rel === undefined ? undefined : this.files.get(rel);
        return entry ? String(entry.version) : '0';
      },
      getScriptSnapshot: (name) => {
        const text = this.readAny(name);
        return text === undefined ? undefined : ts.ScriptSnapshot.fromString(text);
      },
      getCurrentDirectory: () => this.root,
      getDefaultLibFileName: (o) => ts.getDefaultLibFilePath(o),
      fileExists: (name) => this.existsAny(name),
      readFile: (name) => this.readAny(name),
      directoryExists: (name) => this.dirExistsAny(name),
      getDirectories: (name) => this.directoriesOf(name),
      readDirectory: (dir, extensions, excludes, includes, depth) => [
        ...this.configHost().readDirectory(dir, extensions ?? [], excludes, includes ?? [], depth),
      ],
      useCaseSensitiveFileNames: () => true,
    };
    project.service = ts.createLanguageService(host, this.registry);
    return project;
  }

  private configHost(): ts.ParseConfigHost {
    const matchFiles = (ts as unknown as { matchFiles: MatchFiles }).matchFiles;
    return {
      useCaseSensitiveFileNames: true,
      fileExists: (name) => this.existsAny(name),
      readFile: (name) => this.readAny(name),
      readDirectory: (dir, extensions, excludes, includes, depth) =>
        matchFiles(
          dir,
          extensions,
          excludes,
          includes,
          true,
          this.root,
          depth,
          (d) => this.entriesOf(d),
          (p) => p,
        ),
    };
  }

  private readAny(abs: string): string | undefined {
    const rel = this.rel(abs);
    if (rel !== undefined) return this.files.get(rel)?.text;
    return ts.sys.readFile(abs);
  }

  private existsAny(abs: string): boolean {
    const rel = this.rel(abs);
    return rel !== undefined ? this.files.has(rel) : ts.sys.fileExists(abs);
  }

  private dirExistsAny(abs: string): boolean {
    const rel = this.rel(abs);
    return rel !== undefined ? this.dirs.has(rel === '' ? '' : rel) : ts.sys.directoryExists(abs);
  }

  private directoriesOf(abs: string): string[] {
    return this.rel(abs) !== undefined ? this.entriesOf(abs).directories : ts.sys.getDirectories(abs);
  }

  private entriesOf(abs: string): { files: string[]; directories: string[] } {
    const rel = this.rel(abs);
    if (rel === undefined) {
      return {
        files: [],
        directories: ts.sys.directoryExists(abs) ? ts.sys.getDirectories(abs) : [],
      };
    }
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
}

type MatchFiles = (
  path: string,
  extensions: readonly string[] | undefined,
  excludes: readonly string[] | undefined,
  includes: readonly string[] | undefined,
  useCaseSensitiveFileNames: boolean,
  currentDirectory: string,
  depth: number | undefined,
  getFileSystemEntries: (path: string) => { files: readonly string[]; directories: readonly string[] },
  realpath: (path: string) => string,
) => string[];

/**
 * The warm projects a scan worker keeps, at most `capacity` repositories; the least
 * recently used one is dropped first (each can hold hundreds of megabytes).
 */
export class WarmCache {
  private readonly projects = new Map<string, WarmProject>();
  constructor(private readonly capacity = 2) {}

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
    const project = await WarmProject.create(repo, sha, testPatterns);
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
