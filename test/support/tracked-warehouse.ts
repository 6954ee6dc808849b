import { setTimeout as sleep } from 'node:timers/promises';
import type { QueryResult, ReplacePartitionsRequest, ReplacePartitionsResult, Row, Warehouse } from '../../shared/ports/warehouse.js';
import type { RenderedQuery, SqlContext } from '../../shared/sql/dialect.js';
import type { AnalyticsTableSpec } from '../../shared/tables/types.js';
import type { RunMode } from '../../shared/tables/names.js';
import type { IsoDate } from '../../shared/util/dates.js';

/**
 * A warehouse that knows how many of its calls are running, so a test stack can wait for the handlers
 * still at work before it closes the engine (closing DuckDB under a running statement blocks the
 * process).
 */
export class TrackedWarehouse implements Warehouse {
  private running = 0;

  constructor(readonly inner: Warehouse) {}

  get dialect(): Warehouse['dialect'] {
    return this.inner.dialect;
  }

  get inFlight(): number {
    return this.running;
  }

  context(mode: RunMode): SqlContext {
    return this.inner.context(mode);
  }

  query<T extends Row = Row>(query: RenderedQuery): Promise<QueryResult<T>> {
    return this.track(() => this.inner.query<T>(query));
  }

  replacePartitions(request: ReplacePartitionsRequest): Promise<ReplacePartitionsResult> {
    return this.track(() => this.inner.replacePartitions(request));
  }

  countRows(table: AnalyticsTableSpec, mode: RunMode, dates: readonly IsoDate[]): Promise<Record<IsoDate, number>> {
    return this.track(() => this.inner.countRows(table, mode, dates));
  }

  /** The engine is closed by whoever opened it. */
  close(): Promise<void> {
    return Promise.resolve();
  }

  /** Resolves once no call has been running for `quietMs` (a handler runs several in a row), or after `timeoutMs`. */
  async idle(quietMs = 300, timeoutMs = 30_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    let quietSince = this.running === 0 ? Date.now() : Number.POSITIVE_INFINITY;
    while (Date.now() < deadline) {
      if (this.running > 0) quietSince = Number.POSITIVE_INFINITY;
      else if (quietSince === Number.POSITIVE_INFINITY) quietSince = Date.now();
      if (Date.now() - quietSince >= quietMs) return true;
      await sleep(25);
    }
    return false;
  }

  private async track<T>(work: () => Promise<T>): Promise<T> {
    this.running += 1;
    try {
      return await work();
    } finally {
      this.running -= 1;
    }
  }
}
