#!/bin/sh
# The image's entrypoint: one selfreview process per container.
#
#   entrypoint.sh gateway|scan|apply|fix   node services/<svc>/dist/main.js
#   entrypoint.sh publish                  node services/fix/dist/publish-main.js
#   entrypoint.sh up [ARGS…]               node packages/cli/dist/main.js up ARGS… (all on one host)
#   entrypoint.sh health [SERVICE] [--live]
#                                          the health check (exit 0 healthy, 1 not): SERVICE's
#                                          health.js; without SERVICE, the one this container runs
#   entrypoint.sh selfreview ARGS…         the CLI (status, requeue, pause, resume …)
#
# The process is exec'd, so it is PID 1 and gets SIGTERM itself: a worker then finishes its
# current job (the orchestrator's grace period must cover a fix batch, 10 minutes).
set -eu

# The application's root: two folders up from this script (/app in the image).
cd "$(dirname "$0")/../.."

usage() {
  echo "usage: entrypoint.sh gateway|scan|apply|fix|publish|up [ARGS...] | health [SERVICE] [--live] | selfreview ARGS..." >&2
  exit 2
}

# Which service PID 1 runs, from its command line (for a HEALTHCHECK that names no service).
service_of_pid1() {
  cmd=$(tr '\0' ' ' </proc/1/cmdline 2>/dev/null || true)
  case "$cmd" in
  *services/fix/dist/publish-main.js*) echo publish ;;
  *services/gateway/dist/main.js*) echo gateway ;;
  *services/scan/dist/main.js*) echo scan ;;
  *services/apply/dist/main.js*) echo apply ;;
  *services/fix/dist/main.js*) echo fix ;;
  *packages/cli/dist/main.js\ up*) echo up ;;
  *) echo unknown ;;
  esac
}

[ $# -ge 1 ] || usage
what=$1
shift
case "$what" in
gateway | scan | apply | fix) exec node "services/$what/dist/main.js" "$@" ;;
publish) exec node services/fix/dist/publish-main.js "$@" ;;
up) exec node packages/cli/dist/main.js up "$@" ;;
selfreview) exec node packages/cli/dist/main.js "$@" ;;
health)
  svc=""
  case "${1:-}" in
  "" | --live) svc=$(service_of_pid1) ;;
  *)
    svc=$1
    shift
    ;;
  esac
  case "$svc" in
  scan | apply | fix | gateway) exec node "services/$svc/dist/health.js" "$@" ;;
  publish) exec node services/fix/dist/health-publish.js "$@" ;;
  # `up` supervises its workers itself (and restarts them): its health is the gateway's.
  up) exec node services/gateway/dist/health.js "$@" ;;
  *)
    echo "health: no selfreview service found (PID 1 runs: $(tr '\0' ' ' </proc/1/cmdline 2>/dev/null || echo '?'))" >&2
    exit 1
    ;;
  esac
  ;;
*) usage ;;
esac
