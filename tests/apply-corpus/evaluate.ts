/** `pnpm eval:apply`: precision and recall of apply's `fix` verdict on the labeled corpus. */
import { evaluateAll } from './evaluation.ts';

const started = performance.now();
const { results, score } = await evaluateAll();
for (const r of results) {
  for (const m of r.missed)
    console.log(`missed     ${r.name}: ${m.expectation.rule} ${m.expectation.name} (got ${m.got})`);
  for (const f of r.falseFixes) {
    console.log(
      `false fix  ${r.name}: ${f.candidate.rule} ${f.candidate.file}:${f.candidate.line} (${f.decision.reason})`,
    );
  }
}
console.log(
  `\ncases: ${score.cases} (${score.correctCodeCases} correct code, ${score.problemCases} with problems)`,
);
console.log(
  `fix verdicts: ${score.truePositives} expected, ${score.falsePositives} unexpected; expected fixes missed: ${score.falseNegatives}`,
);
console.log(
  `precision ${score.precision.toFixed(2)}, recall ${score.recall.toFixed(2)}, fixes in correct code: ${score.fixesInCorrectCode}`,
);
console.log(
  'drop reasons:',
  Object.entries(score.dropReasons)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ') || 'none',
);
console.log(
  'defer reasons:',
  Object.entries(score.deferReasons)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ') || 'none',
);
console.log(`(${((performance.now() - started) / 1000).toFixed(1)} s)`);
