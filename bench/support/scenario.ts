import { createChunkProcessor } from '../../shared/chunks/process-chunks.js';
import { DEFAULTS } from '../../shared/config/defaults.js';
import { silentLogger } from '../../shared/log/logger.js';
import type { BackfillRequest } from '../../shared/planning/backfill-request.js';
import type { Ledger } from '../../shared/ports/ledger.js';
import type { ReconcileLimits } from '../../shared/reconcile/plan-reconcile.js';
import { reconcileRuns } from '../../shared/reconcile/reconcile.js';
import { startRun } from '../../shared/runner/start-run.js';
import { ANALYTICS_TABLES, type AnalyticsTableName } from '../../shared/tables/names.js';
import type { IsoDate } from '../../shared/util/dates.js';
import { autoAdvance, RealWork } from '../../adapters/simulated/auto-advance.js';
import type { LimitName } from '../../adapters/simulated/bigquery-errors.js';
import { BigQueryLimitsWarehouse, type LimitsStats } from '../../adapters/simulated/bigquery-limits-warehouse.js';
import type { BigQueryLimits, JobLatencies } from '../../adapters/simulated/bigquery-limits.js';
import { NullWarehouse } from '../../adapters/simulated/null-warehouse.js';
import { VirtualClock, type SimClock } from '../../adapters/simulated/sim-clock.js';
import { ModelledLedger, type LedgerCounters } from './modelled-ledger.js';
import type { BenchQueue, QueueStats } from './queues.js';
import { WorkerPool, type PoolStats } from './worker-pool.js';

/** Modelled time starts here (any fixed instant: leases and back-offs are differences). */
export const MODEL_EPOCH_MS = Date.UTC(2024, 6, 1);

/** How the backfill is driven: the planning choice under test. */
export interface DrivePlan {
  readonly datesPerJob: number;
  /** Chunks queued or running, per table and overall (reconcile's caps). */
  readonly maxInFlightPerTable: number;
  readonly maxInFlight: number;
  /** processChunk instances (infra worker_max_instances). */
  readonly instances: number;
  /** Reconcile ticks when a message settles, at most once per this many modelled ms... */
  readonly tickMinMs: number;
  /** ...and at least this often. */
  readonly tickMaxMs: number;
}

/** What the pieces around the core are: the ledger and queue of one backend, built on the scenario's clock. */
export interface Backend {
  readonly name: string;
  ledger(clock: SimClock): Promise<Ledger>;
  queue(pool: WorkerPool, clock: SimClock, work: RealWork): Promise<BenchQueue>;
  /** Release what ledger() and queue() made (collections, topics). */
  cleanup(): Promise<void>;
}

export interface ScenarioInput {
  readonly request: BackfillRequest;
  readonly gamesByDate: ReadonlyMap<IsoDate, number>;
  readonly plan: DrivePlan;
  readonly backend: Backend;
  readonly limits?: Partial<BigQueryLimits>;
  readonly latency?: Partial<JobLatencies>;
  readonly seed?: number;
}

export interface ScenarioResult {
  readonly plan: DrivePlan;
  readonly backend: string;
  readonly chunks: number;
  readonly runState: string;
  /** Modelled seconds: planning (expectations + createRun), then the run to its end. */
  readonly planSeconds: number;
  readonly runSeconds: number;
  readonly wallSeconds: number;
  readonly realSeconds: number;
  /** Modelled seconds at which each table's last chunk finished, from the start. */
  readonly tableDoneSeconds: Readonly<Partial<Record<AnalyticsTableName, number>>>;
  readonly states: Readonly<Record<string, number>>;
  readonly quotaRetries: number;
  readonly attemptsSpent: number;
  readonly ticks: number;
  readonly limits: LimitsStats;
  readonly rejected: Readonly<Record<LimitName, number>>;
  readonly ledger: LedgerCounters;
  readonly pool: PoolStats;
  readonly queue: QueueStats;
  readonly simSteps: number;
  readonly simStalls: number;
}

/**
 * One full backfill through the real core on modelled time: startRun, reconcile ticks and a
 * processChunk per instance, against the BigQuery limits model over the null warehouse, with the
 * backend's ledger and queue. Returns when the run has ended.
 */
