/**
 * The apply worker's health check: `node services/apply/dist/health.js [--live]`, exit 0 when healthy,
 * 1 with one line saying why not (see health-beat.ts). For Docker's HEALTHCHECK and Kubernetes'
 * exec probes: `--live` for liveness, without it for readiness.
 */
import { loadConfig } from '@selfreview/shared/config';
import { pingRedis } from '@selfreview/shared/redis';
import { checkHealth } from './health-beat.ts';

const result = await checkHealth({
  service: 'apply',
  env: process.env,
  live: process.argv.includes('--live'),
  pingRedis,
  redisUrl: loadConfig(process.env).redisUrl,
});
process.stdout.write(`apply: ${result.reason}\n`);
process.exit(result.ok ? 0 : 1);
