/**
 * Text-range helpers the codemods share: where lines start and end, commas and trailing
 * comments, removing list elements, applying removals and reporting the lines they
 * touched, and checking that the result still parses. Pure.
 */
import { ts } from '@selfreview/shared/compiler';
import { scriptKindFor } from '@selfreview/shared/syntax';

/** A half-open span of the original text, [start, end). */
export interface Range {
  start: number;
  end: number;
}

export { scriptKindFor };

const BOM = '\uFEFF';

/**
 * The text without a leading byte order mark, and the mark to put back in front of the
 * result: parsers drop it, which would shift every position by one.
 */
export function withoutBom(text: string): { bom: string; text: string } {
  const bom = text.startsWith(BOM) ? BOM : '';
  return { bom, text: text.slice(bom.length) };
}

/** The file parsed as the codemods read it: parent pointers set, the grammar its extension selects. */
export function parseForEdit(file: string, text: string): ts.SourceFile {
  return ts.createSourceFile(`/${file}`, text, ts.ScriptTarget.Latest, true, scriptKindFor(file));
}

/**
 * Comment directives that apply to the next line (`@ts-expect-error`, `eslint-disable-next-line`,
 * ...): once the statement below goes they would move onto the next one, so they go with it.
 */
export const DIRECTIVES = '@ts-ignore|@ts-expect-error|eslint-disable-next-line|biome-ignore|prettier-ignore';

/** The end of the last comment on the same line after `pos`, or `pos`. */
export function afterSameLineComments(text: string, pos: number): number {
  return ts.getTrailingCommentRanges(text, pos)?.at(-1)?.end ?? pos;
}

export function lineStartOf(text: string, pos: number): number {
  return pos <= 0 ? 0 : text.lastIndexOf('\n', pos - 1) + 1;
}

export function nextLineStart(text: string, pos: number): number {
  const i = text.indexOf('\n', pos);
  return i === -1 ? text.length : i + 1;
}

/** The end of the `token` character after `pos`, skipping whitespace and comments. */
export function tokenEnd(text: string, pos: number, token: string): number | undefined {
  let i = pos;
  while (i < text.length) {
    const ch = text[i] as string;
    if (/\s/.test(ch)) i++;
    else if (text.startsWith('//', i)) i = nextLineStart(text, i);
    else if (text.startsWith('/*', i)) {
      const close = text.indexOf('*/', i + 2);
      i = close === -1 ? text.length : close + 2;
    } else return ch === token ? i + 1 : undefined;
  }
  return undefined;
}

export function commaEnd(text: string, pos: number): number | undefined {
  return tokenEnd(text, pos, ',');
}

/**
 * The range that removes a statement (or class member) spanning [start, end). One alone on its
 * lines takes those lines, a trailing comment on its last line (often an `eslint-disable-line`
 * about it), and what `above` says belongs to it: given where its first line starts, `above`
 * returns where the removal starts (comments right above it). Otherwise the statement goes with
 * the blanks between it and the code beside it.
 */
export function statementRemoval(
  text: string,
  start: number,
  end: number,
  above: (lineStart: number) => number,
): { range: Range; wholeLines: boolean } {
  const lineStart = lineStartOf(text, start);
  const afterComments = afterSameLineComments(text, end);
  const nextLine = nextLineStart(text, afterComments);
  const ownsStart = text.slice(lineStart, start).trim() === '';
  const ownsEnd = text.slice(afterComments, nextLine).trim() === '';
  if (ownsStart && ownsEnd) return { range: { start: above(lineStart), end: nextLine }, wholeLines: true };
  if (ownsStart) {
    // `import a from 'a'; foo();` -> `foo();`
    let to = end;
    while (to < text.length && (text[to] === ' ' || text[to] === '\t')) to++;
    return { range: { start, end: to }, wholeLines: false };
  }
  // `foo(); import a from 'a';` -> `foo();`
  let from = start;
  while (from > lineStart && (text[from - 1] === ' ' || text[from - 1] === '\t')) from--;
  return { range: { start: from, end }, wholeLines: false };
}

/** Consecutive runs of indexes, as [first, last] pairs in ascending order. */
export function runs(indexes: Set<number>): [number, number][] {
  const sorted = [...indexes].sort((a, b) => a - b);
  const out: [number, number][] = [];
  for (const i of sorted) {
    const last = out.at(-1);
    if (last && last[1] === i - 1) last[1] = i;
    else out.push([i, i]);
  }
  return out;
}

export function mergeRanges(ranges: Range[]): Range[] {
  const out: Range[] = [];
  for (const r of [...ranges].sort((a, b) => a.start - b.start || a.end - b.end)) {
    const last = out.at(-1);
    if (last && last.end >= r.start) last.end = Math.max(last.end, r.end);
    else out.push({ ...r });
  }
  return out;
}

