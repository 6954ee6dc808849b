import assert from 'node:assert/strict';
import { DuckDbWarehouse } from '../../../adapters/duckdb/duckdb-warehouse.js';
import { duckDbDialect as d } from '../../../shared/sql/duckdb-dialect.js';
import { bigQueryDialect } from '../../../shared/sql/bigquery-dialect.js';
import { latestGamebookCte, minutesToDecimal, possessions } from '../../../shared/tables/sql-fragments.js';
import { renderQuery } from '../../../shared/sql/render.js';
import { openFixtureWarehouse } from '../../support/duckdb-fixtures.js';
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

  describe('numeric rounding in DuckDB', function () {
    it('gives the digits of 128-bit DECIMAL rounding, inside DECIMAL(18, 9) and past it, NULL kept', async function () {
      const values = ['2.345', '2.355', '-2.345', '0.05', '-0.15', '1.0 / 3', '46.0', '999999999.995', '-999999999.994',
        '1e12 + 0.125', '-7.5e15', 'NULL'];
      for (const places of [0, 1, 2, 3]) {
        const rows = await warehouse.run<{ fast: string | null; wide: string | null }>(`SELECT
          CAST(${d.numeric('x', places)} AS VARCHAR) AS fast,
          CAST(CAST(ROUND(CAST(x AS DECIMAL(38, 9)), ${places}) AS DECIMAL(38, 9)) AS VARCHAR) AS wide
          FROM (VALUES ${values.map((v) => `(CAST(${v} AS DOUBLE))`).join(', ')}) AS v(x)`);
        assert.equal(rows.length, values.length);
        for (const row of rows) assert.equal(row.fast, row.wide, `places ${places}`);
        assert.ok(rows.some((r) => r.wide !== null && Math.abs(Number(r.wide)) > 1e9), 'a value past DECIMAL(18, 9) is checked');
      }
    });
  });

  describe('latest raw rows', function () {
    it('keeps per key the row that ranking every row keeps: later scrapes, ties, exact copies and NULL keys', async function () {
      const fixture = await openFixtureWarehouse();
      try {
        const G = 'nba_raw.nbac_gamebook_player_stats';
        await fixture.run(`INSERT INTO ${G} SELECT * REPLACE (points + 3 AS points, 'inactive' AS player_status,
          processed_at + INTERVAL 1 HOUR AS processed_at) FROM ${G} WHERE game_id IN (SELECT game_id FROM ${G} ORDER BY game_id LIMIT 40)`);
        await fixture.run(`INSERT INTO ${G} SELECT * REPLACE ('AAA' AS team_abbr, points + 1 AS points)
          FROM ${G} WHERE game_id IN (SELECT game_id FROM ${G} ORDER BY game_id DESC LIMIT 30)`);
        await fixture.run(`INSERT INTO ${G} SELECT * FROM ${G} WHERE game_id IN (SELECT MIN(game_id) FROM ${G})`);
        await fixture.run(`INSERT INTO ${G} SELECT * REPLACE (NULL AS player_lookup, points + row_number() OVER () AS points)
          FROM ${G} WHERE game_id IN (SELECT MAX(game_id) FROM ${G})`);
        const ctx = fixture.context('test');
        // The ranking this CTE replaced: ROW_NUMBER over every row of the job's dates.
        const reference = `SELECT * EXCLUDE (row_rank) FROM (
          SELECT * EXCLUDE (processed_at), ROW_NUMBER() OVER (PARTITION BY game_id, player_lookup
            ORDER BY processed_at DESC, team_abbr, player_status, player_name, COALESCE(points, -1) DESC) AS row_rank
          FROM ${G} WHERE game_date BETWEEN DATE '2016-10-01' AND DATE '2024-06-30') WHERE row_rank = 1`;
        const picked = `WITH ${latestGamebookCte(ctx)} SELECT * FROM gamebook`;
        const params = { start_date: '2016-10-01', end_date: '2024-06-30' } as const;
        const count = async (sql: string) => Number((await fixture.query(renderQuery('t', `SELECT COUNT(*) AS n FROM (${sql}) AS x`, params))).rows[0]?.n);
        const repeated = await fixture.run<{ n: number }>(`SELECT COUNT(*) AS n FROM (SELECT 1 FROM ${G} GROUP BY game_id, player_lookup HAVING COUNT(*) > 1)`);
        assert.ok(Number(repeated[0]?.n) > 50, 'many keys are scraped more than once');
        const rows = await count(picked);
        assert.equal(rows, await count(reference));
        assert.ok(rows > 0);
        assert.equal(await count(`SELECT * FROM (${picked}) EXCEPT ALL SELECT * FROM (${reference})`), 0);
        assert.equal(await count(`SELECT * FROM (${reference}) EXCEPT ALL SELECT * FROM (${picked})`), 0);
        assert.equal(await count(`SELECT * FROM (${picked}) WHERE player_lookup IS NULL`), 1, 'a NULL key keeps one row, as ROW_NUMBER does');
      } finally {
        await fixture.close();
      }
    });
  });
});
