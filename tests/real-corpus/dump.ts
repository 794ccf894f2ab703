/**
 * Sampling step 1: `node --conditions=source --import tsx tests/real-corpus/dump.ts <checkout> <commit> <out.json>`
 * writes every candidate of a real run with apply's decision, as input for sample.ts.
 */
import { writeFile } from 'node:fs/promises';
import { scanAndJudge } from './run-repo.ts';

const [root, commit, out] = process.argv.slice(2);
if (!root || !commit || !out) {
  console.error('usage: dump.ts <checkout> <commit> <out.json>');
  process.exit(2);
}
const judged = await scanAndJudge(root, commit);
await writeFile(out, JSON.stringify(judged));
console.log(`${out}: ${judged.length} decisions`);
