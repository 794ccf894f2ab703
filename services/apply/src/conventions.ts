/** Re-exported: a repository's conventions are read where the checks that use them live. */
export * from '@selfreview/checks/lib/conventions';
