import type { MemoryRecord } from '@selfreview/shared/memory';
import type { Candidate, Decision, ImportSource, RuleId } from '@selfreview/shared/schemas';
import type { ts } from 'ts-morph';
import type { UnusedNameConventions } from '../conventions.ts';

/**
 * What a judgement may look at besides the candidate; gathered by the caller (the
 * processor, or the evaluation harness) so that judging stays pure.
 */
export interface JudgeContext {
  /** The file at the current head, null when the file is gone. */
  fileText: string | null;
  /** `fileText` parsed (with parent pointers), null when the file is gone. */
  sourceFile: ts.SourceFile | null;
  /** The file as scanned (the run's base commit): suppression comments are read by line there. */
  scannedText: string | null;
  isGenerated: boolean;
  llmAvailable: boolean;
  /** Repository modules (other than this file) that export a binding of this name at head. */
  exportersOf(name: string): readonly string[];
  /** How `module` exports `name` (type or value), for writing the import; absent in hand-made contexts. */
  importSourceOf?(name: string, module: string): ImportSource | undefined;
  /** Repository files other than this one that import `name` from this file at head. */
  importersOf(name: string): readonly string[];
  /** What happened to this finding on earlier runs, if anything. */
  memory?: MemoryRecord | undefined;
  /** Milliseconds since the epoch: memory windows are measured from here. */
  now: number;
  memoryDays: number;
  /** The file matches the repository's `protectedPaths`. */
  protectedPath: boolean;
  /** The file matches the repository's `ignore` globs. */
  ignoredPath: boolean;
  /** The repository's rules for names left unused on purpose (its lint configuration); absent: only the `_` convention. */
  unusedNames?: UnusedNameConventions;
  /** The file is a test by the repository's conventions (test globs, naming, runner config, a test-runner import). */
  testFile?: boolean;
  /** Why the file is a type test (exists to be typechecked, never run), when it is one. */
  typeTestFile?: string | undefined;
}

/** A decision before it is tied to its candidate: judgements never invent ids. */
export type Verdict = Omit<Decision, 'candidateId'>;

export interface Judgement {
  rule: RuleId;
  judge(candidate: Candidate, ctx: JudgeContext): Verdict;
}
