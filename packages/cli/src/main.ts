#!/usr/bin/env node
/** The `selfreview` command line. Errors a person can fix are one line, never a stack trace. */
import { parseArgs } from 'node:util';
import { UserInputError } from '@selfreview/shared/errors';

// Each command's module is imported when that command runs: `scan` needs no Redis client and
// `help` nothing at all, and loading every command's dependencies (BullMQ, fastify, the
// compiler) cost each start about a second.
const commands = {
  ops: () => import('./commands/ops.ts'),
  rollback: () => import('./commands/rollback.ts'),
  run: () => import('./commands/run.ts'),
  scan: () => import('./commands/scan.ts'),
  up: () => import('./commands/up.ts'),
};

const USAGE = `Usage: selfreview <command> [options]

Commands:
  run [PATH] [--report FILE]   scan, judge and fix the repository at PATH (default: the bundled
                               example, copied to a temporary folder); writes the run report as JSON
      --timeout MINUTES        give up when the pipeline has not drained by then (default 60)
      --publish                push fix branches to the remote and open pull/merge requests
                               (never merged; needs GITHUB_TOKEN or GITLAB_TOKEN, which only
                               the run's publisher process gets)
      --remote NAME            the remote to push to (default origin)
      --forge KIND:PROJECT     github:owner/name or gitlab:group/project, when the remote's URL
                               does not say (implies --publish)
      --forge-url URL          the GitHub API or GitLab instance URL (default: the public service)
      --token-env NAME         the environment variable holding the token
  scan PATH [--json]           list the candidates of the repository at PATH (its checked-out
                               commit) without judging or fixing anything; no Redis needed;
                               exits 1 when the compiler could not check a project's files
  rollback REF [--repo PATH] [--into BRANCH]
                               undo a fix (REF: its fix id, selfreview/* branch or commit): deletes the
                               branch if never merged into BRANCH (default: the checked-out one),
                               else makes a selfreview/revert-* branch with a revert commit
  up [--config FILE] [--host H] [--port N]
                               the deployment on one machine: the gateway (webhooks, schedules,
                               dashboard at /ui, API, metrics), the three workers and the
                               publisher, each with only its own secrets, until Ctrl-C;
                               FILE is the server configuration (default selfreview.server.yaml)
  status                       queue depths by state, paused repositories and the 5 most recent runs
  requeue QUEUE (JOB_ID | --all)
                               re-queue one failed job, or all failed jobs, of QUEUE (trigger, scan,
                               apply, fix or publish)
  pause NAME [--config FILE]   start no new run of repository NAME; its fix batches wait
  resume NAME [--config FILE]  undo pause and queue a full scan to catch up on what was pushed
                               meanwhile (the scan needs the server configuration: --config FILE or
                               SELFREVIEW_SERVER_CONFIG; without it only the pause is cleared)
  help                         this text

Environment: REDIS_URL (else localhost:6379, else a private redis-server), SELFREVIEW_PREFIX,
SELFREVIEW_DATA_DIR, LOG_LEVEL. status, requeue, pause and resume work on the running installation's
Redis: REDIS_URL (else localhost:6379) and SELFREVIEW_PREFIX, never a private redis-server.`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'run': {
      const { values, positionals } = parseArgs({
        args: rest,
        allowPositionals: true,
        options: {
          report: { type: 'string' },
          timeout: { type: 'string', default: '60' },
          publish: { type: 'boolean', default: false },
          remote: { type: 'string' },
          forge: { type: 'string' },
          'forge-url': { type: 'string' },
          'token-env': { type: 'string' },
        },
      });
      if (positionals.length > 1) throw new UserInputError(`run takes one PATH, got ${positionals.length}`);
      const timeoutMinutes = Number(values.timeout);
      if (!Number.isFinite(timeoutMinutes) || timeoutMinutes <= 0) {
        throw new UserInputError(
          `--timeout must be a positive number of minutes, got ${JSON.stringify(values.timeout)}`,
        );
      }
      const { parsePublishOptions, runCommand } = await commands.run();
      await runCommand({
        path: positionals[0],
        reportFile: values.report,
        timeoutMinutes,
        publish: parsePublishOptions({
          publish: values.publish,
          remote: values.remote,
          forge: values.forge,
          forgeUrl: values['forge-url'],
          tokenEnv: values['token-env'],
        }),
        env: process.env,
        out: process.stdout,
      });
      return 0;
    }
    case 'scan': {
      const { values, positionals } = parseArgs({
        args: rest,
        allowPositionals: true,
        options: { json: { type: 'boolean', default: false } },
      });
      if (positionals.length !== 1) throw new UserInputError('scan takes one PATH');
      const { scanCommand, scanExitCode } = await commands.scan();
      const outcome = await scanCommand({
        path: positionals[0] as string,
        json: values.json,
        out: process.stdout,
        err: process.stderr,
      });
      return scanExitCode(outcome);
    }
    case 'rollback': {
      const { values, positionals } = parseArgs({
        args: rest,
        allowPositionals: true,
        options: { repo: { type: 'string', default: '.' }, into: { type: 'string' } },
      });
      if (positionals.length !== 1)
        throw new UserInputError('rollback takes one REF: a selfreview/* branch or a fix commit');
      const { rollbackCommand } = await commands.rollback();
      await rollbackCommand({
        ref: positionals[0] as string,
        repo: values.repo,
        ...(values.into ? { into: values.into } : {}),
        out: process.stdout,
      });
      return 0;
    }
    case 'up': {
      const { values, positionals } = parseArgs({
        args: rest,
        allowPositionals: true,
        options: {
          config: {
            type: 'string',
            default: process.env.SELFREVIEW_SERVER_CONFIG ?? 'selfreview.server.yaml',
          },
          host: { type: 'string', default: '127.0.0.1' },
          port: { type: 'string', default: '8080' },
        },
      });
      if (positionals.length > 0)
        throw new UserInputError('up takes no PATH; repositories come from --config');
      const { upCommand } = await commands.up();
      await upCommand({
        configFile: values.config,
        host: values.host,
        port: Number(values.port),
        env: process.env,
        out: process.stdout,
      });
      return 0;
    }
    case 'status': {
      const { positionals } = parseArgs({ args: rest, allowPositionals: true, options: {} });
      if (positionals.length > 0) throw new UserInputError('status takes no arguments');
      const { statusCommand } = await commands.ops();
      await statusCommand({ env: process.env, out: process.stdout });
      return 0;
    }
    case 'requeue': {
      const { values, positionals } = parseArgs({
        args: rest,
        allowPositionals: true,
        options: { all: { type: 'boolean', default: false } },
      });
      if (positionals.length < 1 || positionals.length > 2)
        throw new UserInputError('requeue takes a QUEUE and either one JOB_ID or --all');
      const { requeueCommand } = await commands.ops();
      await requeueCommand({
        queue: positionals[0] as string,
        jobId: positionals[1],
        all: values.all,
        env: process.env,
        out: process.stdout,
      });
      return 0;
    }
    case 'pause':
    case 'resume': {
      const { values, positionals } = parseArgs({
        args: rest,
        allowPositionals: true,
        options: { config: { type: 'string' } },
      });
      if (positionals.length !== 1) throw new UserInputError(`${command} takes one repository NAME`);
      const opts = {
        name: positionals[0] as string,
        configFile: values.config,
        env: process.env,
        out: process.stdout,
      };
      const { pauseCommand, resumeCommand } = await commands.ops();
      await (command === 'pause' ? pauseCommand(opts) : resumeCommand(opts));
      return 0;
    }
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(`${USAGE}\n`);
      return command === undefined ? 2 : 0;
    default:
      throw new UserInputError(`unknown command ${JSON.stringify(command)}; see \`selfreview help\``);
  }
}

// `selfreview status | head`: the reader went away; that is the reader's choice, not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

main(process.argv.slice(2)).then(
  // Exit only once stdout has drained: a large `scan --json` written to a pipe would
  // otherwise be cut off mid-document.
  (code) => process.stdout.write('', () => process.exit(code)),
  (err: Error) => {
    const isInput =
      err instanceof UserInputError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    process.stderr.write(`selfreview: ${err.message}\n`);
    if (!isInput && process.env.SELFREVIEW_DEBUG) process.stderr.write(`${err.stack}\n`);
    process.exit(isInput ? 2 : 1);
  },
);
