import { BigQuery, type Job, type Query } from '@google-cloud/bigquery';
import type { SinonSandbox, SinonStub } from 'sinon';
import { common } from '@google-cloud/bigquery';
import type { AnalyticsTableSpec, ColumnSpec } from '../../../shared/tables/types.js';

const col = (name: string, type: ColumnSpec['type'], nullable = false): ColumnSpec => ({ name, type, nullable });

/** A small analytics table, enough for the adapter; the real specs are checked in bigquery-sql.test.ts. */
export const PLAYER_POINTS: AnalyticsTableSpec = {
  name: 'player_game_summary',
  description: 'test fixture',
  columns: [
    col('game_id', 'STRING'), col('game_date', 'DATE'), col('player_lookup', 'STRING'), col('points', 'INT64', true),
    col('minutes_played', 'NUMERIC', true), col('run_id', 'STRING'), col('run_mode', 'STRING'), col('processed_at', 'TIMESTAMP'),
  ],
  key: ['game_id', 'player_lookup'],
  partitionColumn: 'game_date',
  rawReads: [{ table: 'nbac_gamebook_player_stats', window: { kind: 'same_date' } }],
  upstream: [],
  transformVersion: 1,
  transform: (ctx) => `SELECT game_id, game_date, player_lookup, points, ${ctx.d.numeric('1', 1)} AS minutes_played,
  @run_id AS run_id, @run_mode AS run_mode, @processed_at AS processed_at
FROM ${ctx.raw('nbac_gamebook_player_stats')} WHERE game_date BETWEEN @start_date AND @end_date`,
  expectation: () => 'SELECT 1',
};

export interface RawField { name: string; type: string; mode?: 'REPEATED' | 'NULLABLE' }

/**
 * Rows as getQueryResults returns them: raw API cells ({ f: [{ v }] }, TIMESTAMP as int64 micros, the
 * default of @google-cloud/bigquery 8) run through the client's own converter, with wrapIntegers as the
 * adapter asks for it.
 */
export function clientRows(fields: RawField[], cells: unknown[][]): Array<Record<string, unknown>> {
  const raw = cells.map((row) => ({
    f: row.map((v, i): { v: unknown } => ({ v: fields[i]?.mode === 'REPEATED' && Array.isArray(v) ? v.map((x: unknown) => ({ v: x })) : v })),
  }));
  // The client's row typings are looser than what it returns: rows of field name -> converted value.
  const converted: unknown[] = BigQuery.mergeSchemaWithRows_({ fields }, raw, {
    wrapIntegers: true,
    listParams: { 'formatOptions.useInt64Timestamp': true },
  });
  return converted as Array<Record<string, unknown>>;
}

export interface FakeBigQuery {
  client: BigQuery;
  job: Job;
  createQueryJob: SinonStub;
  getQueryResults: SinonStub;
  getMetadata: SinonStub;
  /** The options of the n-th createQueryJob call. */
  request(n?: number): Query;
}

/** A real client and job whose three network calls are stubbed. */
export function fakeBigQuery(
  sandbox: SinonSandbox,
  rows: Array<Record<string, unknown>> = [],
  metadata: object = { status: { state: 'DONE' }, statistics: { totalBytesProcessed: '1048576' } },
): FakeBigQuery {
  const client = new BigQuery({ projectId: 'proj', location: 'US' });
  const job = client.job('job-1', { location: 'US' });
  const getQueryResults = sandbox.stub(job, 'getQueryResults').resolves([rows, null, {}] as never);
  const getMetadata = sandbox.stub(job, 'getMetadata').resolves([metadata, {}] as never);
  const createQueryJob = sandbox.stub(client, 'createQueryJob').resolves([job, {}] as never);
  return {
    client, job, createQueryJob, getQueryResults, getMetadata,
    request: (n = 0) => createQueryJob.getCall(n).args[0] as Query,
  };
}

/** A failed job as @google-cloud/bigquery's Job reports it: an ApiError built from the job status. */
export function jobFailure(reason: string, message: string): Error {
  const errorResult = { reason, location: 'query', message };
  return new common.util.ApiError({ state: 'DONE', errorResult, errors: [errorResult] } as never);
}

/** A failed jobs.insert call: HTTP status and reasons. */
export function httpFailure(code: number, reason: string, message: string): Error {
  return new common.util.ApiError({ code, message, errors: [{ domain: 'global', reason, message }] } as never);
}
