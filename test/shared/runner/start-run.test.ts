import assert from 'node:assert/strict';
import type { DuckDbWarehouse } from '../../../adapters/duckdb/duckdb-warehouse.js';
import { LocalLedger } from '../../../adapters/local/local-ledger.js';
import { parseBackfillRequest } from '../../../shared/planning/backfill-request.js';
import type { Clock } from '../../../shared/ports/clock.js';
import type { Ledger } from '../../../shared/ports/ledger.js';
import { startRun } from '../../../shared/runner/start-run.js';
import { openFixtureWarehouse, runJob } from '../../support/duckdb-fixtures.js';

describe('startRun', function () {
  this.timeout(120_000);
  const table = 'team_offense_game_summary';
  let warehouse: DuckDbWarehouse;
  let ledger: LocalLedger;
  let now = Date.parse('2018-05-01T12:00:00Z');
  const clock: Clock = { now: () => now };
  const read: string[] = [];
  /** The ledger, noting every chunk id read by getChunks. */
  const counting = (): Ledger => new Proxy(ledger, {
    get(target, prop) {
      if (prop === 'getChunks') return (ids: readonly string[]) => { read.push(...ids); return target.getChunks(ids); };
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  const request = parseBackfillRequest({ tables: [table], start: '2018-04-14', end: '2018-04-18', mode: 'test' });

  before(async function () {
    warehouse = await openFixtureWarehouse();
    ledger = await LocalLedger.open({ path: ':memory:', clock });
  });
  after(async function () {
    await ledger.close();
    await warehouse.close();
  });

  it('reads no chunk back when it created them all, and reads them when they existed: a done chunk whose partition is missing goes back to work', async function () {
    const first = await startRun({ warehouse, ledger: counting(), clock }, request);
    assert.equal(first.chunksAdded, 5);
    assert.deepEqual(read, [], 'new chunks are pending: nothing to read');
    assert.deepEqual([...new Set((await ledger.listChunks({ runId: first.run.id })).map((c) => c.state))], ['pending']);

    // The run ends with every chunk done, but only 2018-04-14 is in the warehouse.
    await runJob(warehouse, table, '2018-04-14', '2018-04-14');
    const chunks = await ledger.listChunks({ runId: first.run.id });
    await ledger.transition(chunks.map((c) => ({ id: c.id, from: ['pending'], to: 'succeeded', patch: { finishedAt: now } })));
    await ledger.updateRun(first.run.id, ['active'], { state: 'succeeded', finishedAt: now, outcome: 'all chunks done' });
    now += 60_000;

    const again = await startRun({ warehouse, ledger: counting(), clock }, request);
    assert.equal(again.chunksAdded, 0);
    assert.deepEqual(read.sort(), chunks.map((c) => c.id).sort(), 'existing chunks are read once');
    assert.equal(again.redone, 4, 'the four dates missing from the warehouse go back to work');
    assert.equal(again.run.state, 'active');
  });
});
