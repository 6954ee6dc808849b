import { setTimeout as sleep } from 'node:timers/promises';
import { LIMITS } from '../../shared/config/defaults.js';
import type { Logger } from '../../shared/log/logger.js';
import { systemClock } from '../../shared/ports/clock.js';
import type { BackfillRequest } from '../../shared/planning/backfill-request.js';
import { plannedExpectations, warehouseExpectations } from '../../shared/planning/expectations.js';
import { driveRun } from '../../shared/runner/drive-run.js';
import { recoverLocalOrphans, startRun } from '../../shared/runner/start-run.js';
import { planLines } from '../../shared/runner/plan-lines.js';
import type { LocalStack } from '../local-stack.js';
import { createLocalWorker } from '../local-worker.js';
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

  const started = await startRun({ warehouse, ledger, clock }, request, { resumeCancelled: true });
  const run = started.run;
  for (const line of planLines(started)) out.write(`${line}\n`);
  const recovered = stack.ledger.orphanedChunks(run.id) + await recoverLocalOrphans({ ledger, clock }, run.id);
  if (recovered) out.write(`  ${recovered} chunks left in flight by an interrupted process put back\n`);

  // This process holds the data dir until the run ends: the raw data the plan read is what every write reads.
  const expectations = plannedExpectations(request.mode, started.plan.expectations, warehouseExpectations(warehouse));
  const worker = createLocalWorker({ warehouse, ledger }, { ...options, expectations });
  const progress = createProgressReporter({ intervalMs: options.progressIntervalMs });
  let final = run;
  try {
    final = await driveRun(
      { ledger, queue: worker.queue, clock, logger: options.logger },
      {
        runId: run.id,
        limits: worker.limits,
        idleWaitMs: 200,
        waitForWork: worker.waitForWork,
        onProgress: (p) => progress.update(p),
        signal: options.signal ? AbortSignal.any([options.signal, storage.signal]) : storage.signal,
      },
    );
  } finally {
    // Let the chunks in flight finish and checkpoint before the databases close; after a fault of the
    // disk, drop the messages not started and give the ones running a little time (their chunks stay
    // queued or running in the ledger, and the next run puts them back).
    if (storage.fault) await Promise.race([worker.queue.abandon(), sleep(ABANDON_AFTER_MS, undefined, { ref: false })]);
    else await worker.close();
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
