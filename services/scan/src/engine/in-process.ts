/**
 * The JavaScript compiler as a stand-in for the native one, where the native binary has no
 * build for the platform: the same diagnostics, several times slower.
 */
import path from 'node:path';
// The compiler package has its `lib` files on disk, which a program reads.
import { readProjectConfig, ts } from '@selfreview/shared/compiler';
import type { Diagnostic } from '@selfreview/shared/tsc-output';
import type { ProjectCheck } from './native-tsc.ts';
import { SCAN_OPTIONS } from './projects.ts';

export async function checkProjectsInProcess(
  root: string,
  projects: readonly string[],
): Promise<ProjectCheck> {
  // `stopped` stays empty: per-file semantic diagnostics are computed whatever the program's
  // syntax errors (only the command line's report stops at them).
  const result: ProjectCheck = {
    diagnostics: [],
    programFiles: new Set(),
    warnings: [],
    lost: [],
    stopped: [],
  };
  const seen = new Set<string>();
  for (const project of projects) {
    const configPath = path.join(root, project);
    const parsed = readProjectConfig(configPath, compilerOverrides());
    if (!parsed) {
      result.warnings.push(
        `${project}: the compiler could not read it; semantic rules skipped for its files`,
      );
      continue;
    }
    const program = ts.createProgram({ rootNames: parsed.fileNames, options: parsed.options });
    for (const sourceFile of program.getSourceFiles()) {
      const rel = path.relative(root, sourceFile.fileName).split(path.sep).join('/');
      if (rel.startsWith('..') || rel.split('/').includes('node_modules')) continue;
      result.programFiles.add(rel);
      if (sourceFile.isDeclarationFile) continue;
      for (const d of program.getSemanticDiagnostics(sourceFile)) {
        const diagnostic = toDiagnostic(d, rel);
        const key = `${rel}\0${diagnostic.line}\0${diagnostic.column}\0${diagnostic.code}`;
        if (seen.has(key)) continue;
        seen.add(key);
        result.diagnostics.push(diagnostic);
      }
      // Checking a large program takes seconds: let job locks renew in between.
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  return result;
}

/** The scan's options as compiler options (null entries are left to the project). */
export function compilerOverrides(): ts.CompilerOptions {
  const options: ts.CompilerOptions = {};
  for (const [key, value] of Object.entries(SCAN_OPTIONS)) {
    if (value !== null) options[key] = value;
  }
  return options;
}

export function toDiagnostic(d: ts.Diagnostic, file: string): Diagnostic {
  const pos = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : undefined;
  return {
    file,
    line: pos ? pos.line + 1 : 0,
    column: pos ? pos.character + 1 : 0,
    code: d.code,
    message: ts.flattenDiagnosticMessageText(d.messageText, '\n'),
  };
}
