/**
 * Suppression comments a person writes to tell selfreview "this one is intended":
 * `// selfreview-ignore-next-line [rule, ...]` above a line, and
 * `// selfreview-ignore-file [rule, ...]` anywhere in a file. Without rule ids they
 * suppress every rule. Pure: text in, answer out.
 */
import type { RuleId } from '@selfreview/shared/schemas';

const NEXT_LINE = /\/[/*]\s*selfreview-ignore-next-line\b([^\n*]*)/;
const FILE = /\/[/*]\s*selfreview-ignore-file\b([^\n*]*)/g;

function rulesOf(list: string): string[] {
  return list
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0 && !s.startsWith('--'));
}

function covers(rules: readonly string[], rule: RuleId): boolean {
  return rules.length === 0 || rules.includes(rule);
}

/**
 * The last text's lines and file-wide suppressions: a file's findings are judged one after
 * another, each asking about the same text.
 */
let last: { text: string; lines: string[]; fileRules: string[][] } | undefined;

function read(text: string): { lines: string[]; fileRules: string[][] } {
  if (last?.text !== text) {
    last = {
      text,
      lines: text.split('\n'),
      fileRules: [...text.matchAll(FILE)].map((match) => rulesOf(match[1] ?? '')),
    };
  }
  return last;
}

/** Whether `rule` is suppressed for a finding starting on 1-based `line` of `text`. */
export function isSuppressed(text: string, line: number, rule: RuleId): boolean {
  const { lines, fileRules } = read(text);
  for (const rules of fileRules) {
    if (covers(rules, rule)) return true;
  }
  // The comment may sit directly above, or above other comments (a JSDoc block, say).
  for (let i = line - 2; i >= 0; i--) {
    const above = (lines[i] ?? '').trim();
    const match = NEXT_LINE.exec(above);
    if (match) return covers(rulesOf(match[1] ?? ''), rule);
    if (!(above.startsWith('//') || above.startsWith('*') || above.startsWith('/*'))) return false;
  }
  return false;
}
