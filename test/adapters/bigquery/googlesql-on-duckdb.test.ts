import assert from 'node:assert/strict';
import { BigQuery } from '@google-cloud/bigquery';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { bindValues, toPlainValue } from '../../../adapters/duckdb/duckdb-values.js';
import { bigQueryDialect } from '../../../shared/sql/bigquery-dialect.js';
import type { Dialect, ParamType, ParamValue } from '../../../shared/sql/dialect.js';
import { duckDbDialect } from '../../../shared/sql/duckdb-dialect.js';
import { bigQueryOnDuckDb } from './bigquery-on-duckdb.js';
import { NotModelledError, QueryError, toDuckDb } from './googlesql-on-duckdb.js';

const bq = bigQueryDialect('proj');
const T = { project: 'proj', params: {} };

/** A SELECT list over one Dialect, for a method compared on both engines. */
type Probe = (d: Dialect) => string;

const date = (d: Dialect, iso: string) => d.cast(`'${iso}'`, 'DATE');
const VALUES = "(SELECT * FROM (VALUES ('b', 2), ('a', 1), ('c', 3), ('a', 4)) AS v(name, n))";

/** Every Dialect method that renders an expression, with arguments that show what it computes. */
const PROBES: Readonly<Record<Exclude<keyof Dialect, 'name' | 'table' | 'param' | 'columnType' | 'inlineCte'>, Probe>> = {
  inArray: (d) => `${d.inArray(date(d, '2024-01-02'), 'dates', 'ARRAY<DATE>')}, ${d.inArray(date(d, '2024-01-03'), 'dates', 'ARRAY<DATE>')}`,
  dateAddDays: (d) => d.dateAddDays(date(d, '2024-02-28'), 2),
  dateSubDays: (d) => d.dateSubDays(date(d, '2024-03-01'), 1),
  dateDiffDays: (d) => d.dateDiffDays(date(d, '2024-03-01'), date(d, '2024-02-01')),
  dayNumber: (d) => d.dayNumber(date(d, '2024-01-01')),
  utcMidnight: (d) => d.utcMidnight(date(d, '2024-01-01')),
  safeDivide: (d) => `${d.safeDivide('7', '2')}, ${d.safeDivide('1', '0')}`,
  safeCast: (d) => `${d.safeCast("'12'", 'INT64')}, ${d.safeCast("'twelve'", 'INT64')}`,
  cast: (d) => `${d.cast("'12'", 'INT64')}, ${d.cast('1.5', 'NUMERIC')}, ${d.cast("'2024-01-01 10:00:00+00'", 'TIMESTAMP')}, ${d.cast('1', 'BOOL')}, ${d.cast('5', 'STRING')}`,
  formatDate: (d) => d.formatDate(date(d, '2024-07-04')),
  numeric: (d) => d.numeric('12.345', 2),
  countIf: (d) => `(SELECT ${d.countIf("name = 'a'")} FROM ${VALUES})`,
  arrayAggLimit: (d) => `(SELECT ${d.arrayAggLimit('name', 'n DESC', 2)} FROM ${VALUES})`,
  // A tie on the first key ('a' twice) settled by the second; and a group of no rows.
  firstInOrder: (d) => `(SELECT ${d.firstInOrder('n', 'name, n DESC')} FROM ${VALUES}), (SELECT ${d.firstInOrder('name', 'n DESC')} FROM ${VALUES}), `
    + `(SELECT ${d.firstInOrder('n', 'name')} FROM ${VALUES} WHERE n > 10)`,
  fingerprintAgg: (d) => `(SELECT ${d.fingerprintAgg(['name', 'n'])} FROM ${VALUES})`,
  zippedParams: (d) => `(SELECT COUNT(*) FROM ${d.zippedParams('dates', 'labels', 'day', 'label')} AS z WHERE (z.day = ${date(d, '2024-01-02')} AND z.label = 'b') OR (z.day = ${date(d, '2024-01-01')} AND z.label = 'a'))`,
};

