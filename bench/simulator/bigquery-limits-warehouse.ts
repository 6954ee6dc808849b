import type {
  QueryResult, ReplacePartitionsRequest, ReplacePartitionsResult, Row, Warehouse,
} from '../../shared/ports/warehouse.js';
import type { RenderedQuery, SqlContext } from '../../shared/sql/dialect.js';
import type { AnalyticsTableSpec } from '../../shared/tables/types.js';
import type { RunMode } from '../../shared/tables/names.js';
import type { IsoDate } from '../../shared/util/dates.js';
import {
  dmlQueueFull, dmlRateExceeded, LIMIT_NAMES, partitionDailyQuotaExceeded, tableRateExceeded, tooManyPartitions, type LimitName, type Refusal,
} from './bigquery-errors.js';
import {
  BIGQUERY_LIMITS, DEFAULT_JOB_LATENCIES, tableModificationCost, type BigQueryLimits, type JobLatencies,
} from './bigquery-limits.js';
import { LatencySampler } from './latency.js';
import type { SimClock } from './sim-clock.js';
import { SlidingWindow } from './sliding-window.js';
import { took, trace } from './trace.js';

const DAY_MS = 24 * 60 * 60 * 1000;

export interface BigQueryLimitsOptions {
  readonly clock: SimClock;
  readonly limits?: Partial<BigQueryLimits>;
  readonly latency?: Partial<JobLatencies>;
  /** Seed of the latency draws. */
  readonly seed?: number;
  /**
   * Wraps every call to the wrapped warehouse. The benchmark marks them as real work here, so virtual
   * time waits for a DuckDB that really runs the SQL.
   */
  readonly around?: <T>(call: () => Promise<T>) => Promise<T>;
}

/** What one table met, for the benchmark's report. */
export interface TableLimitStats {
  readonly table: string;
  /** MERGE jobs that ran, and the partitions they modified. */
  jobs: number;
  partitions: number;
  /** What the jobs that ran consumed of the table-modification window (jobs, or partitions: the reading). */
  tableModifications: number;
  /** Partition modifications charged to the daily quota (none while DML is not charged). */
  chargedToDailyQuota: number;
  /** Jobs refused, by the limit that refused them. */
  readonly rejected: Record<LimitName, number>;
  maxRunning: number;
  maxQueued: number;
  /** Modelled milliseconds jobs spent waiting in the DML queue, summed. */
  queuedMs: number;
  /** Modelled time of the first MERGE start and the last MERGE end. */
  firstStartMs: number | null;
  lastEndMs: number | null;
}

export interface LimitsStats {
  readonly tables: readonly TableLimitStats[];
  readonly queries: number;
  readonly rejected: Record<LimitName, number>;
}

interface TableState {
  readonly stats: TableLimitStats;
  running: number;
  readonly queue: Array<() => void>;
  readonly dml: SlidingWindow;
  readonly modifications: SlidingWindow;
  readonly partitionsToday: SlidingWindow;
}

/**
 * BigQuery's limits around any warehouse: every job waits a latency drawn from its distribution, and
 * each replacePartitions (one MERGE, a mutating DML statement) goes through the table's limits
 * (bigquery-limits.ts quotes the documentation of each):
 * - a MERGE over more than `partitionsPerJob` partitions is rejected at once (it never queues);
 * - at most `concurrentMutatingDml` run at once; up to `queuedMutatingDml` more wait their turn, in
 *   order; one more fails at once with "Too many DML statements outstanding";
 * - when it leaves the queue to run, it must fit the table's windows: `dmlPerWindow` statements and
 *   `tableModificationsPerWindow` modifications started in the last `windowMs` (a MERGE counts once
 *   under the `per-job` reading, once per partition under `per-partition`). Otherwise it fails with
 *   `rateLimitExceeded` without running. Refused jobs are not counted against the windows;
 * - the daily partition-modification quota is not charged for DML (`dailyQuotaChargesDml` false), so a
 *   MERGE never meets it unless that switch is turned on.
 * Queries (expectations, read-back counts) get a latency and no limit.
 * Refusals throw the client's own ApiError, as a failed job raises it (bigquery-errors.ts), so the core
 * classifies them as it would the real ones.
 */
export class BigQueryLimitsWarehouse implements Warehouse {
  readonly limits: BigQueryLimits;
  readonly latency: JobLatencies;
  private readonly clock: SimClock;
  private readonly sampler: LatencySampler;
  private readonly around: <T>(call: () => Promise<T>) => Promise<T>;
  private readonly tables = new Map<string, TableState>();
  private queries = 0;

  constructor(private readonly inner: Warehouse, options: BigQueryLimitsOptions) {
    this.clock = options.clock;
    this.limits = { ...BIGQUERY_LIMITS, ...options.limits };
    this.latency = { ...DEFAULT_JOB_LATENCIES, ...options.latency };
    this.sampler = new LatencySampler(options.seed ?? 1);
    this.around = options.around ?? ((call) => call());
  }

  get dialect(): Warehouse['dialect'] {
    return this.inner.dialect;
  }

  context(mode: RunMode): SqlContext {
    return this.inner.context(mode);
  }

  async query<T extends Row = Row>(query: RenderedQuery): Promise<QueryResult<T>> {
    this.queries += 1;
    const t0 = this.clock.now();
    await this.clock.sleep(this.sampler.sample(this.latency.query));
    trace(t0, `q.${query.label}`, 'QUERY', 0, took(t0, this.clock.now()));
    return this.around(() => this.inner.query<T>(query));
  }

