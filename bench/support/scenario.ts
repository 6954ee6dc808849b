import { reconcileLimitsOf, SERVICE_CONFIG } from './plans.js';
import { createChunkProcessor } from '../../shared/chunks/process-chunks.js';
import { processorOptionsFrom } from '../../shared/config/wiring.js';
import { rateLimitedNudge } from '../../shared/reconcile/nudge.js';
import { errorMessage } from '../../shared/errors/errors.js';
import { silentLogger } from '../../shared/log/logger.js';
import type { BackfillRequest } from '../../shared/planning/backfill-request.js';
import type { Ledger } from '../../shared/ports/ledger.js';
import { reconcileRuns } from '../../shared/reconcile/reconcile.js';
import { startRun } from '../../shared/runner/start-run.js';
import type { AnalyticsTableName } from '../../shared/tables/names.js';
import type { IsoDate } from '../../shared/util/dates.js';
import { autoAdvance, RealWork } from '../simulator/auto-advance.js';
import { trace } from '../simulator/trace.js';
import type { LimitName } from '../simulator/bigquery-errors.js';
import { BigQueryLimitsWarehouse, type LimitsStats } from '../simulator/bigquery-limits-warehouse.js';
import type { BigQueryLimits, JobLatencies } from '../simulator/bigquery-limits.js';
import { NullWarehouse } from '../simulator/null-warehouse.js';
import { VirtualClock, type SimClock } from '../simulator/sim-clock.js';
import { ModelledLedger, type LedgerCounters } from './modelled-ledger.js';
import type { BenchQueue, QueueStats } from './queues.js';
import { WorkerPool, type PoolStats } from './worker-pool.js';

/** Modelled time starts here (any fixed instant: leases and back-offs are differences). */
export const MODEL_EPOCH_MS = Date.UTC(2024, 6, 1);

/** A run that is not over after a modelled day is broken, not slow. */
const DEFAULT_MAX_MODELLED_MS = 24 * 60 * 60 * 1000;

/** infra/pubsub.tf: the push subscription's retry_minimum_backoff and retry_maximum_backoff. */
export const PUBSUB_RETRY = { minMs: 10_000, maxMs: 600_000 } as const;
/** Modelled push latency, publish to handler. */
export const PUSH_DELIVERY_MS = 50;

/**
 * What makes reconcile run. On Google Cloud it is Cloud Scheduler (cron, one minute at the finest):
 * the first tick comes a fraction of a period after the run is created, then one every period.
 * With `nudges`, processChunk also asks for a tick when a job settled chunks as done (shared/reconcile/nudge.ts,
 * rate-limited per instance), as deployed: a tick then runs as soon as one is asked for.
 * `on-settle` is what the local runner does (a tick whenever work finishes), shown for comparison.
 */
export type ReconcileTrigger =
  | { readonly kind: 'schedule'; readonly everyMs: number; readonly firstAfterMs: number; readonly nudges?: boolean }
  | { readonly kind: 'on-settle'; readonly minMs: number; readonly maxMs: number };

/** How the backfill is driven: the planning choice under test. */
export interface DrivePlan {
  /** A table's first job size, and the most it may grow to (shared/chunks/job-size.ts). */
  readonly datesPerJob: number;
  readonly maxDatesPerJob: number;
  /** Chunks (dates) queued or running, per table and overall (reconcile's caps). */
  readonly maxInFlightPerTable: number;
  readonly maxInFlight: number;
  /** processChunk instances (infra worker_max_instances), one message each at a time. */
  readonly instances: number;
  readonly trigger: ReconcileTrigger;
}

/** What the pieces around the core are: the ledger and queue of one backend, built on the scenario's clock. */
export interface Backend {
  readonly name: string;
  ledger(clock: SimClock): Promise<Ledger>;
  queue(pool: WorkerPool, clock: SimClock, work: RealWork): Promise<BenchQueue>;
  /** Release what ledger() and queue() made (collections, topics, clients). */
  cleanup(): Promise<void>;
}

export interface ScenarioProgress {
  readonly modelledSeconds: number;
  readonly realSeconds: number;
  readonly partitionsWritten: number;
  readonly chunks: number;
  readonly ticks: number;
}

export interface ScenarioInput {
  readonly request: BackfillRequest;
  readonly gamesByDate: ReadonlyMap<IsoDate, number>;
  readonly plan: DrivePlan;
  readonly backend: Backend;
  readonly limits?: Partial<BigQueryLimits>;
  readonly latency?: Partial<JobLatencies>;
  readonly seed?: number;
  /** Give up (runState says so) when the run has not ended after this much modelled time. */
  readonly maxModelledMs?: number;
  /** Called after every reconcile tick. */
  readonly onProgress?: (progress: ScenarioProgress) => void;
}

