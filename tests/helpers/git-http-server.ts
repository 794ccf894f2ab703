/**
 * A forge host for tests across hosts: bare repositories served over HTTPS by `git http-backend`
 * (smart HTTP, clone and fetch anonymous, push only with the token as basic auth, as GitHub takes
 * it), and GitHub's REST API (tests/helpers/fake-github.ts, on the host's loopback) reachable on the
 * host's address through a plain TCP relay, both on one host name as a forge has them.
 *
 * Run as a process on its host (`node --conditions=source --import tsx git-http-server.ts`) with
 * FORGE_* variables (see `forgeMain`); it prints `forge ready` and keeps what the API holds (pull
 * requests, every request's method and path, every push) in FORGE_STATE, a JSON file the test reads.
 * The test side: `makeCertificate` and `bareRepository`.
 */
import { execFile, spawn } from 'node:child_process';
import { readFile, rename, writeFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { connect, createServer as createTcpServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startFakeGitHub } from './fake-github.ts';

const exec = promisify(execFile);

export const GIT_HTTP_BACKEND = '/usr/lib/git-core/git-http-backend';

export type ForgeState = {
  pulls: { number: number; head: string; base: string; state: string; labels: string[]; repo: string }[];
  requests: { method: string; path: string }[];
  /** Every accepted `git-receive-pack` POST (a push), in order. */
  pushes: number;
  /** Requests refused for want of the token. */
  refused: number;
};

/** A throw-away CA-less certificate for `ip` (its own issuer), to trust through http.sslCAInfo. */
export async function makeCertificate(dir: string, ip: string): Promise<{ cert: string; key: string }> {
  const cert = path.join(dir, 'forge-cert.pem');
  const key = path.join(dir, 'forge-key.pem');
  await exec('openssl', [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    key,
    '-out',
    cert,
    '-days',
    '1',
    '-subj',
    `/CN=${ip}`,
    '-addext',
    `subjectAltName=IP:${ip}`,
  ]);
  return { cert, key };
}

/** A bare repository `<root>/<name>.git` holding `source`'s main branch. */
export async function bareRepository(root: string, name: string, source: string): Promise<string> {
  const dir = path.join(root, `${name}.git`);
  const env = { PATH: process.env.PATH ?? '', HOME: root, GIT_CONFIG_NOSYSTEM: '1' };
  await exec('git', ['clone', '--quiet', '--bare', '--', source, dir], { env });
  return dir;
}

/** CGI request to git http-backend, the body buffered (it wants CONTENT_LENGTH), the answer streamed. */
async function serveGit(req: IncomingMessage, res: ServerResponse, root: string, user: string | null) {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const body = Buffer.concat(chunks);
  const u = new URL(req.url ?? '/', 'https://forge');
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    GIT_PROJECT_ROOT: root,
    GIT_HTTP_EXPORT_ALL: '1',
    GIT_CONFIG_NOSYSTEM: '1',
    HOME: root,
    REQUEST_METHOD: req.method ?? 'GET',
    PATH_INFO: decodeURIComponent(u.pathname),
    QUERY_STRING: u.search.slice(1),
    CONTENT_TYPE: req.headers['content-type'] ?? '',
    CONTENT_LENGTH: String(body.length),
    REMOTE_ADDR: req.socket.remoteAddress ?? '',
    GATEWAY_INTERFACE: 'CGI/1.1',
    SERVER_PROTOCOL: 'HTTP/1.1',
  };
  // http-backend enables receive-pack for an authenticated user (REMOTE_USER) only.
  if (user) env.REMOTE_USER = user;
  if (req.headers['content-encoding']) env.HTTP_CONTENT_ENCODING = String(req.headers['content-encoding']);
  if (req.headers['git-protocol']) env.GIT_PROTOCOL = String(req.headers['git-protocol']);
  const child = spawn(GIT_HTTP_BACKEND, [], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  // http-backend may answer (an error) without reading the whole body.
  child.stdin.on('error', () => {});
  child.stdin.end(body);
  let head = Buffer.alloc(0);
  let headerDone = false;
  child.stdout.on('data', (c: Buffer) => {
    if (headerDone) {
      res.write(c);
      return;
    }
    head = Buffer.concat([head, c]);
    const crlf = head.indexOf('\r\n\r\n');
    const lf = head.indexOf('\n\n');
    const end = crlf >= 0 && (lf < 0 || crlf < lf) ? crlf : lf;
    if (end < 0) return;
    const sep = end === crlf ? 4 : 2;
    headerDone = true;
    let status = 200;
    const headers: Record<string, string> = {};
    for (const line of head.subarray(0, end).toString('latin1').split(/\r?\n/)) {
      const i = line.indexOf(':');
      if (i < 0) continue;
      const name = line.slice(0, i).trim();
      const value = line.slice(i + 1).trim();
      if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10) || 200;
      else headers[name] = value;
    }
    res.writeHead(status, headers);
    res.write(head.subarray(end + sep));
  });
  child.stderr.on('data', (c: Buffer) => process.stderr.write(c));
  await new Promise<void>((resolve) => child.on('close', () => resolve()));
  if (!headerDone) res.writeHead(502).end('git http-backend gave no answer');
  else res.end();
}

