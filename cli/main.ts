#!/usr/bin/env node
import { Command, CommanderError, Option } from 'commander';
import { existsSync, realpathSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DEFAULTS, LIMITS, SEED_RANGE } from '../shared/config/defaults.js';
import { ANALYTICS_TABLES } from '../shared/tables/names.js';
import { REPROCESS_MODES, scopeOfRequest } from '../shared/planning/backfill-request.js';
import { loadRawDirectory, RawFileError } from '../adapters/duckdb/load-raw.js';
import { writeSample } from '../sample/sample-writer.js';
import { createJsonLogger } from '../adapters/logging/pino-logger.js';
import { openLocalStack } from './local-stack.js';
import { createCountProgress } from './progress.js';
import { positiveInt, requestFromFlags, runIdFlag } from './request-flags.js';
import { runBackfill } from './commands/run.js';
import { printStatus } from './commands/status.js';
import { runViaApiUntilInterrupted, statusViaApi, verifyViaApi } from './commands/via-api.js';
import { createApiClient } from './api-client.js';
import { printVerification, VERIFY_FORMATS, type VerifyFormat } from './verification.js';
import { EXIT, EXIT_HELP, UsageError } from './usage-error.js';
import { failureOf, unavailableNote } from './exit-status.js';
import { onOutputClosed, outputClosed, watchOutputPipes } from './closed-pipe.js';
import { makeDirectory } from './make-directory.js';
import type { StackAccess } from './local-stack.js';

const collect = (value: string, previous: string[]) => [...previous, value];

function portFlag(value: string): number {
  const n = /^\d+$/.test(value.trim()) ? Number(value.trim()) : Number.NaN;
  if (!Number.isInteger(n) || n > 65535) throw new UsageError(`--port must be a whole number from 0 to 65535, got "${value}"`);
  return n;
}

/** `--api URL`: run, status and verify talk to the backfill API (npm run dev, or the deployed function) instead of the data dir. */
const apiOption = () => new Option('--api <url>', 'use the backfill API at this URL (http://127.0.0.1:8080 from `npm run dev`, or the deployed api_url) instead of the local data dir').env('BACKFILL_API_URL');

/** Flags that shape a local run only: through the API, the service's config (MAX_IN_FLIGHT, DATES_PER_JOB, MAX_ATTEMPTS) decides. */
function refuseLocalOnly(cmd: Command, flags: Record<string, string>): void {
  const given = Object.entries(flags).filter(([key]) => cmd.getOptionValueSource(key) === 'cli').map(([, flag]) => flag);
  if (given.length) throw new UsageError(`${given.join(', ')} shape${given.length === 1 ? 's' : ''} a local run; with --api the service's config decides (MAX_IN_FLIGHT, DATES_PER_JOB, MAX_ATTEMPTS)`);
}

/**
 * A path the user typed, from where they typed it: under `npm run backfill`, npm runs the CLI in the
 * package root and says in INIT_CWD where it was invoked.
 */
export function userPath(path: string, env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env.INIT_CWD ?? process.cwd(), path);
}

function dataDirOf(cmd: Command): string {
  const opts = cmd.optsWithGlobals<{ dataDir: string }>();
  return userPath(opts.dataDir);
}

