import { UnrecoverableError } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { ApplyJob, applyJobId, FixJob, jobId, PublishJob, publishJobId, ScanJob } from '../src/queues.ts';
import type { Candidate, FixItem } from '../src/schemas.ts';
import { parsePayload } from '../src/worker.ts';

const SHA = '0123456789abcdef0123456789abcdef01234567';
const RUN = { runId: 'run_2025-01-01', repo: { path: '/tmp/repo' }, baseBranch: 'main', baseSha: SHA };

const candidate: Candidate = {
  id: 'unused-import:src/a.ts:x',
  rule: 'unused-import',
  file: 'src/a.ts',
  line: 1,
  endLine: 1,
  message: "'x' is imported but never used",
  evidence: {
    kind: 'unused-import',
    name: 'x',
    importedName: 'x',
    form: 'named',
    moduleSpecifier: './x',
    typeOnly: false,
    statement: "import { x } from './x';",
  },
};
const fixItem: FixItem = { candidate, changeType: 'remove_unused_import', confidence: 1 };

const scan = { ...RUN, mode: 'push', files: ['src/a.ts', 'src/b.tsx'] };
const apply = { ...RUN, files: [{ file: 'src/a.ts', candidates: [candidate] }] };
const fix = { ...RUN, batchId: 'run_2025-01-01-b-1', files: [{ file: 'src/a.ts', items: [fixItem] }] };

describe('jobId', () => {
  it.each([
    [['run1', 'scan'], 'run1-scan'],
    [['run1', 'apply', 'src/lib/a.ts'], 'run1-apply-src_lib_a.ts'],
    [['run:1', 'b', '2'], 'run_1-b-2'],
    [['a b', 'c@d', 'é#{x}'], 'a_b-c_d-___x_'],
    [['keep_A-z.0'], 'keep_A-z.0'],
  ])('joins %j into %s', (parts, expected) => {
    expect(jobId(...parts)).toBe(expected);
  });

  it('never contains a colon or a slash', () => {
    expect(jobId('r:1', 'apply', 'src/a:b/c.ts')).not.toMatch(/[:/]/);
  });
});

describe('applyJobId', () => {
  it('gives paths that escape alike different ids', () => {
    expect(applyJobId('r1', ['src/a.ts'])).not.toBe(applyJobId('r1', ['src_a.ts']));
    expect(applyJobId('r1', ['a b.ts'])).not.toBe(applyJobId('r1', ['a_b.ts']));
  });

  it('is stable and safe for BullMQ', () => {
    expect(applyJobId('r1', ['src/a.ts'])).toBe(applyJobId('r1', ['src/a.ts']));
    expect(applyJobId('r1', ['src/a.ts'])).toMatch(/^r1-apply-[0-9a-f]{20}$/);
  });

  it('tells groups apart by every file', () => {
    const ids = [
      applyJobId('r1', ['src/a.ts', 'src/b.ts']),
      applyJobId('r1', ['src/a.ts', 'src/c.ts']),
      applyJobId('r1', ['src/a.ts']),
      applyJobId('r1', ['src/a.ts\0src/b.ts']),
    ];
    expect(new Set(ids).size).toBe(3);
    // A NUL cannot be in a path (RepoPath), so the last one never names a real group.
    expect(ids[3]).toBe(ids[0]);
  });

  it("gives a group of one file the id that file's job had before jobs took groups", () => {
    expect(applyJobId('r1', ['src/a.ts'])).toBe('r1-apply-072fc23b941d05af2383');
  });
});