  async countRows(table: AnalyticsTableSpec, mode: RunMode, dates: readonly IsoDate[]): Promise<Record<IsoDate, number>> {
    this.queries += 1;
    const t0 = this.clock.now();
    await this.clock.sleep(this.sampler.sample(this.latency.query));
    trace(t0, `q.countRows_${table.name}`, 'QUERY', 0, took(t0, this.clock.now()));
    return this.around(() => this.inner.countRows(table, mode, dates));
  }

  async replacePartitions(request: ReplacePartitionsRequest): Promise<ReplacePartitionsResult> {
    const name = tableName(this.inner.context(request.mode).analytics(request.table.name));
    const table = this.table(name);
    const partitions = new Set(request.dates).size;
    if (partitions > this.limits.partitionsPerJob) return this.refuse(table, tooManyPartitions(name, this.limits.partitionsPerJob, partitions));

    const queuedAt = this.clock.now();
    if (table.running >= this.limits.concurrentMutatingDml) {
      if (table.queue.length >= this.limits.queuedMutatingDml) {
        return this.refuse(table, dmlQueueFull(name, this.limits.queuedMutatingDml));
      }
      // Released by the statement that finishes, which hands its slot over.
      await new Promise<void>((resolve) => {
        table.queue.push(resolve);
        table.stats.maxQueued = Math.max(table.stats.maxQueued, table.queue.length);
      });
    } else {
      table.running += 1;
    }
    table.stats.maxRunning = Math.max(table.stats.maxRunning, table.running);
    const startedAt = this.clock.now();
    table.stats.queuedMs += startedAt - queuedAt;

    const refusal = this.admit(table, name, startedAt, partitions);
    if (refusal) {
      this.release(table);
      return this.refuse(table, refusal);
    }
    try {
      table.stats.firstStartMs ??= startedAt;
      table.stats.jobs += 1;
      table.stats.partitions += partitions;
      table.stats.tableModifications += tableModificationCost(this.limits, partitions);
      trace(startedAt, name, 'START', partitions, `first=${[...request.dates].sort()[0]} queued=${((startedAt - queuedAt) / 1000).toFixed(1)}`);
      await this.clock.sleep(this.sampler.sample(this.latency.merge) + this.latency.mergePerDateMs * partitions);
      return await this.around(() => this.inner.replacePartitions(request));
    } finally {
      trace(this.clock.now(), name, 'END', partitions);
      table.stats.lastEndMs = this.clock.now();
      this.release(table);
    }
  }

  async close(): Promise<void> {
    await this.inner.close();
  }

  stats(): LimitsStats {
    const tables = [...this.tables.values()].map((t) => ({ ...t.stats, rejected: { ...t.stats.rejected } }));
    const rejected = emptyRejections();
    for (const t of tables) for (const limit of LIMIT_NAMES) rejected[limit] += t.rejected[limit];
    return { tables, queries: this.queries, rejected };
  }

  /** The limit this start would break, or null when it may run (and is then counted). */
  private admit(table: TableState, name: string, now: number, partitions: number): Refusal | null {
    const charged = this.limits.dailyQuotaChargesDml ? partitions : 0;
    if (table.partitionsToday.total(now) + charged > this.limits.partitionModificationsPerDay) return partitionDailyQuotaExceeded(name);
    if (table.dml.total(now) + 1 > this.limits.dmlPerWindow) return dmlRateExceeded(name);
    const modifications = tableModificationCost(this.limits, partitions);
    if (table.modifications.total(now) + modifications > this.limits.tableModificationsPerWindow) return tableRateExceeded(name);
    table.dml.record(now, 1);
    table.modifications.record(now, modifications);
    if (charged > 0) table.partitionsToday.record(now, charged);
    table.stats.chargedToDailyQuota += charged;
    return null;
  }

  private async refuse(table: TableState, refusal: Refusal): Promise<never> {
    table.stats.rejected[refusal.limit] += 1;
    await this.clock.sleep(this.sampler.sample(this.latency.rejected));
    throw refusal.error;
  }

  /** The next statement in the queue takes the slot; with none waiting, the slot frees. */
  private release(table: TableState): void {
    const next = table.queue.shift();
    if (next) next();
    else table.running -= 1;
  }

  private table(name: string): TableState {
    let state = this.tables.get(name);
    if (!state) {
      state = {
        stats: {
          table: name, jobs: 0, partitions: 0, tableModifications: 0, chargedToDailyQuota: 0, rejected: emptyRejections(), maxRunning: 0, maxQueued: 0, queuedMs: 0, firstStartMs: null, lastEndMs: null,
        },
        running: 0,
        queue: [],
        dml: new SlidingWindow(this.limits.windowMs),
        modifications: new SlidingWindow(this.limits.windowMs),
        partitionsToday: new SlidingWindow(DAY_MS),
      };
      this.tables.set(name, state);
    }
    return state;
  }
}

function emptyRejections(): Record<LimitName, number> {
  return Object.fromEntries(LIMIT_NAMES.map((limit) => [limit, 0])) as Record<LimitName, number>;
}

/** `project.dataset.table` from the dialect's quoted reference, as BigQuery names it in errors. */
function tableName(reference: string): string {
  return reference.replaceAll('`', '').replaceAll('"', '');
}
