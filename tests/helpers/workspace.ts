/**
 * For the tests of the git adapter (tests/workspace*.test.ts): the files of their repository, and
 * temporary folders and repositories that are removed after each test.
 */
import { realpath } from 'node:fs/promises';
import { Repository } from '@selfreview/shared/workspace';
import { afterEach } from 'vitest';
import { makeRepo, removeDir, tempDir } from './git.ts';

export const FILES = {
  'src/a.ts': 'export const a = 1;\nexport const b = 2;\nexport const c = 3;\n',
  'dir with space/file name.ts': 'export const spaced = "héllo wörld";\n',
  'b.txt': 'line one\nline two\n',
};

/** Folders for the calling file's tests (realpaths, as git prints them), removed in its afterEach. */
export function workspaceTestBed() {
  const cleanup: string[] = [];

  afterEach(async () => {
    for (const dir of cleanup.splice(0)) await removeDir(dir);
  });

  return {
    /** A temporary folder removed after the test. */
    scratch: async (): Promise<string> => {
      const dir = await realpath(await tempDir());
      cleanup.push(dir);
      return dir;
    },
    /** A committed repository of `files`, removed after the test, and the adapter opened on it. */
    repoWith: async (files: Record<string, string> = FILES): Promise<{ dir: string; repo: Repository }> => {
      const dir = await realpath(await makeRepo(files));
      cleanup.push(dir);
      return { dir, repo: await Repository.open(dir) };
    },
  };
}
