/**
 * The gateway's health check for images without curl: `node services/gateway/dist/health.js [--live]`
 * asks the gateway on this host for `/readyz` (Redis answers) or, with `--live`, `/healthz`; exit 0
 * when it answers 200, else 1 with one line saying why. Kubernetes can use the HTTP paths directly.
 */
const live = process.argv.includes('--live');
const configured = process.env.SELFREVIEW_GATEWAY_HOST ?? '127.0.0.1';
// A gateway listening on every address is asked on loopback.
const host = configured === '0.0.0.0' || configured === '::' ? '127.0.0.1' : configured;
const port = Number(process.env.SELFREVIEW_GATEWAY_PORT ?? 8080);
const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}${live ? '/healthz' : '/readyz'}`;
let ok = false;
let reason: string;
try {
  const res = await fetch(url, { signal: AbortSignal.timeout(3000) });
  ok = res.status === 200;
  reason = `${url} answered ${res.status} ${(await res.text()).slice(0, 200)}`;
} catch (err) {
  reason = `${url} did not answer: ${(err as Error).message}`;
}
process.stdout.write(`gateway: ${reason}\n`);
process.exit(ok ? 0 : 1);
