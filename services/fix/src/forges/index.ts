/**
 * Where fix branches are proposed: the forge registry, the defaults per forge, recognising a
 * forge from a git remote, and `propose`, which reuses an open proposal rather than opening a
 * second one for the same branch. Proposing is all selfreview does; merging stays with people.
 */
import { createGitHubForge } from './github.ts';
import { createGitLabForge } from './gitlab.ts';
import type { Forge, ForgeKind, ForgeTarget, Proposal, ProposalInput } from './types.ts';

export { createGitHubForge, type GitHubForgeOptions } from './github.ts';
export { createGitLabForge } from './gitlab.ts';
export {
  type Forge,
  ForgeError,
  type ForgeKind,
  type ForgeTarget,
  type Proposal,
  type ProposalInput,
} from './types.ts';

const FORGES: Record<ForgeKind, (target: ForgeTarget, token: string) => Forge> = {
  github: (target, token) => createGitHubForge(target, token),
  gitlab: (target, token) => createGitLabForge(target, token),
};

export function createForge(target: ForgeTarget, token: string): Forge {
  return FORGES[target.kind](target, token);
}

export const DEFAULT_API_URL: Record<ForgeKind, string> = {
  github: 'https://api.github.com',
  gitlab: 'https://gitlab.com',
};

/** The token variables when the settings name none: one list for the publisher and for `selfreview up`. */
export { DEFAULT_TOKEN_ENV } from '@selfreview/shared/server-config';

const HOSTS: Record<string, ForgeKind> = { 'github.com': 'github', 'gitlab.com': 'gitlab' };

// What a path segment of an owner, group or repository may hold on either forge.
const SEGMENT = /^[A-Za-z0-9_.-]+$/;

/**
 * The forge and project a git remote points at, for github.com and gitlab.com only: a
 * self-hosted instance cannot be told from any other host by its URL, so it is configured
 * explicitly. Credentials in an https remote are dropped, never returned.
 */
export function detectForgeFromRemote(url: string): ForgeTarget | null {
  const remote = url.trim();
  const parsed = /^[a-z][a-z0-9+.-]*:\/\//i.test(remote) ? fromUrl(remote) : fromScp(remote);
  if (!parsed) return null;
  const kind = HOSTS[parsed.host.toLowerCase()];
  if (!kind) return null;
  const project = projectFromPath(kind, parsed.path);
  return project ? { kind, project, apiUrl: DEFAULT_API_URL[kind] } : null;
}

/** `https://[user[:pw]@]host/path` or `ssh://[user@]host[:22]/path`. */
function fromUrl(remote: string): { host: string; path: string } | null {
  let u: URL;
  try {
    u = new URL(remote);
  } catch {
    return null;
  }
  if (u.search || u.hash) return null;
  if (u.protocol === 'https:') return u.port ? null : { host: u.hostname, path: u.pathname };
  if (u.protocol === 'ssh:') {
    return u.port && u.port !== '22' ? null : { host: u.hostname, path: u.pathname };
  }
  return null;
}

/** scp-like `[user@]host:path`, as `git@github.com:o/r.git`. */
function fromScp(remote: string): { host: string; path: string } | null {
  const m = /^(?:[^@/:\s]+@)?([^@/:\s]+):([^\s]+)$/.exec(remote);
  return m?.[1] && m[2] ? { host: m[1], path: m[2] } : null;
}

function projectFromPath(kind: ForgeKind, path: string): string | null {
  const trimmed = path
    .replace(/^\/+/, '')
    .replace(/\/+$/, '')
    .replace(/\.git$/, '');
  const segments = trimmed.split('/');
  if (segments.some((s) => !SEGMENT.test(s) || s === '.' || s === '..' || s === '-')) return null;
  // GitHub is always owner/repo; GitLab nests groups, so anything from group/project down.
  if (kind === 'github' ? segments.length !== 2 : segments.length < 2) return null;
  return segments.join('/');
}

/**
 * Opens a proposal for the branch, or brings the open one up to date: a fix branch gets at most
 * one pull/merge request however often it is proposed.
 */
export async function propose(forge: Forge, input: ProposalInput): Promise<Proposal & { reused: boolean }> {
  const found = await forge.findOpen(input.branch);
  if (found) {
    await forge.update(found.number, input);
    return { ...found, reused: true };
  }
  return { ...(await forge.open(input)), reused: false };
}
