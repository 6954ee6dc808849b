import assert from 'node:assert/strict';
import { NullWarehouse, ROWS_PER_GAME } from '../../../bench/simulator/null-warehouse.js';
import { PermanentError } from '../../../shared/errors/errors.js';
import { loadExpectations } from '../../../shared/planning/expectations.js';
import { renderQuery } from '../../../shared/sql/render.js';
import { tableSpec } from '../../../shared/tables/registry.js';

describe('null warehouse', function () {
  const gamesByDate = new Map([['2021-11-01', 4], ['2021-11-02', 10], ['2021-11-04', 1]]);

  it('answers the expectations of any table from the schedule, per date in range', async function () {
    const warehouse = new NullWarehouse({ gamesByDate });
    const expectations = await loadExpectations(warehouse, tableSpec('player_game_summary'), 'production', '2021-11-02', '2021-11-30');
    assert.deepEqual([...expectations.keys()], ['2021-11-02', '2021-11-04']);
    assert.equal(expectations.get('2021-11-02')?.expectedRows, 10 * ROWS_PER_GAME.player_game_summary);
    assert.equal(expectations.get('2021-11-04')?.expectedRows, 1 * ROWS_PER_GAME.player_game_summary);
  });

  it('writes exactly the expected rows, reads back what it wrote, and counts partition writes', async function () {
    const warehouse = new NullWarehouse({ gamesByDate });
    const spec = tableSpec('team_offense_game_summary');
    assert.deepEqual(await warehouse.countRows(spec, 'production', ['2021-11-01']), { '2021-11-01': 0 });
    const { producedByDate } = await warehouse.replacePartitions({
      table: spec, mode: 'production', dates: ['2021-11-01', '2021-11-02', '2021-11-02'], labels: {},
      select: renderQuery('transform_team_offense_game_summary', 'SELECT 1', {}),
    });
    assert.deepEqual(producedByDate, { '2021-11-01': 8, '2021-11-02': 20 });
    assert.deepEqual(await warehouse.countRows(spec, 'production', ['2021-11-01', '2021-11-02']), producedByDate);
    assert.deepEqual(await warehouse.countRows(spec, 'test', ['2021-11-01']), { '2021-11-01': 0 }, 'the test dataset is apart');
    assert.equal(warehouse.partitionWrites, 2);
    assert.equal(warehouse.writtenDates('production').team_offense_game_summary, 2);
  });

  it('refuses queries it cannot answer instead of inventing rows', async function () {
    const warehouse = new NullWarehouse({ gamesByDate });
    await assert.rejects(warehouse.query(renderQuery('verify_duplicates', 'SELECT 1', {})), (error: unknown) => error instanceof PermanentError);
  });
});
