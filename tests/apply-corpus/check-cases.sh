#!/usr/bin/env bash
# Checks the apply corpus against the real scanner.
#
# For every case folder under cases/ (or the folders given as arguments): copies it to a
# temporary git repository (adding the default tsconfig.json when the case has none), runs
# `selfreview scan <tmp> --json`, and checks that every `expect` entry of expected.json is
# matched by a real candidate (same rule, file and evidence name or tag; for todo-comment,
# `text` must be contained in the evidence text). Also checks the shape of expected.json.
#
# Usage: tests/apply-corpus/check-cases.sh [CASE_DIR...]
#   JOBS=N      cases scanned in parallel (default 4)
#   VERBOSE=1   print every candidate of every case, marked FIX (expected) or '-' (must not be fixed)
# Exit status: 0 when every case passes, 1 otherwise.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
DEFAULT_TSCONFIG='{"compilerOptions":{"strict":true,"target":"es2022","module":"esnext","moduleResolution":"bundler","jsx":"react-jsx","experimentalDecorators":true,"types":[],"lib":["es2022","dom"]},"include":["src"]}'

# Compares one case's expected.json with the scanner's output. Args: case name, expected.json, scan json.
read -r -d '' COMPARE_JS <<'JS' || true
const fs = require('node:fs');
const [name, expectedPath, scanPath, verbose] = process.argv.slice(1);
const problems = [];
let expected;
try {
  expected = JSON.parse(fs.readFileSync(expectedPath, 'utf8'));
} catch (error) {
  console.log(`FAIL ${name}: expected.json: ${error.message}`);
  process.exit(1);
}
let candidates = [];
let warnings = [];
try {
  const scan = JSON.parse(fs.readFileSync(scanPath, 'utf8'));
  candidates = scan.candidates;
  warnings = scan.warnings ?? [];
} catch (error) {
  problems.push(`scan output is not JSON: ${error.message}`);
}
const FIXABLE = new Set(['unused-import', 'unused-local', 'unused-parameter', 'undefined-identifier', 'todo-comment']);
if (!/^\d{2,3}-[a-z0-9]+(-[a-z0-9]+)*$/.test(name)) problems.push('folder name is not NN-short-kebab-name');
if (typeof expected.description !== 'string' || !expected.description.trim()) problems.push('description missing');
if (!['correct-code', 'problem'].includes(expected.kind)) problems.push(`kind must be correct-code or problem, got ${expected.kind}`);
const expect = Array.isArray(expected.expect) ? expected.expect : (problems.push('expect must be an array'), []);
if (expected.kind === 'correct-code' && expect.length > 0) problems.push('a correct-code case must have an empty expect');
if (expected.kind === 'problem' && expect.length === 0) problems.push('a problem case needs at least one expect entry');
const evidenceName = (c) => c.evidence?.name ?? c.evidence?.tag ?? c.evidence?.functionName;
const matched = new Set();
for (const [i, e] of expect.entries()) {
  const label = `expect[${i}] ${e.rule} ${e.file} ${e.name}${e.text ? ` "${e.text}"` : ''}`;
  if (e.verdict !== 'fix') problems.push(`${label}: verdict must be "fix"`);
  if (!FIXABLE.has(e.rule)) problems.push(`${label}: rule ${e.rule} is never fixed by apply`);
  if (e.rule === 'todo-comment' && typeof e.text !== 'string') problems.push(`${label}: todo-comment needs a text`);
  const hit = candidates.find(
    (c) =>
      c.rule === e.rule &&
      c.file === e.file &&
      evidenceName(c) === e.name &&
      (e.text === undefined || String(c.evidence?.text ?? '').includes(e.text)),
  );
  if (!hit) problems.push(`${label}: no matching candidate`);
  else if (matched.has(hit)) problems.push(`${label}: candidate already matched by another entry`);
  else matched.add(hit);
}
const counts = expect.map((e) => e.rule).join(',');
const header = problems.length
  ? `FAIL ${name}`
  : `ok   ${name} [${expected.kind}] candidates=${candidates.length} expect=${expect.length}${counts ? ` (${counts})` : ''}`;
