/**
 * Sorts a TODO-style comment into planned, actionable or ambiguous from its words alone.
 *
 * The rule is deliberately simple so that a person can predict it from the signals it
 * reports: if any planned signal matches, the comment is planned, whatever else it says.
 * A comment that is tracked somewhere or scheduled for later belongs to whoever tracks
 * it, and an automatic fix would race that plan; so even "FIXME: leak, fix later" is
 * planned. Only without a planned signal does an actionable one make it actionable.
 */
import type { TodoClass } from '@selfreview/shared/schemas';

/**
 * `planned`: roadmap words, versions and dates. `issue`: a reference to a tracked
 * issue or pull request (also planned, but with a place where the plan lives).
 * `actionable`: words that describe a defect to be fixed.
 */
export type TodoSignalKind = 'planned' | 'issue' | 'actionable';

export interface TodoClassification {
  todoClass: TodoClass;
  /**
   * What matched, as `kind:text` in the order found (e.g. `issue:#123`,
   * `planned:next release`, `actionable:FIXME`); signals found in surrounding comment
   * lines rather than the comment itself end in ` (context)`.
   */
  signals: string[];
}

// JavaScript's `\b` only knows ASCII word characters; these also keep letters such as
// `é` from counting as a boundary.
const START = String.raw`(?<![\p{L}\p{N}_])`;
const END = String.raw`(?![\p{L}\p{N}_])`;

/**
 * Latin-script words, matched case-insensitively as whole words. A space in `source`
 * stands for any run of whitespace, since a comment may wrap between two words.
 */
const word = (source: string): RegExp =>
  new RegExp(`${START}(?:${source.replaceAll(' ', String.raw`\s+`)})${END}`, 'giu');
/** Scripts written without spaces between words, where there is no boundary to require. */
const cjk = (source: string): RegExp => new RegExp(source, 'gu');

const MONTH =
  '(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)';
const YEAR = '20\\d{2}';

interface Pattern {
  kind: TodoSignalKind;
  regex: RegExp;
  /** Rejects a match the regex cannot rule out on its own. */
  accept?: (match: RegExpExecArray, text: string) => boolean;
}

const PLANNED: Pattern[] = [
  { kind: 'planned', regex: word('planned|roadmap|later|future|someday|some day') },
  { kind: 'planned', regex: word('next (?:version|release|major|minor|sprint|quarter)') },
  { kind: 'planned', regex: word('after (?:the |we )?migrat(?:ion|e|ing)') },
  {
    kind: 'planned',
    regex: word('v\\d+(?:\\.\\d+)*'),
    // In a TypeScript code base a capital `V8` is nearly always the JavaScript engine.
    accept: (match) => match[0] !== 'V8',
  },
  { kind: 'planned', regex: word('version \\d+(?:\\.\\d+)*') },
  // Milestones: 2027-Q1, 2027 Q1, Q3 2026, Q3/2026, H2 2026.
  { kind: 'planned', regex: word(`${YEAR}[\\s/-]?(?:Q[1-4]|H[12])`) },
  { kind: 'planned', regex: word(`(?:Q[1-4]|H[12])[\\s/-]?${YEAR}`) },
  // 2026-03, also the start of a full date such as 2026-03-15.
  { kind: 'planned', regex: new RegExp(`${START}${YEAR}-(?:0[1-9]|1[0-2])(?!\\d)`, 'gu') },
  { kind: 'planned', regex: word(`(?:by|in|until|before) (?:${MONTH}|Q[1-4])`) },
  { kind: 'planned', regex: word(`${MONTH} ${YEAR}`) },
  { kind: 'planned', regex: cjk('향후|다음 ?버전|다음 ?릴리[스즈]|추후|나중에|로드맵') },
  { kind: 'planned', regex: cjk('今後|将来|後で|あとで|次の?バージョン|次期') },
  { kind: 'planned', regex: cjk('以后|以後|稍后|下一?[个個]?版本|路线图') },
];

/** Uppercase project keys that look like JIRA keys but name standards or encodings. */
const NOT_ISSUE_KEYS = new Set([
  'UTF',
  'UCS',
  'SHA',
  'MD',
  'ISO',
  'RFC',
  'ES',
  'ECMA',
  'AES',
  'RSA',
  'HTTP',
  'TLS',
  'SSL',
  'CRC',
  'BASE',
  'INT',
  'UINT',
  'WIN',
  'IPV',
  'PEP',
  'CVE',
  'CWE',
  'IE',
  'IEEE',
  'ASCII',
  'ANSI',
  'LATIN',
]);

const ISSUES: Pattern[] = [
  // `TODO(#123)`, `see #123`; `&#123;` is an HTML entity and `a#1` an anchor or a selector.
  { kind: 'issue', regex: new RegExp(`(?<![\\p{L}\\p{N}_&#/])#\\d+${END}`, 'gu') },
  { kind: 'issue', regex: word('gh-\\d+') },
  {
    kind: 'issue',
    // Case-sensitive: project keys are written in capitals, and a lowercase `re-2`
    // is not a ticket.
    regex: new RegExp(`${START}[A-Z][A-Z0-9]{1,9}-\\d+(?![\\p{L}\\p{N}_]|\\.\\d)`, 'gu'),
    accept: (match) => {
      const key = match[0].slice(0, match[0].indexOf('-'));
      return key !== 'GH' && !NOT_ISSUE_KEYS.has(key);
    },
  },
  {
    kind: 'issue',
    regex: /https?:\/\/[^\s)>\]'"`]+?\/(?:-\/)?(?:issues|pull|pulls|merge_requests)\/\d+/giu,
  },
];

