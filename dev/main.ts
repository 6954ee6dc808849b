#!/usr/bin/env node
import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { InvalidInputError } from '../shared/input/invalid-input.js';
import { DEFAULTS } from '../shared/config/defaults.js';
import { DevStackError, startDevStack, type DevStack } from './dev-stack.js';
import { EmulatorUnavailableError } from './emulators.js';

/**
 * `npm run dev`: the local cloud stack (dev/dev-stack.ts) in the foreground. It prints where
 * everything is and what to curl, logs readable lines, and stops everything on Ctrl-C.
 */

const EXIT = { ok: 0, failed: 1, usage: 2, interrupted: 130 } as const;
const STOP_TIMEOUT_MS = 30_000;
const SAME_PRESS_MS = 500;
const PARENT_POLL_MS = 1_000;

interface DevFlags {
  dataDir: string;
  port: number;
  tickSeconds: number;
  logLevel?: string;
}

const wholeNumber = (name: string, min: number) => (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > 65535) throw new DevStackError(`${name} must be a whole number from ${min}, got "${value}"`);
  return n;
};

function buildProgram(): Command {
  return new Command()
    .name('npm run dev --')
    .description('Run the service on this machine as it runs on Google Cloud: the Firestore and Pub/Sub emulators, the three functions on functions-framework, push subscriptions and a scheduler tick, over the DuckDB warehouse of a data dir.')
    .addOption(new Option('--data-dir <dir>', 'the data dir whose warehouse.duckdb holds the raw data').env('BACKFILL_DATA_DIR').default('./.backfill'))
    .option('--port <n>', 'port of backfillApi (0: any free port)', wholeNumber('--port', 0), DEFAULTS.devApiPort)
    .option('--tick-seconds <n>', 'publish {"kind":"reconcile"} this often, as Cloud Scheduler does every minute', wholeNumber('--tick-seconds', 1), DEFAULTS.devTickSeconds)
    .addOption(new Option('--log-level <level>', 'log level of the functions (env LOG_LEVEL)').choices(['debug', 'info', 'warn', 'error']))
    .showHelpAfterError()
    .exitOverride();
}

export async function main(argv: string[]): Promise<number> {
  let flags: DevFlags;
  try {
    flags = buildProgram().parse(argv).opts<DevFlags>();
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    if (error instanceof DevStackError) {
      process.stderr.write(`error: ${error.message}\n`);
      return EXIT.usage;
    }
    throw error;
  }

  // Ctrl-C while starting, or a second time while stopping: exit at once; the emulators die with the process.
  let stack: DevStack | undefined;
  let stopping: Promise<number> | undefined;
  let stopped: (code: number) => void = () => undefined;
  let firstSignalAt = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    // One Ctrl-C can arrive twice (from the terminal, and forwarded by npm): that is not a second press.
    if (stopping && Date.now() - firstSignalAt < SAME_PRESS_MS) return;
    if (!stack || stopping) {
      process.stderr.write(stopping ? '\nQuitting now.\n' : '\nInterrupted while starting.\n');
      process.exit(EXIT.interrupted);
    }
    firstSignalAt = Date.now();
    process.stdout.write(`\n${signal}: stopping the scheduler, the functions and the emulators (Ctrl-C again to quit at once)...\n`);
    stopping = stop(stack);
    void stopping.then((code) => stopped(code));
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, onSignal);
  // The process that started this one (npm, a shell, a supervisor) was killed: stop as on a hangup.
  // (This process killed with SIGKILL: each emulator's watchdog ends it, dev/emulator-watchdog.ts.)
  const parent = process.ppid;
  const parentWatch = setInterval(() => {
    if (parent !== 1 && process.ppid !== parent) {
      clearInterval(parentWatch);
      onSignal('SIGHUP');
    }
  }, PARENT_POLL_MS);
  parentWatch.unref();

  try {
    stack = await startDevStack({
      // From where the user ran npm (INIT_CWD), as the CLI reads its paths.
      dataDir: resolve(process.env.INIT_CWD ?? process.cwd(), flags.dataDir),
      apiPort: flags.port,
      tickSeconds: flags.tickSeconds,
      env: { ...process.env, ...(flags.logLevel ? { LOG_LEVEL: flags.logLevel } : {}) },
    });
  } catch (error) {
    const usage = error instanceof DevStackError || error instanceof InvalidInputError;
    process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    if (!usage && !(error instanceof EmulatorUnavailableError) && process.env.BACKFILL_DEBUG && error instanceof Error) process.stderr.write(`${error.stack ?? ''}\n`);
    return usage ? EXIT.usage : EXIT.failed;
  }
  process.stdout.write(banner(stack));
  // Up until a signal stops it.
  return new Promise<number>((resolve) => {
    stopped = resolve;
  });
}

async function stop(stack: DevStack): Promise<number> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<number>((resolve) => {
    timer = setTimeout(() => {
      process.stderr.write(`still stopping after ${STOP_TIMEOUT_MS / 1000} s: quitting; the emulators are killed on exit\n`);
      resolve(EXIT.failed);
    }, STOP_TIMEOUT_MS);
  });
  const closed = stack.close().then(() => {
    process.stdout.write('Stopped.\n');
    return EXIT.ok;
  });
  try {
    return await Promise.race([closed, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

export function banner(stack: DevStack): string {
  const { urls, emulators, config, exampleRange } = stack;
  const range = exampleRange ?? { start: '2018-04-14', end: '2018-04-20' };
  const body = JSON.stringify({ tables: 'all', start: range.start, end: range.end });
  const api = urls.api;
  return [
    '',
    `Local cloud stack up: data dir ${stack.dataDir}, project ${stack.projectId}`,
    '',
    `  backfillApi         ${api}   (its status page: ${api}/?start=${range.start}&end=${range.end})`,
    `  processChunk        ${urls.processChunk}   pushed from topic ${config.topics.chunks}`,
    `  reconcile           ${urls.reconcile}   pushed from topic ${config.topics.reconcile}, published every ${stack.tickSeconds} s (scheduler tick)`,
    `  Firestore emulator  ${emulators.firestore.host}   (pid ${emulators.firestore.pid}; the ledger, empty at each start)`,
    `  Pub/Sub emulator    ${emulators.pubsub.host}   (pid ${emulators.pubsub.pid})`,
    '',
    'Try:',
    `  curl -s -X POST ${api}/backfills -H 'content-type: application/json' -d '${body}'`,
    `  curl -s ${api}/backfills/RUN_ID          # progress: counts by state and table, ETA, last errors`,
    `  curl -s '${api}/verify?start=${range.start}&end=${range.end}&format=text'`,
    `  npm run backfill -- run --api ${api} --tables all --start ${range.start} --end ${range.end}`,
    '',
    'Ctrl-C stops everything.',
    '',
    '',
  ].join('\n');
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === new URL(`file://${realpathSync(resolve(process.argv[1]))}`).href;
if (invokedDirectly) {
  main(process.argv).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`fatal: ${String(error)}\n`);
      process.exit(EXIT.failed);
    },
  );
}
