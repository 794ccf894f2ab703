import { ts } from '@selfreview/shared/compiler';
import type { ScanPart } from '../lib/define.ts';
import type { ScanFinding, ScanInput } from '../lib/scan.ts';
import type { TodoEvidence } from './schema.ts';

/** Lines of source shown on each side of the comment. */
const CONTEXT_LINES = 2;
const MESSAGE_TEXT_MAX = 80;

// Two patterns because JavaScript regexes cannot scope case-insensitivity to part of
// a pattern: `todo:` and `Fixme` are common spellings, while lowercase `hack`/`xxx`
// are mostly ordinary prose and placeholders.
const CASE_INSENSITIVE_MARKERS = /\b(?:TODO|FIXME)\b/i;
const UPPERCASE_MARKERS = /\b(?:HACK|XXX)\b/;

export const scan: ScanPart<object, TodoEvidence> = {
  semantic: false,
  analyze(input: ScanInput): ScanFinding<TodoEvidence>[] {
    const { sourceFile, file } = input;
    const text = sourceFile.text;
    // Most files carry no marker at all; walking every token for their comments is
    // the expensive part, so it only happens where a marker occurs somewhere.
    const markers = markerPositions(text);
    if (markers.length === 0) return [];
    const findings: ScanFinding<TodoEvidence>[] = [];
    for (const range of collectComments(sourceFile, markers)) {
      const body = commentBody(text.slice(range.pos, range.end), range.kind);
      // `// selfreview-ignore-next-line todo-comment` names the rule; it is not a TODO.
      if (/^selfreview-ignore-/.test(body)) continue;
      const tag = firstMarker(body);
      if (tag === undefined) continue;
      const startLine = sourceFile.getLineAndCharacterOfPosition(range.pos).line;
      const endLine = sourceFile.getLineAndCharacterOfPosition(range.end).line;
      const evidence: TodoEvidence = {
        kind: 'todo-comment',
        tag,
        text: body,
        context: contextLines(sourceFile, startLine, endLine),
      };
      const oneLine = body.replace(/\s+/g, ' ');
      // The tag is already in the message's prefix; repeating `TODO:` adds nothing.
      const rest = oneLine.startsWith(tag) ? oneLine.slice(tag.length).replace(/^\s*:?\s*/, '') : oneLine;
      const shown = rest.length > MESSAGE_TEXT_MAX ? `${rest.slice(0, MESSAGE_TEXT_MAX - 1)}…` : rest;
      findings.push({
        rule: 'todo-comment',
        file,
        line: startLine + 1,
        endLine: endLine + 1,
        message: shown ? `${tag} comment: ${shown}` : `${tag} comment`,
        evidence,
        fingerprint: oneLine.trim().toLowerCase(),
      });
    }
    return findings;
  },
};

function firstMarker(body: string): string | undefined {
  const a = CASE_INSENSITIVE_MARKERS.exec(body);
  const b = UPPERCASE_MARKERS.exec(body);
  if (a && b) return a.index <= b.index ? a[0] : b[0];
  return (a ?? b)?.[0];
}

/** The comment's words: comment syntax and JSDoc's leading ` * ` gutters removed. */
function commentBody(raw: string, kind: ts.CommentKind): string {
  if (kind === ts.SyntaxKind.SingleLineCommentTrivia) return raw.replace(/^\/{2,}/, '').trim();
  const inner = raw.replace(/^\/\*+/, '').replace(/\*+\/$/, '');
  return inner
    .split(/\r\n|\r|\n|\u2028|\u2029/)
    .map((line) => line.replace(/^\s*\*(?!\/)/, '').trim())
    .join('\n')
    .trim();
}

/**
 * The comment's own lines plus up to CONTEXT_LINES on each side: a trailing comment
 * means little without the code on its own line.
 */
function contextLines(sourceFile: ts.SourceFile, startLine: number, endLine: number): string[] {
  const starts = sourceFile.getLineStarts();
  const text = sourceFile.text;
  const first = Math.max(0, startLine - CONTEXT_LINES);
  // A final newline ends the last line; it does not start an empty one.
  const lineCount =
    starts.length > 1 && starts[starts.length - 1] === text.length ? starts.length - 1 : starts.length;
  const last = Math.min(lineCount - 1, endLine + CONTEXT_LINES);
  const lines: string[] = [];
  for (let i = first; i <= last; i++) {
    const from = starts[i] ?? text.length;
    const to = starts[i + 1] ?? text.length;
    lines.push(text.slice(from, to).replace(/(?:\r\n|\r|\n|\u2028|\u2029)$/, ''));
  }
  return lines;
}