const ACTIONABLE: Pattern[] = [
  { kind: 'actionable', regex: word('fixme') },
  { kind: 'actionable', regex: word('fix(?:es|ing)?') },
  // "fixed-size" and "fixed-width" describe a shape, not a repair.
  { kind: 'actionable', regex: new RegExp(`${START}fixed(?![\\p{L}\\p{N}_-])`, 'giu') },
  { kind: 'actionable', regex: word('bugs?|buggy|broken|wrong|incorrect(?:ly)?') },
  { kind: 'actionable', regex: word('crash(?:es|ed|ing)?|leak(?:s|ed|ing)?') },
  {
    kind: 'actionable',
    regex: word('race conditions?|races?'),
    // `Promise.race` is an API, not a data race.
    accept: (match, text) => text[match.index - 1] !== '.',
  },
  { kind: 'actionable', regex: word('work-?arounds?|work around') },
  { kind: 'actionable', regex: word('remove this') },
  { kind: 'actionable', regex: word("doesn['’]?t work|does not work|not working") },
  { kind: 'actionable', regex: cjk('버그|수정') },
  { kind: 'actionable', regex: cjk('バグ|修正|不具合|修复|修復') },
];

interface Found {
  kind: TodoSignalKind;
  text: string;
  index: number;
}

function find(text: string, patterns: readonly Pattern[]): Found[] {
  const found: Found[] = [];
  for (const pattern of patterns) {
    for (const match of text.matchAll(pattern.regex)) {
      if (pattern.accept && !pattern.accept(match, text)) continue;
      // A match may span a line break; a signal is read on one line.
      found.push({ kind: pattern.kind, text: match[0].replace(/\s+/gu, ' '), index: match.index });
    }
  }
  return found.sort((a, b) => a.index - b.index);
}

const COMMENT_BODY = /^\s*(?:\/\/+|\/\*+|\*+\/?)(.*)$|\s(?:\/\/+|\/\*+)(.*)$/u;
const TAG = /(?<![\p{L}\p{N}_])(?:TODO|FIXME|HACK|XXX)(?![\p{L}\p{N}_])/u;

/** The comment part of a source line, or undefined for a line without one. */
function commentBody(line: string): string | undefined {
  const match = COMMENT_BODY.exec(line);
  if (!match) return undefined;
  return (match[1] ?? match[2] ?? '').replace(/\*\/\s*$/u, '').trim();
}

/**
 * Comment lines around the TODO that belong to it, e.g. a `see https://…/issues/12`
 * on the line below. Code lines are never read: identifiers such as `fixture()` or
 * a call to `Promise.race` say nothing about the comment.
 */
function relatedCommentLines(text: string, context: readonly string[]): string[] {
  const bodies = context.map(commentBody);
  const firstLine = text.split('\n')[0]?.trim() ?? '';
  const own = firstLine ? bodies.findIndex((body) => body?.includes(firstLine)) : -1;
  const isOwnText = (body: string): boolean => body.length > 0 && text.includes(body);
  // Another tagged comment nearby has its own plans; they are not this one's.
  const belongs = (body: string | undefined): body is string =>
    body !== undefined && !(TAG.test(body) && !isOwnText(body));

  if (own === -1) {
    return bodies.filter(belongs).filter((body) => !isOwnText(body));
  }
  const related: string[] = [];
  for (let i = own - 1; i >= 0 && belongs(bodies[i]); i--) related.push(bodies[i] as string);
  for (let i = own + 1; i < bodies.length && belongs(bodies[i]); i++) related.push(bodies[i] as string);
  return related.filter((body) => !isOwnText(body));
}

/**
 * Classifies a TODO comment. `text` is the comment without comment markers, including
 * its tag when the tag matters (`FIXME: …` is actionable by its tag alone); `context`
 * is a few source lines around it, read only for planned and issue signals in comment
 * lines that continue the same comment.
 */
export function classifyTodo(text: string, context: string[] = []): TodoClassification {
  const own = find(text, [...PLANNED, ...ISSUES, ...ACTIONABLE]);
  const fromContext = relatedCommentLines(text, context).flatMap((line) =>
    find(line, [...PLANNED, ...ISSUES]),
  );

  const seen = new Set<string>();
  const signals: string[] = [];
  const add = (found: Found, suffix: string): void => {
    const key = `${found.kind}:${found.text.toLowerCase()}`;
    if (seen.has(key)) return;
    seen.add(key);
    signals.push(`${found.kind}:${found.text}${suffix}`);
  };
  for (const found of own) add(found, '');
  for (const found of fromContext) add(found, ' (context)');

  const all = [...own, ...fromContext];
  const todoClass: TodoClass = all.some((f) => f.kind === 'planned' || f.kind === 'issue')
    ? 'planned'
    : all.some((f) => f.kind === 'actionable')
      ? 'actionable'
      : 'ambiguous';
  return { todoClass, signals };
}

/** The kind of a signal returned by {@link classifyTodo}. */
export function signalKind(signal: string): TodoSignalKind {
  return signal.slice(0, signal.indexOf(':')) as TodoSignalKind;
}