/** The user a request authenticates as with the token (any user name, as GitHub), or null. */
function tokenUser(req: IncomingMessage, token: string): string | null {
  const m = /^Basic (.+)$/i.exec(req.headers.authorization ?? '');
  if (!m?.[1]) return null;
  const [user, pass] = Buffer.from(m[1], 'base64').toString('utf8').split(':', 2);
  return pass === token ? user || 'token' : null;
}

/**
 * The forge process: FORGE_ADDRESS (its address), FORGE_GIT_PORT (HTTPS git), FORGE_API_PORT (the
 * REST API), FORGE_REPOS (the folder of bare repositories), FORGE_CERT/FORGE_KEY, FORGE_TOKEN (the
 * one token it takes), FORGE_STATE (where it keeps its state for the test).
 */
async function forgeMain(env: NodeJS.ProcessEnv): Promise<void> {
  const need = (name: string) => {
    const v = env[name];
    if (!v) throw new Error(`${name} is not set`);
    return v;
  };
  const address = need('FORGE_ADDRESS');
  const repos = need('FORGE_REPOS');
  const token = need('FORGE_TOKEN');
  const stateFile = need('FORGE_STATE');
  let pushes = 0;
  let refused = 0;

  const git = createHttpsServer(
    { cert: await readFile(need('FORGE_CERT')), key: await readFile(need('FORGE_KEY')) },
    (req, res) => {
      const u = new URL(req.url ?? '/', 'https://forge');
      const pushing =
        u.pathname.endsWith('/git-receive-pack') || u.searchParams.get('service') === 'git-receive-pack';
      const user = tokenUser(req, token);
      if (pushing && !user) {
        refused++;
        res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="forge"' }).end('token required to push\n');
        return;
      }
      if (pushing && req.method === 'POST') pushes++;
      serveGit(req, res, repos, user).catch((err: Error) => {
        if (!res.headersSent) res.writeHead(500);
        res.end(err.message);
      });
    },
  );
  await new Promise<void>((resolve) => git.listen(Number(need('FORGE_GIT_PORT')), address, resolve));

  const api = await startFakeGitHub({ token });
  const apiPort = new URL(api.url).port;
  const relay = createTcpServer((socket) => {
    const upstream = connect(Number(apiPort), '127.0.0.1');
    socket.pipe(upstream).pipe(socket);
    const end = () => {
      socket.destroy();
      upstream.destroy();
    };
    socket.on('error', end);
    upstream.on('error', end);
  });
  await new Promise<void>((resolve) => relay.listen(Number(need('FORGE_API_PORT')), address, resolve));

  let written = '';
  const keep = async () => {
    const state: ForgeState = {
      pulls: api.pulls.map((p) => ({
        number: p.number,
        head: p.head,
        base: p.base,
        state: p.state,
        labels: p.labels,
        repo: p.repo,
      })),
      requests: api.requests.map((r) => ({ method: r.method, path: r.path })),
      pushes,
      refused,
    };
    const text = JSON.stringify(state);
    if (text === written) return;
    await writeFile(`${stateFile}.tmp`, text);
    await rename(`${stateFile}.tmp`, stateFile);
    written = text;
  };
  await keep();
  setInterval(() => void keep().catch(() => {}), 100);
  process.stdout.write(
    `forge ready: git https://${address}:${env.FORGE_GIT_PORT}, api http://${address}:${env.FORGE_API_PORT}\n`,
  );
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  forgeMain(process.env).catch((err: Error) => {
    process.stderr.write(`forge: ${err.stack ?? err.message}\n`);
    process.exit(1);
  });
}
