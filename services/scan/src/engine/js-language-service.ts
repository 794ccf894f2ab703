/**
 * The JavaScript compiler's language service as the warm checker, where the native
 * compiler's API cannot start: the same per-file diagnostics, a few times slower.
 */
import path from 'node:path';
// The compiler package ships the `lib` declaration files on disk, which the language
// service reads.
import { ts } from '@selfreview/shared/compiler';
import type { SemanticDiagnostic } from '../rules/types.ts';
import { readDirectory } from './config-globs.ts';
import { compilerOverrides } from './in-process.ts';
import type { FileView, WarmChecker } from './native-api.ts';

interface Project {
  service: ts.LanguageService;
  fileNames: string[];
  options: ts.CompilerOptions;
}

export class LanguageServiceChecker implements WarmChecker {
  private readonly registry = ts.createDocumentRegistry();
  private readonly projects: Project[];
  private readonly versions = new Map<string, number>();
  private nextVersion = 1;

  constructor(
    private readonly view: FileView,
    configs: readonly string[],
  ) {
    this.projects = configs.flatMap((config) => {
      const parsed = this.parseConfig(config);
      return parsed ? [this.createProject(parsed)] : [];
    });
  }

  diagnosticsFor(file: string): SemanticDiagnostic[] | null {
    const abs = path.join(this.view.root, file);
    for (const project of this.projects) {
      const sourceFile = project.service.getProgram()?.getSourceFile(abs);
      if (!sourceFile) continue;
      return project.service.getSemanticDiagnostics(abs).map((d) => {
        const pos = sourceFile.getLineAndCharacterOfPosition(d.start ?? 0);
        return {
          code: d.code,
          line: pos.line + 1,
          column: pos.character + 1,
          message: ts.flattenDiagnosticMessageText(d.messageText, '\n'),
        };
      });
    }
    return null;
  }

  filesChanged(changed: readonly string[], created: readonly string[], deleted: readonly string[]): void {
    // Versions are unique for the checker's whole life, so a re-added file is never
    // mistaken for its old self.
    for (const file of [...changed, ...created, ...deleted]) this.versions.set(file, this.nextVersion++);
  }

  dispose(): void {
    for (const p of this.projects) p.service.dispose();
  }

  private parseConfig(config: string): ts.ParsedCommandLine | undefined {
    const host = this.configHost();
    const abs = path.join(this.view.root, config);
    const json = ts.readConfigFile(abs, host.readFile);
    if (json.error) return undefined;
    return ts.parseJsonConfigFileContent(json.config, host, path.dirname(abs), compilerOverrides(), abs);
  }

  private createProject(parsed: ts.ParsedCommandLine): Project {
    // Rejected or deprecated options only produce option diagnostics, which are not asked
    // for: per-file diagnostics are computed all the same.
    const project = { fileNames: parsed.fileNames, options: parsed.options } as Project;
    const host: ts.LanguageServiceHost = {
      getCompilationSettings: () => project.options,
      getScriptFileNames: () => project.fileNames,
      getScriptVersion: (name) => {
        const rel = this.view.rel(name);
        return rel === undefined ? '0' : String(this.versions.get(rel) ?? 0);
      },
      getScriptSnapshot: (name) => {
        const text = this.readAny(name);
        return text === undefined ? undefined : ts.ScriptSnapshot.fromString(text);
      },
      getCurrentDirectory: () => this.view.root,
      getDefaultLibFileName: (o) => ts.getDefaultLibFilePath(o),
      fileExists: (name) => this.readAny(name) !== undefined,
      readFile: (name) => this.readAny(name),
      directoryExists: (name) => {
        const rel = this.view.rel(name);
        return rel !== undefined ? this.view.isDirectory(rel) : ts.sys.directoryExists(name);
      },
      getDirectories: (name) => {
        const rel = this.view.rel(name);
        return rel !== undefined ? this.view.entries(rel).directories : ts.sys.getDirectories(name);
      },
      readDirectory: (dir, extensions, excludes, includes, depth) => [
        ...this.configHost().readDirectory(dir, extensions ?? [], excludes, includes ?? [], depth),
      ],
      useCaseSensitiveFileNames: () => true,
    };
    project.service = ts.createLanguageService(host, this.registry);
    return project;
  }

  private configHost(): ts.ParseConfigHost {
    // `include` patterns matched against the in-memory tree, so they select what the
    // commit holds (the compiler's public reader walks the real disk).
    return {
      useCaseSensitiveFileNames: true,
      fileExists: (name) => this.readAny(name) !== undefined,
      readFile: (name) => this.readAny(name),
      readDirectory: (dir, extensions, excludes, includes, depth) =>
        readDirectory((d) => this.entriesAny(d), dir, extensions, excludes, includes, depth),
    };
  }

  private readAny(abs: string): string | undefined {
    const rel = this.view.rel(abs);
    return rel !== undefined ? this.view.text(rel) : ts.sys.readFile(abs);
  }

  private entriesAny(abs: string): { files: readonly string[]; directories: readonly string[] } {
    const rel = this.view.rel(abs);
    if (rel !== undefined) return this.view.entries(rel);
    return { files: [], directories: ts.sys.directoryExists(abs) ? ts.sys.getDirectories(abs) : [] };
  }
}
