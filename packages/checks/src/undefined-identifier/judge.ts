import type { Candidate } from '@selfreview/shared/schemas';
import { defer, drop, type JudgeContext, occurrences, type Verdict } from '../lib/judge.ts';
import { CHANGE_TYPE, type UndefinedIdentifierEvidence } from './schema.ts';

/** "Cannot find name ... Do you need to install type definitions / change your lib?" */
const TYPE_DEFINITION_CODES = new Set([2580, 2581, 2582, 2583, 2584, 2585, 2591, 2592, 2593]);

/**
 * Globals of Node, browsers, Deno and Bun. When one is missing, the project lacks a lib or
 * `@types` package (the compiler may only say "Did you mean ...?"); a repository module that
 * happens to export a function of the same name (zod exports `process`) is not what is meant.
 */
const HOST_GLOBALS = new Set([
  'process',
  'Buffer',
  'require',
  'module',
  'exports',
  '__dirname',
  '__filename',
  'global',
  'window',
  'document',
  'navigator',
  'self',
  'console',
  'setTimeout',
  'setInterval',
  'clearTimeout',
  'clearInterval',
  'setImmediate',
  'queueMicrotask',
  'structuredClone',
  'fetch',
  'Deno',
  'Bun',
]);

/**
 * A name the compiler cannot resolve is fixed by adding an import only when exactly one
 * module of the repository exports it; with none or several, the right fix is not ours to
 * guess (a missing dependency, a lib setting, or a choice between modules).
 */
export function judge(candidate: Candidate, e: UndefinedIdentifierEvidence, ctx: JudgeContext): Verdict {
  if (ctx.isGenerated) return drop('generated_file', `${candidate.file} is generated.`, 0.95);
  if (!ctx.sourceFile) return drop('stale', `${candidate.file} no longer exists at the current head.`, 0.95);
  if (occurrences(ctx.sourceFile, e.name) === 0) {
    return drop('stale', `'${e.name}' no longer occurs in ${candidate.file}.`, 0.9);
  }
  if (TYPE_DEFINITION_CODES.has(e.code) || HOST_GLOBALS.has(e.name)) {
    return defer(
      'missing_type_definitions',
      `'${e.name}' is a global the project's lib or types do not declare (${e.compilerMessage}).`,
      0.6,
    );
  }
  const exporters = ctx.exportersOf(e.name);
  const [module] = exporters;
  if (exporters.length === 1 && module) {
    return {
      verdict: 'fix',
      reason: 'missing_import',
      detail: `'${e.name}' is not in scope, and exactly one module of the repository exports it (${exporters[0]}); import it from there.`,
      confidence: 0.8,
      changeType: CHANGE_TYPE,
      importFrom: ctx.importSourceOf?.(e.name, module) ?? { module, typeOnly: false, isDefault: false },
    };
  }
  if (exporters.length > 1) {
    return defer(
      'ambiguous_import',
      `'${e.name}' is exported by ${exporters.length} modules (${exporters.slice(0, 3).join(', ')}); which one is meant is a person's call.`,
      0.5,
    );
  }
  return defer(
    'unresolved_name',
    `No module of the repository exports '${e.name}'; it may be a typo, a missing dependency or a global.`,
    0.5,
  );
}
