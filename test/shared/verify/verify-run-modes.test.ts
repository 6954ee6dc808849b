import assert from 'node:assert/strict';
import type { DuckDbWarehouse } from '../../../adapters/duckdb/duckdb-warehouse.js';
import type { RunMode } from '../../../shared/tables/names.js';
import type { TableReport } from '../../../shared/verify/report-schema.js';
import { verify } from '../../../shared/verify/verify.js';
import { parseVerificationScope } from '../../../shared/verify/verification-scope.js';
import { FakeLedger } from './fake-ledger.js';
import { fixtureSchedule, openFixtureWarehouse, writeTable } from './fixture-warehouse.js';
import { chunk, run } from './ledger-fixtures.js';

const NOW = Date.parse('2024-07-01T12:00:00Z');
const T = 'team_offense_game_summary';
const SCOPE = { start: '2021-11-01', end: '2021-11-20' } as const;
const TEST_DATE = '2021-11-15';

describe('verify with test runs beside production', () => {
  let warehouse: DuckDbWarehouse;
  const games = fixtureSchedule().filter((g) => g.status === 3 && g.gameDate >= SCOPE.start && g.gameDate <= SCOPE.end);
  const dates = [...new Set(games.map((g) => g.gameDate))].sort();
  const rowsOn = (date: string) => 2 * games.filter((g) => g.gameDate === date).length;
  // A test run over the whole scope is active: its chunk for TEST_DATE is done, the others wait.
  const testLedger = new FakeLedger(
    [run('run-test', 'active', { tables: [T], ...SCOPE, mode: 'test' })],
    dates.map((d) => chunk(T, d, d === TEST_DATE ? 'succeeded' : 'pending', { mode: 'test', runIds: ['run-test'] })),
  );

  async function verifyTable(mode: RunMode, range: { start: string; end: string } = SCOPE): Promise<TableReport> {
    const report = await verify({ warehouse, ledger: testLedger, scope: parseVerificationScope({ tables: [T], ...range, mode }), now: NOW });
    const [t] = report.tables;
    assert.ok(t);
    return t;
  }

  beforeEach(async () => {
    warehouse = await openFixtureWarehouse();
    await writeTable(warehouse, T, { start: TEST_DATE, end: TEST_DATE, mode: 'test' });
  });
  afterEach(async () => warehouse.close());

  it('calls a production table with only a test run on one date TEST_ONLY, never COMPLETE or IN_PROGRESS', async () => {
    const t = await verifyTable('production');
    assert.equal(t.status, 'TEST_ONLY');
    assert.equal(t.rows, 0);
    assert.equal(t.testDatasetRows, rowsOn(TEST_DATE));
    assert.equal(t.ledger?.inFlightChunks, 0);
    assert.deepEqual(t.ledger?.activeRunIds, []);
    const reasons = Object.fromEntries(t.problems.map((p) => [p.kind === 'date_rows' ? p.reason : p.kind, p.kind === 'date_rows' ? p.dates.map((d) => d.date) : []]));
    assert.deepEqual(reasons, { not_processed: dates.filter((d) => d !== TEST_DATE), test_only: [TEST_DATE] });
  });

  it('keeps a production table missing only the test-run date INCOMPLETE, with that date test_only', async () => {
    await writeTable(warehouse, T, { ...SCOPE, mode: 'production' });
    await warehouse.run(`DELETE FROM nba_analytics.${T} WHERE game_date = DATE '${TEST_DATE}'`);
    const t = await verifyTable('production');
    assert.equal(t.status, 'INCOMPLETE');
    assert.equal(t.completeDates, dates.length - 1);
    assert.deepEqual(t.problems.map((p) => p.kind === 'date_rows' && [p.reason, p.dates.map((d) => [d.date, d.rows, d.testRows])]), [
      ['test_only', [[TEST_DATE, 0, rowsOn(TEST_DATE)]]],
    ]);
  });

  it('verifies the test dataset on its own date as COMPLETE, and IN_PROGRESS over the dates its active run still owes', async () => {
    assert.equal((await verifyTable('test', { start: TEST_DATE, end: TEST_DATE })).status, 'COMPLETE');
    const whole = await verifyTable('test');
    assert.equal(whole.status, 'IN_PROGRESS');
    assert.equal(whole.ledger?.inFlightChunks, dates.length - 1);
    assert.equal(whole.testDatasetRows, null);
  });

  it('fails a production table holding rows with run_mode test, and names their dates', async () => {
    await writeTable(warehouse, T, { ...SCOPE, mode: 'production' });
    await warehouse.run(`UPDATE nba_analytics.${T} SET run_mode = 'test' WHERE game_date = DATE '2021-11-12'`);
    const t = await verifyTable('production');
    assert.equal(t.status, 'FAILED');
    assert.deepEqual(t.problems, [
      {
        kind: 'wrong_run_mode',
        expectedRunMode: 'production',
        rows: rowsOn('2021-11-12'),
        dates: [{ date: '2021-11-12', rows: rowsOn('2021-11-12') }],
        ranges: [{ start: '2021-11-12', end: '2021-11-12', dates: 1 }],
      },
    ]);
  });
});
