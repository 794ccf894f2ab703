/**
 * `@selfreview/shared/coordinator`: a run's life between the stages (see coordinator.ts). The
 * stage workers construct one RunCoordinator per process; the CLI starts its own runs with
 * startRun and watches them through RunLifecycle.
 */
export { type CoordinatorDeps, RunCoordinator } from './coordinator.ts';
export { finishRunIfDrained } from './finish.ts';
export {
  groupForApply,
  handOverToFix,
  handOverToPublish,
  queuePublishJob,
  type RunRef,
} from './hand-over.ts';
export { RunLifecycle, type RunProgress } from './run-lifecycle.ts';
export { type RunStart, type StartRunDeps, startRun } from './start-run.ts';
export {
  createTriggerProcessor,
  firstPushKey,
  recordFirstPush,
  type TriggerDeps,
  type TriggerResult,
} from './trigger.ts';
