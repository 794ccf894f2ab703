/**
 * The server configuration (`selfreview.server.yaml` or `.json`): the repositories a team's
 * selfreview watches, how pushes from each are authenticated, when each is fully scanned, and
 * where run summaries go. Secrets are never in it, only the names of the environment
 * variables that hold them. Errors name the file and the key.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { parseConfigFile } from './config.ts';
import { scheduleProblem } from './cron-schedule.ts';
import { ConfigError } from './errors.ts';
import { RepoTarget } from './queues.ts';
import { ForgeKind } from './schemas.ts';

const EnvName = z.string().regex(/^[A-Z_][A-Z0-9_]{0,63}$/, 'expected an environment variable name');

/**
 * Where and how a repository's fix branches are published: read by the publisher only, from
 * the server configuration or from `selfreview run`'s own options, never from job data.
 */
export const PublishSettings = z
  .object({
    /** The git remote fix branches are pushed to. */
    remote: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'expected a remote name')
      .default('origin'),
    /** Which forge project; detected from the remote's URL (github.com, gitlab.com) when absent. */
    forge: z
      .object({
        kind: ForgeKind,
        project: z
          .string()
          .regex(/^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)+$/, 'expected owner/name or group/…/project'),
        /** The REST API (GitHub) or instance (GitLab) URL; the public service's by default. */
        apiUrl: z.url({ protocol: /^https?$/ }).optional(),
      })
      .strict()
      .optional(),
    /** The NAME of the environment variable holding the token (GITHUB_TOKEN or GITLAB_TOKEN by default). */
    tokenEnv: EnvName.optional(),
  })
  .strict();
export type PublishSettings = z.infer<typeof PublishSettings>;

/**
 * What `selfreview run --publish` hands its own publisher process (in SELFREVIEW_RUN_PUBLISH,
 * as JSON): the one repository it may publish from, its base branch, and the CLI's options.
 */
export const RunPublishSettings = PublishSettings.extend({
  repoPath: z.string().startsWith('/'),
  baseBranch: z.string().min(1),
}).strict();
export type RunPublishSettings = z.infer<typeof RunPublishSettings>;

/** The forges' default token variables, when the settings name none. */
export const DEFAULT_TOKEN_ENV: Record<ForgeKind, string> = {
  github: 'GITHUB_TOKEN',
  gitlab: 'GITLAB_TOKEN',
};

/** The variable names of a repository's publish token: the named one, or both defaults when unnamed (the forge may be detected later). */
export function publishTokenEnvs(settings: PublishSettings | undefined): string[] {
  if (!settings) return [];
  if (settings.tokenEnv) return [settings.tokenEnv];
  return settings.forge ? [DEFAULT_TOKEN_ENV[settings.forge.kind]] : Object.values(DEFAULT_TOKEN_ENV);
}

/** Five or six cron fields (seconds optional); whether BullMQ can run it is checked with the time zone (ServerRepo). */
const Cron = z
  .string()
  .trim()
  .regex(/^(\S+\s+){4,5}\S+$/, 'expected a cron expression of 5 or 6 fields, e.g. "0 3 * * *"');

export const ServerRepo = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'expected 1-64 letters, digits, _ . or -'),
    path: z.string().startsWith('/', 'expected an absolute path').optional(),
    url: z.string().optional(),
    branch: z.string().default('main'),
    /** `owner/name` (GitHub) or `group/project` (GitLab) whose pushes mean this repository, for a local path. */
    project: z.string().optional(),
    /** A full scan on this schedule; none when absent. */
    schedule: Cron.optional(),
    /** The IANA time zone the schedule is read in; the server's when absent. */
    timezone: z.string().optional(),
    /** Which webhooks may start scans of this repository, and the variables holding their secrets. */
    webhooks: z
      .object({
        github: z.object({ secretEnv: EnvName }).strict().optional(),
        gitlab: z.object({ tokenEnv: EnvName }).strict().optional(),
      })
      .strict()
      .default({}),
    /** Push fix branches and propose them (only the publisher reads this); local branches only when absent. */
    publish: PublishSettings.optional(),
  })
  .strict()
  // Here, not at the gateway's start: a schedule BullMQ cannot run is refused with the file.
  .superRefine((repo, ctx) => {
    const problem = scheduleProblem(repo.schedule, repo.timezone);
    if (problem) ctx.addIssue({ code: 'custom', path: [problem.field], message: problem.message });
  });
