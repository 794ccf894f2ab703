import { describe, expect, it } from 'vitest';
import {
  derivedConfigText,
  discoverProjects,
  hasBlockingOptionErrors,
  overridesFor,
  referencedConfigs,
} from '../src/engine/projects.ts';

const d = (code: number, message: string) => ({ file: 'tsconfig.json', line: 1, column: 1, code, message });

describe('discoverProjects', () => {
  it('finds every tsconfig.json and the configs their references name, outside dependencies and build output', () => {
    const configs: Record<string, string> = {
      'tsconfig.json':
        '{ "files": [], // solution style\n "references": [{ "path": "./tsconfig.app.json" }, { "path": "packages/a" }, { "path": "../outside" }], }',
      'tsconfig.app.json': '{}',
      'packages/a/tsconfig.json': '{}',
      'packages/b/tsconfig.json': '{}',
      'node_modules/x/tsconfig.json': '{}',
      'dist/tsconfig.json': '{}',
    };
    const paths = [...Object.keys(configs), 'tsconfig.unreferenced.json', 'src/a.ts'];
    expect(discoverProjects(paths, (p) => configs[p])).toEqual([
      'packages/a/tsconfig.json',
      'packages/b/tsconfig.json',
      'tsconfig.app.json',
      'tsconfig.json',
    ]);
  });

  it('reads references of a config with comments and trailing commas, and ignores malformed ones', () => {
    expect(
      referencedConfigs(
        'a/tsconfig.json',
        '{ "references": [{ "path": "../b/tsconfig.lib.json" }, { "nope": 1 }, 3], }',
      ),
    ).toEqual(['b/tsconfig.lib.json']);
    expect(referencedConfigs('tsconfig.json', 'not json at all')).toEqual([]);
    expect(referencedConfigs('tsconfig.json', undefined)).toEqual([]);
  });
});

describe('overridesFor', () => {
  it('replaces removed module settings as a pair and resets other removed options', () => {
    const diagnostics = [
      d(5108, "Option 'moduleResolution=node10' has been removed. Please remove it from your configuration."),
      d(5102, "Option 'baseUrl' has been removed. Please remove it from your configuration."),
      d(5108, "Option 'target=ES5' has been removed. Please remove it from your configuration."),
      d(5023, "Unknown compiler option 'importsNotUsedAsValues'."),
    ];
    expect(hasBlockingOptionErrors(diagnostics)).toBe(true);
    expect(overridesFor(diagnostics)).toEqual({
      module: 'preserve',
      moduleResolution: 'bundler',
      baseUrl: null,
      target: null,
    });
  });

  it('does nothing for an unknown option alone (the compiler still checks) or for ordinary errors', () => {
    const diagnostics = [d(5023, "Unknown compiler option 'foo'."), d(2304, "Cannot find name 'x'.")];
    expect(hasBlockingOptionErrors(diagnostics)).toBe(false);
    expect(overridesFor(diagnostics)).toEqual({});
  });

  it('writes a derived config that extends the project and turns on the unused checks', () => {
    expect(JSON.parse(derivedConfigText('tsconfig.app.json', { baseUrl: null }))).toEqual({
      extends: './tsconfig.app.json',
      compilerOptions: {
        noEmit: true,
        noUnusedLocals: true,
        noUnusedParameters: true,
        composite: false,
        incremental: false,
        declaration: false,
        declarationMap: false,
        emitDeclarationOnly: false,
        tsBuildInfoFile: null,
        baseUrl: null,
      },
    });
  });
});