describe('payload schemas', () => {
  it.each([
    ['ScanJob', ScanJob, scan],
    ['ScanJob (full, no files)', ScanJob, { ...RUN, mode: 'full' }],
    ['ApplyJob', ApplyJob, apply],
    ['FixJob', FixJob, fix],
  ] as const)('%s accepts a valid payload unchanged', (_name, schema, payload) => {
    expect(schema.parse(payload)).toEqual(payload);
  });

  it.each<[string, Record<string, unknown>]>([
    ['a runId with a colon', { runId: 'run:1' }],
    ['an empty runId', { runId: '' }],
    ['a runId longer than 64', { runId: 'r'.repeat(65) }],
    ['a relative repo path', { repo: { path: 'tmp/repo' } }],
    ['an uppercase sha', { baseSha: SHA.toUpperCase() }],
    ['a short sha', { baseSha: SHA.slice(0, 7) }],
    ['a non-hex sha', { baseSha: 'g'.repeat(40) }],
    ['an empty base branch', { baseBranch: '' }],
  ])('every payload refuses %s', (_what, overrides) => {
    expect(ScanJob.safeParse({ ...scan, ...overrides }).success).toBe(false);
    expect(ApplyJob.safeParse({ ...apply, ...overrides }).success).toBe(false);
    expect(FixJob.safeParse({ ...fix, ...overrides }).success).toBe(false);
  });

  it.each(['../a.ts', 'src/../../a.ts', '/abs/a.ts', 'src//a.ts', 'src\\a.ts', ''])(
    'refuses the file path %j in every payload',
    (file) => {
      expect(ScanJob.safeParse({ ...scan, files: [file] }).success).toBe(false);
      expect(ApplyJob.safeParse({ ...apply, files: [{ file, candidates: [candidate] }] }).success).toBe(
        false,
      );
      expect(FixJob.safeParse({ ...fix, files: [{ file, items: [fixItem] }] }).success).toBe(false);
    },
  );

  it('ApplyJob refuses no files, a file with no candidates, and a file twice', () => {
    expect(ApplyJob.safeParse({ ...apply, files: [] }).success).toBe(false);
    expect(ApplyJob.safeParse({ ...apply, files: [{ file: 'src/a.ts', candidates: [] }] }).success).toBe(
      false,
    );
    const twice = [...apply.files, ...apply.files];
    expect(ApplyJob.safeParse({ ...apply, files: twice }).success).toBe(false);
  });

  it('ApplyJob reads a job queued before groups (one file) as a group of that file', () => {
    expect(ApplyJob.parse({ ...RUN, file: 'src/a.ts', candidates: [candidate] })).toEqual(apply);
    expect(ApplyJob.safeParse({ ...RUN, file: 'src/a.ts', candidates: [] }).success).toBe(false);
    expect(ApplyJob.safeParse({ ...RUN, file: '../a.ts', candidates: [candidate] }).success).toBe(false);
  });

  it('FixJob refuses a batch with no files or a file with no items', () => {
    expect(FixJob.safeParse({ ...fix, files: [] }).success).toBe(false);
    expect(FixJob.safeParse({ ...fix, files: [{ file: 'src/a.ts', items: [] }] }).success).toBe(false);
  });

  it('ScanJob refuses an unknown mode', () => {
    expect(ScanJob.safeParse({ ...scan, mode: 'partial' }).success).toBe(false);
  });
});

describe('parsePayload', () => {
  it('returns the parsed payload when it is valid', () => {
    expect(parsePayload('apply', apply)).toEqual(apply);
  });

  it.each([
    ['scan', 'invalid scan payload: runId: must be 1-64 letters, digits, _ or -', { ...scan, runId: 'a:b' }],
    [
      'scan',
      'invalid scan payload: repo.path: Invalid string: must start with "/"',
      { ...scan, repo: { path: 'rel' } },
    ],
    [
      'scan',
      'invalid scan payload: baseSha: must be a 40-character hex commit id',
      { ...scan, baseSha: 'z'.repeat(40) },
    ],
    [
      'scan',
      'invalid scan payload: files.1: must be a relative path inside the repository',
      { ...scan, files: ['ok.ts', '../x.ts'] },
    ],
    [
      'apply',
      'invalid apply payload: files.0.candidates: Too small: expected array to have >=1 items',
      { ...apply, files: [{ file: 'src/a.ts', candidates: [] }] },
    ],
    [
      'fix',
      'invalid fix payload: files.0.file: must be a relative path inside the repository',
      { ...fix, files: [{ file: 'a/../../b.ts', items: [fixItem] }] },
    ],
    ['fix', 'invalid fix payload: (root): Invalid input: expected object, received null', null],
  ] as const)('throws an UnrecoverableError for a bad %s payload: %s', (queue, message, data) => {
    let thrown: unknown;
    try {
      parsePayload(queue, data);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(UnrecoverableError);
    expect((thrown as Error).message).toBe(message);
  });
});

describe('publish settings never travel in job data', () => {
  const settings = {
    remote: 'origin',
    forge: { kind: 'github', project: 'evil/loot', apiUrl: 'https://collector.example' },
    tokenEnv: 'AWS_SECRET_ACCESS_KEY',
  };

  it('drops a publish key from a fix job and from a trigger target', () => {
    const parsed = parsePayload('fix', { ...fix, repo: { path: '/tmp/repo', publish: settings } });
    expect(parsed.repo).toEqual({ path: '/tmp/repo' });
    const trigger = parsePayload('trigger', {
      kind: 'manual',
      repo: { name: 'web', path: '/srv/web', publish: settings },
    });
    expect(trigger.repo).toEqual({ name: 'web', path: '/srv/web', branch: 'main' });
  });

  it('a publish job is a verified commit of a selfreview branch and nothing more', () => {
    const job = {
      ...RUN,
      batchId: 'b-1',
      branch: 'selfreview/remove-unused-imports-0123456789',
      commit: SHA,
      items: [fixItem],
    };
    expect(PublishJob.parse({ ...job, apiUrl: 'https://collector.example', tokenEnv: 'X' })).toEqual(job);
    expect(() => parsePayload('publish', { ...job, branch: 'main' })).toThrow(
      /expected a selfreview\/\* branch/,
    );
    expect(() => parsePayload('publish', { ...job, commit: 'HEAD' })).toThrow(UnrecoverableError);
    expect(publishJobId('run-b-1')).toBe('run-b-1-publish');
  });
});