export type ServerRepo = z.infer<typeof ServerRepo>;

export const ServerConfig = z
  .object({
    repositories: z.array(ServerRepo).default([]),
    /** A Slack-compatible incoming webhook for run summaries: the variable holding its URL. */
    notify: z.object({ webhookUrlEnv: EnvName }).strict().optional(),
  })
  .strict()
  .superRefine((config, ctx) => {
    const seen = new Set<string>();
    config.repositories.forEach((repo, i) => {
      if (seen.has(repo.name))
        ctx.addIssue({
          code: 'custom',
          path: ['repositories', i, 'name'],
          message: `duplicate name ${repo.name}`,
        });
      seen.add(repo.name);
      const target = RepoTarget.safeParse(repo);
      if (!target.success) {
        for (const issue of target.error.issues)
          ctx.addIssue({ code: 'custom', path: ['repositories', i, ...issue.path], message: issue.message });
      }
    });
  });
export type ServerConfig = z.infer<typeof ServerConfig>;

export function parseServerConfig(text: string, fileName: string): ServerConfig {
  return parseConfigFile(text, fileName, ServerConfig);
}

export async function loadServerConfig(file: string): Promise<ServerConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`${file}: cannot read the server configuration: ${(err as Error).message}`);
  }
  return parseServerConfig(text, file);
}

/** The repository as trigger jobs carry it (validated: exactly one of path and url); never its publish settings. */
export function repoTarget(repo: ServerRepo): RepoTarget {
  return RepoTarget.parse({
    name: repo.name,
    ...(repo.path ? { path: repo.path } : {}),
    ...(repo.url ? { url: repo.url } : {}),
    branch: repo.branch,
  });
}

/** A repository URL reduced to what identifies it: host and path, lower case, no credentials or `.git`. */
export function normalizeRepoUrl(url: string): string {
  const scp = /^[\w.-]+@([\w.-]+):(.+)$/.exec(url);
  let hostPath: string;
  if (scp) hostPath = `${scp[1]}/${scp[2]}`;
  else {
    try {
      const u = new URL(url);
      hostPath = `${u.hostname}${u.pathname}`;
    } catch {
      return url.toLowerCase();
    }
  }
  return hostPath
    .toLowerCase()
    .replace(/\/+$/, '')
    .replace(/\.git$/, '');
}

/** The configured repository a push names (by any of its URLs, or its full name for path repos with a forge). */
export function findRepository(
  config: ServerConfig,
  push: { fullName: string; urls: readonly string[] },
): ServerRepo | undefined {
  const urls = new Set(push.urls.map(normalizeRepoUrl));
  const fullName = push.fullName.toLowerCase();
  return config.repositories.find((r) => {
    if (r.url !== undefined && urls.has(normalizeRepoUrl(r.url))) return true;
    const project = r.project ?? r.publish?.forge?.project;
    return project !== undefined && project.toLowerCase() === fullName;
  });
}

/**
 * The NAMES of the secret variables a server configuration refers to, by who needs them: the
 * publisher the forge tokens, the gateway the webhook secrets, whoever finishes a run the
 * summary webhook's URL. `selfreview up` gives each process only its own.
 */
export function secretEnvNames(config: ServerConfig): {
  forge: string[];
  webhooks: string[];
  notify: string[];
} {
  const forge = new Set<string>();
  const webhooks = new Set<string>();
  for (const repo of config.repositories) {
    for (const name of publishTokenEnvs(repo.publish)) forge.add(name);
    if (repo.webhooks.github) webhooks.add(repo.webhooks.github.secretEnv);
    if (repo.webhooks.gitlab) webhooks.add(repo.webhooks.gitlab.tokenEnv);
  }
  return {
    forge: [...forge].sort(),
    webhooks: [...webhooks].sort(),
    notify: config.notify ? [config.notify.webhookUrlEnv] : [],
  };
}
