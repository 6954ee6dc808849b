import assert from 'node:assert/strict';
import type { DuckDbWarehouse } from '../../../adapters/duckdb/duckdb-warehouse.js';
import type { QueryResult, Row, Warehouse } from '../../../shared/ports/warehouse.js';
import type { RenderedQuery } from '../../../shared/sql/dialect.js';
import { verify } from '../../../shared/verify/verify.js';
import { parseVerificationScope } from '../../../shared/verify/verification-scope.js';
import { openFixtureWarehouse } from './fixture-warehouse.js';

/** The DuckDB warehouse, reporting bytes per query the way BigQuery does, and recording what ran. */
function withBytes(inner: DuckDbWarehouse, ran: RenderedQuery[]): Warehouse {
  return {
    dialect: inner.dialect,
    context: (mode) => inner.context(mode),
    query: async <T extends Row = Row>(query: RenderedQuery): Promise<QueryResult<T>> => {
      ran.push(query);
      const result = await inner.query<T>(query);
      return { rows: result.rows, bytesProcessed: 1000 + ran.length };
    },
    replacePartitions: (request) => inner.replacePartitions(request),
    countRows: (table, mode, dates) => inner.countRows(table, mode, dates),
    close: () => inner.close(),
  };
}

describe('verify and the cost of its queries', () => {
  let inner: DuckDbWarehouse;
  before(async () => {
    inner = await openFixtureWarehouse();
  });
  after(async () => inner.close());

  it('keeps the bytes each query processed and their sum', async () => {
    const ran: RenderedQuery[] = [];
    const report = await verify({ warehouse: withBytes(inner, ran), scope: parseVerificationScope({ tables: 'all', start: '2021-11-01', end: '2021-11-30' }), now: 0 });
    const perQuery = report.tables.flatMap((t) => t.queries.map((q) => q.bytesProcessed));
    assert.equal(perQuery.length, ran.length);
    assert.ok(perQuery.every((b) => b !== null && b > 1000));
    assert.equal(report.bytesProcessed, perQuery.reduce<number>((a, b) => a + (b ?? 0), 0));
  });

  it('runs one query per check family and table, each bound to the scope dates', async () => {
    const ran: RenderedQuery[] = [];
    await verify({ warehouse: withBytes(inner, ran), scope: parseVerificationScope({ tables: ['team_offense_game_summary'], start: '2021-11-01', end: '2021-11-30' }), now: 0 });
    assert.deepEqual(ran.map((q) => q.label).sort(), [
      'verify_cross_offense_points_match_schedule',
      'verify_integrity_team_offense_game_summary',
      'verify_rows_team_offense_game_summary',
      'verify_test_rows_team_offense_game_summary',
    ]);
    for (const q of ran) assert.deepEqual([q.params.start_date, q.params.end_date], ['2021-11-01', '2021-11-30'], q.label);
  });

  it('reports null bytes when the engine does not say', async () => {
    const report = await verify({ warehouse: inner, scope: parseVerificationScope({ tables: ['team_offense_game_summary'], start: '2021-11-01', end: '2021-11-30' }), now: 0 });
    assert.equal(report.bytesProcessed, null);
  });
});