console.log(header);
for (const p of problems) console.log(`    ${p}`);
if (verbose === '1') {
  for (const c of candidates) {
    const ev = c.evidence ?? {};
    const extra = ev.kind === 'todo-comment' ? JSON.stringify(ev.text) : ev.initializer !== undefined ? `= ${ev.initializer}` : '';
    console.log(`    ${matched.has(c) ? 'FIX' : '  -'} ${c.rule} ${c.file}:${c.line} ${evidenceName(c)} ${extra}`);
  }
  for (const w of warnings) console.log(`    warning: ${typeof w === 'string' ? w : JSON.stringify(w)}`);
}
process.exit(problems.length ? 1 : 0);
JS

check_one() {
  local dir="$1" name tmp status=0
  name="$(basename "$dir")"
  if [ ! -f "$dir/expected.json" ]; then
    echo "FAIL $name: no expected.json"
    return 1
  fi
  tmp="$(mktemp -d "${TMPDIR:-/tmp}/apply-corpus.XXXXXX")"
  mkdir -p "$tmp/repo"
  (cd "$dir" && tar --exclude=expected.json -cf - .) | (cd "$tmp/repo" && tar -xf -)
  [ -f "$tmp/repo/tsconfig.json" ] || printf '%s\n' "$DEFAULT_TSCONFIG" >"$tmp/repo/tsconfig.json"
  (
    cd "$tmp/repo" &&
      git init -q &&
      git add -A &&
      git -c user.name=t -c user.email=t@x -c commit.gpgsign=false commit -qm case
  )
  if ! (cd "$ROOT" && ./selfreview scan "$tmp/repo" --json >"$tmp/scan.json" 2>"$tmp/scan.err"); then
    echo "FAIL $name: selfreview scan failed"
    sed 's/^/    /' "$tmp/scan.err" | tail -n 20
    rm -rf "$tmp"
    return 1
  fi
  node -e "$COMPARE_JS" "$name" "$dir/expected.json" "$tmp/scan.json" "${VERBOSE:-0}" || status=1
  rm -rf "$tmp"
  return "$status"
}

if [ "${1:-}" = "--one" ]; then
  check_one "$2"
  exit $?
fi

if [ "$#" -gt 0 ]; then
  dirs=("$@")
else
  dirs=()
  for d in "$HERE"/cases/*/; do dirs+=("${d%/}"); done
fi
if [ "${#dirs[@]}" -eq 0 ]; then
  echo "no cases found under $HERE/cases" >&2
  exit 1
fi

out="$(mktemp)"
trap 'rm -f "$out"' EXIT
# Each case runs in its own process; the output of one case stays together.
printf '%s\0' "${dirs[@]}" |
  xargs -0 -P "${JOBS:-4}" -I{} bash -c 'r="$(bash "$0" --one "$1" 2>&1)"; s=$?; printf "%s\n" "$r"; exit $s' "${BASH_SOURCE[0]}" {} >"$out" || true

# Report in case order.
node -e '
const fs = require("node:fs");
const text = fs.readFileSync(process.argv[1], "utf8");
const blocks = [];
for (const line of text.split("\n")) {
  if (!line) continue;
  if (/^(ok  |FAIL)/.test(line)) blocks.push([line]);
  else if (blocks.length) blocks[blocks.length - 1].push(line);
  else blocks.push([line]);
}
const key = (b) => (b[0].match(/^(?:ok  |FAIL) (\S+?):?(?:\s|$)/) ?? [, b[0]])[1];
blocks.sort((a, b) => key(a).localeCompare(key(b)));
for (const b of blocks) console.log(b.join("\n"));
' "$out"

total=${#dirs[@]}
passed=$(grep -c '^ok   ' "$out" || true)
failed=$((total - passed))
echo
# Totals over the checked cases' expected.json files.
node -e '
const fs = require("node:fs");
const kinds = {}, rules = {};
for (const dir of process.argv.slice(1)) {
  const e = JSON.parse(fs.readFileSync(`${dir}/expected.json`, "utf8"));
  kinds[e.kind] = (kinds[e.kind] ?? 0) + 1;
  for (const x of e.expect ?? []) rules[x.rule] = (rules[x.rule] ?? 0) + 1;
}
console.log(`cases: ${process.argv.length - 1} (correct-code ${kinds["correct-code"] ?? 0}, problem ${kinds.problem ?? 0})`);
console.log(`expect entries: ${Object.entries(rules).map(([r, n]) => `${r} ${n}`).join(", ")}`);
' "${dirs[@]}" 2>/dev/null || true
if [ "$failed" -ne 0 ]; then
  echo "FAILED: $failed of $total case(s)"
  exit 1
fi
echo "all $total cases pass"