/** Warnings and errors of the core as JSON lines on stderr; people read stdout. */
function cliLogger(verbose: boolean) {
  return createJsonLogger({ level: verbose ? 'info' : 'warn', destination: process.stderr });
}

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('backfill')
    .description('Backfill the NBA analytics tables one game date at a time, with checkpoints and a verification that reads the warehouse.')
    .addOption(new Option('--data-dir <dir>', 'where the local warehouse and checkpoints live').env('BACKFILL_DATA_DIR').default('./.backfill'))
    .option('-v, --verbose', 'log every chunk message (JSON lines on stderr)', false)
    .showHelpAfterError()
    .addHelpText('afterAll', `\n${EXIT_HELP}`)
    .exitOverride();

  program
    .command('load-raw')
    .description('load every <raw_table>.csv found in <dir> into nba_raw (headers checked against the contract; all or nothing)')
    .argument('<dir>', 'folder with nbac_schedule.csv, nbac_team_boxscore.csv, ...')
    .action(async (given: string, _opts, cmd: Command) => {
      const dir = userPath(given);
      const named = given === dir ? dir : `${given} (${dir})`;
      if (!existsSync(dir)) throw new UsageError(`no such folder: ${named}`);
      if (!statSync(dir).isDirectory()) throw new UsageError(`${named} is not a folder: name the folder that holds the <raw_table>.csv files`);
      const stack = await openLocalStack(dataDirOf(cmd));
      try {
        const loaded = await loadRawDirectory(stack.warehouse, dir).catch((error: unknown) => {
          if (error instanceof RawFileError) throw new UsageError(`${error.message}\nnothing was loaded`);
          throw error;
        });
        const names = Object.keys(loaded);
        if (names.length === 0) throw new UsageError(`no <raw_table>.csv files in ${dir}`);
        for (const [table, rows] of Object.entries(loaded)) process.stdout.write(`loaded ${String(rows).padStart(9)} rows into nba_raw.${table}\n`);
      } finally {
        await stack.close();
      }
    });

  program
    .command('generate-sample')
    .description(`write deterministic synthetic raw data for every raw table, ${SEED_RANGE.start}..${SEED_RANGE.end}`)
    .option('--out <dir>', 'output folder (default: <data-dir>/sample)')
    .option('--seed <n>', 'random seed', positiveInt('--seed'))
    .action(async (opts: { out?: string; seed?: number }, cmd: Command) => {
      const out = opts.out === undefined ? join(dataDirOf(cmd), 'sample') : userPath(opts.out);
      if (existsSync(out) && !statSync(out).isDirectory()) throw new UsageError(`--out ${out} is a file; name a folder (it is created if missing)`);
      const result = await generateWithProgress(out, opts.seed === undefined ? {} : { seed: opts.seed });
      for (const [table, file] of Object.entries(result.files)) process.stdout.write(`${String(file.rows).padStart(9)} rows  ${file.path}  (${table})\n`);
    });

  program
    .command('run')
    .description('plan and run a backfill to the end, then print the verification report (run the same command again to resume)')
    .option('--tables <list>', `"all" or a comma-separated list of: ${ANALYTICS_TABLES.join(', ')}`, 'all')
    .requiredOption('--start <date>', 'first game date, YYYY-MM-DD')
    .requiredOption('--end <date>', 'last game date, YYYY-MM-DD')
    .option('--exclude-date <date>', 'skip this game date (repeatable)', collect, [])
    .addOption(new Option('--mode <mode>', 'test writes to test_nba_analytics with run_mode = test').choices(['production', 'test']).default('production'))
    .addOption(new Option('--reprocess <what>', 'besides what the warehouse lacks or holds stale (always rebuilt): failed = also chunks that ended failed, dead or no_source; all = every chunk (a full refresh)').choices(REPROCESS_MODES).default('none'))
    .option('--concurrency <n>', 'chunk messages processed at once', positiveInt('--concurrency', LIMITS.maxConcurrency), DEFAULTS.localConcurrency)
    .option('--dates-per-job <n>', 'game dates written by one warehouse job (each keeps its own checkpoint)', positiveInt('--dates-per-job', LIMITS.maxDatesPerJob), DEFAULTS.localDatesPerJob)
    .option('--max-attempts <n>', 'attempts before a chunk is dead', positiveInt('--max-attempts'), DEFAULTS.maxAttempts)
    .addOption(new Option('--format <format>', 'verification report format').choices(VERIFY_FORMATS).default('text'))
    .addOption(apiOption())
    .action(async (opts: { tables: string; start: string; end: string; excludeDate: string[]; mode: string; reprocess: string; concurrency: number; datesPerJob: number; maxAttempts: number; format: VerifyFormat; api?: string }, cmd: Command) => {
      const request = requestFromFlags(opts);
      if (opts.api !== undefined) {
        refuseLocalOnly(cmd, { concurrency: '--concurrency', datesPerJob: '--dates-per-job', maxAttempts: '--max-attempts' });
        process.exitCode = await runViaApiUntilInterrupted(createApiClient(opts.api), request, {
          format: opts.format, out: process.stdout, pollMs: DEFAULTS.apiPollMs, progressIntervalMs: DEFAULTS.localProgressIntervalMs,
        });
        return;
      }
      process.exitCode = await withStack(cmd, async (stack) => {
        const summary = await runWithInterrupts(stack, request, opts, cliLogger(Boolean(program.opts().verbose)));
        if (summary.interrupted) {
          if (outputClosed()) return EXIT.closedPipe;
          process.stdout.write(`\nInterrupted. Checkpoints are saved: run the same command again to resume ${summary.runId}.\n`);
          return EXIT.interrupted;
        }
        process.stdout.write(`\n${summary.runId} ${summary.state}: ${summary.outcome ?? ''} in ${(summary.elapsedMs / 1000).toFixed(1)}s\n\n`);
        // The run's own scope, its exclusions included.
        const verdict = await printVerification(stack, scopeOfRequest(request), opts.format, process.stdout, { trigger: 'run_finished', runId: summary.runId });
        return summary.state === 'succeeded' && verdict.passed ? EXIT.ok : EXIT.failed;
      }, { mustExist: true });
    });

  program
    .command('status')
    .description('runs and their chunk counts by state and table (from the checkpoints)')
    .option('--run <id>', 'only this run', runIdFlag)
    .option('--limit <n>', 'most recent runs to show', positiveInt('--limit'), 10)
    .addOption(apiOption())
    .action(async (opts: { run?: string; limit: number; api?: string }, cmd: Command) => {
      if (opts.api !== undefined) {
        process.exitCode = await statusViaApi(createApiClient(opts.api), process.stdout, { ...(opts.run ? { runId: opts.run } : {}), limit: opts.limit });
        return;
      }
      process.exitCode = await withStack(cmd, (stack) => {
        // Status is the checkpoints: without them there is nothing to show.
        if (stack.unavailable.ledger) throw stack.unavailable.ledger;
        const historyUnavailable = stack.unavailable.history && unavailableNote(stack.unavailable.history, 'Latest verifications');
        return printStatus(stack, process.stdout, { ...(opts.run ? { runId: opts.run } : {}), limit: opts.limit, ...(historyUnavailable ? { historyUnavailable } : {}) });
      }, { access: 'read' });
    });

  program
    .command('verify')
    .description('the verification report, read from the warehouse: exit 0 when every table is COMPLETE, 1 when not, 2 on bad input, 3 when it could not verify')
    .option('--tables <list>', '"all" or a comma-separated list', 'all')
    .option('--start <date>', 'first game date', SEED_RANGE.start)
    .option('--end <date>', 'last game date', SEED_RANGE.end)
    .option('--exclude-date <date>', 'leave this game date out of the scope: listed as excluded, neither required nor hidden (repeatable)', collect, [])
    .addOption(new Option('--mode <mode>', 'which dataset to verify').choices(['production', 'test']).default('production'))
    .addOption(new Option('--format <format>', 'report format').choices(VERIFY_FORMATS).default('text'))
    .addOption(apiOption())
    .action(async (opts: { tables: string; start: string; end: string; excludeDate: string[]; mode: string; format: VerifyFormat; api?: string }, cmd: Command) => {
      const scope = scopeOfRequest(requestFromFlags(opts));
      if (opts.api !== undefined) {
        process.exitCode = await verifyViaApi(createApiClient(opts.api), scope, opts.format, process.stdout);
        return;
      }
      process.exitCode = await withStack(cmd, async (stack) => {
        const verdict = await printVerification(stack, scope, opts.format, process.stdout);
        return verdict.passed ? EXIT.ok : EXIT.failed;
      }, { access: 'verify' });
    });

  program
    .command('serve')
    .description('the status page (coverage calendars, runs, verifications, alerts) and the HTTP API over the data dir; runs started, retried or left active are driven here')
    .option('--port <n>', 'port to listen on (0: any free port)', portFlag, DEFAULTS.servePort)
    .option('--host <address>', 'address to listen on (0.0.0.0 opens it to the network: it has no authentication)', '127.0.0.1')
    .option('--concurrency <n>', 'chunk messages processed at once', positiveInt('--concurrency', LIMITS.maxConcurrency), DEFAULTS.localConcurrency)
    .action(async (opts: { port: number; host: string; concurrency: number }, cmd: Command) => {
      await withStack(cmd, async (stack) => {
        const { serve } = await import('./commands/serve.js');
        await untilInterrupted((signal) => serve(stack, {
          host: opts.host, port: opts.port, concurrency: opts.concurrency, datesPerJob: DEFAULTS.localDatesPerJob, maxAttempts: DEFAULTS.maxAttempts,
          logger: cliLogger(Boolean(program.opts().verbose)), out: process.stdout, signal,
        }));
      }, { mustExist: true });
    });

  program
    .command('demo')
    .description(`generate the sample if needed, load it, backfill all five tables over ${SEED_RANGE.start}..${SEED_RANGE.end}, verify`)
    .option('--concurrency <n>', 'chunk messages processed at once', positiveInt('--concurrency', LIMITS.maxConcurrency), DEFAULTS.localConcurrency)
    .action(async (opts: { concurrency: number }, cmd: Command) => {
      const dataDir = dataDirOf(cmd);
      const sampleDir = join(dataDir, 'sample');
      if (!existsSync(join(sampleDir, 'nbac_schedule.csv'))) {
        process.stdout.write(`Generating the synthetic sample into ${resolve(sampleDir)} ...\n`);
        await generateWithProgress(sampleDir, {});
      }
      const request = requestFromFlags({ tables: 'all', start: SEED_RANGE.start, end: SEED_RANGE.end });
      process.exitCode = await withStack(cmd, async (stack) => {
        const { rows } = await stack.warehouse.query<{ n: number }>({ sql: `SELECT COUNT(*) AS n FROM ${stack.warehouse.context('production').raw('nbac_schedule')}`, params: {}, types: {}, label: 'raw_loaded' });
        if (Number(rows[0]?.n ?? 0) === 0) {
          process.stdout.write(`Loading ${sampleDir} into nba_raw ...\n`);
          const loaded = await loadRawDirectory(stack.warehouse, sampleDir);
          process.stdout.write(`  ${Object.entries(loaded).map(([t, n]) => `${t} ${n}`).join(', ')}\n`);
        }
        const summary = await runWithInterrupts(stack, request, { concurrency: opts.concurrency, datesPerJob: DEFAULTS.localDatesPerJob, maxAttempts: DEFAULTS.maxAttempts }, cliLogger(Boolean(program.opts().verbose)));
        if (summary.interrupted) {
          if (outputClosed()) return EXIT.closedPipe;
          process.stdout.write(`\nInterrupted. Run the same command again to resume ${summary.runId}.\n`);
          return EXIT.interrupted;
        }
        process.stdout.write(`\n${summary.runId} ${summary.state}: ${summary.outcome ?? ''} in ${(summary.elapsedMs / 1000).toFixed(1)}s\n\n`);
        const verdict = await printVerification(stack, scopeOfRequest(request), 'text', process.stdout, { trigger: 'run_finished', runId: summary.runId });
        return summary.state === 'succeeded' && verdict.passed ? EXIT.ok : EXIT.failed;
      });
    });

  return program;
}

