/**
 * Files several batches may write at once (the per-commit verify cache, its build info): written
 * whole under a name no other writer uses, then renamed over the file. A reader sees the old file
 * or the new one, never half of one, and two writers of the same file (two batches of one commit
 * taking the base's diagnostics at once, in one process or two) never write into each other's
 * temporary file: its name has the process and a random part, not only the time, which two
 * batches of one process can share to the millisecond.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${randomUUID()}.tmp`;
  try {
    await writeFile(tmp, data);
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}
