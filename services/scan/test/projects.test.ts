import { describe, expect, it } from 'vitest';
import {
  derivedConfigText,
  discoverProjects,
  hasBlockingOptionErrors,
  overridesFor,
  referencedConfigs,
  splitByFolder,
} from '../src/engine/projects.ts';
import { compilerTimeoutFromEnv, DEFAULT_COMPILER_TIMEOUT_MS } from '../src/engine/settings.ts';

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
        traceResolution: false,
        extendedDiagnostics: false,
        diagnostics: false,
        explainFiles: false,
        baseUrl: null,
      },
    });
  });

  it('writes a retry config that checks only the given files, none of the include globs', () => {
    const config = JSON.parse(derivedConfigText('tsconfig.json', {}, ['./src/a.ts', './src/b/c.ts']));
    expect(config.extends).toBe('./tsconfig.json');
    expect(config.files).toEqual(['./src/a.ts', './src/b/c.ts']);
    expect(config.include).toEqual([]);
    expect(config.compilerOptions.noUnusedLocals).toBe(true);
  });
});

describe('splitByFolder', () => {
  it('keeps each folder together and closes a group once it holds its share', () => {
    const files = ['c/1.ts', 'a/1.ts', 'c/2.ts', 'b/1.ts', 'a/2.ts', 'c/3.ts'];
    expect(splitByFolder(files, 2)).toEqual([
      ['a/1.ts', 'a/2.ts', 'b/1.ts'],
      ['c/1.ts', 'c/2.ts', 'c/3.ts'],
    ]);
  });

  it('puts everything left into the last group rather than making more than asked', () => {
    const files = ['a/1.ts', 'a/2.ts', 'b/1.ts', 'b/2.ts', 'c/1.ts', 'c/2.ts'];
    expect(splitByFolder(files, 2)).toEqual([
      ['a/1.ts', 'a/2.ts'],
      ['b/1.ts', 'b/2.ts', 'c/1.ts', 'c/2.ts'],
    ]);
    expect(splitByFolder(files, 3)).toEqual([
      ['a/1.ts', 'a/2.ts'],
      ['b/1.ts', 'b/2.ts'],
      ['c/1.ts', 'c/2.ts'],
    ]);
  });

  it('never splits one folder, and has no group for no files', () => {
    expect(splitByFolder(['src/b.ts', 'src/a.ts', 'src/c.ts'], 2)).toEqual([
      ['src/a.ts', 'src/b.ts', 'src/c.ts'],
    ]);
    expect(splitByFolder([], 2)).toEqual([]);
  });
});

describe('compilerTimeoutFromEnv', () => {
  it('reads seconds (fractions too) and refuses what is not a positive number', () => {
    expect(compilerTimeoutFromEnv({})).toBe(DEFAULT_COMPILER_TIMEOUT_MS);
    expect(compilerTimeoutFromEnv({ SELFREVIEW_SCAN_COMPILER_TIMEOUT_SECONDS: '90' })).toBe(90_000);
    expect(compilerTimeoutFromEnv({ SELFREVIEW_SCAN_COMPILER_TIMEOUT_SECONDS: '0.0001' })).toBe(1);
    expect(() => compilerTimeoutFromEnv({ SELFREVIEW_SCAN_COMPILER_TIMEOUT_SECONDS: '0' })).toThrow(
      /SELFREVIEW_SCAN_COMPILER_TIMEOUT_SECONDS must be a positive number/,
    );
    expect(() => compilerTimeoutFromEnv({ SELFREVIEW_SCAN_COMPILER_TIMEOUT_SECONDS: 'ten' })).toThrow(
      /not "ten"/,
    );
  });
});
