/**
 * The hosts of a lab: network namespaces, each with one address of a private /24, joined by veth
 * pairs to a bridge in a namespace of its own, and each with a folder of its own that no other
 * host sees (its processes run in a mount namespace where the folder of all hosts is replaced by
 * an empty tmpfs with only their own folder put back). Every namespace and link carries a
 * per-lab suffix and is removed by `remove()`, which kills every process the hosts still run first.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const exec = promisify(execFile);

export type HostProc = {
  child: ChildProcess;
  /** stdout and stderr so far, as they came. */
  output: () => string;
  exited: Promise<number | null>;
};

export type Host = {
  name: string;
  /** The network namespace's name. */
  ns: string;
  /** Its address on the lab's network. */
  address: string;
  /** Its own folder (the same path inside the host and outside it, where the test reads it). */
  dir: string;
  /** Starts `command` on this host (its network, its folder only), logging to `<dir>/<logName>.log`. */
  start: (
    command: string,
    args: readonly string[],
    opts: { env: Record<string, string>; cwd?: string; logName: string },
  ) => HostProc;
  /** Runs `command` on this host to its end (no folder isolation: a quick client, e.g. curl). */
  run: (command: string, args: readonly string[]) => Promise<{ stdout: string; stderr: string }>;
  /** SIGKILLs every process of the host (all in its namespace, and their descendants); returns their pids. */
  kill: () => Promise<number[]>;
};

export type Lab = {
  suffix: string;
  /** The lab's folder; `<root>/hosts/<name>` is each host's own. */
  root: string;
  hosts: Record<string, Host>;
  remove: () => Promise<void>;
};

/** Why a lab cannot be built here (null when it can): not root, or `ip netns` does not work. */
export async function labUnavailable(): Promise<string | null> {
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    return 'network namespaces need root (this test builds hosts with ip netns and veth pairs)';
  }
  const probe = `srprobe-${randomBytes(3).toString('hex')}`;
  try {
    await exec('ip', ['netns', 'add', probe]);
  } catch (err) {
    return `ip netns add failed: ${(err as Error).message.split('\n')[0]}`;
  }
  await exec('ip', ['netns', 'del', probe]).catch(() => {});
  return null;
}

/**
 * Builds the hosts named (at most 200), addresses `10.<a>.<b>.<2+i>` in a /24 of the 10/8 range
 * chosen at random, so labs of tests running at the same time do not meet.
 */
export async function createLab(names: readonly string[]): Promise<Lab> {
  const suffix = randomBytes(3).toString('hex');
  const root = path.join(os.tmpdir(), `selfreview-lab-${suffix}`);
  const subnet = `10.${100 + ((randomBytes(1)[0] as number) % 100)}.${randomBytes(1)[0] as number}`;
  const sw = `sr-${suffix}-sw`;
  const namespaces: string[] = [];
  const procs: HostProc[] = [];
  const hosts: Record<string, Host> = {};

  const ip = (...args: string[]) => exec('ip', args);
  const remove = async () => {
    for (const h of Object.values(hosts)) await h.kill().catch(() => []);
    for (const p of procs)
      if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
    // Deleting a namespace removes its ends of the veth pairs, and with them their peers.
    for (const ns of namespaces.reverse()) await ip('netns', 'del', ns).catch(() => {});
    await rm(root, { recursive: true, force: true });
  };

  try {
    await mkdir(path.join(root, 'hosts'), { recursive: true });
    await mkdir(path.join(root, 'self'), { recursive: true });
    await ip('netns', 'add', sw);
    namespaces.push(sw);
    await ip('-n', sw, 'link', 'add', 'br0', 'type', 'bridge');
    await ip('-n', sw, 'link', 'set', 'br0', 'up');
    for (const [i, name] of names.entries()) {
      const ns = `sr-${suffix}-${name}`;
      await ip('netns', 'add', ns);
      namespaces.push(ns);
      const address = `${subnet}.${2 + i}`;
      // Created straight into their namespaces, so no name is ever taken in this one.
      await ip(
        'link',
        'add',
        'name',
        'eth0',
        'netns',
        ns,
        'type',
        'veth',
        'peer',
        'name',
        `p${i}`,
        'netns',
        sw,
      );
      await ip('-n', sw, 'link', 'set', `p${i}`, 'master', 'br0');
      await ip('-n', sw, 'link', 'set', `p${i}`, 'up');
      await ip('-n', ns, 'addr', 'add', `${address}/24`, 'dev', 'eth0');
      await ip('-n', ns, 'link', 'set', 'eth0', 'up');
      await ip('-n', ns, 'link', 'set', 'lo', 'up');
      const dir = path.join(root, 'hosts', name);
      await mkdir(dir, { recursive: true });
      hosts[name] = makeHost({ name, ns, address, dir, root, procs });
    }
  } catch (err) {
    await remove();
    throw err;
  }
  return { suffix, root, hosts, remove };
}

