/**
 * What checking a repository's projects with a compiler gives back, whichever compiler ran:
 * its own module so the compiler runners and the handling of stopped programs (`stopped.ts`)
 * can both name it without importing each other.
 */
import type { Diagnostic } from '@selfreview/shared/tsc-output';

export interface ProjectCheck {
  /** Diagnostics on files of the repository, paths relative to its root. */
  diagnostics: Diagnostic[];
  /** Repository files the compiler's programs contained. */
  programFiles: Set<string>;
  warnings: string[];
  /** Projects whose files no compiler run checked, even after retrying: the run lost them. */
  lost: LostProject[];
  /**
   * Programs the compiler built but did not type-check: a syntax error in any of its files,
   * a missing type library or a rejected option stops it before checking, and it then
   * reports only that. Their files are in no `programFiles` (nothing was checked).
   */
  stopped: StoppedRun[];
}

export interface StoppedRun {
  project: string;
  /** Repository files of the program, none of them checked. */
  files: string[];
  /** What the compiler reported instead, unfiltered (installed dependencies included). */
  diagnostics: Diagnostic[];
}

export interface LostProject {
  project: string;
  /** The project's own files (its `files`/`include`) that no successful program contained. */
  files: string[];
  reason: string;
}
