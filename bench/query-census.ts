/**
 * How many warehouse jobs, and how many table references, each kind of work makes: one chunk of a
 * backfill, one heal tick, one scheduled verification. docs/deploy.md turns these into BigQuery bytes
 * (on-demand queries bill at least 10 MB per table referenced, and this service's partition-pruned
 * queries read less than that per table, so the minimum is the bill) and into dollars.
 *
 *   npm run bench:queries
 *
 * Runs the real core (planning, processing, healing, verification) on the real-data fixture slices in
 * DuckDB, with a warehouse wrapper that counts. Prints its numbers; asserts nothing.
 */
import type { DuckDbWarehouse } from '../adapters/duckdb/duckdb-warehouse.js';
import { runVerification } from '../shared/api/verify-endpoint.js';
import type { CoverageTarget } from '../shared/config/config.js';
import { SEED_RANGE } from '../shared/config/defaults.js';
import { silentLogger } from '../shared/log/logger.js';
import type { Clock } from '../shared/ports/clock.js';
import type { QueryResult, ReplacePartitionsRequest, ReplacePartitionsResult, Row, Warehouse } from '../shared/ports/warehouse.js';
import { healCoverage } from '../shared/reconcile/heal-coverage.js';
import type { RenderedQuery, SqlContext } from '../shared/sql/dialect.js';
import { ANALYTICS_TABLES, type RunMode } from '../shared/tables/names.js';
import type { AnalyticsTableSpec } from '../shared/tables/types.js';
import type { IsoDate } from '../shared/util/dates.js';
import { startInProcessStack } from '../test/support/in-process-stack.js';

/** Tables a statement names, as the DuckDB dialect renders them ("schema"."table"). */
function tablesIn(sql: string): Set<string> {
  return new Set([...sql.matchAll(/"(nba_raw|nba_analytics|test_nba_analytics)"\."([a-z_]+)"/g)].map((m) => `${m[1]}.${m[2]}`));
}

class CountingWarehouse implements Warehouse {
  jobs = 0;
  tableRefs = 0;

  constructor(private readonly inner: Warehouse) {}

  get dialect(): Warehouse['dialect'] {
    return this.inner.dialect;
  }

  context(mode: RunMode): SqlContext {
    return this.inner.context(mode);
  }

  reset(): void {
    this.jobs = 0;
    this.tableRefs = 0;
  }

  query<T extends Row = Row>(query: RenderedQuery): Promise<QueryResult<T>> {
    this.count(tablesIn(query.sql).size);
    return this.inner.query<T>(query);
  }

  replacePartitions(request: ReplacePartitionsRequest): Promise<ReplacePartitionsResult> {
    // The job reads what the select names and writes (and counts) the target table.
    const refs = tablesIn(request.select.sql);
    refs.add(`target.${request.table.name}`);
    this.count(refs.size);
    return this.inner.replacePartitions(request);
  }

  countRows(table: AnalyticsTableSpec, mode: RunMode, dates: readonly IsoDate[]): Promise<Record<IsoDate, number>> {
    this.count(1);
    return this.inner.countRows(table, mode, dates);
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  private count(refs: number): void {
    this.jobs += 1;
    this.tableRefs += refs;
  }
}

const RANGE = { start: '2018-04-14', end: '2018-04-20' } as const;

async function main(): Promise<void> {
  let counter: CountingWarehouse | undefined;
  const stack = await startInProcessStack({
    datesPerJob: 12,
    wrapWarehouse: (engine: DuckDbWarehouse) => (counter = new CountingWarehouse(engine)),
  });
  if (!counter) throw new Error('the stack did not wrap its warehouse');
  const warehouse = counter;
  try {
    const run = await stack.start({ tables: 'all', ...RANGE });
    const ended = await stack.drive(run.id);
    const chunks = await stack.chunks(run.id);
    const backfill = { jobs: warehouse.jobs, refs: warehouse.tableRefs, chunks: chunks.length, state: ended.state };
    const messages = new Set(chunks.map((c) => `${c.table}`)).size; // one message of <= 12 dates per table here

    warehouse.reset();
    const clock: Clock = { now: () => Date.parse(`${RANGE.end}T12:00:00Z`) + 24 * 3600 * 1000 };
    const targets: CoverageTarget[] = ANALYTICS_TABLES.map((table) => ({ table, start: SEED_RANGE.start }));
    await healCoverage({ warehouse, ledger: stack.ledger, clock, logger: silentLogger }, targets);
    const heal = { jobs: warehouse.jobs, refs: warehouse.tableRefs };

    warehouse.reset();
    await runVerification({ warehouse, ledger: stack.ledger, clock }, { tables: [...ANALYTICS_TABLES], start: SEED_RANGE.start, mode: 'production' }, 'json');
    const verify = { jobs: warehouse.jobs, refs: warehouse.tableRefs };

    const MB = 10;
    const line = (what: string, jobs: number, refs: number) =>
      console.log(`${what.padEnd(46)} ${String(jobs).padStart(5)} jobs ${String(refs).padStart(5)} table refs  >= ${String(refs * MB).padStart(5)} MB billed`);
    console.log(`backfill of ${RANGE.start}..${RANGE.end}, all tables: ${backfill.chunks} chunks in ${messages} messages of up to 12 dates, run ${backfill.state}`);
    line('  the whole run (processing, no end-of-run check)', backfill.jobs, backfill.refs);
    line('  per message (5 messages)', Math.round(backfill.jobs / messages), Math.round(backfill.refs / messages));
    line('one heal tick (5 tables from 2016-10-01)', heal.jobs, heal.refs);
    line('one scheduled verification (5 tables)', verify.jobs, verify.refs);
  } finally {
    await stack.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
