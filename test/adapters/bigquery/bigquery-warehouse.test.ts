import assert from 'node:assert/strict';
import sinon from 'sinon';
import { BigQuery, BigQueryDate, BigQueryTimestamp } from '@google-cloud/bigquery';
import { BigQueryWarehouse } from '../../../adapters/bigquery/bigquery-warehouse.js';
import { PARTITION_DATES_PARAM } from '../../../adapters/bigquery/replace-partitions-script.js';
import { PermanentError, QuotaError, TransientError } from '../../../shared/errors/errors.js';
import type { ReplacePartitionsRequest } from '../../../shared/ports/warehouse.js';
import type { RenderedQuery } from '../../../shared/sql/dialect.js';
import { clientRows, fakeBigQuery, httpFailure, jobFailure, PLAYER_POINTS } from './fixtures.js';

const OPTIONS = { projectId: 'proj', location: 'US', jobTimeoutMs: 300_000 };

function replaceRequest(overrides: Partial<ReplacePartitionsRequest> = {}): ReplacePartitionsRequest {
  const warehouse = new BigQueryWarehouse(new BigQuery({ projectId: 'proj' }), OPTIONS);
  const mode = overrides.mode ?? 'production';
  const select: RenderedQuery = {
    sql: PLAYER_POINTS.transform(warehouse.context(mode)),
    params: {
      start_date: '2024-01-02', end_date: '2024-01-04', dates: ['2024-01-02', '2024-01-03', '2024-01-04'],
      run_id: 'Run-2024-06-30T12:00:00Z', run_mode: mode, processed_at: '2024-06-30T12:00:00.000Z',
    },
    types: {
      start_date: 'DATE', end_date: 'DATE', dates: 'ARRAY<DATE>', run_id: 'STRING', run_mode: 'STRING', processed_at: 'TIMESTAMP',
    },
    label: 'transform_player_game_summary',
  };
  return {
    table: PLAYER_POINTS, mode, dates: ['2024-01-03', '2024-01-02', '2024-01-04'], select,
    labels: { run_id: 'Run-2024-06-30T12:00:00Z', table: PLAYER_POINTS.name, mode },
    ...overrides,
  };
}

const PRODUCED_FIELDS = [{ name: 'game_date', type: 'DATE' }, { name: 'produced_rows', type: 'INTEGER' }];

