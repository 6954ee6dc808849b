import assert from 'node:assert/strict';
import type { Warehouse } from '../../shared/ports/warehouse.js';
import type { Dialect, ParamValue, RenderedQuery } from '../../shared/sql/dialect.js';
import { renderQuery } from '../../shared/sql/render.js';
import type { RunMode } from '../../shared/tables/names.js';
import { TABLE_SPECS } from '../../shared/tables/registry.js';
import type { AnalyticsTableSpec, ColumnSpec } from '../../shared/tables/types.js';
import type { IsoDate } from '../../shared/util/dates.js';
import { PermanentError } from '../../shared/errors/errors.js';

/**
 * What every Warehouse must do, run against each adapter: partitions are replaced whole and atomically,
 * counted per date, kept apart per run mode, and query() returns plain JS values. The queries are written
 * against the dialect, as the core writes them, so the same suite runs on any engine.
 *
 * Against BigQueryWarehouse it runs on a stubbed client (test/adapters/bigquery/bigquery-on-duckdb.ts):
 * the real client and the adapter's requests, scripts and result parsing, with each job's GoogleSQL run
 * on DuckDB. Two parts say less there than their names: "lands concurrent writes" only shows that
 * concurrent calls each land (the stub runs jobs one at a time, so BigQuery's DML conflicts and queueing
 * are not met; bench/simulator models those), and the failure tests rest on the stub's model of how a job
 * fails (a failed statement stops the script; the error reasons it reports), documented there.
 */

export interface WarehouseHarness {
  readonly warehouse: Warehouse;
  /**
   * What the refusal of rows dated outside the dates being replaced says. Default: it names the date.
   * BigQuery cannot: its ASSERT takes a literal description only.
   */
  readonly outOfRangeRefusal?: RegExp;
  /** Close what the harness opened and remove what the test wrote. */
  dispose(): Promise<void>;
}

/** Builds a warehouse whose analytics tables exist and are empty. */
export type WarehouseFactory = () => Promise<WarehouseHarness>;

type Value = string | number | boolean | null;
type TestRow = Record<string, Value>;

const TABLE = TABLE_SPECS.team_offense_game_summary;
const OTHER_TABLE = TABLE_SPECS.team_defense_game_summary;

/** A contract-shaped row for a table: every column filled from its type, with the overrides given. */
export function sampleRow(spec: AnalyticsTableSpec, gameDate: IsoDate, overrides: TestRow = {}): TestRow {
  const row: TestRow = {};
  spec.columns.forEach((column, i) => {
    row[column.name] = column.name in overrides ? (overrides[column.name] ?? null) : sampleValue(column, gameDate, i);
  });
  return row;
}

function sampleValue(column: ColumnSpec, gameDate: IsoDate, position: number): Value {
  switch (column.type) {
    case 'DATE': return gameDate;
    case 'INT64': return position;
    case 'NUMERIC': return position + 0.25;
    case 'BOOL': return position % 2 === 0;
    case 'TIMESTAMP': return '2025-01-15T12:00:00.000Z';
    case 'STRING': return `${column.name}-${gameDate}`;
  }
}

function literal(d: Dialect, value: Value, column: ColumnSpec): string {
  if (value === null) return d.cast('NULL', column.type);
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (typeof value === 'number') return d.cast(String(value), column.type);
  return d.cast(`'${value.replace(/'/g, "''")}'`, column.type);
}

/** One SELECT producing `rows` with exactly the table's columns (UNION ALL of literal rows). */
export function literalSelect(warehouse: Warehouse, spec: AnalyticsTableSpec, rows: readonly TestRow[], label = 'literal'): RenderedQuery {
  const d = warehouse.context('test').d;
  const selects = rows.map((row) =>
    `SELECT ${spec.columns.map((c) => `${literal(d, row[c.name] ?? null, c)} AS ${c.name}`).join(', ')}`);
  return renderQuery(label, selects.join('\nUNION ALL\n'), {});
}

/** A SELECT of the table's columns that fails when the engine runs it (a value that is not a number). */
function failingSelect(warehouse: Warehouse, spec: AnalyticsTableSpec, gameDate: IsoDate): RenderedQuery {
  const d = warehouse.context('test').d;
  const columns = spec.columns.map((c) => (c.type === 'INT64'
    ? `${d.cast(`CONCAT('not a number ', ${d.formatDate(d.cast(`'${gameDate}'`, 'DATE'))})`, 'INT64')} AS ${c.name}`
    : `${literal(d, sampleValue(c, gameDate, 0), c)} AS ${c.name}`));
  return renderQuery('failing', `SELECT ${columns.join(', ')}`, {});
}

