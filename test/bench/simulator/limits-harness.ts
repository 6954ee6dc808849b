import { BigQueryLimitsWarehouse } from '../../../bench/simulator/bigquery-limits-warehouse.js';
import type { BigQueryLimits, JobLatencies } from '../../../bench/simulator/bigquery-limits.js';
import { fixedMs } from '../../../bench/simulator/latency.js';
import { NullWarehouse } from '../../../bench/simulator/null-warehouse.js';
import { VirtualClock } from '../../../bench/simulator/sim-clock.js';
import type { ReplacePartitionsRequest, ReplacePartitionsResult } from '../../../shared/ports/warehouse.js';
import { tableSpec } from '../../../shared/tables/registry.js';
import type { AnalyticsTableName, RunMode } from '../../../shared/tables/names.js';
import { addDaysIso, type IsoDate } from '../../../shared/util/dates.js';

/** Latencies without noise, so a test can say when each job starts and ends. */
export const FIXED_LATENCY: JobLatencies = {
  query: fixedMs(1_000),
  merge: fixedMs(6_000),
  mergePerDateMs: 0,
  rejected: fixedMs(500),
};

/** `n` consecutive dates from 2021-11-01 on (or from `from`). */
export function dates(n: number, from: IsoDate = '2021-11-01'): IsoDate[] {
  return Array.from({ length: n }, (_, i) => addDaysIso(from, i));
}

/** A promise's outcome, readable at any moment of modelled time. */
export interface Tracked<T> {
  readonly state: 'pending' | 'fulfilled' | 'rejected';
  readonly value?: T;
  readonly error?: unknown;
  /** Modelled time it settled at. */
  readonly at?: number;
}

/** Inner calls, as the wrapped warehouse saw them: when the MERGE's latency was over and it ran. */
export interface InnerWrite {
  readonly table: AnalyticsTableName;
  readonly mode: RunMode;
  readonly dates: readonly IsoDate[];
  readonly at: number;
}

/**
 * The limits model over a null warehouse that records when each write reaches it, on a virtual clock
 * that a test moves by hand.
 */
export class LimitsHarness {
  readonly clock = new VirtualClock(0);
  readonly writes: InnerWrite[] = [];
  readonly warehouse: BigQueryLimitsWarehouse;

  constructor(options: { readonly limits?: Partial<BigQueryLimits>; readonly latency?: Partial<JobLatencies> } = {}) {
    // Every date from 2010 to 2032: room for one job over more than 4,000 partitions.
    const schedule = new Map(dates(8_400, '2010-01-01').map((d) => [d, 5]));
    const inner = new NullWarehouse({ gamesByDate: schedule });
    const replace = inner.replacePartitions.bind(inner);
    inner.replacePartitions = (request: ReplacePartitionsRequest): Promise<ReplacePartitionsResult> => {
      this.writes.push({ table: request.table.name, mode: request.mode, dates: request.dates, at: this.clock.now() });
      return replace(request);
    };
    this.warehouse = new BigQueryLimitsWarehouse(inner, {
      clock: this.clock,
      latency: { ...FIXED_LATENCY, ...options.latency },
      ...(options.limits ? { limits: options.limits } : {}),
    });
  }

  /** Submit one MERGE replacing `partitions` of `table`; its outcome is tracked, never left unhandled. */
  merge(table: AnalyticsTableName, partitions: readonly IsoDate[], mode: RunMode = 'production'): Tracked<ReplacePartitionsResult> {
    const spec = tableSpec(table);
    const tracked: { state: Tracked<ReplacePartitionsResult>['state']; value?: ReplacePartitionsResult; error?: unknown; at?: number } = { state: 'pending' };
    this.warehouse.replacePartitions({
      table: spec, mode, dates: partitions, labels: {},
      select: { sql: 'SELECT 1', params: {}, types: {}, label: `transform_${table}` },
    }).then(
      (value) => Object.assign(tracked, { state: 'fulfilled', value, at: this.clock.now() }),
      (error: unknown) => Object.assign(tracked, { state: 'rejected', error, at: this.clock.now() }),
    );
    return tracked;
  }

  /** Let everything due by now run (timers at the current instant included). */
  async settle(): Promise<void> {
    await this.clock.advance(0);
  }

  writesOf(table: AnalyticsTableName): InnerWrite[] {
    return this.writes.filter((w) => w.table === table);
  }

  statsOf(table: AnalyticsTableName, mode: RunMode = 'production') {
    const dataset = mode === 'test' ? 'test_nba_analytics' : 'nba_analytics';
    return this.warehouse.stats().tables.find((t) => t.table.endsWith(`${dataset}.${table}`));
  }
}
