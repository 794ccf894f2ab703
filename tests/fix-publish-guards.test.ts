/**
 * Where fix branches are not published, and where the token does not go: without credentials or
 * a request to publish the branch stays local, publish settings in job data are dropped, server
 * mode takes settings by repository name from the configured repository only, the token goes to
 * the forge's host only, and the git adapter pushes only selfreview branches to a named remote.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { noPublishing, runSettingsResolver, serverConfigResolver } from '@selfreview/fix/publisher';
import { parseServerConfig } from '@selfreview/shared/server-config';
import { parsePayload } from '@selfreview/shared/worker';
import { Repository } from '@selfreview/shared/workspace';
import { UnrecoverableError } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { startFakeGitHub } from './helpers/fake-github.ts';
import { git, removeDir, tempDir } from './helpers/git.ts';

const exec = promisify(execFile);

import { publishTestBed } from './helpers/fix-publish.ts';

describe('publishing fix branches', () => {
  const bed = publishTestBed();
  const { runs, ctx, job, toGitHub, remoteTip, fixer, publisher, handedFor } = bed;

  it('without credentials the branch stays local and the record says which variable is missing', async () => {
    const [result] = await fixer()(job('nocreds', 'src/c.ts'), ctx);
    expect(result?.status).toBe('committed');
    await publisher(toGitHub(), () => undefined)(handedFor('nocreds'), ctx);
    expect(await remoteTip(result?.branch ?? '')).toBeNull();
    const [record] = await runs.pullRequests('run-nocreds');
    expect(record).toMatchObject({
      status: 'local_only',
      url: null,
      reason: 'no credentials: GITHUB_TOKEN is not set, so the branch stays local',
    });
  });

  it('publishes nothing when the operator did not ask for it', async () => {
    const [result] = await fixer()(job('local', 'src/d.ts'), ctx);
    expect(result?.status).toBe('committed');
    await publisher(noPublishing)(handedFor('local'), ctx);
    expect(await remoteTip(result?.branch ?? '')).toBeNull();
    expect((await runs.pullRequests('run-local'))[0]).toMatchObject({
      status: 'local_only',
      reason: 'publishing not requested: the branch stays in the local repository',
    });
  });

  it('an edited job cannot publish: settings in job data are dropped, the token goes nowhere', async () => {
    const attacker = await startFakeGitHub();
    try {
      const edited = parsePayload('fix', {
        ...job('edited', 'src/e.ts'),
        repo: {
          path: bed.repo,
          publish: {
            remote: 'origin',
            forge: { kind: 'github', project: 'evil/loot', apiUrl: attacker.url },
            tokenEnv: 'GITHUB_TOKEN',
          },
        },
      });
      expect(edited.repo).toEqual({ path: bed.repo });
      await fixer()(edited, ctx);
      const handedJob = parsePayload('publish', {
        ...handedFor('edited'),
        apiUrl: attacker.url,
        tokenEnv: 'GITHUB_TOKEN',
        repo: {
          path: bed.repo,
          publish: { forge: { kind: 'github', project: 'evil/loot', apiUrl: attacker.url } },
        },
      });
      expect(JSON.stringify(handedJob)).not.toContain(attacker.url);
      // The publisher has the token and no settings for this run: it keeps the branch local.
      await publisher(noPublishing)(handedJob, ctx);
      expect(attacker.requests).toEqual([]);
      expect((await runs.pullRequests('run-edited'))[0]).toMatchObject({ status: 'local_only' });
    } finally {
      await attacker.close();
    }
  });

  it('server mode: settings by repository name, from the configured repository only', async () => {
    const config = parseServerConfig(
      [
        'repositories:',
        '  - name: demo',
        `    path: ${bed.repo}`,
        '    branch: main',
        '    publish:',
        `      forge: { kind: github, project: o/r, apiUrl: "${bed.github.url}" }`,
        '  - name: quiet',
        `    path: ${bed.repo}`,
        '',
      ].join('\n'),
      'server.yaml',
    );
    const resolve = serverConfigResolver(config, bed.dataDir);
    const [result] = await fixer()(
      { ...job('byname', 'src/f.ts'), repo: { path: bed.repo, name: 'demo' } },
      ctx,
    );
    await publisher(resolve)(handedFor('byname'), ctx);
    expect((await runs.pullRequests('run-byname'))[0]).toMatchObject({ status: 'opened', forge: 'github' });
    expect(await remoteTip(result?.branch ?? '')).toBe(result?.commit);

    const handedJob = handedFor('byname');
    for (const [name, reason] of [
      ['quiet', 'publishing not requested: the branch stays in the local repository'],
      ['stranger', 'repository stranger is not in the server configuration: the branch stays local'],
    ] as const) {
      const runId = `run-byname-${name}`;
      await runs.putFixResults(runId, await runs.fixResults('run-byname'));
      await publisher(resolve)({ ...handedJob, runId, repo: { path: bed.repo, name } }, ctx);
      expect((await runs.pullRequests(runId))[0]).toMatchObject({ status: 'local_only', reason });
    }

    // A job naming the configured repository but another folder, where the branch holds a
    // commit that looks like the batch's: the publisher opens the configured repository, where
    // the branch is not at that commit, and publishes nothing.
    const elsewhere = await tempDir();
    try {
      await exec('git', ['clone', '--quiet', bed.repo, elsewhere]);
      await git(elsewhere, 'checkout', '--quiet', '-b', handedJob.branch);
      await git(
        elsewhere,
        '-c',
        'user.name=x',
        '-c',
        'user.email=x@localhost',
        'commit',
        '--quiet',
        '--allow-empty',
        '-m',
        'not ours\n\nSelfreview-Batch: byname',
      );
      const forgedCommit = await git(elsewhere, 'rev-parse', 'HEAD');
      const runId = 'run-byname-elsewhere';
      await runs.putFixResults(
        runId,
        (await runs.fixResults('run-byname')).map((r) => ({ ...r, commit: forgedCommit })),
      );
      const forged = { ...handedJob, runId, commit: forgedCommit, repo: { path: elsewhere, name: 'demo' } };
      await expect(publisher(resolve)(forged, ctx)).rejects.toThrow(/not at the verified commit/);
      expect(await remoteTip(handedJob.branch)).toBe(result?.commit);
    } finally {
      await removeDir(elsewhere);
    }
  });

  it('the token only goes to the forge host: a remote rewritten to another host gets nothing', async () => {
    const [result] = await fixer()(job('rewired', 'src/e.ts'), ctx);
    const r = await Repository.open(bed.repo);
    await git(bed.repo, 'remote', 'add', 'rewired', 'https://collector.invalid/o/r.git');
    try {
      const resolve = runSettingsResolver({
        repoPath: bed.repo,
        baseBranch: 'main',
        remote: 'rewired',
        forge: { kind: 'github', project: 'o/r', apiUrl: bed.github.url },
      });
      const requests = bed.github.requests.length;
      await expect(publisher(resolve)(handedFor('rewired'), ctx)).rejects.toThrow(UnrecoverableError);
      const [record] = await runs.pullRequests('run-rewired');
      expect(record?.status).toBe('failed');
      expect(record?.reason).toBe(
        "remote rewired is not on the forge's host (127.0.0.1): the token is not sent to collector.invalid",
      );
      expect(bed.github.requests.length).toBe(requests);
      expect(await r.resolveBranch(result?.branch ?? '')).toBe(result?.commit);
    } finally {
      await git(bed.repo, 'remote', 'remove', 'rewired');
    }
  });

  it('the git adapter refuses to push anything but a selfreview branch, or to a remote named like an option', async () => {
    const r = await Repository.open(bed.repo);
    await expect(r.pushBranch('origin', 'main', { protectedBranch: 'main' })).rejects.toThrow(
      /refusing branch name/,
    );
    await expect(
      r.pushBranch('--upload-pack=touch /tmp/pwned', 'selfreview/x', { protectedBranch: 'main' }),
    ).rejects.toThrow(/not a remote name/);
    expect(await r.pushBranch('nowhere', 'selfreview/x', { protectedBranch: 'main' })).toEqual({
      ok: false,
      reason: 'refused',
      detail: 'no remote named nowhere',
    });
  });
});
