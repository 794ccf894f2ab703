# syntax=docker/dockerfile:1
# One image for every selfreview process; the first argument picks which
# (infra/docker/entrypoint.sh): gateway | scan | apply | fix | publish | up.
#
#   docker build -t selfreview .
#   docker run --rm selfreview scan         # with REDIS_URL etc.; see infra/compose.yaml
#
# Stage 1 installs every dependency and builds each package's dist/ (pnpm build). Stage 2 is the
# same workspace layout (services/<svc>/dist/main.js, …) with production dependencies only,
# installed from the build stage's store without the network, and no sources, tests or tools.

ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
ENV COREPACK_ENABLE_DOWNLOAD_PROMPT=0 TURBO_TELEMETRY_DISABLED=1 CI=1
WORKDIR /src
# pnpm at the version package.json's "packageManager" pins.
RUN corepack enable pnpm
# Manifests first: the install layer is reused until a manifest or the lockfile changes.
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml ./
COPY packages/shared/package.json packages/shared/
COPY packages/checks/package.json packages/checks/
COPY packages/cli/package.json packages/cli/
COPY services/scan/package.json services/scan/
COPY services/apply/package.json services/apply/
COPY services/fix/package.json services/fix/
COPY services/gateway/package.json services/gateway/
COPY tests/package.json tests/
RUN pnpm install --frozen-lockfile
COPY . .
RUN pnpm build
# The runtime tree (/out): manifests, each package's dist/, the entrypoint, and production
# dependencies only, from the store the install above filled (infra/docker/runtime-tree.sh).
RUN sh infra/docker/runtime-tree.sh /src /out

FROM ${NODE_IMAGE} AS runtime
# git: every stage reads repositories; bubblewrap: the sandbox repository code runs in (typecheck,
# tests, fix.setup, scan's native compiler); util-linux (prlimit, setpriv) is part of Debian's base.
RUN apt-get update \
 && apt-get install -y --no-install-recommends git bubblewrap ca-certificates openssh-client \
 && rm -rf /var/lib/apt/lists/*
# A user of its own; the application's files stay root's (read-only for it), only the data
# folder is its own.
RUN groupadd --system --gid 10001 selfreview \
 && useradd --system --uid 10001 --gid selfreview --home-dir /home/selfreview --create-home --shell /usr/sbin/nologin selfreview \
 && mkdir -p /var/lib/selfreview && chown selfreview:selfreview /var/lib/selfreview
WORKDIR /app
COPY --from=build /out /app
# Fails the build when the native TypeScript compiler (typescript@7's platform package), git or
# bubblewrap is missing: full scans would fall back to the slow JavaScript compiler.
RUN node --input-type=module -e "const m = await import('/app/services/scan/dist/engine/native-tsc.js'); const p = await m.findNativeTsc(); if (!p) { console.error('native tsc missing'); process.exit(1); } console.log('native tsc', p);" \
 && git --version && bwrap --version
ENV NODE_ENV=production \
    SELFREVIEW_DATA_DIR=/var/lib/selfreview \
    SELFREVIEW_GATEWAY_HOST=0.0.0.0 \
    SELFREVIEW_GATEWAY_PORT=8080 \
    SELFREVIEW_SERVER_CONFIG=/etc/selfreview/selfreview.server.yaml
USER selfreview
VOLUME ["/var/lib/selfreview"]
EXPOSE 8080
# Workers: their heartbeat file is fresh, their Redis connection is ready and Redis answers;
# gateway (and `up`): /readyz. The container's own process is found from PID 1's command line.
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 \
  CMD ["/app/infra/docker/entrypoint.sh", "health"]
# SIGTERM: a worker finishes its current job first; give the container a fix batch's time to stop
# (docker stop -t 660, compose stop_grace_period, Kubernetes terminationGracePeriodSeconds).
STOPSIGNAL SIGTERM
ENTRYPOINT ["/app/infra/docker/entrypoint.sh"]
CMD ["up", "--host", "0.0.0.0"]
