import assert from 'node:assert/strict';
import { BigQueryWarehouse } from '../../../adapters/bigquery/bigquery-warehouse.js';
import { loadRawDirectory } from '../../../adapters/duckdb/load-raw.js';
import { LocalLedger } from '../../../adapters/local/local-ledger.js';
import { createChunkProcessor } from '../../../shared/chunks/process-chunks.js';
import { DEFAULT_LIMITS, processorOptionsFrom } from '../../../shared/config/wiring.js';
import { silentLogger } from '../../../shared/log/logger.js';
import type { Clock } from '../../../shared/ports/clock.js';
import { parseBackfillRequest } from '../../../shared/planning/backfill-request.js';
import { healCoverage } from '../../../shared/reconcile/heal-coverage.js';
import { startRun } from '../../../shared/runner/start-run.js';
import { ANALYTICS_TABLES } from '../../../shared/tables/names.js';
import { verify } from '../../../shared/verify/verify.js';
import { parseVerificationScope } from '../../../shared/verify/verification-scope.js';
import { bigQueryOnDuckDb, type BigQueryOnDuckDb } from '../../adapters/bigquery/bigquery-on-duckdb.js';
import { FIXTURE_RAW_DIR } from '../../support/duckdb-fixtures.js';
import { rawReadCount, rawReadsWithoutRange } from '../../support/raw-filters.js';

/**
 * Every query the service sends BigQuery reads the scrapers' tables through a bounded range of their partition
 * column. Not a list of queries someone remembered to check: the real core (planning with its history, chunk
 * processing with input fingerprints, healing, verification with the leakage guard) runs against the BigQuery
 * adapter, whose stubbed client runs each job on DuckDB over the real-data fixture, and every job it sent is
 * checked.
 */
describe('raw reads bounded by date, in every query sent to BigQuery', function () {
  this.timeout(180_000);
  let stub: BigQueryOnDuckDb;
  let ledger: LocalLedger;

  before(async function () {
    stub = await bigQueryOnDuckDb({
      projectId: 'proj', location: 'US',
      seed: async (connection) => {
        await loadRawDirectory({ withConnection: (work) => work(connection), path: ':memory:' }, FIXTURE_RAW_DIR);
      },
    });
    ledger = await LocalLedger.open({ path: ':memory:' });
    const warehouse = new BigQueryWarehouse(stub.client, { projectId: 'proj', location: 'US' });
    const clock: Clock = { now: () => Date.parse('2018-04-21T12:00:00Z') };
    const range = { start: '2018-04-14', end: '2018-04-20' };
    const { plan, run } = await startRun({ warehouse, ledger, clock }, parseBackfillRequest({ tables: 'all', ...range }));
    const processor = createChunkProcessor({ warehouse, ledger, clock, logger: silentLogger }, processorOptionsFrom({ ...DEFAULT_LIMITS, leaseMs: 60_000, maxAttempts: 3, retryBaseMs: 10, retryMaxMs: 10 }, 'w'));
    for (const table of ANALYTICS_TABLES) {
      const dates = plan.chunks.filter((c) => c.table === table).map((c) => c.gameDate);
      if (dates.length) await processor.process({ v: 1, runId: run.id, table, mode: 'production', dates, publishedAt: clock.now() });
    }
    await healCoverage({ warehouse, ledger, clock, logger: silentLogger }, ANALYTICS_TABLES.map((table) => ({ table, start: '2018-04-01' })));
    await verify({ warehouse, ledger, scope: parseVerificationScope({ tables: 'all', ...range, mode: 'production' }), options: { leakageSampleDates: 2 }, now: clock.now() });
  });

  after(async function () {
    await ledger?.close();
    await stub?.close();
  });

  it('sent the jobs of every kind of work, reading the raw tables', function () {
    const labels = new Set(stub.jobs.map((j) => Object.values(j.configuration.labels ?? {}).join(' ')));
    const sqls = stub.jobs.map((j) => j.configuration.query?.query ?? '');
    for (const kind of ['expectation', 'input_fingerprints', 'recorded_lineage', 'verify_rows', 'leakage_rebuild', 'replace_']) {
      assert.ok(stub.jobs.some((j) => JSON.stringify(j).includes(kind)), `no ${kind} job was sent (labels: ${[...labels].slice(0, 5).join('; ')})`);
    }
    assert.ok(sqls.reduce((n, sql) => n + rawReadCount(sql), 0) > 100, 'the jobs read raw tables');
  });

  it('bounds the partition column of every raw read of every job', function () {
    const problems = stub.jobs.flatMap((j) => rawReadsWithoutRange(j.configuration.query?.query ?? '').map((p) => `${j.jobReference.jobId}: ${p}`));
    assert.deepEqual([...new Set(problems.map((p) => p.replace(/^[^:]*: /, '')))], []);
  });
});

describe('the raw-read check itself', function () {
  const read = (where: string) => `SELECT game_id FROM \`proj.nba_raw.nbac_schedule\` AS s WHERE ${where}`;

  it('accepts a BETWEEN of parameters, or both bounds, on the partition column, ANDed with other filters', function () {
    assert.deepEqual(rawReadsWithoutRange(read('s.game_date BETWEEN @start_date AND DATE_ADD(@end_date, INTERVAL 1 DAY) AND s.game_id = \'1\'')), []);
    assert.deepEqual(rawReadsWithoutRange(read('game_date >= @start_date AND game_date <= @end_date')), []);
  });

  it('refuses a read without a filter, with one bound only, with a bound that is a column, or under an OR', function () {
    const refused = (sql: string) => assert.deepEqual(rawReadsWithoutRange(sql), ['nba_raw.nbac_schedule AS s is read without a bounded range on game_date']);
    refused('SELECT game_id FROM `proj.nba_raw.nbac_schedule` AS s');
    refused(read('s.game_date >= @start_date'));
    refused(read('s.game_date BETWEEN s.other_date AND @end_date'));
    refused(read('s.game_date BETWEEN @start_date AND @end_date OR s.game_id = \'1\''));
  });

  it('checks the partition column each raw table has: report_date for injury reports', function () {
    assert.deepEqual(
      rawReadsWithoutRange('SELECT * FROM `proj.nba_raw.nbac_injury_report` AS r WHERE r.game_date BETWEEN @a AND @b'),
      ['nba_raw.nbac_injury_report AS r is read without a bounded range on report_date'],
    );
    assert.deepEqual(rawReadsWithoutRange('SELECT * FROM `proj.nba_raw.nbac_injury_report` AS r WHERE r.report_date BETWEEN @a AND @b'), []);
  });

  it('finds reads in CTEs and subqueries, and in the select of a script', function () {
    const nested = 'WITH x AS (SELECT game_id FROM `proj.nba_raw.nbac_schedule` WHERE game_id IN (SELECT game_id FROM `proj.nba_raw.nbac_team_boxscore` WHERE game_date BETWEEN @a AND @b)) SELECT * FROM x';
    assert.deepEqual(rawReadsWithoutRange(nested), ['nba_raw.nbac_schedule is read without a bounded range on game_date']);
    assert.equal(rawReadCount(`CREATE TEMP TABLE staged AS ${nested};\nSELECT 1`), 2);
  });
});