export async function runScenario(input: ScenarioInput): Promise<ScenarioResult> {
  const { plan, backend } = input;
  const realStart = performance.now();
  const clock = new VirtualClock(MODEL_EPOCH_MS);
  const work = new RealWork();
  const auto = autoAdvance(clock, work);
  const warehouse = new BigQueryLimitsWarehouse(new NullWarehouse({ gamesByDate: input.gamesByDate }), {
    clock, seed: input.seed ?? 1, ...(input.limits ? { limits: input.limits } : {}), ...(input.latency ? { latency: input.latency } : {}),
  });
  const inner = await backend.ledger(clock);
  const ledger = new ModelledLedger(inner, { clock, work });
  const processors = Array.from({ length: plan.instances }, (_, i) => createChunkProcessor(
    { warehouse, ledger, clock, logger: silentLogger },
    {
      workerId: `instance-${i}`,
      leaseMs: DEFAULTS.leaseMs,
      maxAttempts: DEFAULTS.maxAttempts,
      retryBaseMs: DEFAULTS.retryBaseMs,
      retryMaxMs: DEFAULTS.retryMaxMs,
      maxEventAgeSeconds: DEFAULTS.maxEventAgeSeconds,
    },
  ));
  // infra/pubsub.tf: retry_minimum_backoff 10s, retry_maximum_backoff 600s.
  const pool = new WorkerPool({ processors, clock, retryMinMs: 10_000, retryMaxMs: 600_000, deliveryMs: 50 });
  const queue = await backend.queue(pool, clock, work);
  const limits: ReconcileLimits = {
    maxInFlight: plan.maxInFlight,
    maxInFlightPerTable: plan.maxInFlightPerTable,
    maxAttempts: DEFAULTS.maxAttempts,
    datesPerJob: plan.datesPerJob,
    queuedStallMs: DEFAULTS.leaseMs,
  };

  let ticks = 0;
  let runId = '';
  let runState = 'active';
  const startMs = clock.now();
  let plannedMs = startMs;
  try {
    const started = await startRun({ warehouse, ledger, clock }, input.request);
    runId = started.run.id;
    plannedMs = clock.now();
    for (;;) {
      const tickStart = clock.now();
      const [tick] = await reconcileRuns({ ledger, queue, clock, logger: silentLogger }, limits, { runIds: [runId] });
      ticks += 1;
      if (!tick || tick.finished) {
        runState = tick?.finished ?? (await inner.getRun(runId))?.state ?? 'missing';
        break;
      }
      await Promise.race([pool.whenSettled(), clock.sleep(plan.tickMaxMs)]);
      const wait = tickStart + plan.tickMinMs - clock.now();
      if (wait > 0) await clock.sleep(wait);
    }
  } finally {
    await queue.close().catch(() => undefined);
    await auto.stop();
  }
  const endMs = clock.now();

  const chunks = await inner.listChunks({ runId });
  const states: Record<string, number> = {};
  const tableDoneSeconds: Partial<Record<AnalyticsTableName, number>> = {};
  let quotaRetries = 0;
  let attemptsSpent = 0;
  for (const c of chunks) {
    states[c.state] = (states[c.state] ?? 0) + 1;
    quotaRetries += c.quotaRetries;
    attemptsSpent += c.attempts;
    if (c.finishedAt !== null) tableDoneSeconds[c.table] = Math.max(tableDoneSeconds[c.table] ?? 0, (c.finishedAt - startMs) / 1000);
  }
  await backend.cleanup();
  const limitsStats = warehouse.stats();
  return {
    plan,
    backend: backend.name,
    chunks: chunks.length,
    runState,
    planSeconds: (plannedMs - startMs) / 1000,
    runSeconds: (endMs - plannedMs) / 1000,
    wallSeconds: (endMs - startMs) / 1000,
    realSeconds: (performance.now() - realStart) / 1000,
    tableDoneSeconds,
    states,
    quotaRetries,
    attemptsSpent,
    ticks,
    limits: limitsStats,
    rejected: limitsStats.rejected,
    ledger: ledger.counters,
    pool: pool.stats,
    queue: queue.stats,
    simSteps: auto.steps,
    simStalls: auto.stalls,
  };
}

export function tablesInOrder(): readonly AnalyticsTableName[] {
  return ANALYTICS_TABLES;
}
