/**
 * A redis-server of the test's own that wants credentials, as a server deployment's should:
 * `requirepass` for the default user, optionally an ACL user, optionally TLS only (a throw-away
 * CA and certificate for 127.0.0.1). Loopback only, no persistence, removed after.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { findExecutable, freePort } from '@selfreview/shared/redis-server';
import { Redis, type RedisOptions } from 'ioredis';
import { removeDir, tempDir } from './git.ts';

const exec = promisify(execFile);

export type AuthRedis = {
  /** With the ACL user's credentials when there is one, else the default user's password. */
  url: string;
  /** The same server without any credentials, for checks that it refuses them. */
  bareUrl: string;
  port: number;
  /** A CA file for NODE_EXTRA_CA_CERTS when TLS is on. */
  caFile: string | null;
  stop: () => Promise<void>;
};

export async function startAuthRedis(opts: {
  password: string;
  /** An ACL user; `rules` (default `~* &* +@all`) as an ACL file line after the password. */
  user?: { name: string; password: string; rules?: string[] };
  tls?: boolean;
}): Promise<AuthRedis> {
  const bin = findExecutable('redis-server');
  if (!bin) throw new Error('redis-server is needed (the test set-up installs it)');
  const dir = await tempDir('selfreview-auth-redis-');
  const port = await freePort();
  const tlsArgs: string[] = [];
  let caFile: string | null = null;
  if (opts.tls) {
    const key = path.join(dir, 'key.pem');
    caFile = path.join(dir, 'cert.pem');
    await exec('openssl', [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      key,
      '-out',
      caFile,
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ]);
    tlsArgs.push(
      '--port',
      '0',
      '--tls-port',
      String(port),
      '--tls-cert-file',
      caFile,
      '--tls-key-file',
      key,
      '--tls-ca-cert-file',
      caFile,
      '--tls-auth-clients',
      'no',
    );
  } else tlsArgs.push('--port', String(port));
  const userArgs = opts.user
    ? [
        '--user',
        opts.user.name,
        'on',
        `>${opts.user.password}`,
        ...(opts.user.rules ?? ['~*', '&*', '+@all']),
      ]
    : [];
  const child: ChildProcess = spawn(
    bin,
    [
      ...tlsArgs,
      '--bind',
      '127.0.0.1',
      '--dir',
      dir,
      '--save',
      '',
      '--appendonly',
      'no',
      '--maxmemory-policy',
      'noeviction',
      '--requirepass',
      opts.password,
      ...userArgs,
    ],
    { stdio: 'ignore' },
  );
  const scheme = opts.tls ? 'rediss' : 'redis';
  const credentials = opts.user
    ? `${encodeURIComponent(opts.user.name)}:${encodeURIComponent(opts.user.password)}`
    : `:${encodeURIComponent(opts.password)}`;
  const url = `${scheme}://${credentials}@127.0.0.1:${port}`;
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await gone;
    await removeDir(dir);
  };
  const server = { url, bareUrl: `${scheme}://127.0.0.1:${port}`, port, caFile, stop };
  for (let i = 0; i < 100 && child.exitCode === null; i++) {
    const client = connectAuth(server, {
      lazyConnect: true,
      retryStrategy: () => null,
      maxRetriesPerRequest: 0,
    });
    client.on('error', () => {});
    const answered = await client
      .connect()
      .then(() => client.ping())
      .catch(() => null);
    client.disconnect();
    if (answered === 'PONG') return server;
    await new Promise((r) => setTimeout(r, 100));
  }
  await stop();
  throw new Error(`redis-server with credentials did not start on port ${port}`);
}

/** A client of the test itself (it trusts the throw-away CA; the workers get NODE_EXTRA_CA_CERTS). */
export function connectAuth(server: Pick<AuthRedis, 'url' | 'caFile'>, options: RedisOptions = {}): Redis {
  return new Redis(server.url, {
    maxRetriesPerRequest: null,
    ...options,
    ...(server.caFile ? { tls: { ca: readFileSync(server.caFile) } } : {}),
  });
}