describe('BigQueryWarehouse', () => {
  const sandbox = sinon.createSandbox();
  afterEach(() => sandbox.restore());

  describe('context', () => {
    it('names raw tables in nba_raw and analytics tables in the dataset of the mode, backticked and project-qualified', () => {
      const warehouse = new BigQueryWarehouse(fakeBigQuery(sandbox).client, OPTIONS);
      assert.equal(warehouse.context('production').raw('nbac_schedule'), '`proj.nba_raw.nbac_schedule`');
      assert.equal(warehouse.context('production').analytics('player_game_summary'), '`proj.nba_analytics.player_game_summary`');
      assert.equal(warehouse.context('test').analytics('player_game_summary'), '`proj.test_nba_analytics.player_game_summary`');
      assert.equal(warehouse.context('test').d.name, 'bigquery');
    });

    it('uses dataset overrides and refuses a test dataset equal to the production one', () => {
      const client = fakeBigQuery(sandbox).client;
      const custom = new BigQueryWarehouse(client, { ...OPTIONS, datasets: { raw: 'raw_copy', test: 'scratch' } });
      assert.equal(custom.context('test').raw('nbac_schedule'), '`proj.raw_copy.nbac_schedule`');
      assert.equal(custom.context('test').analytics('player_game_summary'), '`proj.scratch.player_game_summary`');
      assert.throws(
        () => new BigQueryWarehouse(client, { ...OPTIONS, datasets: { test: 'nba_analytics' } }),
        (error: unknown) => error instanceof PermanentError && /test dataset must differ/.test(error.message),
      );
    });
  });

  describe('query', () => {
    const query: RenderedQuery = {
      sql: 'SELECT game_date FROM `proj.nba_raw.nbac_schedule` WHERE game_date IN UNNEST(@dates) AND game_id IN UNNEST(@game_ids) '
        + 'AND processed_at < @processed_at AND season_year = @season AND season_type = @season_type AND home_score = @missing',
      params: {
        dates: ['2024-01-02', '2024-01-03'], game_ids: ['0022300500'], processed_at: '2024-06-30T12:00:00.000Z',
        season: 2023, season_type: 'regular_season', missing: null,
      },
      types: {
        dates: 'ARRAY<DATE>', game_ids: 'ARRAY<STRING>', processed_at: 'TIMESTAMP', season: 'INT64', season_type: 'STRING', missing: 'INT64',
      },
      label: 'Verify: schedule rows',
    };

    it('runs one standard-SQL job with typed parameters, location, labels and a timeout', async () => {
      const bq = fakeBigQuery(sandbox);
      await new BigQueryWarehouse(bq.client, { ...OPTIONS, labels: { App: 'nba-backfill' } }).query(query);
      sinon.assert.calledOnce(bq.createQueryJob);
      const request = bq.request();
      assert.equal(request.query, query.sql);
      assert.equal(request.useLegacySql, false);
      assert.equal(request.location, 'US');
      assert.equal(request.jobTimeoutMs, 300_000);
      assert.deepEqual(request.types, {
        dates: ['DATE'], game_ids: ['STRING'], processed_at: 'TIMESTAMP', season: 'INT64', season_type: 'STRING', missing: 'INT64',
      });
      const params = request.params as Record<string, unknown>;
      assert.deepEqual(params.dates, [new BigQueryDate('2024-01-02'), new BigQueryDate('2024-01-03')]);
      assert.ok(params.processed_at instanceof BigQueryTimestamp);
      assert.deepEqual([params.game_ids, params.season, params.season_type, params.missing], [['0022300500'], 2023, 'regular_season', null]);
      assert.deepEqual(request.labels, { app: 'nba-backfill', query: 'verify__schedule_rows' });
    });

    it('puts a value on the wire for every parameter, dates and timestamps included', async () => {
      // Below createQueryJob: the job resource the client would POST to jobs.insert.
      const client = new BigQuery({ projectId: 'proj', location: 'US' });
      const job = client.job('job-1', { location: 'US' });
      sandbox.stub(job, 'getQueryResults').resolves([[], null, {}] as never);
      sandbox.stub(job, 'getMetadata').resolves([{}, {}] as never);
      const createJob = sandbox.stub(client, 'createJob').callsFake(((_options: unknown, callback: (...args: unknown[]) => void) => {
        callback(null, job, {});
      }) as never);
      await new BigQueryWarehouse(client, OPTIONS).query(query);
      const body = createJob.getCall(0).args[0] as { configuration: { query: { queryParameters: unknown[]; useLegacySql: boolean } } };
      assert.equal(body.configuration.query.useLegacySql, false);
      const wire = Object.fromEntries(body.configuration.query.queryParameters.map((p) => {
        const { name, parameterValue } = p as { name: string; parameterValue: unknown };
        return [name, parameterValue];
      }));
      assert.deepEqual(wire, {
        dates: { arrayValues: [{ value: '2024-01-02' }, { value: '2024-01-03' }] },
        game_ids: { arrayValues: [{ value: '0022300500' }] },
        processed_at: { value: '2024-06-30T12:00:00.000Z' },
        season: { value: 2023 },
        season_type: { value: 'regular_season' },
        missing: { value: null },
      });
    });

    it('returns rows as plain values and the bytes the job processed', async () => {
      const rows = clientRows(
        [
          { name: 'game_date', type: 'DATE' }, { name: 'processed_at', type: 'TIMESTAMP' }, { name: 'minutes_played', type: 'NUMERIC' },
          { name: 'points', type: 'INTEGER' }, { name: 'starter', type: 'BOOLEAN' }, { name: 'player_lookup', type: 'STRING' },
          { name: 'dnp_reason', type: 'STRING' }, { name: 'dates', type: 'DATE', mode: 'REPEATED' }, { name: 'ts_pct', type: 'FLOAT' },
        ],
        [['2024-01-02', '1719748800123456', '45.966666667', '31', 'true', 'lukadoncic', null, ['2024-01-01', '2023-12-30'], '0.61']],
      );
      const bq = fakeBigQuery(sandbox, rows);
      const result = await new BigQueryWarehouse(bq.client, OPTIONS).query(query);
      assert.deepEqual(result.rows, [{
        game_date: '2024-01-02', processed_at: '2024-06-30T12:00:00.123Z', minutes_played: 45.966666667, points: 31, starter: true,
        player_lookup: 'lukadoncic', dnp_reason: null, dates: ['2024-01-01', '2023-12-30'], ts_pct: 0.61,
      }]);
      assert.equal(result.bytesProcessed, 1048576);
      sinon.assert.calledWithMatch(bq.getQueryResults, { wrapIntegers: true });
    });

    it('leaves bytesProcessed unknown, not failed, when the job metadata cannot be read', async () => {
      const bq = fakeBigQuery(sandbox);
      bq.getMetadata.rejects(httpFailure(503, 'backendError', 'Service unavailable'));
      const result = await new BigQueryWarehouse(bq.client, OPTIONS).query(query);
      assert.equal(result.bytesProcessed, undefined);
      assert.deepEqual(result.rows, []);
    });

    it('fails permanently on an INT64 that a JS number cannot hold exactly', async () => {
      const rows = clientRows([{ name: 'n', type: 'INTEGER' }], [['9007199254740993']]);
      const bq = fakeBigQuery(sandbox, rows);
      await assert.rejects(
        new BigQueryWarehouse(bq.client, OPTIONS).query(query),
        (error: unknown) => error instanceof PermanentError && /9007199254740993/.test(error.message),
      );
    });

    it('rejects a DATE parameter that is not a string before sending anything', async () => {
      const bq = fakeBigQuery(sandbox);
      const bad: RenderedQuery = { ...query, params: { ...query.params, dates: '2024-01-02' } };
      await assert.rejects(
        new BigQueryWarehouse(bq.client, OPTIONS).query(bad),
        (error: unknown) => error instanceof PermanentError && /@dates/.test(error.message),
      );
      sinon.assert.notCalled(bq.createQueryJob);
    });
  });

  describe('errors', () => {
    const query: RenderedQuery = { sql: 'SELECT 1 AS x', params: {}, types: {}, label: 'probe' };

    it('maps a rateLimitExceeded job to a QuotaError that keeps the client error as cause', async () => {
      const bq = fakeBigQuery(sandbox);
      const original = jobFailure('rateLimitExceeded', 'Exceeded rate limits: too many table update operations for this table.');
      bq.getQueryResults.rejects(original);
      await assert.rejects(
        new BigQueryWarehouse(bq.client, OPTIONS).query(query),
        (error: unknown) => error instanceof QuotaError && error.cause === original && /BigQuery job probe/.test(error.message),
      );
    });

    it('maps a backendError on jobs.insert to a TransientError', async () => {
      const bq = fakeBigQuery(sandbox);
      bq.createQueryJob.rejects(httpFailure(500, 'backendError', 'Backend error. Job aborted.'));
      await assert.rejects(
        new BigQueryWarehouse(bq.client, OPTIONS).query(query),
        (error: unknown) => error instanceof TransientError && /backendError/.test(error.message),
      );
      sinon.assert.notCalled(bq.getQueryResults);
    });

    it('maps an invalidQuery job to a PermanentError', async () => {
      const bq = fakeBigQuery(sandbox);
      bq.getQueryResults.rejects(jobFailure('invalidQuery', 'Unrecognized name: pointz at [1:8]'));
      await assert.rejects(
        new BigQueryWarehouse(bq.client, OPTIONS).query(query),
        (error: unknown) => error instanceof PermanentError && /pointz/.test(error.message),
      );
    });

    it('maps a full DML queue during replacePartitions to a QuotaError', async () => {
      const bq = fakeBigQuery(sandbox);
      bq.getQueryResults.rejects(jobFailure('resourcesExceeded',
        'Resources exceeded during query execution: Too many DML statements outstanding against table proj:nba_analytics.player_game_summary, limit is 20.'));
      await assert.rejects(
        new BigQueryWarehouse(bq.client, OPTIONS).replacePartitions(replaceRequest()),
        (error: unknown) => error instanceof QuotaError && /replace_player_game_summary/.test(error.message),
      );
    });
  });

  describe('replacePartitions', () => {
    it('replaces the partitions in one MERGE script job on the backticked target, with the dates as a DATE array', async () => {
      const bq = fakeBigQuery(sandbox, clientRows(PRODUCED_FIELDS, [['2024-01-02', '12'], ['2024-01-04', '7']]));
      const request = replaceRequest();
      await new BigQueryWarehouse(bq.client, OPTIONS).replacePartitions(request);

      sinon.assert.calledOnce(bq.createQueryJob);
      const sent = bq.request();
      const sql = sent.query ?? '';
      assert.match(sql, /MERGE `proj\.nba_analytics\.player_game_summary` AS target/);
      assert.match(sql, /WHEN NOT MATCHED BY SOURCE AND target\.`game_date` IN UNNEST\(@partition_dates\) THEN DELETE/);
      assert.match(sql, /CREATE TEMP TABLE staged_rows AS\n/);
      assert.ok(sql.includes(request.select.sql), 'the select is embedded unchanged');
      assert.match(sql, /INSERT \(`game_id`, `game_date`, `player_lookup`, `points`, `minutes_played`, `run_id`, `run_mode`, `processed_at`\)/);
      assert.equal(sent.useLegacySql, false);
      assert.equal(sent.location, 'US');

      const params = sent.params as Record<string, unknown>;
      assert.deepEqual(params[PARTITION_DATES_PARAM], ['2024-01-02', '2024-01-03', '2024-01-04'].map((d) => new BigQueryDate(d)));
      assert.deepEqual(params.start_date, new BigQueryDate('2024-01-02'));
      assert.equal(params.run_id, 'Run-2024-06-30T12:00:00Z', 'parameter values are not sanitised, only labels are');
      assert.deepEqual((sent.types as Record<string, unknown>)[PARTITION_DATES_PARAM], ['DATE']);
      assert.deepEqual(sent.labels, { run_id: 'run-2024-06-30t12_00_00z', table: 'player_game_summary', mode: 'production' });
    });

    it('returns the produced count of every requested date, 0 for dates the select produced nothing for', async () => {
      const bq = fakeBigQuery(sandbox, clientRows(PRODUCED_FIELDS, [['2024-01-02', '12'], ['2024-01-04', '7']]));
      const result = await new BigQueryWarehouse(bq.client, OPTIONS).replacePartitions(replaceRequest());
      assert.deepEqual(result.producedByDate, { '2024-01-02': 12, '2024-01-03': 0, '2024-01-04': 7 });
    });

    it('writes a test run to test_nba_analytics and never names nba_analytics', async () => {
      const bq = fakeBigQuery(sandbox);
      await new BigQueryWarehouse(bq.client, OPTIONS).replacePartitions(replaceRequest({ mode: 'test' }));
      const sql = bq.request().query ?? '';
      assert.match(sql, /MERGE `proj\.test_nba_analytics\.player_game_summary`/);
      assert.doesNotMatch(sql, /`proj\.nba_analytics\./);
      assert.equal(bq.request().labels?.mode, 'test');
    });

    it('runs no job when there are no dates to replace', async () => {
      const bq = fakeBigQuery(sandbox);
      const result = await new BigQueryWarehouse(bq.client, OPTIONS).replacePartitions(replaceRequest({ dates: [] }));
      assert.deepEqual(result.producedByDate, {});
      sinon.assert.notCalled(bq.createQueryJob);
    });

    it('refuses a select that uses the reserved dates parameter, or a malformed date, before sending anything', async () => {
      const bq = fakeBigQuery(sandbox);
      const warehouse = new BigQueryWarehouse(bq.client, OPTIONS);
      const base = replaceRequest();
      const clash = { ...base, select: { ...base.select, params: { ...base.select.params, [PARTITION_DATES_PARAM]: ['2024-01-02'] } } };
      await assert.rejects(warehouse.replacePartitions(clash), (e: unknown) => e instanceof PermanentError && /partition_dates/.test(e.message));
      await assert.rejects(warehouse.replacePartitions({ ...base, dates: ['2024-02-30'] }), (e: unknown) => e instanceof PermanentError && /2024-02-30/.test(e.message));
      sinon.assert.notCalled(bq.createQueryJob);
    });

    it('fails permanently when the engine reports a count for a date it was not asked to replace', async () => {
      const bq = fakeBigQuery(sandbox, clientRows(PRODUCED_FIELDS, [['2024-01-09', '3']]));
      await assert.rejects(
        new BigQueryWarehouse(bq.client, OPTIONS).replacePartitions(replaceRequest()),
        (error: unknown) => error instanceof PermanentError && /2024-01-09/.test(error.message),
      );
    });
  });

  describe('countRows', () => {
    it('counts rows per date in one parameterised query and fills missing dates with 0', async () => {
      const bq = fakeBigQuery(sandbox, clientRows(
        [{ name: 'game_date', type: 'DATE' }, { name: 'row_count', type: 'INTEGER' }], [['2024-01-03', '24']],
      ));
      const counts = await new BigQueryWarehouse(bq.client, OPTIONS).countRows(PLAYER_POINTS, 'test', ['2024-01-03', '2024-01-02']);
      assert.deepEqual(counts, { '2024-01-02': 0, '2024-01-03': 24 });
      sinon.assert.calledOnce(bq.createQueryJob);
      const sent = bq.request();
      assert.match(sent.query ?? '', /FROM `proj\.test_nba_analytics\.player_game_summary`\nWHERE `game_date` IN UNNEST\(@dates\)\nGROUP BY `game_date`/);
      assert.deepEqual((sent.params as Record<string, unknown>).dates, [new BigQueryDate('2024-01-02'), new BigQueryDate('2024-01-03')]);
      assert.deepEqual(sent.types, { dates: ['DATE'] });
      assert.doesNotMatch(sent.query ?? '', /2024-01-0/, 'dates travel as parameters, never in the SQL text');
    });
  });
});
