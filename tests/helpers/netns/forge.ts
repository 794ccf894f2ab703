/**
 * The forge host of a lab deployment (tests/helpers/netns/deployment.ts): git over HTTPS and
 * GitHub's REST API (tests/helpers/git-http-server.ts) under a certificate for its address, each
 * repository a bare one under acme/, and the signed GitHub push deliveries it sends to the gateway.
 */
import { execFile } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from '../build.ts';
import { FROM_SOURCE } from '../cli.ts';
import { makeRepo } from '../git.ts';
import { bareRepository, type ForgeState, makeCertificate } from '../git-http-server.ts';
import type { Host, HostProc } from './lab.ts';

const exec = promisify(execFile);

const GIT_PORT = 8443;
const API_PORT = 8080;

export type Forge = {
  host: Host;
  proc: HostProc;
  /** Per repository name: its clone URL and its bare repository on the forge. */
  repos: Record<string, { url: string; bare: string }>;
  /** The certificate's PEM file, which the other hosts trust as an operator's private CA. */
  cert: string;
  /** The base URL of its GitHub API. */
  apiUrl: string;
  state: () => Promise<ForgeState>;
};

/**
 * Starts the forge on `host` with a bare repository per entry of `repos` (its files a commit on
 * main), pushing every source repository it makes to `sources` for the caller to remove, also when
 * it fails part way. It accepts pushes with `token` only. Returns once started, not once ready.
 */
export async function startForge(
  host: Host,
  opts: { repos: Record<string, Record<string, string>>; token: string; sources: string[] },
): Promise<Forge> {
  const { cert, key } = await makeCertificate(host.dir, host.address);
  await mkdir(path.join(host.dir, 'repos', 'acme'), { recursive: true });
  const repos: Forge['repos'] = {};
  for (const [name, files] of Object.entries(opts.repos)) {
    const source = await makeRepo(files);
    opts.sources.push(source);
    const bare = await bareRepository(path.join(host.dir, 'repos', 'acme'), name, source);
    repos[name] = { url: `https://${host.address}:${GIT_PORT}/acme/${name}.git`, bare };
  }
  const proc = host.start(
    process.execPath,
    [...FROM_SOURCE, path.join(ROOT, 'tests/helpers/git-http-server.ts')],
    {
      cwd: ROOT,
      logName: 'forge',
      env: {
        PATH: process.env.PATH ?? '',
        HOME: host.dir,
        FORGE_ADDRESS: host.address,
        FORGE_GIT_PORT: String(GIT_PORT),
        FORGE_API_PORT: String(API_PORT),
        FORGE_REPOS: path.join(host.dir, 'repos'),
        FORGE_CERT: cert,
        FORGE_KEY: key,
        FORGE_TOKEN: opts.token,
        FORGE_STATE: path.join(host.dir, 'state.json'),
      },
    },
  );
  const state = async () =>
    JSON.parse(await readFile(path.join(host.dir, 'state.json'), 'utf8')) as ForgeState;
  return { host, proc, repos, cert, apiUrl: `http://${host.address}:${API_PORT}`, state };
}

/**
 * A GitHub push delivery of repository `name`'s main (its `files` added), signed with `secret`,
 * sent from the forge's host to `webhookUrl`; the HTTP status it got.
 */
export async function sendPush(
  forge: Forge,
  name: string,
  opts: { files: string[]; secret: string; webhookUrl: string },
): Promise<string> {
  const r = forge.repos[name];
  if (!r) throw new Error(`no repository ${name}`);
  const after = (await exec('git', ['-C', r.bare, 'rev-parse', 'main'])).stdout.trim();
  const body = JSON.stringify({
    ref: 'refs/heads/main',
    before: '0'.repeat(40),
    after,
    created: true,
    deleted: false,
    forced: false,
    commits: [{ added: opts.files, modified: [], removed: [] }],
    repository: {
      full_name: `acme/${name}`,
      clone_url: r.url,
      html_url: `https://${forge.host.address}/acme/${name}`,
    },
  });
  const bodyFile = path.join(forge.host.dir, `push-${name}.json`);
  await writeFile(bodyFile, body);
  const signature = `sha256=${createHmac('sha256', opts.secret).update(body).digest('hex')}`;
  const sent = await forge.host.run('curl', [
    ...['-s', '-o', '/dev/null', '-w', '%{http_code}', '-X', 'POST', opts.webhookUrl],
    ...['-H', 'content-type: application/json', '-H', 'x-github-event: push'],
    ...[
      '-H',
      `x-github-delivery: ${randomBytes(8).toString('hex')}`,
      '-H',
      `x-hub-signature-256: ${signature}`,
    ],
    ...['--data-binary', `@${bodyFile}`],
  ]);
  return sent.stdout.trim();
}
