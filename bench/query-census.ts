/**
 * How many warehouse jobs, and how many table references, each kind of work makes: one chunk of a
 * backfill, one heal tick, one scheduled verification. docs/deploy.md turns these into BigQuery bytes
 * (on-demand queries bill at least 10 MB per table referenced, and this service's partition-pruned
 * queries read less than that per table, so the minimum is the bill) and into dollars.
 *
 * Usage: `npm run bench:queries` (no options; `--help` says so).
 *
 * Runs the real core (planning, processing, healing, verification) on the real-data fixture slices in
 * DuckDB, with a warehouse wrapper that counts. Prints its numbers; asserts nothing.
 */
import { runVerification } from '../shared/api/verify-endpoint.js';
import type { CoverageTarget } from '../shared/config/config.js';
import { SEED_RANGE } from '../shared/config/defaults.js';
import { silentLogger } from '../shared/log/logger.js';
import type { Clock } from '../shared/ports/clock.js';
import type { PartitionVersions, QueryResult, ReplacePartitionsRequest, ReplacePartitionsResult, Row, Warehouse } from '../shared/ports/warehouse.js';
import { healCoverage } from '../shared/reconcile/heal-coverage.js';
import type { RenderedQuery, SqlContext } from '../shared/sql/dialect.js';
import { ANALYTICS_TABLES, type RunMode } from '../shared/tables/names.js';
import type { AnalyticsTableSpec } from '../shared/tables/types.js';
import type { IsoDate } from '../shared/util/dates.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadRawDirectory } from '../adapters/duckdb/load-raw.js';
import { systemClock } from '../shared/ports/clock.js';
import { parseBackfillRequest } from '../shared/planning/backfill-request.js';
import { driveRun } from '../shared/runner/drive-run.js';
import { startRun } from '../shared/runner/start-run.js';
import { openLocalStack } from '../cli/local-stack.js';
import { createLocalWorker } from '../cli/local-worker.js';
import { BenchCommandLine, removeOnExit } from './support/command-line.js';

new BenchCommandLine('Usage:\n  npm run bench:queries   # no options', {});

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

  /** On BigQuery two INFORMATION_SCHEMA.PARTITIONS queries (raw dataset, analytics dataset), each billed its 10 MB minimum. */
  partitionVersions(mode: RunMode): Promise<PartitionVersions> {
    if (!this.inner.partitionVersions) throw new Error('the warehouse has no partition metadata');
    this.count(1);
    this.count(1);
    return this.inner.partitionVersions(mode);
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

/** The real-data fixture slices of the tests (data, not code: read as a user would load them). */
const FIXTURE_RAW_DIR = fileURLToPath(new URL('../../test/fixtures/raw/', import.meta.url));

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'query-census-'));
  removeOnExit(dir);
  const stack = await openLocalStack(dir);
  await loadRawDirectory(stack.warehouse, FIXTURE_RAW_DIR);
  const warehouse = new CountingWarehouse(stack.warehouse);
  const ledger = stack.ledger;
  const worker = createLocalWorker({ ...stack, warehouse }, { concurrency: 2, datesPerJob: 12, maxAttempts: 3, logger: silentLogger });
  try {
    const { run } = await startRun({ warehouse, ledger, clock: systemClock }, parseBackfillRequest({ tables: 'all', ...RANGE }));
    warehouse.reset();
    const ended = await driveRun({ ledger, queue: worker.queue, clock: systemClock, logger: silentLogger }, {
      runId: run.id, limits: worker.limits, idleWaitMs: 50, waitForWork: worker.waitForWork,
    });
    await worker.close();
    const chunks = await ledger.listChunks({ runId: run.id });
    const backfill = { jobs: warehouse.jobs, refs: warehouse.tableRefs, chunks: chunks.length, state: ended.state };
    const messages = new Set(chunks.map((c) => `${c.table}`)).size; // one message of <= 12 dates per table here

    // Heal passes as the hourly job makes them over the range the run built: the first (no memory), one where
    // nothing changed, one after a corrected raw row for one date.
    const clock: Clock = { now: () => Date.parse('2024-04-15T12:00:00Z') };
    const targets: CoverageTarget[] = ANALYTICS_TABLES.map((table) => ({ table, start: RANGE.start, end: RANGE.end }));
    const healPass = async () => {
      warehouse.reset();
      const result = await healCoverage({ warehouse, ledger, clock, logger: silentLogger }, targets);
      return { jobs: warehouse.jobs, refs: warehouse.tableRefs, looked: result.looked };
    };
    const healFirst = await healPass();
    const healUnchanged = await healPass();
    await stack.warehouse.run(`INSERT INTO nba_raw.nbac_team_boxscore
      SELECT * REPLACE (assists + 1 AS assists, processed_at + INTERVAL 1 DAY AS processed_at)
      FROM nba_raw.nbac_team_boxscore WHERE game_date = DATE '2018-04-20' ORDER BY game_id, team_abbr LIMIT 1`);
    const healOneDate = await healPass();
    const heal = healFirst;

    warehouse.reset();
    await runVerification({ warehouse, ledger, clock }, { tables: [...ANALYTICS_TABLES], start: SEED_RANGE.start, mode: 'production', excludeDates: [] }, 'json');
    const verify = { jobs: warehouse.jobs, refs: warehouse.tableRefs };

    const MB = 10;
    const line = (what: string, jobs: number, refs: number) =>
      console.log(`${what.padEnd(58)} ${String(jobs).padStart(5)} jobs ${String(refs).padStart(5)} table refs  >= ${String(refs * MB).padStart(5)} MB billed`);
    console.log(`backfill of ${RANGE.start}..${RANGE.end}, all tables: ${backfill.chunks} chunks in ${messages} messages of up to 12 dates, run ${backfill.state}`);
    line('  the whole run (processing, no end-of-run check)', backfill.jobs, backfill.refs);
    line('  per message (5 messages)', Math.round(backfill.jobs / messages), Math.round(backfill.refs / messages));
    line(`one heal pass, first (looks at ${heal.looked})`, heal.jobs, heal.refs);
    line(`one heal pass, nothing changed (looks at ${healUnchanged.looked})`, healUnchanged.jobs, healUnchanged.refs);
    line(`one heal pass, one raw date changed (looks at ${healOneDate.looked})`, healOneDate.jobs, healOneDate.refs);
    line('one scheduled verification (5 tables)', verify.jobs, verify.refs);
  } finally {
    await stack.close();
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
