/**
 * `pnpm lint:infra` finds what it says it finds: it runs on a copy of the files it checks, clean
 * and then with one mistake each (a forge token given to the fix worker, a misspelt Kubernetes
 * field, a COPY of a file that is not there, a worker KEDA may scale to zero, a systemd unit left
 * on the sources).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from './helpers/build.ts';
import { removeDir, tempDir } from './helpers/git.ts';

/** What lint-infra.mjs reads, relative to the repository's root. */
const FILES = [
  'Dockerfile',
  '.dockerignore',
  'package.json',
  'pnpm-lock.yaml',
  'pnpm-workspace.yaml',
  'packages/shared/package.json',
  'packages/checks/package.json',
  'packages/cli/package.json',
  'services/scan/package.json',
  'services/apply/package.json',
  'services/fix/package.json',
  'services/gateway/package.json',
  'tests/package.json',
  'services/scan/src/main.ts',
  'services/apply/src/main.ts',
  'services/fix/src/main.ts',
  'services/fix/src/publish-main.ts',
  'services/gateway/src/main.ts',
];

const helmHere =
  existsSync(path.join(ROOT, '.tools/helm/helm')) ||
  (process.env.PATH ?? '').split(':').some((dir) => dir && existsSync(path.join(dir, 'helm')));

function lint(root: string): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [path.join(root, 'infra/lint/lint-infra.mjs')],
      { timeout: 180_000, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, out: stdout + stderr });
      },
    );
  });
}

/** Replaces `from` (which must be there) with `to` in one file of the copy. */
async function edit(root: string, file: string, from: string, to: string): Promise<void> {
  const text = await readFile(path.join(root, file), 'utf8');
  expect(text).toContain(from);
  await writeFile(path.join(root, file), text.replace(from, to));
}

describe('pnpm lint:infra', () => {
  const copies: string[] = [];

  /** A copy of what the lint reads, with the checkout's node_modules (and helm) linked in. */
  async function copy(): Promise<string> {
    const root = await tempDir('selfreview-lint-infra-');
    copies.push(root);
    await cp(path.join(ROOT, 'infra'), path.join(root, 'infra'), { recursive: true });
    for (const f of FILES) {
      await mkdir(path.dirname(path.join(root, f)), { recursive: true });
      await cp(path.join(ROOT, f), path.join(root, f));
    }
    await symlink(path.join(ROOT, 'node_modules'), path.join(root, 'node_modules'));
    if (existsSync(path.join(ROOT, '.tools/helm'))) {
      await mkdir(path.join(root, '.tools'), { recursive: true });
      await symlink(path.join(ROOT, '.tools/helm'), path.join(root, '.tools/helm'));
    }
    return root;
  }

  afterAll(async () => {
    for (const dir of copies) await removeDir(dir);
  });

  it('passes on the files as they are, naming each check', async () => {
    const r = await lint(await copy());
    expect(r.out).toContain('lint:infra: no problems');
    expect(r.code).toBe(0);
    for (const check of ['Dockerfile:', 'shell:', 'systemd:', 'compose:', 'chart:'])
      expect(r.out).toContain(check);
  });

  it('refuses a forge token for the fix worker, an unknown compose key, a missing COPY source and a unit on the sources', async () => {
    const root = await copy();
    await edit(
      root,
      'infra/compose.yaml',
      '      - path: ./env/model.env\n        required: false\n      - path: ./env/notify.env\n        required: false\n    security_opt: *sandbox-options\n    deploy:',
      '      - path: ./env/publish.env\n        required: false\n    security_opt: *sandbox-options\n    replica: 3\n    deploy:',
    );
    await edit(root, 'Dockerfile', 'COPY tests/package.json tests/', 'COPY tests/packages.json tests/');
    await edit(
      root,
      'infra/systemd/selfreview-scan.service',
      'ExecStart=/usr/bin/node /opt/selfreview/services/scan/dist/main.js',
      'ExecStart=/opt/selfreview/node_modules/.bin/tsx /opt/selfreview/services/scan/src/main.ts',
    );
    const r = await lint(root);
    expect(r.code).toBe(1);
    expect(r.out).toContain('fix must not read publish.env (secrets split)');
    expect(r.out).toContain('/services/fix must NOT have additional properties');
    expect(r.out).toContain('COPY source tests/packages.json does not exist');
    expect(r.out).toContain('infra/systemd/selfreview-scan.service: ExecStart should be /usr/bin/node');
  });

  it.skipIf(!helmHere)('refuses a misspelt Kubernetes field and fix scaled to zero', async () => {
    const root = await copy();
    await edit(
      root,
      'infra/helm/selfreview/templates/deployments.yaml',
      'terminationGracePeriodSeconds: {{',
      'terminationGracePeriod: {{',
    );
    await edit(
      root,
      'infra/helm/selfreview/values.yaml',
      '    minReplicas: 1\n    maxReplicas: 6',
      '    minReplicas: 0\n    maxReplicas: 6',
    );
    const r = await lint(root);
    expect(r.code).toBe(1);
    expect(r.out).toContain('fix.autoscaling.minReplicas must be at least 1');
    // With the default values refused, the other renders still show the misspelt field.
    expect(r.out).toMatch(/Deployment\/selfreview-fix: TS2353: .*terminationGracePeriod/);
  });
});