/** Where a marker occurs anywhere in the text (code, strings or comments), ascending. */
function markerPositions(text: string): number[] {
  const positions: number[] = [];
  for (const pattern of [CASE_INSENSITIVE_MARKERS_ALL, UPPERCASE_MARKERS_ALL]) {
    pattern.lastIndex = 0;
    for (let m = pattern.exec(text); m !== null; m = pattern.exec(text)) positions.push(m.index);
  }
  return positions.sort((a, b) => a - b);
}

const CASE_INSENSITIVE_MARKERS_ALL = new RegExp(CASE_INSENSITIVE_MARKERS.source, 'gi');
const UPPERCASE_MARKERS_ALL = new RegExp(UPPERCASE_MARKERS.source, 'g');

/** Whether some position of `sorted` lies in [from, to). */
function anyWithin(sorted: readonly number[], from: number, to: number): boolean {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if ((sorted[mid] as number) < from) low = mid + 1;
    else high = mid;
  }
  return low < sorted.length && (sorted[low] as number) < to;
}

/**
 * Comments are found as the trivia around real tokens rather than by scanning the
 * text, so `//` inside strings, templates, regexes and JSX text is never mistaken
 * for one. The source order is preserved and each comment is reported once, even
 * though it is both the trailing trivia of one token and the leading trivia of the
 * next.
 *
 * Only nodes whose range or trailing comments hold a marker are walked. A node's children
 * (tokens included) cover its range from its first leading trivia to its end, so a comment
 * holding a marker is either trailing trivia of a token (on the line it ends) or leading
 * trivia of a token inside the child whose range holds that marker.
 */
function collectComments(sourceFile: ts.SourceFile, markers: readonly number[]): ts.CommentRange[] {
  const text = sourceFile.text;
  const trailingEnd = (node: ts.Node): number =>
    ts.getTrailingCommentRanges(text, node.end)?.at(-1)?.end ?? node.end;
  const byPos = new Map<number, ts.CommentRange>();
  const add = (ranges: ts.CommentRange[] | undefined): void => {
    for (const range of ranges ?? []) if (!byPos.has(range.pos)) byPos.set(range.pos, range);
  };
  const visit = (node: ts.Node): void => {
    // JSDoc nodes sit inside a comment: their "trivia" is comment text, not code.
    if (node.kind >= ts.SyntaxKind.FirstJSDocNode && node.kind <= ts.SyntaxKind.LastJSDocNode) return;
    if (node.kind >= ts.SyntaxKind.FirstToken && node.kind <= ts.SyntaxKind.LastToken) {
      // JSX text has no trivia: what looks like a comment there is displayed text.
      if (node.kind !== ts.SyntaxKind.JsxText) add(ts.getLeadingCommentRanges(text, node.pos));
      if (canHaveTrailingTrivia(node)) add(ts.getTrailingCommentRanges(text, node.end));
      return;
    }
    // getChildren, unlike forEachChild, includes punctuation and the end-of-file
    // token, so comments in `{ /* here */ }` or at the end of the file are reached.
    for (const child of node.getChildren(sourceFile)) {
      if (anyWithin(markers, child.pos, child.end) || anyWithin(markers, child.end, trailingEnd(child))) {
        visit(child);
      }
    }
  };
  visit(sourceFile);
  return [...byPos.values()].sort((a, b) => a.pos - b.pos);
}

function isJsxElementOrFragment(node: ts.Node | undefined): boolean {
  return node !== undefined && (ts.isJsxElement(node) || ts.isJsxFragment(node));
}

/**
 * Inside a JSX body the text after a token is JSX text, which has no trivia. The
 * cases follow tsutils' forEachComment, which handles the same problem.
 */
function canHaveTrailingTrivia(token: ts.Node): boolean {
  const parent = token.parent;
  if (!parent) return true;
  switch (token.kind) {
    case ts.SyntaxKind.CloseBraceToken:
      return !(ts.isJsxExpression(parent) && isJsxElementOrFragment(parent.parent));
    case ts.SyntaxKind.GreaterThanToken:
      switch (parent.kind) {
        case ts.SyntaxKind.JsxOpeningElement:
          // A `>` that does not end the tag closes its type arguments.
          return token.end !== parent.end;
        case ts.SyntaxKind.JsxOpeningFragment:
          return false;
        case ts.SyntaxKind.JsxSelfClosingElement:
          return token.end !== parent.end || !isJsxElementOrFragment(parent.parent);
        case ts.SyntaxKind.JsxClosingElement:
        case ts.SyntaxKind.JsxClosingFragment:
          return !isJsxElementOrFragment(parent.parent?.parent);
      }
      return true;
    default:
      return true;
  }
}