async function generateWithProgress(dir: string, options: { seed?: number }) {
  const progress = createCountProgress('games', { intervalMs: DEFAULTS.localProgressIntervalMs });
  try {
    await makeDirectory(dir);
    return await writeSample(dir, options, (p) => progress.update(p.gamesDone, p.gamesTotal));
  } finally {
    progress.stop();
  }
}

async function withStack<T>(cmd: Command, fn: (stack: Awaited<ReturnType<typeof openLocalStack>>) => Promise<T>, options: { mustExist?: boolean; access?: StackAccess } = {}): Promise<T> {
  const stack = await openLocalStack(dataDirOf(cmd), options);
  let result: T;
  try {
    result = await fn(stack);
  } catch (error) {
    // The command's own failure is the one to tell; closing after it may fail for the same reason.
    await stack.close().catch(() => undefined);
    throw error;
  }
  await stack.close();
  return result;
}

/** First Ctrl-C (or SIGTERM) aborts the signal: the chunks in flight finish and checkpoint, then it stops. Second: quit at once (checkpoints already saved stay). */
async function untilInterrupted<T>(fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onSignal = () => {
    if (controller.signal.aborted) process.exit(130);
    process.stderr.write('\nStopping after the chunks in flight finish (Ctrl-C again to quit now)...\n');
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // Nobody reads the output any more (`| head`): stop as on Ctrl-C, keeping what is done.
  const offClosed = onOutputClosed(() => controller.abort());
  try {
    return await fn(controller.signal);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    offClosed();
  }
}

function runWithInterrupts(
  stack: Awaited<ReturnType<typeof openLocalStack>>,
  request: ReturnType<typeof requestFromFlags>,
  opts: { concurrency: number; datesPerJob: number; maxAttempts: number },
  logger: ReturnType<typeof cliLogger>,
) {
  return untilInterrupted((signal) => runBackfill(stack, request, {
    concurrency: opts.concurrency,
    datesPerJob: opts.datesPerJob,
    maxAttempts: opts.maxAttempts,
    progressIntervalMs: DEFAULTS.localProgressIntervalMs,
    out: process.stdout,
    logger,
    signal,
  }));
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version are not errors; every other parse problem is bad input.
      return error.exitCode === 0 ? 0 : EXIT.usage;
    }
    if (outputClosed()) return EXIT.closedPipe;
    const { code, message } = failureOf(error);
    process.stderr.write(`error: ${message}\n`);
    if (process.env.BACKFILL_DEBUG && error instanceof Error) process.stderr.write(`${error.stack ?? ''}\n`);
    return code;
  }
}

// Run when executed (node dist/cli/main.js, or the `backfill` bin symlink), not when imported by tests.
const invokedDirectly = process.argv[1] !== undefined && import.meta.url === new URL(`file://${realpathSync(resolve(process.argv[1]))}`).href;
if (invokedDirectly) {
  watchOutputPipes();
  main(process.argv).then(
    (code) => {
      process.exitCode = outputClosed() ? EXIT.closedPipe : code;
    },
    (error: unknown) => {
      process.stderr.write(`fatal: ${String(error)}\n`);
      process.exitCode = EXIT.unable;
    },
  );
}
