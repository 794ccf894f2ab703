/**
 * Sampling step 2: `node --conditions=source --import tsx tests/real-corpus/sample.ts <repo> <commit> <per-stratum> <dump.json>...`
 * prints draft corpus entries (unlabeled) for one repository: every `fix` verdict of every
 * dump, plus up to <per-stratum> drop/defer decisions of each (rule, verdict, reason)
 * stratum, picked in a fixed pseudo-random order (a hash of file, line and name), so the
 * sample does not depend on who runs it or on file order.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { decisionKey } from '@selfreview/apply/real-corpus';
import { nameOf } from './evaluation.ts';
import type { JudgedCandidate } from './run-repo.ts';

const [repo, commit, perStratumText, ...dumps] = process.argv.slice(2);
const perStratum = Number(perStratumText);
if (!repo || !commit || !Number.isInteger(perStratum) || dumps.length === 0) {
  console.error('usage: sample.ts <repo> <commit> <per-stratum> <dump.json>...');
  process.exit(2);
}

type Draft = {
  repo: string;
  commit: string;
  file: string;
  line: number;
  rule: string;
  name: string;
  sampled: { verdict: string; reason: string; stratum: string };
};

const picked = new Map<string, Draft>();
const draft = (j: JudgedCandidate, stratum: string): Draft => ({
  repo,
  commit,
  file: j.candidate.file,
  line: j.candidate.line,
  rule: j.candidate.rule,
  name: nameOf(j.candidate),
  sampled: { verdict: j.decision.verdict, reason: j.decision.reason, stratum },
});
const order = (j: JudgedCandidate) =>
  createHash('sha1')
    .update(`${j.candidate.file}:${j.candidate.line}:${nameOf(j.candidate)}`)
    .digest('hex');

for (const [i, dump] of dumps.entries()) {
  const judged = JSON.parse(await readFile(dump, 'utf8')) as JudgedCandidate[];
  for (const j of judged.filter((j) => j.decision.verdict === 'fix')) {
    const d = draft(j, `fix (run ${i + 1})`);
    if (!picked.has(decisionKey(d))) picked.set(decisionKey(d), d);
  }
  const strata = new Map<string, JudgedCandidate[]>();
  for (const j of judged.filter((j) => j.decision.verdict !== 'fix')) {
    const key = `${j.candidate.rule} ${j.decision.verdict} ${j.decision.reason}`;
    strata.set(key, [...(strata.get(key) ?? []), j]);
  }
  for (const [stratum, members] of strata) {
    const sorted = members.sort((a, b) => order(a).localeCompare(order(b)));
    let taken = 0;
    for (const j of sorted) {
      if (taken >= perStratum) break;
      const d = draft(j, `${stratum} (run ${i + 1})`);
      if (picked.has(decisionKey(d))) continue;
      picked.set(decisionKey(d), d);
      taken++;
    }
  }
}
console.log(JSON.stringify([...picked.values()], null, 1));
