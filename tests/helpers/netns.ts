/**
 * Several "hosts" on this one machine, for tests of a deployment spread over machines: each host
 * is a network namespace with an address of its own and a folder no other host sees, so a path
 * one host writes into a job means nothing on another host, as between real machines. This file
 * is the one import path of tests/multi-host.test.ts and tests/bench/multi-host-bench.ts; the
 * parts are under tests/helpers/netns/:
 * - lab.ts: the hosts (namespaces, bridge, folders) and `labUnavailable`, which says why a lab
 *   cannot be built here (it needs root and `ip netns`), for a test's skip;
 * - forge.ts: the forge host (git over HTTPS, GitHub's API) and its signed push webhooks;
 * - deployment.ts: `startDeployment`, which puts selfreview's processes on such hosts;
 * - logs.ts and repos.ts: the workers' log lines read back, and repositories of many batches.
 */
export { type Deployment, startDeployment } from './netns/deployment.ts';
export { createLab, type Host, type HostProc, type Lab, labUnavailable } from './netns/lab.ts';
export { jobsWith, type LogLine, logLines } from './netns/logs.ts';
export { MANY_FILES, manyBatchesRepo, manyFiles } from './netns/repos.ts';
