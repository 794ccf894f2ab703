/**
 * The architecture's import rules, checked by `pnpm lint` (dependency-cruiser):
 *
 *   packages/shared   core: contracts and adapters, importing no other workspace package
 *   packages/checks   the checks, on top of shared
 *   services/*        the stage workers and the gateway, on top of checks and shared
 *   packages/cli      the command, on top of everything
 *
 * Workspace packages reach each other only by package name, which resolves through the
 * target's package.json "exports": a relative path into another package's src would bypass
 * what that package declares. Tests (tests/, and each package's test/) may import anything.
 */

/** Code a package ships, as opposed to its tests. */
const SHIPPED = { pathNot: '(^tests/|/test/)' };

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'A cycle makes two modules one: neither can be read, tested or moved alone.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'shared-is-the-core',
      severity: 'error',
      comment: 'packages/shared is what everyone agrees on; it imports no check, service or the CLI.',
      from: { path: '^packages/shared/', ...SHIPPED },
      to: { path: '^(packages/(checks|cli)|services)/' },
    },
    {
      name: 'checks-below-services',
      severity: 'error',
      comment: 'packages/checks is used by the services and the CLI, never the other way round.',
      from: { path: '^packages/checks/', ...SHIPPED },
      to: { path: '^(packages/cli|services)/' },
    },
    {
      name: 'services-below-cli',
      severity: 'error',
      comment: 'The CLI starts the services; a service never needs the CLI.',
      from: { path: '^services/', ...SHIPPED },
      to: { path: '^packages/cli/' },
    },
    {
      name: 'packages-through-their-names',
      severity: 'error',
      comment:
        'Another workspace package is imported by its name (@selfreview/…), which goes through its declared "exports"; a relative path into its files does not.',
      from: { path: '^(packages|services)/([^/]+)/', ...SHIPPED },
      to: { path: '^(packages|services)/', pathNot: '^$1/$2/', dependencyTypes: ['local'] },
    },
    {
      name: 'only-declared-entry-points',
      severity: 'error',
      comment:
        'An @selfreview/… import that does not resolve names a file its package does not export, or a package the importer does not depend on.',
      from: {},
      to: { path: '^@selfreview/', couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // dist/ is the built JavaScript (pnpm build) of the sources checked here.
    exclude: {
      path: '(^|/)node_modules/|^(packages|services)/[^/]+/dist/|^tests/fixtures/|^tests/apply-corpus/cases/|^examples/',
    },
    tsPreCompilationDeps: true,
    // Workspace packages point "exports" at their TypeScript source under the "source" condition
    // (and at dist/ by default): resolve as Node does with --conditions=source.
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['source', 'import', 'require', 'node', 'default'],
      extensions: ['.ts', '.mts', '.js', '.mjs', '.cjs', '.json'],
      mainFields: ['module', 'main', 'types'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
