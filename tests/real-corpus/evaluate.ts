/**
 * `pnpm eval:real-corpus`: precision of apply's `fix` verdicts on real code, from the
 * labeled sample in corpus.json. Needs the checkouts at `$SELFREVIEW_REAL_REPOS/<name>`
 * (default /work/real); a missing one is skipped with a message.
 */
import { DEFAULT_REPOS_DIR, evaluateRealCorpus, loadCorpus, nameOf } from './evaluation.ts';

const reposDir = process.env.SELFREVIEW_REAL_REPOS ?? DEFAULT_REPOS_DIR;
const started = performance.now();
const corpus = await loadCorpus();
const { outcomes, total } = await evaluateRealCorpus({
  corpus,
  reposDir,
  progress: (line) => console.error(line),
});

for (const o of outcomes) {
  if ('skipped' in o) {
    console.log(`skipped    ${o.repo}: ${o.skipped}`);
    continue;
  }
  const precision =
    o.truePositives + o.falsePositives === 0 ? 1 : o.truePositives / (o.truePositives + o.falsePositives);
  console.log(
    `${o.repo}: ${o.labeled} labeled (${o.labeledFix} fix), fix verdicts ${o.truePositives} right, ${o.falsePositives} wrong, ${o.falseNegatives} labeled fixes missed; precision ${precision.toFixed(2)}`,
  );
  for (const d of o.disagreements) {
    const x = d.decision;
    console.log(
      `  disagree  ${x.file}:${x.line} ${x.rule} ${x.name}: labeled ${x.expected} (${x.label}); apply: ${d.got}`,
    );
  }
  for (const u of o.unlabeledFixes) {
    console.log(
      `  unlabeled fix  ${u.candidate.file}:${u.candidate.line} ${u.candidate.rule} ${nameOf(u.candidate)} (${u.decision.reason})`,
    );
  }
}
const evaluated = outcomes.filter((o) => !('skipped' in o)).length;
if (evaluated === 0) {
  console.log(
    `\nno checkout of the corpus's repositories under ${reposDir} (set SELFREVIEW_REAL_REPOS): nothing evaluated`,
  );
} else {
  console.log(
    `\nreal corpus: ${total.labeled} labeled decisions in ${evaluated} of ${outcomes.length} repositories; fix verdicts ${total.truePositives} right, ${total.falsePositives} wrong; precision ${total.precision.toFixed(2)}, recall ${total.recall.toFixed(2)}`,
  );
}
console.log(`(${((performance.now() - started) / 1000).toFixed(1)} s)`);
