import assert from 'node:assert/strict';
import type { DuckDbWarehouse } from '../../../adapters/duckdb/duckdb-warehouse.js';
import type { ChunkRecord, Ledger } from '../../../shared/ports/ledger.js';
import type { TableReport } from '../../../shared/verify/report-schema.js';
import { verify } from '../../../shared/verify/verify.js';
import { parseVerificationScope } from '../../../shared/verify/verification-scope.js';
import { FakeLedger } from './fake-ledger.js';
import { fixtureSchedule, openFixtureWarehouse, writeTable } from './fixture-warehouse.js';
import { chunk, run } from './ledger-fixtures.js';

const NOW = Date.parse('2024-07-01T12:00:00Z');
const T = 'team_offense_game_summary';
const SCOPE = { start: '2021-11-01', end: '2021-11-20' } as const;

describe('verify with the ledger beside the warehouse', () => {
  let warehouse: DuckDbWarehouse;
  const dates = [...new Set(fixtureSchedule().filter((g) => g.status === 3 && g.gameDate >= SCOPE.start && g.gameDate <= SCOPE.end).map((g) => g.gameDate))].sort();
  const [first, second, third] = dates as [string, string, string];
  const finishedRun = run('run-done', 'failed', { tables: [T], ...SCOPE, mode: 'production' });

  async function verifyWith(ledger: Ledger | null): Promise<TableReport> {
    const report = await verify({ warehouse, ledger, scope: parseVerificationScope({ tables: [T], ...SCOPE, mode: 'production' }), now: NOW });
    const [t] = report.tables;
    assert.ok(t);
    return t;
  }
  const succeededExcept = (changes: Record<string, Partial<ChunkRecord> & { state: ChunkRecord['state'] }>, runIds = ['run-done']) =>
    dates.map((d) => chunk(T, d, changes[d]?.state ?? 'succeeded', { runIds, ...changes[d] }));

  before(async () => {
    warehouse = await openFixtureWarehouse();
  });
  beforeEach(async () => {
    await writeTable(warehouse, T, { ...SCOPE, mode: 'production' });
    // Three dates never made it to the warehouse.
    await warehouse.run(`DELETE FROM nba_analytics.${T} WHERE game_date IN (DATE '${first}', DATE '${second}', DATE '${third}')`);
  });
  after(async () => warehouse.close());

  it('explains each missing date by its chunk: dead and failed with the last error, partial when it claims success', async () => {
    const ledger = new FakeLedger(
      [finishedRun],
      succeededExcept({
        [first]: { state: 'dead', attempts: 5, lastError: 'TransientError: backend error' },
        [second]: { state: 'failed', attempts: 2, lastError: 'QuotaError: rate limit' },
      }),
    );
    const t = await verifyWith(ledger);
    assert.equal(t.status, 'INCOMPLETE');
    assert.deepEqual(
      t.problems.map((p) => p.kind === 'date_rows' && [p.reason, p.dates.map((d) => [d.date, d.chunk?.lastError ?? null])]),
      [
        ['failed', [[second, 'QuotaError: rate limit']]],
        ['dead', [[first, 'TransientError: backend error']]],
        ['partial', [[third, null]]],
      ],
    );
    assert.equal(t.ledger?.chunksByState.succeeded, dates.length - 2);
  });

  it('never calls a table complete because the ledger says every chunk succeeded', async () => {
    const t = await verifyWith(new FakeLedger([finishedRun], succeededExcept({})));
    assert.equal(t.status, 'INCOMPLETE');
    assert.equal(t.completeDates, dates.length - 3);
  });

  it('calls missing dates not_processed without a ledger', async () => {
    const t = await verifyWith(null);
    assert.deepEqual(t.problems.map((p) => p.kind === 'date_rows' && [p.reason, p.dates.length]), [['not_processed', 3]]);
    assert.equal(t.ledger, null);
  });

  it('is IN_PROGRESS while an active production run still has chunks to do in scope', async () => {
    const active = run('run-now', 'active', { tables: [T], ...SCOPE, mode: 'production' });
    const ledger = new FakeLedger([active], succeededExcept({ [first]: { state: 'queued' }, [second]: { state: 'failed' }, [third]: { state: 'pending' } }, ['run-now']));
    const t = await verifyWith(ledger);
    assert.equal(t.status, 'IN_PROGRESS');
    assert.equal(t.ledger?.inFlightChunks, 3);
    assert.deepEqual(t.ledger?.activeRunIds, ['run-now']);
  });

  it('is FAILED, not IN_PROGRESS, when an active run meets wrong data', async () => {
    const active = run('run-now', 'active', { tables: [T], ...SCOPE, mode: 'production' });
    const ledger = new FakeLedger([active], succeededExcept({ [first]: { state: 'queued' } }, ['run-now']));
    await warehouse.run(`UPDATE nba_analytics.${T} SET turnovers = NULL WHERE game_date = DATE '${dates.at(-1)}'`);
    const t = await verifyWith(ledger);
    assert.equal(t.status, 'FAILED');
    assert.match(t.statusReason, /NULLs? in critical column turnovers/);
  });
});