export interface ScenarioResult {
  readonly plan: DrivePlan;
  readonly backend: string;
  readonly chunks: number;
  readonly runState: string;
  /** Modelled seconds from the request: planning done (expectations + createRun), last checkpoint, run marked finished. */
  readonly planSeconds: number;
  readonly lastCheckpointSeconds: number;
  readonly wallSeconds: number;
  readonly realSeconds: number;
  /** Modelled seconds at which each table's last chunk finished, from the request. */
  readonly tableDoneSeconds: Readonly<Partial<Record<AnalyticsTableName, number>>>;
  readonly states: Readonly<Record<string, number>>;
  readonly quotaRetries: number;
  readonly attemptsSpent: number;
  readonly ticks: number;
  readonly tickErrors: number;
  readonly lastTickError: string | null;
  readonly limits: LimitsStats;
  readonly rejected: Readonly<Record<LimitName, number>>;
  readonly partitionWrites: number;
  readonly ledger: LedgerCounters;
  /** Firestore reads of the reconcile ticks alone (the rest are the workers'). */
  readonly reconcileReads: number;
  readonly pool: PoolStats;
  readonly queue: QueueStats;
  readonly simSteps: number;
  readonly simStalls: number;
}

/**
 * One full backfill through the real core on modelled time: startRun (as POST /backfills does),
 * reconcile ticks (as the reconcile function does) and a processChunk per instance, against the
 * BigQuery limits model over the null warehouse, with the backend's ledger and queue. Returns when
 * the run has ended.
 */
export async function runScenario(input: ScenarioInput): Promise<ScenarioResult> {
  const { plan, backend } = input;
  const realStart = performance.now();
  const clock = new VirtualClock(MODEL_EPOCH_MS);
  const work = new RealWork();
  const auto = autoAdvance(clock, work);
  const tables = new NullWarehouse({ gamesByDate: input.gamesByDate });
  const warehouse = new BigQueryLimitsWarehouse(tables, {
    clock, seed: input.seed ?? 1, ...(input.limits ? { limits: input.limits } : {}), ...(input.latency ? { latency: input.latency } : {}),
  });
  const inner = await backend.ledger(clock);
  const ledger = new ModelledLedger(inner, { clock, work });
  const nudges = new NudgeSignal();
  // Each processChunk instance, the reconcile function and the API's instance has its own Firestore client: what
  // one read or wrote, the others do not know (ModelledLedger.instance).
  const processors = Array.from({ length: plan.instances }, (_, i) => createChunkProcessor(
    { warehouse, ledger: ledger.instance(), clock, logger: silentLogger },
    // As functions/process-chunk.ts builds its processor from the config, with the plan's first job size,
    // and its nudge (the real rate limiter) publishing to the modelled reconcile topic.
    {
      ...processorOptionsFrom({ ...SERVICE_CONFIG.limits, datesPerJob: plan.datesPerJob, maxDatesPerJob: plan.maxDatesPerJob }, `instance-${i}`),
      sleep: (ms: number) => clock.sleep(ms),
      ...(plan.trigger.kind === 'schedule' && plan.trigger.nudges ? { onDone: rateLimitedNudge(nudges, clock, silentLogger, undefined, (ms) => clock.sleep(ms)) } : {}),
    },
  ));
  const pool = new WorkerPool({ processors, clock, retryMinMs: PUBSUB_RETRY.minMs, retryMaxMs: PUBSUB_RETRY.maxMs, deliveryMs: PUSH_DELIVERY_MS });
  const queue = await backend.queue(pool, clock, work);
  const limits = reconcileLimitsOf(plan);

  let ticks = 0;
  let tickErrors = 0;
  let lastTickError: string | null = null;
  let reconcileReads = 0;
  let runId = '';
  let runState = 'active';
  const startMs = clock.now();
  let plannedMs = startMs;
  let endMs = startMs;
  const nextTick = tickTimer(plan.trigger, clock, pool, nudges);
  try {
    trace(clock.now(), 'run', 'REQUEST', 0);
    const started = await startRun({ warehouse, ledger: ledger.instance(), clock }, input.request);
    runId = started.run.id;
    plannedMs = clock.now();
    trace(clock.now(), 'run', 'PLANNED', 0);
    for (;;) {
      await nextTick(ticks === 0);
      const readsBefore = ledger.counters.reads;
      let finished: string | null = null;
      try {
        // As the scheduled reconcile does it: every active run.
        const tick = (await reconcileRuns({ ledger, queue, clock, logger: silentLogger }, limits)).find((t) => t.runId === runId);
        if (tick) finished = tick.finished;
        else {
          // Not among the active runs: it ended (another tick finished it) or is gone.
          const state = (await inner.getRun(runId))?.state ?? 'missing';
          finished = state === 'active' ? null : state;
        }
      } catch (error) {
        // A failed reconcile is retried by the next tick, as the scheduler's next message would.
        tickErrors += 1;
        lastTickError = errorMessage(error);
      }
      reconcileReads += ledger.counters.reads - readsBefore;
      ticks += 1;
      input.onProgress?.({
        modelledSeconds: (clock.now() - startMs) / 1000, realSeconds: (performance.now() - realStart) / 1000,
        partitionsWritten: tables.partitionWrites, chunks: started.plan.chunks.length, ticks,
      });
      if (finished) {
        runState = finished;
        break;
      }
      if (clock.now() - startMs > (input.maxModelledMs ?? DEFAULT_MAX_MODELLED_MS)) {
        runState = 'stopped: past the modelled time limit';
        break;
      }
    }
    endMs = clock.now();
  } finally {
    // Closing lets the model's pending timers (the scheduler's next minute, Pub/Sub's retry back-offs) run
    // out, which moves the clock: the run's time is read before.
    await queue.close().catch(() => undefined);
    await auto.stop();
  }

  const chunks = await inner.listChunks({ runId });
  const states: Record<string, number> = {};
  const tableDoneSeconds: Partial<Record<AnalyticsTableName, number>> = {};
  let quotaRetries = 0;
  let attemptsSpent = 0;
  let lastCheckpointSeconds = 0;
  for (const c of chunks) {
    states[c.state] = (states[c.state] ?? 0) + 1;
    quotaRetries += c.quotaRetries;
    attemptsSpent += c.attempts;
    if (c.finishedAt !== null) {
      const seconds = (c.finishedAt - startMs) / 1000;
      tableDoneSeconds[c.table] = Math.max(tableDoneSeconds[c.table] ?? 0, seconds);
      lastCheckpointSeconds = Math.max(lastCheckpointSeconds, seconds);
    }
  }
  await inner.close();
  await backend.cleanup();
  const limitsStats = warehouse.stats();
  return {
    plan,
    backend: backend.name,
    chunks: chunks.length,
    runState,
    planSeconds: (plannedMs - startMs) / 1000,
    lastCheckpointSeconds,
    wallSeconds: (endMs - startMs) / 1000,
    realSeconds: (performance.now() - realStart) / 1000,
    tableDoneSeconds,
    states,
    quotaRetries,
    attemptsSpent,
    ticks,
    tickErrors,
    lastTickError,
    limits: limitsStats,
    rejected: limitsStats.rejected,
    partitionWrites: tables.partitionWrites,
    ledger: ledger.counters,
    reconcileReads,
    pool: pool.stats,
    queue: queue.stats,
    simSteps: auto.steps,
    simStalls: auto.stalls,
  };
}

