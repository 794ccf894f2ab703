/**
 * A tsconfig's `include` and `exclude` matched against a tree that is not on disk, file for
 * file as the compiler matches them on disk. The warm project's files come from git objects,
 * so the compiler's public directory reader (`ts.sys.readDirectory`) cannot list them, and
 * the walker it uses for any other file system (`matchFiles`) is internal to the compiler.
 *
 * The rules are the compiler's (TypeScript's `getSubPatternFromSpec` and `matchFiles`,
 * Apache-2.0): `*` and `?` stay inside one path segment and match no leading dot, a `*` in a
 * file name no `.min.js` ending, `**` no folder starting with a dot nor a package folder, a
 * last segment with no dot or wildcard names a folder and everything below it, and an
 * excluded folder excludes what it holds. A test holds this module to `ts.sys.readDirectory`
 * on the same tree written to disk, so a compiler that changes its rules fails it.
 */
import path from 'node:path';

/** A folder's files and subfolders, by name; empty lists for a folder that does not exist. */
export type FolderEntries = (dir: string) => {
  files: readonly string[];
  directories: readonly string[];
};

/** Folders a wildcard never enters (a spec naming one outright still does). */
const NOT_PACKAGE_FOLDER = '(?!(?:node_modules|bower_components|jspm_packages)(?:/|$))';

type Usage = 'files' | 'directories' | 'exclude';

const FRAGMENTS: Record<Usage, { star: string; doubleStar: string }> = {
  files: {
    star: '(?:[^./]|(?:\\.(?!min\\.js$))?)*',
    doubleStar: `(?:/${NOT_PACKAGE_FOLDER}[^/.][^/]*)*?`,
  },
  directories: { star: '[^/]*', doubleStar: `(?:/${NOT_PACKAGE_FOLDER}[^/.][^/]*)*?` },
  exclude: { star: '[^/]*', doubleStar: '(?:/.+?)?' },
};

/**
 * The absolute names of the files under `dir` (absolute) that the specs select, in the
 * compiler's order: grouped by the first `include` spec each matches, each group in the
 * order of a sorted depth-first walk. The arguments are those of `ParseConfigHost.readDirectory`.
 */
export function readDirectory(
  entries: FolderEntries,
  dir: string,
  extensions: readonly string[] | undefined,
  excludes: readonly string[] | undefined,
  includes: readonly string[] | undefined,
  depth?: number,
): string[] {
  const base = path.posix.resolve(dir);
  const includeFiles =
    includes && includes.length > 0
      ? specPatterns(includes, base, 'files').map((p) => new RegExp(`^${p}$`))
      : undefined;
  const includeDirectories = combined(includes, base, 'directories');
  const exclude = combined(excludes, base, 'exclude');
  const results: string[][] = includeFiles ? includeFiles.map(() => []) : [[]];
  const visited = new Set<string>();
  const visit = (folder: string, depthLeft: number | undefined): void => {
    if (visited.has(folder)) return;
    visited.add(folder);
    const { files, directories } = entries(folder);
    for (const file of [...files].sort()) {
      const name = path.posix.join(folder, file);
      if (extensions && !extensions.some((ext) => name.length > ext.length && name.endsWith(ext))) continue;
      if (exclude?.test(name)) continue;
      const group = includeFiles ? includeFiles.findIndex((re) => re.test(name)) : 0;
      if (group >= 0) results[group]?.push(name);
    }
    if (depthLeft !== undefined && --depthLeft === 0) return;
    for (const sub of [...directories].sort()) {
      const name = path.posix.join(folder, sub);
      if ((!includeDirectories || includeDirectories.test(name)) && !exclude?.test(name))
        visit(name, depthLeft);
    }
  };
  for (const start of basePaths(base, includes)) visit(start, depth);
  return results.flat();
}

/** Where the walk starts: the folder, and the fixed part of each spec reaching outside it. */
function basePaths(base: string, includes: readonly string[] | undefined): string[] {
  const bases = [base];
  const starts = (includes ?? []).map((spec) => fixedPrefix(path.posix.resolve(base, slashes(spec)))).sort();
  for (const start of starts) {
    if (bases.every((b) => start !== b && !start.startsWith(b === '/' ? '/' : `${b}/`))) bases.push(start);
  }
  return bases;
}

function fixedPrefix(absolute: string): string {
  const wildcard = absolute.search(/[*?]/);
  if (wildcard >= 0) return absolute.slice(0, absolute.lastIndexOf('/', wildcard)) || '/';
  // A name with an extension is a file: its folder is walked.
  return path.posix.basename(absolute).includes('.') ? path.posix.dirname(absolute) : absolute;
}

function combined(specs: readonly string[] | undefined, base: string, usage: Usage): RegExp | undefined {
  const patterns = specs ? specPatterns(specs, base, usage) : [];
  if (patterns.length === 0) return undefined;
  const end = usage === 'exclude' ? '(?:$|/)' : '$';
  return new RegExp(`^(?:${patterns.map((p) => `(?:${p})`).join('|')})${end}`);
}

function specPatterns(specs: readonly string[], base: string, usage: Usage): string[] {
  return specs.flatMap((spec) => {
    const pattern = spec ? specPattern(spec, base, usage) : undefined;
    return pattern === undefined ? [] : [pattern];
  });
}

/** One spec as a regular expression source; undefined for an include ending in `**`, which selects nothing. */
function specPattern(spec: string, base: string, usage: Usage): string | undefined {
  const absolute = path.posix.resolve(base, slashes(spec));
  const components = ['', ...absolute.split('/').filter((c) => c !== '')];
  const last = components[components.length - 1] ?? '';
  if (usage !== 'exclude' && last === '**') return undefined;
  if (!/[.*?]/.test(last)) components.push('**', '*');
  const { star, doubleStar } = FRAGMENTS[usage];
  const toRegex = (text: string): string =>
    text.replace(/[^\w\s/]/g, (c) => (c === '*' ? star : c === '?' ? '[^/]' : `\\${c}`));
  let pattern = '';
  let written = false;
  let optional = 0;
  for (let component of components) {
    if (component === '**') {
      pattern += doubleStar;
    } else {
      // A folder matches when it could lead to a match: every segment after the first is optional.
      if (usage === 'directories') {
        pattern += '(?:';
        optional++;
      }
      if (written) pattern += '/';
      if (usage === 'exclude') {
        pattern += toRegex(component);
      } else {
        let segment = '';
        if (component.startsWith('*')) {
          segment += `(?:[^./]${star})?`;
          component = component.slice(1);
        } else if (component.startsWith('?')) {
          segment += '[^./]';
          component = component.slice(1);
        }
        segment += toRegex(component);
        if (segment !== component) pattern += NOT_PACKAGE_FOLDER;
        pattern += segment;
      }
    }
    written = true;
  }
  return pattern + ')?'.repeat(optional);
}

function slashes(spec: string): string {
  return spec.replace(/\\/g, '/');
}
