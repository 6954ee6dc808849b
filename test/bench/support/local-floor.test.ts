import assert from 'node:assert/strict';
import { localFloor } from '../../../bench/support/local-floor.js';
import { parseBackfillRequest } from '../../../shared/planning/backfill-request.js';
import { ANALYTICS_TABLES } from '../../../shared/tables/names.js';
import { tableSpec } from '../../../shared/tables/registry.js';
import { assertExactRows } from '../../support/exact-rows.js';
import { openFixtureWarehouse } from '../../support/duckdb-fixtures.js';

describe('the local floor', function () {
  it('writes every planned date of every table once, one job a table in dependency order, and the rows are exact', async function () {
    const warehouse = await openFixtureWarehouse();
    try {
      const request = parseBackfillRequest({ tables: 'all', start: '2018-04-01', end: '2018-05-31' });
      const floor = await localFloor(warehouse, request);

      const order = floor.tables.map((t) => t.table);
      assert.deepEqual([...order].sort(), [...ANALYTICS_TABLES].sort(), 'one job for each table');
      for (const [i, table] of order.entries()) {
        for (const dep of tableSpec(table).upstream) assert.ok(order.indexOf(dep.table) < i, `${dep.table} before ${table}`);
      }
      for (const t of floor.tables) {
        assert.ok(t.gameDates.length > 0, `${t.table} has dates`);
        const stored = await warehouse.countRows(tableSpec(t.table), 'production', t.gameDates);
        assert.equal(Object.values(stored).reduce((a, b) => a + b, 0), t.rows, `${t.table}: the rows it says it wrote are stored`);
      }
      assert.ok(floor.seconds > 0 && floor.seconds >= Math.max(...floor.tables.map((t) => t.seconds)));
      // History first plans input dates before the range: rows outside it are the plan's, not a stray write.
      await assertExactRows(warehouse, { tables: ANALYTICS_TABLES, start: '2018-04-01', end: '2018-05-31', allowRowsOutside: true });
    } finally {
      await warehouse.close();
    }
  });
});
