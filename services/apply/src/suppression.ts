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

/** Whether `rule` is suppressed for a finding starting on 1-based `line` of `text`. */
export function isSuppressed(text: string, line: number, rule: RuleId): boolean {
  for (const match of text.matchAll(FILE)) {
    if (covers(rulesOf(match[1] ?? ''), rule)) return true;
  }
  const lines = text.split('\n');
  // The comment may sit directly above, or above other comments (a JSDoc block, say).
  for (let i = line - 2; i >= 0; i--) {
    const above = (lines[i] ?? '').trim();
    const match = NEXT_LINE.exec(above);
    if (match) return covers(rulesOf(match[1] ?? ''), rule);
    if (!(above.startsWith('//') || above.startsWith('*') || above.startsWith('/*'))) return false;
  }
  return false;
}
