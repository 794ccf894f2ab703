/**
 * `defineCheck`: everything about one check in one value, the way the registry lists it. A
 * check has an id, its options (under `rules.<id>` of selfreview.config), the shape of the
 * evidence its findings carry, and three parts, one per stage: scan finds candidates, judge
 * decides what to do with each, fix says how a queued one is changed.
 */
import type { Candidate } from '@selfreview/shared/schemas';
import type { z } from 'zod';
import type { FixPart } from './fix.ts';
import { type JudgeContext, mismatch, type Verdict } from './judge.ts';
import type { ScanFinding, ScanInput } from './scan.ts';

/** The options of a check: a strict object whose every key has a default. */
// biome-ignore lint/suspicious/noExplicitAny: any config of a zod object
export type OptionsSchema = z.ZodObject<any, any>;
/** The evidence of a check: an object whose `kind` is the check's id. */
// biome-ignore lint/suspicious/noExplicitAny: any config of a zod object
export type EvidenceSchema = z.ZodObject<{ kind: z.ZodLiteral<string> } & z.ZodRawShape, any>;

export interface ScanPart<Options, Evidence> {
  /**
   * The rule reads the compiler's diagnostics. A full scan runs it only on files the compiler
   * said something about (or that no program contains); the others need the syntax alone and
   * run while the compiler is still checking.
   */
  semantic: boolean;
  analyze(input: ScanInput<Options>): ScanFinding<Evidence>[];
}

export interface Check<
  Id extends string = string,
  Options extends OptionsSchema = OptionsSchema,
  Evidence extends EvidenceSchema = EvidenceSchema,
> {
  id: Id;
  /** One line: what the check finds. */
  description: string;
  /** Settings under `rules.<id>` besides `enabled`, each with its default; `z.object({})` for none. */
  options: Options;
  /** What the check's findings carry for apply and fix; `kind` is the check's id. */
  evidence: Evidence;
  scan: ScanPart<z.output<Options>, z.output<Evidence>>;
  /**
   * The judgement asks who exports or imports a name (`JudgeContext.exportersOf`, `importersOf`):
   * apply builds the repository's export/import index for this check's candidates.
   */
  usesRepoIndex?: boolean;
  /** Decides about one candidate; `evidence` is the candidate's, already checked against `evidence`. */
  judge(candidate: Candidate, evidence: z.output<Evidence>, ctx: JudgeContext): Verdict;
  fix: FixPart<z.output<Evidence>>;
}

/** The identity, typed: what each check's `index.ts` exports. */
export function defineCheck<const Id extends string, O extends OptionsSchema, E extends EvidenceSchema>(
  check: Check<Id, O, E>,
): Check<Id, O, E> {
  return check;
}

/**
 * A check's judgement of a candidate, once its evidence is checked against the check's
 * evidence schema: evidence of another shape means scan and apply disagree.
 */
export function judgeWith(check: Check, candidate: Candidate, ctx: JudgeContext): Verdict {
  const evidence = check.evidence.safeParse(candidate.evidence);
  if (!evidence.success) return mismatch(check.id, String(candidate.evidence.kind));
  return check.judge(candidate, evidence.data, ctx);
}