export function warehouseConformance(name: string, factory: WarehouseFactory): void {
  describe(`${name} (Warehouse conformance)`, function () {
    let harness: WarehouseHarness;
    let warehouse: Warehouse;

    beforeEach(async function () {
      harness = await factory();
      warehouse = harness.warehouse;
    });

    afterEach(async function () {
      await harness.dispose();
    });

    const replace = (spec: AnalyticsTableSpec, dates: IsoDate[], rows: TestRow[], mode: RunMode = 'test') =>
      warehouse.replacePartitions({ table: spec, mode, dates, select: literalSelect(warehouse, spec, rows), labels: { test: 'conformance' } });

    const keysOn = async (spec: AnalyticsTableSpec, mode: RunMode, dates: IsoDate[]) => {
      const ctx = warehouse.context(mode);
      const { rows } = await warehouse.query<{ game_date: string; game_id: string }>(renderQuery('keys',
        `SELECT game_date, game_id FROM ${ctx.analytics(spec.name)} WHERE ${ctx.d.inArray('game_date', 'dates', 'ARRAY<DATE>')}
         ORDER BY game_date, game_id`, { dates }));
      return rows.map((r) => `${r.game_date}/${r.game_id}`);
    };

    describe('replacePartitions', function () {
      it('writes the rows of each date and counts them per date, 0 for a date without rows', async function () {
        const rows = [
          sampleRow(TABLE, '2024-01-01', { game_id: 'a' }), sampleRow(TABLE, '2024-01-01', { game_id: 'b' }),
          sampleRow(TABLE, '2024-01-02', { game_id: 'c' }),
        ];
        const result = await replace(TABLE, ['2024-01-01', '2024-01-02', '2024-01-03'], rows);
        assert.deepEqual(result.producedByDate, { '2024-01-01': 2, '2024-01-02': 1, '2024-01-03': 0 });
        assert.deepEqual(await keysOn(TABLE, 'test', ['2024-01-01', '2024-01-02', '2024-01-03']),
          ['2024-01-01/a', '2024-01-01/b', '2024-01-02/c']);
      });

      it('replaces the partitions of its dates whole and leaves every other date alone', async function () {
        await replace(TABLE, ['2024-01-01', '2024-01-02'], [
          sampleRow(TABLE, '2024-01-01', { game_id: 'old1' }), sampleRow(TABLE, '2024-01-02', { game_id: 'old2' }),
        ]);
        await replace(TABLE, ['2024-01-02'], [sampleRow(TABLE, '2024-01-02', { game_id: 'new2' })]);
        assert.deepEqual(await keysOn(TABLE, 'test', ['2024-01-01', '2024-01-02']), ['2024-01-01/old1', '2024-01-02/new2']);
      });

      it('empties a partition when the select has no rows for its date', async function () {
        await replace(TABLE, ['2024-01-05'], [sampleRow(TABLE, '2024-01-05', { game_id: 'gone' })]);
        const result = await replace(TABLE, ['2024-01-05', '2024-01-06'], [sampleRow(TABLE, '2024-01-06', { game_id: 'kept' })]);
        assert.deepEqual(result.producedByDate, { '2024-01-05': 0, '2024-01-06': 1 });
        assert.deepEqual(await keysOn(TABLE, 'test', ['2024-01-05', '2024-01-06']), ['2024-01-06/kept']);
      });

      it('gives the same rows, without duplicates, when the same write runs twice', async function () {
        const rows = [sampleRow(TABLE, '2024-02-01', { game_id: 'x' }), sampleRow(TABLE, '2024-02-01', { game_id: 'y' })];
        await replace(TABLE, ['2024-02-01'], rows);
        const first = await keysOn(TABLE, 'test', ['2024-02-01']);
        const again = await replace(TABLE, ['2024-02-01'], rows);
        assert.deepEqual(again.producedByDate, { '2024-02-01': 2 });
        assert.deepEqual(await keysOn(TABLE, 'test', ['2024-02-01']), first);
        assert.deepEqual(await warehouse.countRows(TABLE, 'test', ['2024-02-01']), { '2024-02-01': 2 });
      });

      it('stores every column as written: dates, numbers, decimals, booleans, timestamps and NULLs', async function () {
        const row = sampleRow(TABLE, '2024-03-01', { game_id: 'typed', possessions: 101.36, win_flag: false, offensive_rating: null });
        await replace(TABLE, ['2024-03-01'], [row]);
        const ctx = warehouse.context('test');
        const { rows } = await warehouse.query(renderQuery('read',
          `SELECT ${TABLE.columns.map((c) => c.name).join(', ')} FROM ${ctx.analytics(TABLE.name)}
           WHERE game_date = ${ctx.d.param('start_date', 'DATE')}`, { start_date: '2024-03-01' }));
        assert.deepEqual(rows, [row]);
      });

      it('refuses rows dated outside its dates with a permanent error, and changes nothing', async function () {
        await replace(TABLE, ['2024-04-01'], [sampleRow(TABLE, '2024-04-01', { game_id: 'before' })]);
        await assert.rejects(
          replace(TABLE, ['2024-04-01'], [sampleRow(TABLE, '2024-04-01', { game_id: 'in' }), sampleRow(TABLE, '2024-04-02', { game_id: 'out' })]),
          (error: unknown) => error instanceof PermanentError && (harness.outOfRangeRefusal ?? /2024-04-02/).test(error.message),
        );
        assert.deepEqual(await keysOn(TABLE, 'test', ['2024-04-01', '2024-04-02']), ['2024-04-01/before']);
      });

      it('leaves the old partitions intact when the select fails', async function () {
        await replace(TABLE, ['2024-05-01', '2024-05-02'], [
          sampleRow(TABLE, '2024-05-01', { game_id: 'kept1' }), sampleRow(TABLE, '2024-05-02', { game_id: 'kept2' }),
        ]);
        await assert.rejects(warehouse.replacePartitions({
          table: TABLE, mode: 'test', dates: ['2024-05-01', '2024-05-02'], select: failingSelect(warehouse, TABLE, '2024-05-01'), labels: {},
        }));
        assert.deepEqual(await keysOn(TABLE, 'test', ['2024-05-01', '2024-05-02']), ['2024-05-01/kept1', '2024-05-02/kept2']);
      });

      it('refuses a date that is not YYYY-MM-DD with a permanent error', async function () {
        await assert.rejects(replace(TABLE, ['2024-13-01'], []), (error: unknown) => error instanceof PermanentError);
      });

      it('keeps the test and production datasets apart', async function () {
        await replace(TABLE, ['2024-06-01'], [sampleRow(TABLE, '2024-06-01', { game_id: 'prod' })], 'production');
        await replace(TABLE, ['2024-06-01'], [sampleRow(TABLE, '2024-06-01', { game_id: 't1' }), sampleRow(TABLE, '2024-06-01', { game_id: 't2' })], 'test');
        assert.deepEqual(await keysOn(TABLE, 'production', ['2024-06-01']), ['2024-06-01/prod']);
        assert.deepEqual(await keysOn(TABLE, 'test', ['2024-06-01']), ['2024-06-01/t1', '2024-06-01/t2']);
      });

      it('lands concurrent writes to different tables and to different dates of one table', async function () {
        const dates = ['2024-07-01', '2024-07-02', '2024-07-03', '2024-07-04'];
        await Promise.all([
          ...dates.map((date) => replace(TABLE, [date], [sampleRow(TABLE, date, { game_id: `o-${date}` })])),
          ...dates.map((date) => replace(OTHER_TABLE, [date], [sampleRow(OTHER_TABLE, date, { game_id: `d-${date}` })])),
        ]);
        assert.deepEqual(await keysOn(TABLE, 'test', dates), dates.map((date) => `${date}/o-${date}`));
        assert.deepEqual(await keysOn(OTHER_TABLE, 'test', dates), dates.map((date) => `${date}/d-${date}`));
      });

      // Two workers can write one partition at once: a chunk's lease ran out while its worker was still
      // writing (the ledger away, a slow job), and the chunk was claimed and written again. Whichever write
      // lands last, each partition must hold one write's rows whole, never both: on an empty partition the
      // deletes find nothing, so a write that does not wait for the other inserts its rows beside them.
      it('leaves one write\'s rows in a partition that concurrent writes replace, never both', async function () {
        const shared = '2024-08-02';
        const datesOf = (i: number): IsoDate[] => (i % 2 === 0 ? ['2024-08-01', shared] : [shared, '2024-08-03']);
        const rowsOf = (writer: string, dates: IsoDate[]) => dates.flatMap((date) =>
          [sampleRow(TABLE, date, { game_id: `${writer}-a` }), sampleRow(TABLE, date, { game_id: `${writer}-b` })]);
        // The first round writes empty partitions, the later ones replace rows an earlier round wrote.
        for (let round = 0; round < 3; round += 1) {
          const writers = [1, 2, 3, 4].map((i) => `r${round}w${i}`);
          const results = await Promise.all(writers.map((writer, i) => replace(TABLE, datesOf(i), rowsOf(writer, datesOf(i)))));
          for (const result of results) assert.equal(result.producedByDate[shared], 2);
          for (const date of ['2024-08-01', shared, '2024-08-03']) {
            const keys = await keysOn(TABLE, 'test', [date]);
            const writer = keys[0]?.split('/')[1]?.split('-')[0];
            assert.ok(writer !== undefined && writers.includes(writer), `round ${round}, ${date}: ${keys.join(', ')}`);
            assert.deepEqual(keys, [`${date}/${writer}-a`, `${date}/${writer}-b`], `round ${round}, ${date}: ${keys.join(', ')}`);
          }
        }
      });
    });

    describe('countRows', function () {
      it('counts the rows of each asked date in the mode asked, 0 where there are none', async function () {
        await replace(TABLE, ['2024-08-01', '2024-08-02'], [
          sampleRow(TABLE, '2024-08-01', { game_id: 'a' }), sampleRow(TABLE, '2024-08-01', { game_id: 'b' }),
          sampleRow(TABLE, '2024-08-02', { game_id: 'c' }),
        ]);
        await replace(TABLE, ['2024-08-03'], [sampleRow(TABLE, '2024-08-03', { game_id: 'p' })], 'production');
        assert.deepEqual(await warehouse.countRows(TABLE, 'test', ['2024-08-01', '2024-08-02', '2024-08-03']),
          { '2024-08-01': 2, '2024-08-02': 1, '2024-08-03': 0 });
        assert.deepEqual(await warehouse.countRows(OTHER_TABLE, 'test', ['2024-08-01']), { '2024-08-01': 0 });
      });
    });

    describe('query', function () {
      it('returns DATE as YYYY-MM-DD, INT64 and NUMERIC as numbers, BOOL, TIMESTAMP as ISO text and NULL as null', async function () {
        const d = warehouse.context('test').d;
        const { rows } = await warehouse.query(renderQuery('types', `SELECT
          ${d.cast("'2024-02-29'", 'DATE')} AS a_date,
          ${d.cast('42', 'INT64')} AS an_int,
          ${d.numeric('12.345', 2)} AS a_numeric,
          TRUE AS a_bool,
          ${d.cast("'2024-02-29 23:30:00+00'", 'TIMESTAMP')} AS a_timestamp,
          ${d.cast('NULL', 'STRING')} AS a_null`, {}));
        assert.deepEqual(rows, [{
          a_date: '2024-02-29', an_int: 42, a_numeric: 12.35, a_bool: true, a_timestamp: '2024-02-29T23:30:00.000Z', a_null: null,
        }]);
      });

      it('binds DATE, STRING, TIMESTAMP and array parameters', async function () {
        const d = warehouse.context('test').d;
        const params: Record<string, ParamValue> = {
          start_date: '2024-01-31', run_id: "it's", processed_at: '2024-01-31T10:00:00Z', dates: ['2024-01-30', '2024-01-31'],
        };
        const { rows } = await warehouse.query(renderQuery('params', `SELECT
          ${d.dateAddDays(d.param('start_date', 'DATE'), 1)} AS next_day,
          ${d.param('run_id', 'STRING')} AS run_id,
          ${d.param('processed_at', 'TIMESTAMP')} AS processed_at,
          ${d.inArray(d.param('start_date', 'DATE'), 'dates', 'ARRAY<DATE>')} AS listed`, params));
        assert.deepEqual(rows, [{ next_day: '2024-02-01', run_id: "it's", processed_at: '2024-01-31T10:00:00.000Z', listed: true }]);
      });

      it('rejects a query the engine cannot run', async function () {
        await assert.rejects(warehouse.query(renderQuery('bad', 'SELECT no_such_column FROM no_such_table', {})));
      });
    });
  });
}
