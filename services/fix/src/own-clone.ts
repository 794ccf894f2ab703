/**
 * Where a fix worker finds a job's repository on its own host. A job carries the path the scan
 * worker used, which on another host (its own SELFREVIEW_DATA_DIR) means nothing: in server mode a
 * repository configured by clone URL is cloned into, or fetched into, this worker's own data folder
 * instead (the same cached bare clone the scan worker keeps, named by the URL's hash), fetched only
 * when the batch's base commit is not there yet. A repository configured by local path, or a job of
 * `selfreview run` (no server configuration), is the job's path as before.
 */
import { existsSync } from 'node:fs';
import type { RepoRef } from '@selfreview/shared/queues';
import type { ServerConfig } from '@selfreview/shared/server-config';
import { Repository } from '@selfreview/shared/workspace';

export type OwnClone = (repo: RepoRef, baseSha: string) => Promise<string>;

export function ownCloneResolver(config: ServerConfig, dataDir: string): OwnClone {
  // One clone or fetch of a URL at a time in this process; git's own ref locks guard the rest.
  const pending = new Map<string, Promise<string>>();
  return async (repo, baseSha) => {
    const url = repo.name ? config.repositories.find((r) => r.name === repo.name)?.url : undefined;
    if (!url) return repo.path;
    const dir = Repository.clonePath(url, dataDir);
    if (existsSync(dir)) {
      const known = await (await Repository.open(dir)).resolveCommit(baseSha).catch(() => null);
      if (known) return dir;
    }
    let fetching = pending.get(url);
    if (!fetching) {
      fetching = Repository.cloneOrFetch(url, dataDir)
        .then((r) => r.root)
        .finally(() => pending.delete(url));
      pending.set(url, fetching);
    }
    return fetching;
  };
}
