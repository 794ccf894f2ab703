// Runs vitest (unit and integration projects) and ends with one plain summary
// line, "N passed, N failed, N skipped", that any CI can read.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const out = path.join(root, 'test-results', 'vitest.json');
mkdirSync(path.dirname(out), { recursive: true });
const vitest = path.join(root, 'node_modules', '.bin', 'vitest');
const run = spawnSync(
  vitest,
  ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${out}`, ...process.argv.slice(2)],
  { cwd: root, stdio: 'inherit' },
);
let summary = 'tests: 0 passed, 0 failed';
try {
  const r = JSON.parse(readFileSync(out, 'utf8'));
  const skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
  summary = `tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${skipped} skipped`;
} catch {
  summary = 'tests: 0 passed, 1 failed';
}
console.log(summary);
process.exit(run.status ?? 1);
