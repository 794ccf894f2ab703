/**
 * Which tsconfig project takes a repository file in, read the loose way the fix worker needs:
 * from the tsconfig files on disk, without the compiler (`extends` is not followed).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The project that typechecks `file`: the nearest tsconfig.json above it whose `include`,
 * `files` and `exclude` take the file in; through a solution-style one (only references), the
 * referenced project that takes it in (a test project that includes the tests beside the sources as
 * well); the root tsconfig.json otherwise. Repository-relative.
 */
export function affectedProject(root: string, file: string): string {
  let dir = path.posix.dirname(file);
  for (;;) {
    const rel = dir === '.' ? 'tsconfig.json' : `${dir}/tsconfig.json`;
    const config = readTsconfig(path.join(root, rel));
    if (config) {
      if (!isSolutionStyle(config) && covers(config, dir, file)) return rel;
      const referenced = referencedProject(root, dir, config, file);
      if (referenced) return referenced;
    }
    if (dir === '.') return 'tsconfig.json';
    dir = path.posix.dirname(dir);
  }
}

type Tsconfig = { files?: unknown; include?: unknown; exclude?: unknown; references?: { path?: string }[] };

function readTsconfig(file: string): Tsconfig | null {
  try {
    return JSON.parse(stripJsonComments(readFileSync(file, 'utf8'))) as Tsconfig;
  } catch {
    return null;
  }
}

function isSolutionStyle(c: Tsconfig): boolean {
  return Array.isArray(c.references) && Array.isArray(c.files) && c.files.length === 0 && !c.include;
}

/** Whether the project in `dir` takes `file` in (`extends` is not followed: a loose answer). */
function covers(c: Tsconfig, dir: string, file: string): boolean {
  const abs = (p: string) => path.posix.normalize(dir === '.' ? p : `${dir}/${p}`);
  const strings = (v: unknown) =>
    Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  if (strings(c.files).some((f) => abs(f) === file)) return true;
  const include = c.include === undefined && c.files === undefined ? ['**/*'] : strings(c.include);
  if (!include.some((p) => includeMatches(abs(p), file))) return false;
  return !strings(c.exclude).some((p) => includeMatches(abs(p), file));
}

function referencedProject(root: string, dir: string, config: Tsconfig, file: string): string | null {
  const covering = (config.references ?? []).flatMap((r) => {
    if (typeof r.path !== 'string') return [];
    const target = path.posix.normalize(path.posix.join(dir, r.path));
    const rel = target.endsWith('.json') ? target : `${target}/tsconfig.json`;
    const referenced = readTsconfig(path.join(root, rel));
    return referenced && covers(referenced, path.posix.dirname(rel), file) ? [rel] : [];
  });
  // The deepest first: a package's own project over one that includes everything.
  return covering.sort((a, b) => b.length - a.length)[0] ?? null;
}

/**
 * A tsconfig `include` pattern against a repository path: `**` any folders, `*` any part of a
 * name, and a plain folder name means everything under it (as tsconfig reads it).
 */
export function includeMatches(pattern: string, file: string): boolean {
  if (!/[*?]/.test(pattern) && !/\.[cm]?[jt]sx?$/.test(pattern)) {
    return file.startsWith(`${pattern.replace(/\/$/, '')}/`);
  }
  const body = pattern
    .split('/')
    .map((part) =>
      part === '**'
        ? '(?:[^/]+/)*'
        : `${part
            .replace(/[.+^${}()|[\]\\]/g, '\\$&')
            .replaceAll('*', '[^/]*')
            .replaceAll('?', '[^/]')}/`,
    )
    .join('')
    .replace(/\/$/, '');
  return new RegExp(`^${body}$`).test(file);
}

function stripJsonComments(text: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      out += c;
      if (c === '\\') out += text[++i] ?? '';
      else if (c === '"') inString = false;
    } else if (c === '"') {
      inString = true;
      out += c;
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
      out += '\n';
    } else if (c === '/' && text[i + 1] === '*') {
      i = text.indexOf('*/', i + 2);
      if (i < 0) break;
      i++;
    } else out += c;
  }
  // Trailing commas, which tsconfig allows and JSON does not.
  return out.replace(/,(\s*[}\]])/g, '$1');
}
