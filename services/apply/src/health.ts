/**
 * The apply worker's health check: `node services/apply/dist/health.js [--live]`, exit 0 when healthy,
 * 1 with one line saying why not (see @selfreview/shared/health-beat). For Docker's HEALTHCHECK and Kubernetes'
 * exec probes: `--live` for liveness, without it for readiness.
 */
import { runHealthCheck } from '@selfreview/shared/health-beat';

await runHealthCheck('apply');
