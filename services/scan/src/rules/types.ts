/** The rules' contract, as the checks package defines it; scan's engine uses its diagnostics and test index. */
import type { Check, OptionsById, ScanFinding, ScanInput } from '@selfreview/checks';

export type { SemanticDiagnostic, TestIndex } from '@selfreview/checks';

/** Each rule's options by check id, from the repository's configuration. */
export type RuleSettings = OptionsById;
export type RuleInput = ScanInput;
export type RuleFinding = ScanFinding;
export type ScanRule = Check;