/** Waits, in modelled time, until the trigger's next reconcile tick is due. */
function tickTimer(trigger: ReconcileTrigger, clock: SimClock, pool: WorkerPool, nudges: NudgeSignal): (first: boolean) => Promise<void> {
  if (trigger.kind === 'schedule') {
    let due = 0;
    return async (first) => {
      const now = clock.now();
      if (first) due = now + trigger.firstAfterMs;
      // The scheduler's next message after the last tick (a tick that ran past a slot skips it).
      else while (due <= now) due += trigger.everyMs;
      if (due > now) {
        if (trigger.nudges) await Promise.race([clock.sleep(due - now), nudges.next()]);
        else await clock.sleep(due - now);
      }
      // One tick answers every nudge asked for before it started.
      nudges.take();
    };
  }
  let last = Number.NEGATIVE_INFINITY;
  return async (first) => {
    if (!first) await Promise.race([pool.whenSettled(), clock.sleep(trigger.maxMs)]);
    const wait = last + trigger.minMs - clock.now();
    if (wait > 0) await clock.sleep(wait);
    last = clock.now();
  };
}

/** The modelled reconcile topic of the nudges: a nudge asked for while no tick waits is kept for the next wait. */
class NudgeSignal {
  private pending = false;
  private readonly waiters: Array<() => void> = [];

  requestReconcile(): Promise<void> {
    this.pending = true;
    for (const wake of this.waiters.splice(0)) wake();
    return Promise.resolve();
  }

  next(): Promise<void> {
    return this.pending ? Promise.resolve() : new Promise((resolve) => this.waiters.push(resolve));
  }

  take(): void {
    this.pending = false;
  }
}