/**
 * Removing lines between two blank lines (or at the top of the file, before a blank line)
 * would leave a double blank line (or a file that starts with one), which formatters then
 * report; the following blank line goes too.
 */
export function collapseBlankLines(text: string, ranges: Range[]): Range[] {
  const isLineBoundary = (pos: number) => pos === 0 || pos === text.length || text[pos - 1] === '\n';
  const extended = ranges.map((r) => {
    if (!isLineBoundary(r.start) || !isLineBoundary(r.end) || r.end === text.length) return r;
    const prevBlank = r.start === 0 || text.slice(lineStartOf(text, r.start - 1), r.start).trim() === '';
    const nextEnd = nextLineStart(text, r.end);
    const nextBlank = text.slice(r.end, nextEnd).trim() === '';
    return prevBlank && nextBlank ? { start: r.start, end: nextEnd } : r;
  });
  return mergeRanges(extended);
}

/** Removes non-overlapping ranges (as `mergeRanges` returns them). */
export function applyRanges(text: string, ranges: Range[]): string {
  let out = text;
  for (const r of [...ranges].sort((a, b) => b.start - a.start))
    out = out.slice(0, r.start) + out.slice(r.end);
  return out;
}

/** 1-based lines touched by the ranges; a range ending at a line start does not touch that line. */
export function linesOf(sf: ts.SourceFile, ranges: readonly Range[]): number[] {
  const lines = new Set<number>();
  const lineOf = (pos: number) => sf.getLineAndCharacterOfPosition(pos).line + 1;
  for (const r of ranges) {
    for (let l = lineOf(r.start); l <= lineOf(Math.max(r.start, r.end - 1)); l++) lines.add(l);
  }
  return [...lines].sort((a, b) => a - b);
}

/**
 * Removes the elements at `indexes` of a comma-separated list, with their commas; a comment
 * on the same line after an element's comma goes with it.
 */
export function removeListElements(text: string, list: ts.NodeArray<ts.Node>, indexes: Set<number>): Range[] {
  const ranges: Range[] = [];
  const commaAfter = (i: number): number | undefined => commaEnd(text, (list[i] as ts.Node).end);
  for (const [first, last] of runs(indexes)) {
    const start = first > 0 ? afterSameLineComments(text, commaAfter(first - 1) as number) : list.pos;
    const own = commaAfter(last);
    if (own !== undefined && (last < list.length - 1 || list.hasTrailingComma)) {
      ranges.push({ start, end: afterSameLineComments(text, own) });
    } else if (first > 0) {
      ranges.push({ start: (list[first - 1] as ts.Node).end, end: commaAfter(first - 1) as number });
      ranges.push({ start, end: afterSameLineComments(text, (list[last] as ts.Node).end) });
    } else {
      ranges.push({ start, end: (list[last] as ts.Node).end });
    }
  }
  return ranges;
}

/** Object patterns drop elements; array patterns leave holes, except at the end. */
export function removePatternElements(
  text: string,
  sf: ts.SourceFile,
  pattern: ts.BindingPattern,
  indexes: Set<number>,
): Range[] {
  const elements = pattern.elements as ts.NodeArray<ts.ArrayBindingElement>;
  if (ts.isObjectBindingPattern(pattern)) return removeListElements(text, elements, indexes);
  let tail = elements.length;
  while (tail > 0 && (indexes.has(tail - 1) || ts.isOmittedExpression(elements[tail - 1] as ts.Node))) tail--;
  const ranges: Range[] = [];
  if (tail < elements.length && tail > 0) {
    // `[a, b, c]` -> `[a]`: from the end of the last kept element to the end of the list.
    const lastEnd = (elements.at(-1) as ts.Node).end;
    const end = elements.hasTrailingComma ? (commaEnd(text, lastEnd) as number) : lastEnd;
    ranges.push({ start: (elements[tail - 1] as ts.Node).end, end });
  }
  for (const i of indexes) {
    if (i < tail)
      ranges.push({ start: (elements[i] as ts.Node).getStart(sf), end: (elements[i] as ts.Node).end });
  }
  return ranges;
}

/** Whether the text has syntax errors when read with the grammar its extension selects. */
export function hasParseErrors(file: string, text: string): boolean {
  const name = /\.[cm]?[jt]sx?$/.test(file) ? file : `${file}.ts`;
  const { diagnostics } = ts.transpileModule(text, {
    fileName: name,
    reportDiagnostics: true,
    compilerOptions: { jsx: ts.JsxEmit.Preserve, target: ts.ScriptTarget.ESNext },
  });
  return (diagnostics ?? []).some((d) => d.category === ts.DiagnosticCategory.Error);
}
