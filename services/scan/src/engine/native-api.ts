/**
 * The native compiler kept running as a server (typescript@7's API, marked unstable by its
 * authors), for warm push scans: it holds the parsed and bound program, and a changed file
 * costs one re-check of that file. Files are served from the warm project's memory through
 * the API's virtual file system; anything outside the repository (installed dependencies,
 * the compiler's own libraries) comes from disk.
 */
import path from 'node:path';
import type { API, APIOptions, Program, Snapshot } from 'typescript-native/unstable/sync';
import type { SemanticDiagnostic } from '../rules/types.ts';
import { DERIVED_CONFIG, findNativeTsc } from './native-tsc.ts';
import { derivedConfigText } from './projects.ts';

/** What the checker needs to see of the warm project's files. */
export interface FileView {
  root: string;
  /** Repository path of an absolute name inside the in-memory tree; undefined outside it. */
  rel(abs: string): string | undefined;
  text(rel: string): string | undefined;
  isDirectory(rel: string): boolean;
  entries(rel: string): { files: string[]; directories: string[] };
}

export interface WarmChecker {
  /** Null when no project's program contains the file. */
  diagnosticsFor(file: string): SemanticDiagnostic[] | null;
  /** Tells the checker which files changed in memory. */
  filesChanged(changed: readonly string[], created: readonly string[], deleted: readonly string[]): void;
  dispose(): void;
}

/** Starts the native compiler as an API server (it runs until closed). */
export type StartNativeApi = (options: Omit<APIOptions, 'tsserverPath'>) => API;

let starter: Promise<StartNativeApi | null> | undefined;

/**
 * The native API's starter, or null where the package or its platform executable is missing.
 * The client comes from the package's published `unstable/sync` entry point; it is pointed at
 * the executable the full scan runs (`findNativeTsc`), so both use one compiler.
 */
export function loadNativeApi(): Promise<StartNativeApi | null> {
  starter ??= (async () => {
    try {
      const exe = await findNativeTsc();
      if (exe === null) return null;
      const { API: Api } = await import('typescript-native/unstable/sync');
      return (options) => new Api({ ...options, tsserverPath: exe });
    } catch {
      return null;
    }
  })();
  return starter;
}

export class NativeWarmChecker implements WarmChecker {
  private readonly api: API;
  private snapshot: Snapshot;
  private readonly derived: string[];
  private programFiles = new Map<string, Set<string>>();

  constructor(
    start: StartNativeApi,
    private readonly view: FileView,
    configs: readonly string[],
  ) {
    // The scan's options come from a derived config that exists only in memory, beside
    // each project's own, so its globs resolve exactly as the project's do.
    const virtualConfigs = new Map<string, string>();
    for (const config of configs) {
      const derived = path.posix.join(path.posix.dirname(config), DERIVED_CONFIG);
      virtualConfigs.set(derived, derivedConfigText(path.posix.basename(config), {}));
    }
    this.derived = [...virtualConfigs.keys()].map((rel) => path.join(view.root, rel));
    this.api = start({
      cwd: view.root,
      fs: {
        // null: "no such file" inside the repository; undefined: ask the real disk.
        readFile: (name: string) => {
          const rel = view.rel(name);
          if (rel === undefined) return undefined;
          return virtualConfigs.get(rel) ?? view.text(rel) ?? null;
        },
        fileExists: (name: string) => {
          const rel = view.rel(name);
          return rel === undefined ? undefined : virtualConfigs.has(rel) || view.text(rel) !== undefined;
        },
        directoryExists: (name: string) => {
          const rel = view.rel(name);
          return rel === undefined ? undefined : view.isDirectory(rel);
        },
        getAccessibleEntries: (name: string) => {
          const rel = view.rel(name);
          return rel === undefined ? undefined : view.entries(rel);
        },
      },
    });
    this.snapshot = this.api.updateSnapshot({ openProjects: this.derived });
  }

  diagnosticsFor(file: string): SemanticDiagnostic[] | null {
    const abs = path.join(this.view.root, file);
    const text = this.view.text(file) ?? '';
    for (const config of this.derived) {
      const project = this.snapshot.getProject(config);
      if (!project || !this.filesOf(config, project.program).has(abs)) continue;
      const lineStarts = lineStartsOf(text);
      return project.program.getSemanticDiagnostics(abs).map((d) => {
        const { line, column } = lineAndColumn(lineStarts, d.pos);
        return { code: d.code, line, column, message: d.text };
      });
    }
    return null;
  }

  filesChanged(changed: readonly string[], created: readonly string[], deleted: readonly string[]): void {
    const abs = (files: readonly string[]) => files.map((f) => path.join(this.view.root, f));
    const previous = this.snapshot;
    this.snapshot = this.api.updateSnapshot({
      fileChanges: { changed: abs(changed), created: abs(created), deleted: abs(deleted) },
    });
    previous.dispose();
    this.programFiles.clear();
  }

  dispose(): void {
    this.snapshot.dispose();
    this.api.close();
  }

  private filesOf(config: string, program: Program): Set<string> {
    let files = this.programFiles.get(config);
    if (!files) {
      files = new Set(program.getSourceFileNames());
      this.programFiles.set(config, files);
    }
    return files;
  }
}

function lineStartsOf(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
  return starts;
}

function lineAndColumn(starts: readonly number[], pos: number): { line: number; column: number } {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((starts[mid] ?? 0) <= pos) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, column: pos - (starts[lo] ?? 0) + 1 };
}
