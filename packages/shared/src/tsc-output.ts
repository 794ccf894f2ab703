/**
 * Reading `tsc --pretty false` output (the JavaScript compiler and the native one print
 * the same format): scan takes its semantic findings from it, fix compares it before and
 * after a change.
 */
import { isAbsolute, posix, relative } from 'node:path';

export interface Diagnostic {
  /** Repository-relative with '/' separators; null for diagnostics without a file (TS5023, TS18003, ...). */
  file: string | null;
  /** 1-based; 0 for diagnostics without a file. */
  line: number;
  /** 1-based, in UTF-16 code units; 0 for diagnostics without a file. */
  column: number;
  code: number;
  /** The first line of the message, plus indented continuation lines joined with '\n'. */
  message: string;
}

// Lazy path: file names may themselves contain parentheses (`app/(group)/page.tsx`).
const FILE_DIAGNOSTIC = /^(.+?)\((\d+),(\d+)\): (?:error|warning|message|suggestion) TS(\d+): (.*)$/;
const GLOBAL_DIAGNOSTIC = /^(?:error|warning|message|suggestion) TS(\d+): (.*)$/;

export function parseTscOutput(stdout: string, cwd: string): Diagnostic[] {
  // Messages can name files by absolute path (TS6053 "File '<cwd>/x' not found"): relative to
  // the folder the compiler ran in, they compare across worktrees and snapshots of one commit.
  const relativeToCwd = (text: string) => text.split(`${cwd}/`).join('./').split(cwd).join('.');
  const diagnostics: Diagnostic[] = [];
  let current: Diagnostic | undefined;
  for (const raw of stdout.split(/\r?\n/)) {
    const line = raw.trimEnd();
    if (line === '') continue;
    if (/^\s/.test(line)) {
      // Continuation lines elaborate the diagnostic above (assignability chains, "The file is in the program because:").
      if (current) current.message += `\n${relativeToCwd(line)}`;
      continue;
    }
    const fileMatch = FILE_DIAGNOSTIC.exec(line);
    if (fileMatch) {
      const [, file, lineNo, column, code, message] = fileMatch;
      current = {
        file: toRepoPath(file!, cwd),
        line: Number(lineNo),
        column: Number(column),
        code: Number(code),
        message: relativeToCwd(message!),
      };
      diagnostics.push(current);
      continue;
    }
    const globalMatch = GLOBAL_DIAGNOSTIC.exec(line);
    if (globalMatch) {
      const [, code, message] = globalMatch;
      current = { file: null, line: 0, column: 0, code: Number(code), message: relativeToCwd(message!) };
      diagnostics.push(current);
      continue;
    }
    // Anything else (a "Found N errors" summary, npm noise) ends the previous diagnostic
    // without starting a new one, so its own indented lines are not misattributed.
    current = undefined;
  }
  return diagnostics;
}

function toRepoPath(file: string, cwd: string): string {
  const rel = isAbsolute(file) ? relative(cwd, file) : file;
  return posix.normalize(rel.replaceAll('\\', '/'));
}
