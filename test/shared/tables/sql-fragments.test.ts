import assert from 'node:assert/strict';
import { DuckDbWarehouse } from '../../../adapters/duckdb/duckdb-warehouse.js';
import { duckDbDialect as d } from '../../../shared/sql/duckdb-dialect.js';
import { bigQueryDialect } from '../../../shared/sql/bigquery-dialect.js';
import { minutesToDecimal, possessions } from '../../../shared/tables/sql-fragments.js';
import { assertParsesAsBigQuery } from '../../support/bigquery-sql.js';

/** Decimal minutes of `MM:SS`, rounded half up to 0.1, in integer arithmetic: 0.1 minute is 6 seconds. */
function referenceMinutes(text: string): number | null {
  const match = /^(\d+):(\d+)$/.exec(text);
  if (!match) return null;
  const seconds = Number(match[1]) * 60 + Number(match[2]);
  return Math.floor((seconds + 3) / 6) / 10;
}

describe('sql fragments', function () {
  let warehouse: DuckDbWarehouse;

  before(async function () {
    warehouse = await DuckDbWarehouse.open({ path: ':memory:' });
  });

  after(async function () {
    await warehouse.close();
  });

  describe('minutesToDecimal', function () {
    const samples = ['45:58', '00:00', '12:03', '12:02', '64:58', '0:30', '9:57', '48:00', '07:27'];

    it('turns MM:SS into decimal minutes rounded to one place, as the contract says (45:58 -> 46.0)', async function () {
      const values = samples.map((s) => `('${s}')`).join(', ');
      const rows = await warehouse.run<{ text: string; minutes: number }>(
        `SELECT text, ${minutesToDecimal(d, 'text')} AS minutes FROM (VALUES ${values}) AS v(text)`);
      assert.equal(rows.length, samples.length);
      for (const row of rows) assert.equal(row.minutes, referenceMinutes(row.text), row.text);
      assert.equal(rows.find((r) => r.text === '45:58')?.minutes, 46);
      assert.equal(rows.find((r) => r.text === '00:00')?.minutes, 0);
    });

    it('gives NULL for NULL or text that is not MM:SS instead of failing the job', async function () {
      const rows = await warehouse.run<{ minutes: number | null }>(
        `SELECT ${minutesToDecimal(d, 'text')} AS minutes FROM (VALUES (NULL), ('45'), (':30'), ('ab:cd'), ('')) AS v(text)`);
      assert.deepEqual(rows.map((r) => r.minutes), [null, null, null, null, null]);
    });

    it('renders as GoogleSQL for BigQuery', function () {
      assertParsesAsBigQuery(`SELECT ${minutesToDecimal(bigQueryDialect('p'), 'm')} AS x FROM t`);
    });
  });

  describe('possessions', function () {
    it('is FGA + 0.44 x FTA - OREB + TOV, exact to the hundredth', async function () {
      const [row] = await warehouse.run<{ value: number }>(`SELECT ${d.numeric(possessions('b'), 2)} AS value
        FROM (SELECT 88 AS fg_attempted, 23 AS ft_attempted, 11 AS offensive_rebounds, 14 AS turnovers) AS b`);
      assert.equal(row?.value, Math.round((88 + 0.44 * 23 - 11 + 14) * 100) / 100);
    });
  });

  describe('dialect helpers the transforms rely on', function () {
    it('puts midnight UTC of a date before any snapshot taken that day, whatever the session time zone', async function () {
      await warehouse.withConnection(async (connection) => {
        await connection.run(`SET TimeZone = 'America/Los_Angeles'`);
        try {
          const reader = await connection.runAndReadAll(`SELECT
            TIMESTAMPTZ '2024-01-09 23:59:59+00' < ${d.utcMidnight(`DATE '2024-01-10'`)} AS day_before,
            TIMESTAMPTZ '2024-01-10 00:00:00+00' < ${d.utcMidnight(`DATE '2024-01-10'`)} AS at_midnight`);
          assert.deepEqual(reader.getRows(), [[true, false]]);
        } finally {
          await connection.run(`SET TimeZone = 'UTC'`);
        }
      });
    });

    it('numbers days so that consecutive dates differ by one across month and year ends', async function () {
      const rows = await warehouse.run<{ n: number }>(`SELECT ${d.dayNumber('x')} AS n
        FROM (VALUES (DATE '1970-01-01'), (DATE '2023-12-31'), (DATE '2024-01-01'), (DATE '2024-02-29'), (DATE '2024-03-01')) AS v(x)`);
      const [epoch, lastOf2023, firstOf2024, leapDay, march] = rows.map((r) => r.n);
      assert.equal(epoch, 0);
      assert.equal(Number(firstOf2024) - Number(lastOf2023), 1);
      assert.equal(Number(march) - Number(leapDay), 1);
      assert.equal(firstOf2024, Date.UTC(2024, 0, 1) / 86_400_000);
    });
  });
});
