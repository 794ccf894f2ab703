/**
 * Shim: the end of a run lives in the coordinator now (coordinator/finish.ts). services/fix's
 * main.ts and publish-main.ts still import it from here; remove this file once they import
 * `@selfreview/shared/coordinator`.
 */
export { finishRunIfDrained } from './coordinator/finish.ts';
