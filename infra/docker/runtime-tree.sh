#!/bin/sh
# Makes the image's runtime tree: OUT gets the workspace's manifests, each shipped package's dist/
# (run `pnpm build` in SRC first) and infra/docker, then its production dependencies only (no
# tests, no root devDependencies), installed from the local pnpm store without the network, so the
# store must hold them (a `pnpm install --frozen-lockfile` in SRC did that). The layout is the
# workspace's own: `node services/<svc>/dist/main.js` runs in OUT as in SRC.
# Used by the Dockerfile's build stage and by tests/infra-image.test.ts.
#   runtime-tree.sh SRC OUT
set -eu
src=$1
out=$2
packages="packages/shared packages/checks packages/cli services/scan services/apply services/fix services/gateway"
mkdir -p "$out/infra" "$out/tests"
cp "$src/package.json" "$src/pnpm-lock.yaml" "$src/pnpm-workspace.yaml" "$out/"
for p in $packages; do
  [ -d "$src/$p/dist" ] || { echo "runtime-tree: $p/dist is missing: run pnpm build first" >&2; exit 1; }
  mkdir -p "$out/$p"
  cp "$src/$p/package.json" "$out/$p/"
  cp -R "$src/$p/dist" "$out/$p/dist"
done
# The lockfile names the tests package; its manifest keeps the frozen install valid (nothing of it
# is installed: the filters below leave it out).
cp "$src/tests/package.json" "$out/tests/"
cp -R "$src/infra/docker" "$out/infra/docker"
cd "$out"
pnpm install --prod --frozen-lockfile --offline --ignore-scripts --reporter=append-only \
  --filter './packages/**' --filter './services/**'
