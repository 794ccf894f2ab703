/** Re-exported: which compiler diagnostics the semantic rules read is the checks' knowledge. */
export { UNDEFINED_CODES, UNUSED_CODES } from '@selfreview/checks/lib/semantic';
