/**
 * Which configured repositories a webhook's project name means, and which secret each one
 * verifies its webhooks with. A state-changing event is accepted only when it is signed with
 * the secret of a repository it names: a secret proves who sent an event, not which repository
 * it may speak for.
 */
import { normalizeRepoUrl, type ServerConfig, type ServerRepo } from '@selfreview/shared/server-config';

export type Forge = 'github' | 'gitlab';

/**
 * The repositories a forge project (`owner/name`, `group/sub/name`) names: by `project`, by the
 * publish settings' forge project, or by the path of the clone URL. Several when the operator
 * configured one project more than once (two branches, say).
 */
export function repositoriesNamed(config: ServerConfig, project: string): ServerRepo[] {
  const wanted = project.toLowerCase();
  return config.repositories.filter((repo) => projectNamesOf(repo).includes(wanted));
}

function projectNamesOf(repo: ServerRepo): string[] {
  const names = [repo.project, repo.publish?.forge?.project].filter((n): n is string => n !== undefined);
  if (repo.url !== undefined) {
    // normalizeRepoUrl gives `host/path`: the project is the path.
    const hostPath = normalizeRepoUrl(repo.url);
    const slash = hostPath.indexOf('/');
    if (slash > 0) names.push(hostPath.slice(slash + 1));
  }
  return names.map((n) => n.toLowerCase());
}

/** The secret (GitHub) or token (GitLab) a repository's webhooks are verified with; undefined when none is set. */
export function secretOf(
  repo: ServerRepo,
  forge: Forge,
  env: Readonly<Record<string, string | undefined>>,
): string | undefined {
  const envName = forge === 'github' ? repo.webhooks.github?.secretEnv : repo.webhooks.gitlab?.tokenEnv;
  const value = envName ? env[envName] : undefined;
  return value === '' ? undefined : value;
}

/**
 * Repositories that share one secret for a forge: an event signed for one of them is
 * indistinguishable from one signed for the other, so the operator is told at start.
 */
export function sharedSecrets(
  config: ServerConfig,
  forge: Forge,
  env: Readonly<Record<string, string | undefined>>,
): string[][] {
  const byValue = new Map<string, string[]>();
  for (const repo of config.repositories) {
    const value = secretOf(repo, forge, env);
    if (value !== undefined) byValue.set(value, [...(byValue.get(value) ?? []), repo.name]);
  }
  return [...byValue.values()].filter((names) => names.length > 1);
}
