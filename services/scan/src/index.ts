/** Scan as a library: what the CLI's `scan` command and the benchmark use. */
export { analyzeFile, analyzeFiles } from './analyze.ts';
export { type FullScanOptions, fullScan } from './engine/full-scan.ts';
export { findNativeTsc } from './engine/native-tsc.ts';
export { pushScan } from './engine/push-scan.ts';
export {
  compilerTimeoutFromEnv,
  type ScanOutcome,
  type ScanSettings,
  scanSettingsFrom,
} from './engine/settings.ts';
export { WarmCache, WarmProject } from './engine/warm.ts';
export { RULES } from './rules/index.ts';