/**
 * The shell that puts a process on its host: the folder of all hosts hidden under a tmpfs, its own
 * folder bound back at its usual path. `ip netns exec` has given it a mount namespace of its own.
 */
const ISOLATE = [
  'set -e',
  'mount --bind "$LAB_OWN" "$LAB_SELF"',
  'mount -t tmpfs -o size=1m,mode=755 lab "$LAB_HOSTS"',
  'mkdir -p "$LAB_OWN"',
  'mount --bind "$LAB_SELF" "$LAB_OWN"',
  'umount -l "$LAB_SELF"',
  'exec "$@"',
].join('\n');

function makeHost(h: {
  name: string;
  ns: string;
  address: string;
  dir: string;
  root: string;
  procs: HostProc[];
}): Host {
  const start: Host['start'] = (command, args, opts) => {
    const child = spawn('ip', ['netns', 'exec', h.ns, 'sh', '-c', ISOLATE, 'lab', command, ...args], {
      cwd: opts.cwd,
      env: {
        ...opts.env,
        LAB_OWN: h.dir,
        LAB_SELF: path.join(h.root, 'self'),
        LAB_HOSTS: path.join(h.root, 'hosts'),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const file = createWriteStream(path.join(h.dir, `${opts.logName}.log`), { flags: 'a' });
    const take = (c: Buffer) => {
      out += c.toString();
      file.write(c);
    };
    child.stdout?.on('data', take);
    child.stderr?.on('data', take);
    const exited = new Promise<number | null>((resolve) =>
      child.on('exit', (code) => {
        file.end();
        resolve(code);
      }),
    );
    const proc = { child, output: () => out, exited };
    h.procs.push(proc);
    return proc;
  };
  const run: Host['run'] = (command, args) =>
    exec('ip', ['netns', 'exec', h.ns, command, ...args], { maxBuffer: 16 * 1024 * 1024 });
  const kill: Host['kill'] = async () => {
    const listed = await exec('ip', ['netns', 'pids', h.ns]).catch(() => ({ stdout: '' }));
    const direct = listed.stdout.split(/\s+/).filter(Boolean).map(Number);
    // Sandboxed commands live in network namespaces of their own: found as descendants.
    const pids = await withDescendants(direct);
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    return pids;
  };
  return { name: h.name, ns: h.ns, address: h.address, dir: h.dir, start, run, kill };
}

/** `pids` and every process below them (read from /proc). */
async function withDescendants(pids: readonly number[]): Promise<number[]> {
  const parentOf = new Map<number, number>();
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    // The command may hold spaces and parentheses: the fields after its last ')' are fixed.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (ppid) parentOf.set(Number(entry), ppid);
  }
  const all = new Set(pids);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, ppid] of parentOf) {
      if (!all.has(pid) && all.has(ppid)) {
        all.add(pid);
        grew = true;
      }
    }
  }
  return [...all];
}
