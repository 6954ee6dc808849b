import { common } from '@google-cloud/bigquery';
import type { QueryResult, ReplacePartitionsRequest, ReplacePartitionsResult, Row, Warehouse } from '../../shared/ports/warehouse.js';
import type { RenderedQuery, SqlContext } from '../../shared/sql/dialect.js';
import type { AnalyticsTableSpec } from '../../shared/tables/types.js';
import type { AnalyticsTableName, RunMode } from '../../shared/tables/names.js';
import type { IsoDate } from '../../shared/util/dates.js';

/**
 * A warehouse that fails where a test says: the partition write or the read-back after it, of one
 * (table, date), a number of times or every time, with the errors the BigQuery client raises (the
 * core classifies them as it would the real ones). Everything else goes to the real engine.
 */

export type FaultPoint = 'write' | 'read-back';

export interface WarehouseFault {
  readonly at: FaultPoint;
  readonly table: AnalyticsTableName;
  readonly date: IsoDate;
  /** How many calls it strikes before it heals; default every call. */
  readonly times?: number;
  /** The error thrown (made anew each time) ... */
  readonly error?: () => Error;
  /** ... or, for a read-back, the count it reports instead of the true one. */
  readonly miscount?: (rows: number) => number;
}

type ErrorBody = ConstructorParameters<typeof common.util.ApiError>[0];

/** The client's ApiError for an HTTP error of the BigQuery API (the body's `response` is not needed here). */
function apiError(code: number, reason: string, message: string): Error {
  return new common.util.ApiError({ code, message, errors: [{ reason, message }] } as ErrorBody);
}

/** BigQuery's "backendError": retrying may help. */
export function backendError(): Error {
  return apiError(500, 'backendError', 'Error encountered during execution. Retrying may solve the problem.');
}

/** BigQuery's "rateLimitExceeded" on a table's update operations: slow down. */
export function rateLimitExceeded(table: string): Error {
  return apiError(403, 'rateLimitExceeded', `Exceeded rate limits: too many table update operations for this table (${table}). For more information, see https://cloud.google.com/bigquery/docs/troubleshoot-quotas`);
}

/** The table's queue of mutating DML is full: a quota refusal that waiting in place does not clear (too many jobs in flight). */
export function dmlQueueFull(table: string): Error {
  return apiError(403, 'rateLimitExceeded', `Resources exceeded during query execution: Too many DML statements outstanding against table ${table}, limit is 20.`);
}

/** The partitioned table's modification rate, as the quotas page quotes it: the one refusal that can mean "too large". */
export function partitionRateExceeded(table: string): Error {
  return apiError(403, 'rateLimitExceeded', `Exceeded rate limits: too many partitioned table update operations for this table (${table}). For more information, see https://cloud.google.com/bigquery/docs/troubleshoot-quotas`);
}

/** BigQuery's "invalidQuery": the query itself is wrong, retrying cannot help. */
export function invalidQuery(): Error {
  return apiError(400, 'invalidQuery', 'Query error: Unrecognized name: points_scored at [4:7]');
}

export class FaultyWarehouse implements Warehouse {
  /** Every fault that struck, in order. */
  readonly struck: Array<{ readonly at: FaultPoint; readonly table: AnalyticsTableName; readonly date: IsoDate }> = [];
  /** Partition writes that committed, per `table date`. */
  readonly writes = new Map<string, number>();
  private readonly left: Map<WarehouseFault, number>;

  constructor(
    private readonly inner: Warehouse,
    faults: readonly WarehouseFault[],
  ) {
    this.left = new Map(faults.map((f) => [f, f.times ?? Number.POSITIVE_INFINITY]));
  }

  get dialect(): Warehouse['dialect'] {
    return this.inner.dialect;
  }

  context(mode: RunMode): SqlContext {
    return this.inner.context(mode);
  }

  query<T extends Row = Row>(query: RenderedQuery): Promise<QueryResult<T>> {
    return this.inner.query<T>(query);
  }

  async replacePartitions(request: ReplacePartitionsRequest): Promise<ReplacePartitionsResult> {
    const fault = this.strike('write', request.table.name, request.dates);
    if (fault) throw (fault.error ?? backendError)();
    const result = await this.inner.replacePartitions(request);
    for (const d of request.dates) this.writes.set(`${request.table.name} ${d}`, (this.writes.get(`${request.table.name} ${d}`) ?? 0) + 1);
    return result;
  }

  async countRows(table: AnalyticsTableSpec, mode: RunMode, dates: readonly IsoDate[]): Promise<Record<IsoDate, number>> {
    const fault = this.strike('read-back', table.name, dates);
    if (fault && !fault.miscount) throw (fault.error ?? backendError)();
    const counts = await this.inner.countRows(table, mode, dates);
    if (!fault?.miscount) return counts;
    return { ...counts, [fault.date]: fault.miscount(counts[fault.date] ?? 0) };
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  private strike(at: FaultPoint, table: AnalyticsTableName, dates: readonly IsoDate[]): WarehouseFault | undefined {
    for (const [fault, left] of this.left) {
      if (left <= 0 || fault.at !== at || fault.table !== table || !dates.includes(fault.date)) continue;
      this.left.set(fault, left - 1);
      this.struck.push({ at, table, date: fault.date });
      return fault;
    }
    return undefined;
  }
}
