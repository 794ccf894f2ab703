import type { ChangeType } from '@selfreview/shared/schemas';
import { describe, expect, it } from 'vitest';
import { branchName, commitMessage, describeLines, hasBatchTrailer } from '../src/branch.ts';

const SHA = '0123456789abcdef0123456789abcdef01234567';

describe('branchName', () => {
  it('is selfreview/remove-unused-imports- and the first 10 hex digits of the batch id sha-256', () => {
    // printf 'run-1-b-1' | sha256sum -> 42b25527e422a691...
    expect(branchName('run-1-b-1', ['remove_unused_import'])).toBe(
      'selfreview/remove-unused-imports-42b25527e4',
    );
  });

  it('has the shape selfreview/remove-unused-imports-<10 hex>', () => {
    expect(branchName('any_batch-id', ['remove_unused_import', 'remove_unused_import'])).toMatch(
      /^selfreview\/remove-unused-imports-[0-9a-f]{10}$/,
    );
  });

  it('is the same for the same batch id', () => {
    expect(branchName('run-1-b-2', ['remove_unused_import'])).toBe(
      branchName('run-1-b-2', ['remove_unused_import']),
    );
  });

  it('differs for different batch ids', () => {
    expect(branchName('run-1-b-2', ['remove_unused_import'])).toBe(
      'selfreview/remove-unused-imports-d1345cc88c',
    );
    expect(branchName('run-1-b-2', ['remove_unused_import'])).not.toBe(
      branchName('run-1-b-1', ['remove_unused_import']),
    );
  });

  it('falls back to code-health when no change type is given', () => {
    expect(branchName('run-1-b-1', [])).toBe('selfreview/code-health-42b25527e4');
  });
});

describe('describeLines', () => {
  it('names one line, and runs of consecutive lines as ranges', () => {
    expect(describeLines([4])).toBe('line 4');
    expect(describeLines([4, 14])).toBe('lines 4, 14');
    expect(describeLines([13, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 20])).toBe('lines 1-13, 20');
    expect(describeLines([3, 3, 4])).toBe('lines 3-4');
  });
});

describe('commitMessage', () => {
  it('lists each file with its lines and summary, the verification, the undo hint and the trailers', () => {
    expect(
      commitMessage({
        batchId: 'run-1-b-1',
        runId: 'run-1',
        baseSha: SHA,
        files: [
          { file: 'src/a.ts', summary: ["remove unused import 'x' from './x'"], lines: [1] },
          {
            file: 'src/b.ts',
            summary: ["remove unused import 'y' from 'y'", "remove unused import 'Z' from './z'"],
            lines: [3, 4],
          },
        ],
        typecheck: 'pass',
        tests: 'skipped',
        changeTypes: ['remove_unused_import'],
      }),
    ).toBe(
      [
        'selfreview: remove unused imports in 2 files',
        '',
        'src/a.ts (line 1):',
        "  - remove unused import 'x' from './x'",
        'src/b.ts (lines 3-4):',
        "  - remove unused import 'y' from 'y'",
        "  - remove unused import 'Z' from './z'",
        '',
        'Verified: typecheck pass; tests skipped.',
        'To undo: selfreview rollback <this branch or commit> (deletes the branch before merging, reverts after).',
        '',
        'Selfreview-Batch: run-1-b-1',
        'Selfreview-Run: run-1',
        `Rollback-Ref: ${SHA}`,
        '',
      ].join('\n'),
    );
  });

  it('says "file" for a single file', () => {
    const message = commitMessage({
      batchId: 'b',
      runId: 'r',
      baseSha: SHA,
      files: [{ file: 'a.ts', summary: [], lines: [2] }],
      typecheck: 'pass',
      tests: 'pass',
      changeTypes: ['remove_unused_import'],
    });
    expect(message.split('\n')[0]).toBe('selfreview: remove unused imports in 1 file');
  });

  it('names the change in the subject: one kind by its name, several as code health fixes', () => {
    const subject = (changeTypes: ChangeType[]) =>
      commitMessage({
        batchId: 'b',
        runId: 'r',
        baseSha: SHA,
        files: [{ file: 'a.ts', summary: [], lines: [1] }],
        typecheck: 'pass',
        tests: 'pass',
        changeTypes,
      }).split('\n')[0];
    expect(subject(['remove_unused_local', 'remove_unused_local'])).toBe(
      'selfreview: remove unused locals in 1 file',
    );
    expect(subject(['remove_unused_parameter'])).toBe('selfreview: remove unused parameters in 1 file');
    expect(subject(['remove_unused_import', 'remove_unused_local'])).toBe(
      'selfreview: code health fixes in 1 file',
    );
  });

  it('carries a trailer that hasBatchTrailer finds', () => {
    const message = commitMessage({
      batchId: 'run-1-b-1',
      runId: 'run-1',
      baseSha: SHA,
      files: [{ file: 'a.ts', summary: ['x'], lines: [1] }],
      typecheck: 'pass',
      tests: 'pass',
      changeTypes: ['remove_unused_import'],
    });
    expect(hasBatchTrailer(message, 'run-1-b-1')).toBe(true);
    expect(hasBatchTrailer(message, 'run-1-b-2')).toBe(false);
  });
});

describe('hasBatchTrailer', () => {
  it.each([
    [true, 'the trailer on its own line', 'subject\n\nSelfreview-Batch: b-1\nSelfreview-Run: r'],
    [true, 'the trailer as the last line without a newline', 'subject\n\nSelfreview-Batch: b-1'],
    [
      true,
      'the trailer with surrounding spaces and a CRLF ending',
      'subject\r\n\r\n  Selfreview-Batch: b-1 \r\n',
    ],
    [false, 'a longer batch id', 'subject\n\nSelfreview-Batch: b-10\n'],
    [false, 'a batch id that is a prefix of the one asked for', 'subject\n\nSelfreview-Batch: b-\n'],
    [false, 'the trailer inside a sentence', 'subject\n\nsee Selfreview-Batch: b-1\n'],
    [false, 'the trailer followed by more text', 'subject\n\nSelfreview-Batch: b-1 (retry)\n'],
    [false, 'another trailer key', 'subject\n\nSelfreview-Run: b-1\n'],
    [false, 'a lower-case key', 'subject\n\nselfreview-batch: b-1\n'],
    [false, 'no space after the colon', 'subject\n\nSelfreview-Batch:b-1\n'],
  ])('is %s for %s', (expected, _case, message) => {
    expect(hasBatchTrailer(message, 'b-1')).toBe(expected);
  });
});
