import type { RepoConfig } from '@selfreview/shared/config';
import { type Candidate, RULE_IDS, type RuleId } from '@selfreview/shared/schemas';
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
  /** Which compiler supplied the semantic findings. */
  engine: 'native' | 'javascript' | 'warm' | 'none';
  durationMs: number;
}

export function scanSettingsFrom(config: RepoConfig): ScanSettings {
  return {
    rules: RULE_IDS.filter((id) => config.rules[id].enabled),
    ruleSettings: {
      maxFunctionLines: config.rules['long-function'].maxLines,
      maxNestingDepth: config.rules['deep-nesting'].maxDepth,
    },
    testPatterns: config.rules['untested-export'].testFiles,
    ignore: config.ignore,
  };
}
