import { checkOptions, enabledChecks, testFileGlobs } from '@selfreview/checks';
import type { RepoConfig } from '@selfreview/shared/config';
import { UserInputError } from '@selfreview/shared/errors';
import type { Candidate, RuleId } from '@selfreview/shared/schemas';
import type { RuleSettings } from '../rules/types.ts';

/** What a scan needs from the repository's configuration. */
export interface ScanSettings {
  rules: RuleId[];
  ruleSettings: RuleSettings;
  /** Globs of test files; the common conventions when empty. */
  testPatterns: string[];
  /** Globs of paths not scanned. */
  ignore: string[];
}

export interface ScanOutcome {
  /** Source files scanned (after skips). */
  files: number;
  candidates: Candidate[];
  warnings: string[];
  /**
   * What the run lost: projects whose semantic rules (unused and undefined names) did not
   * run for some files, even after a retry. Unlike a warning, the result is incomplete.
   */
  errors: string[];
  /** Which compiler supplied the semantic findings. */
  engine: 'native' | 'javascript' | 'warm' | 'none';
  durationMs: number;
}

/** The per-project compiler limit of full scans, unless `SELFREVIEW_SCAN_COMPILER_TIMEOUT_SECONDS` says otherwise. */
export const DEFAULT_COMPILER_TIMEOUT_MS = 10 * 60_000;

/**
 * The compiler limit from the environment, in milliseconds. A fraction of a second is
 * allowed: a test makes every compiler run fail by time with a tiny limit.
 */
export function compilerTimeoutFromEnv(env: NodeJS.ProcessEnv): number {
  const raw = env.SELFREVIEW_SCAN_COMPILER_TIMEOUT_SECONDS;
  if (raw === undefined || raw === '') return DEFAULT_COMPILER_TIMEOUT_MS;
  const seconds = Number(raw);
  if (!Number.isFinite(seconds) || seconds <= 0)
    throw new UserInputError(
      `SELFREVIEW_SCAN_COMPILER_TIMEOUT_SECONDS must be a positive number of seconds, not ${JSON.stringify(raw)}`,
    );
  return Math.max(1, Math.round(seconds * 1000));
}

export function scanSettingsFrom(config: RepoConfig): ScanSettings {
  return {
    rules: enabledChecks(config),
    ruleSettings: checkOptions(config),
    testPatterns: testFileGlobs(config),
    ignore: config.ignore,
  };
}
