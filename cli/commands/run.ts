import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { createChunkProcessor } from '../../shared/chunks/process-chunks.js';
import { DEFAULTS, LIMITS } from '../../shared/config/defaults.js';
import type { Logger } from '../../shared/log/logger.js';
import { systemClock } from '../../shared/ports/clock.js';
import type { BackfillRequest } from '../../shared/planning/backfill-request.js';
import { driveRun } from '../../shared/runner/drive-run.js';
import { recoverLocalOrphans, retryRun, startRun } from '../../shared/runner/start-run.js';
import { InProcessQueue } from '../../adapters/local/in-process-queue.js';
import type { LocalStack } from '../local-stack.js';
import { createProgressReporter } from '../progress.js';
import { createStorageWatch } from '../storage-watch.js';
import { UsageError } from '../usage-error.js';

/** After a fault of the disk, how long the chunks being written may take to settle before the run stops anyway. */
const ABANDON_AFTER_MS = 15_000;

export interface RunOptions {
  readonly concurrency: number;
  readonly datesPerJob: number;
  readonly maxAttempts: number;
  readonly progressIntervalMs: number;
  readonly out: NodeJS.WritableStream;
  readonly logger: Logger;
  readonly signal?: AbortSignal;
}

export interface RunSummary {
  readonly runId: string;
  readonly state: string;
  readonly outcome: string | null;
  readonly interrupted: boolean;
  readonly chunks: number;
  readonly elapsedMs: number;
}

/** Plan, record and drive a backfill to its end on the local stack; resumable after Ctrl-C or a crash. */
export async function runBackfill(stack: LocalStack, request: BackfillRequest, options: RunOptions): Promise<RunSummary> {
  if (options.concurrency < 1 || options.concurrency > LIMITS.maxConcurrency) {
    throw new UsageError(`--concurrency must be between 1 and ${LIMITS.maxConcurrency}`);
  }
  // A full disk or a damaged file stops the run at the first failure it causes (see the end).
  const storage = createStorageWatch();
  const warehouse = storage.watch(stack.warehouse);
  const ledger = storage.watch(stack.ledger);
  const clock = systemClock;
  const out = options.out;
  const began = clock.now();
  await assertRawLoaded(stack);

  const started = await startRun({ warehouse, ledger, clock }, request);
  let run = started.run;
  const tables = Object.entries(started.plan.datesByTable).map(([t, d]) => `${t} ${d?.length ?? 0}`).join(', ');
  out.write(`${started.created ? 'Planned' : 'Resuming'} ${run.id}: ${run.chunkCount} chunks (${tables || 'no game dates in range'})\n`);
  if (started.chunksAdded && !started.created) out.write(`  ${started.chunksAdded} new chunks linked\n`);
  if (run.state !== 'active') {
    const again = await retryRun({ ledger, clock }, run.id);
    if (again.retried > 0) out.write(`  retrying ${again.retried} failed, dead or no_source chunks\n`);
    run = again.run ?? run;
  }
  const recovered = stack.ledger.orphanedChunks(run.id) + await recoverLocalOrphans({ ledger, clock }, run.id);
  if (recovered) out.write(`  ${recovered} chunks left in flight by an interrupted process put back\n`);

  const processor = createChunkProcessor(
    { warehouse, ledger, clock, logger: options.logger },
    {
      workerId: `local-${process.pid}-${randomUUID().slice(0, 8)}`,
      leaseMs: DEFAULTS.leaseMs,
      maxAttempts: options.maxAttempts,
      retryBaseMs: 250,
      retryMaxMs: 5000,
    },
  );
  const wakers: Array<() => void> = [];
  const wake = () => {
    for (const w of wakers.splice(0)) w();
  };
  // Locally the handler never asks for redelivery: reconcile retries failed chunks after their back-off.
  const queue = new InProcessQueue({
    concurrency: options.concurrency,
    maxDeliveryAttempts: 1,
    handler: async (message) => {
      try {
        await processor.process(message);
      } finally {
        wake();
      }
    },
  });
  const progress = createProgressReporter({ intervalMs: options.progressIntervalMs });
  let final = run;
  try {
    final = await driveRun(
      { ledger, queue, clock, logger: options.logger },
      {
        runId: run.id,
        limits: {
          maxInFlight: options.concurrency * options.datesPerJob * 2,
          maxInFlightPerTable: options.concurrency * options.datesPerJob * 2,
          maxAttempts: options.maxAttempts,
          datesPerJob: options.datesPerJob,
          queuedStallMs: DEFAULTS.leaseMs,
        },
        idleWaitMs: 200,
        waitForWork: (timeoutMs) => new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, timeoutMs);
          wakers.push(() => {
            clearTimeout(timer);
            resolve();
          });
        }),
        onProgress: (p) => progress.update(p),
        signal: options.signal ? AbortSignal.any([options.signal, storage.signal]) : storage.signal,
      },
    );
  } finally {
    // Let the chunks in flight finish and checkpoint before the databases close; after a fault of the
    // disk, drop the messages not started and give the ones running a little time (their chunks stay
    // queued or running in the ledger, and the next run puts them back).
    if (storage.fault) await Promise.race([queue.abandon(), sleep(ABANDON_AFTER_MS, undefined, { ref: false })]);
    else await queue.close();
    progress.stop();
  }
  if (storage.fault) throw storage.fault;
  const interrupted = final.state === 'active';
  return { runId: final.id, state: final.state, outcome: final.outcome, interrupted, chunks: final.chunkCount, elapsedMs: clock.now() - began };
}

async function assertRawLoaded(stack: LocalStack): Promise<void> {
  const { rows } = await stack.warehouse.query<{ n: number }>({
    sql: `SELECT COUNT(*) AS n FROM ${stack.warehouse.context('production').raw('nbac_schedule')}`,
    params: {}, types: {}, label: 'raw_loaded',
  });
  if (!rows[0] || Number(rows[0].n) === 0) {
    throw new UsageError('nba_raw.nbac_schedule is empty in this data dir: load raw data first with\n  backfill load-raw <dir>   (e.g. ../shared/data/raw)\nor generate the synthetic sample with\n  backfill generate-sample && backfill load-raw .backfill/sample');
  }
}
