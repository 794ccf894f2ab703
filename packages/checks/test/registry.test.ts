/** The registry's promises: one folder per check, with its docs and tests, and parts that agree. */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { MODEL_CHANGE_TYPES } from '@selfreview/shared/schemas';
import { describe, expect, it } from 'vitest';
import {
  CHECK_IDS,
  CHECKS,
  CHECKS_USING_REPO_INDEX,
  CODEMODS,
  checkOfChangeType,
  getCheck,
  modelTaskOf,
} from '../src/registry.ts';

const SRC = path.join(import.meta.dirname, '..', 'src');
/** Folders of src that are not checks: shared helpers and the template a new check is copied from. */
const NOT_CHECKS = new Set(['lib', '_template']);

describe('the registry', () => {
  it('lists every check folder once, and nothing else', () => {
    const folders = readdirSync(SRC, { withFileTypes: true })
      .filter((d) => d.isDirectory() && !NOT_CHECKS.has(d.name))
      .map((d) => d.name);
    expect([...CHECK_IDS].sort()).toEqual(folders.sort());
    expect(new Set(CHECK_IDS).size).toBe(CHECK_IDS.length);
  });

  it.each(CHECK_IDS)("has %s's README.md and tests in its folder", (id) => {
    expect(existsSync(path.join(SRC, id, 'README.md'))).toBe(true);
    const tests = readdirSync(path.join(SRC, id, 'test')).filter((f) => f.endsWith('.test.ts'));
    expect(tests.length).toBeGreaterThan(0);
  });

  it.each(CHECK_IDS)('describes the evidence of %s with its own id as the kind', (id) => {
    expect(getCheck(id).evidence.shape.kind.value).toBe(id);
  });

  it('gives every check its own change type, fixed by exactly one of a codemod and the model', () => {
    const types = CHECKS.map((c) => c.fix.changeType);
    expect(new Set(types).size).toBe(types.length);
    for (const check of CHECKS) {
      expect(Boolean(check.fix.codemod) !== Boolean(check.fix.model)).toBe(true);
      if (check.fix.codemod) expect(check.fix.codemod.changeType).toBe(check.fix.changeType);
      expect(checkOfChangeType(check.fix.changeType)).toBe(check);
    }
    expect(CODEMODS).toHaveLength(CHECKS.filter((c) => c.fix.codemod).length);
  });

  it("registers the model's change types with shared when it loads", () => {
    const model = CHECKS.filter((c) => c.fix.model).map((c) => c.fix.changeType);
    expect([...MODEL_CHANGE_TYPES].sort()).toEqual(model.sort());
    for (const type of model) expect(modelTaskOf(type)).toBeDefined();
  });

  it('says which judgements ask the repository index, and only those get it', () => {
    // A judgement that calls exportersOf or importersOf needs the index apply builds for it.
    for (const check of CHECKS) {
      const source = check.judge.toString();
      if (/exportersOf|importersOf/.test(source)) expect(CHECKS_USING_REPO_INDEX.has(check.id)).toBe(true);
    }
    expect([...CHECKS_USING_REPO_INDEX].sort()).toEqual(['undefined-identifier', 'unused-parameter']);
  });

  it('gives every option a default', () => {
    for (const check of CHECKS) expect(() => check.options.parse({})).not.toThrow();
  });
});