describe('GoogleSQL on DuckDB (what the stubbed BigQuery client runs)', () => {
  let instance: DuckDBInstance;
  let connection: DuckDBConnection;

  before(async () => {
    instance = await DuckDBInstance.create(':memory:');
    connection = await instance.connect();
  });
  after(() => {
    connection.closeSync();
    instance.closeSync();
  });

  async function values(sql: string, params: Record<string, ParamValue> = {}): Promise<unknown[]> {
    const reader = await connection.runAndReadAll(sql, bindValues(sql, params));
    return (reader.getRows()[0] ?? []).map(toPlainValue);
  }

  describe('gives every Dialect method the value duckDbDialect gives it', () => {
    const params: Record<string, ParamValue> = { dates: ['2024-01-01', '2024-01-02'], labels: ['a', 'b'] };
    const types: Record<string, ParamType> = { dates: 'ARRAY<DATE>', labels: 'ARRAY<STRING>' };
    for (const [method, probe] of Object.entries(PROBES)) {
      it(method, async () => {
        const translated = await values(`SELECT ${toDuckDb(probe(bq), { project: 'proj', params: types })}`, params);
        const native = await values(`SELECT ${probe(duckDbDialect)}`, params);
        assert.deepEqual(translated, native);
        assert.ok(native.some((v) => v !== null), 'a probe that computes nothing proves nothing');
      });
    }
  });

  it('names tables and parameters as duckDbDialect does', () => {
    assert.equal(toDuckDb(bq.table('nba_analytics', 'player_game_summary'), T), duckDbDialect.table('nba_analytics', 'player_game_summary'));
    assert.equal(toDuckDb('`game_date`', T), '"game_date"');
    for (const type of ['DATE', 'STRING', 'TIMESTAMP', 'INT64', 'ARRAY<DATE>', 'ARRAY<STRING>'] as const) {
      assert.equal(toDuckDb(bq.param('p', type), { project: 'proj', params: { p: type } }), duckDbDialect.param('p', type));
    }
  });

  it('reads GoogleSQL string escapes and double-quoted strings', async () => {
    assert.deepEqual(await values(`SELECT ${toDuckDb(String.raw`'it\'s', "a \"b\""`, T)}`), ["it's", 'a "b"']);
  });

  it('fails a job on an undeclared parameter, and refuses to guess at what it does not model', () => {
    assert.throws(() => toDuckDb('SELECT @nope', T), (e: unknown) => e instanceof QueryError && /Query parameter 'nope' not found/.test(e.message));
    assert.throws(() => toDuckDb('SELECT * FROM `other.nba_raw.t`', T), NotModelledError);
    assert.throws(() => toDuckDb("SELECT FORMAT_DATE('%d/%m', d)", T), NotModelledError);
    assert.throws(() => toDuckDb('SELECT DATE_ADD(d, INTERVAL 1 MONTH)', T), NotModelledError);
    assert.throws(() => toDuckDb('SELECT CAST(x AS BIGNUMERIC)', T), NotModelledError);
  });

  describe('the stubbed client', () => {
    it('answers a query through the real client, with the wire request recorded', async () => {
      const stub = await bigQueryOnDuckDb({ projectId: 'proj', location: 'US' });
      try {
        const [job] = await stub.client.createQueryJob({
          query: 'SELECT @day AS day, 2 AS n', params: { day: BigQuery.date('2024-01-02') }, types: { day: 'DATE' }, location: 'US',
        });
        const [rows] = await job.getQueryResults({ wrapIntegers: true });
        assert.equal(rows.length, 1);
        assert.equal((rows[0] as { day: { value: string } }).day.value, '2024-01-02');
        assert.deepEqual(stub.jobs[0]?.configuration.query?.queryParameters, [
          { name: 'day', parameterType: { type: 'DATE' }, parameterValue: { value: '2024-01-02' } },
        ]);
      } finally {
        await stub.close();
      }
    });

    it('refuses, as the API does, labels BigQuery would refuse and a job in another location', async () => {
      const stub = await bigQueryOnDuckDb({ projectId: 'proj', location: 'US' });
      try {
        await assert.rejects(stub.client.createQueryJob({ query: 'SELECT 1', labels: { Run: 'x' }, location: 'US' }), /invalid label "Run"/);
        await assert.rejects(stub.client.createQueryJob({ query: 'SELECT 1', labels: { run: 'A/b' }, location: 'US' }), /invalid label "run"/);
        await assert.rejects(stub.client.createQueryJob({ query: 'SELECT 1', location: 'EU' }), /the datasets are in US/);
      } finally {
        await stub.close();
      }
    });
  });
});
