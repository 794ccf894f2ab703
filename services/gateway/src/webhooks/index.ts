/**
 * `@selfreview/gateway/webhooks`: the push and pull/merge-request webhooks, as the gateway
 * mounts them (webhookRoutes) and their pure parts (signature checks, payload parsing, which
 * repository an event may name), for anyone who needs to check or parse an event the same way.
 */
export { type Forge, repositoriesNamed, secretOf, sharedSecrets } from './binding.ts';
export {
  type ClosedProposal,
  githubEventStartsWork,
  gitlabEventStartsWork,
  type PushEvent,
  parseGitHubClosedUnmerged,
  parseGitHubPush,
  parseGitLabClosedUnmerged,
  parseGitLabPush,
} from './payloads.ts';
export { type WebhookDeps, webhookRoutes } from './routes.ts';
export {
  type GitHubSignatureCheck,
  type GitLabTokenCheck,
  verifyGitHubSignature,
  verifyGitLabToken,
} from './verify.ts';
