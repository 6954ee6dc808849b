import { LINEAGE_COLUMN, transformColumns } from '../../shared/tables/analytics/columns.js';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { DuckDbWarehouse } from '../../adapters/duckdb/duckdb-warehouse.js';
import { renderQuery } from '../../shared/sql/render.js';
import { TABLE_SPECS } from '../../shared/tables/registry.js';
import type { AnalyticsTableName, RunMode } from '../../shared/tables/names.js';
import type { IsoDate } from '../../shared/util/dates.js';
import { expectationRows } from './duckdb-fixtures.js';
import { LIMITS } from '../../shared/config/defaults.js';

/**
 * "The warehouse's rows are exact": after a faulty run, every table holds, row for row, what its
 * transform makes of the final inputs (the rows a run without faults writes), with no duplicate key,
 * nothing lost, nothing on a date that should be empty, and, on each date whose raw data is
 * complete, the row count the contract's expectation query computes from the schedule.
 */

export interface ExactRowsScope {
  readonly tables: readonly AnalyticsTableName[];
  readonly start: IsoDate;
  readonly end: IsoDate;
  readonly mode?: RunMode;
  /** Dates that must hold no rows (a dead chunk, a run cancelled before it got there). */
  readonly empty?: (table: AnalyticsTableName, date: IsoDate) => boolean;
  /** Rows dated outside [start, end] are an error unless this is true (another run wrote them). */
  readonly allowRowsOutside?: boolean;
}

/** Rows stored per table and date, as checked. */
export type StoredCounts = Map<AnalyticsTableName, Map<IsoDate, number>>;

/** Run columns differ from one write to the next by design; everything else must be equal. */
const RUN_COLUMNS = ['run_id', 'processed_at'] as const;

export async function assertExactRows(warehouse: DuckDbWarehouse, scope: ExactRowsScope): Promise<StoredCounts> {
  const mode = scope.mode ?? 'production';
  const stored: StoredCounts = new Map();
  for (const table of scope.tables) stored.set(table, await assertTableExact(warehouse, table, mode, scope));
  return stored;
}

async function assertTableExact(warehouse: DuckDbWarehouse, table: AnalyticsTableName, mode: RunMode, scope: ExactRowsScope): Promise<Map<IsoDate, number>> {
  const spec = TABLE_SPECS[table];
  const target = warehouse.context(mode).analytics(table);
  // A table another table of the scope reads in full (history first) is built from the earliest date on.
  const start = scope.tables.some((t) => TABLE_SPECS[t].upstream.some((dep) => dep.table === table && dep.lookbackDays === 'all'))
    ? LIMITS.earliestDate
    : scope.start;
  const range = { s: start, e: scope.end };
  const inRange = 'game_date BETWEEN $s::DATE AND $e::DATE';

  const key = spec.key.join(', ');
  const dupes = await warehouse.run(`SELECT ${key}, COUNT(*) AS n FROM ${target} GROUP BY ${key} HAVING COUNT(*) > 1 LIMIT 5`);
  assert.deepEqual(dupes, [], `duplicate keys (${key}) in ${target}`);
  if (!scope.allowRowsOutside) {
    const outside = await warehouse.run(`SELECT CAST(game_date AS VARCHAR) AS d, COUNT(*) AS n FROM ${target} WHERE NOT (${inRange}) GROUP BY ALL`, range);
    assert.deepEqual(outside, [], `${target} holds rows dated outside ${start}..${scope.end}`);
  }

  const counts = new Map(
    (await warehouse.run<{ d: string; n: number }>(`SELECT CAST(game_date AS VARCHAR) AS d, COUNT(*) AS n FROM ${target} WHERE ${inRange} GROUP BY ALL`, range))
      .map((r) => [r.d, Number(r.n)]),
  );
  const empty = (date: IsoDate) => scope.empty?.(table, date) ?? false;
  for (const [date, n] of counts) assert.ok(!empty(date), `${table} ${date} must hold no rows, holds ${n}`);

  // The reference goes through the same INSERT casts as a real write, into a scratch table.
  const reference = `main.fault_reference_${randomUUID().replaceAll('-', '')}`;
  const columns = transformColumns(spec.columns).map((c) => `"${c.name}"`).join(', ');
  const transform = renderQuery(`reference_${table}`, spec.transform(warehouse.context(mode)), {
    start_date: start, end_date: scope.end, run_id: 'reference', run_mode: mode, processed_at: new Date(0).toISOString(),
  });
  await warehouse.run(`CREATE TABLE ${reference} AS SELECT * FROM ${target} LIMIT 0`);
  try {
    await warehouse.run(`INSERT INTO ${reference} (${columns}) SELECT ${columns} FROM (${transform.sql}) AS t WHERE t.game_date BETWEEN $start_date::DATE AND $end_date::DATE`, transform.params);
    const exclude = `EXCLUDE (${[...RUN_COLUMNS, LINEAGE_COLUMN].join(', ')})`;
    const diff = await warehouse.run<{ side: string; d: string; n: number }>(
      `SELECT side, CAST(game_date AS VARCHAR) AS d, COUNT(*) AS n FROM (
         SELECT 'stored, not in the reference' AS side, * FROM (SELECT * ${exclude} FROM ${target} WHERE ${inRange} EXCEPT ALL SELECT * ${exclude} FROM ${reference})
         UNION ALL
         SELECT 'in the reference, not stored' AS side, * FROM (SELECT * ${exclude} FROM ${reference} EXCEPT ALL SELECT * ${exclude} FROM ${target} WHERE ${inRange})
       ) GROUP BY ALL ORDER BY d, side`,
      range,
    );
    const wrong = diff.filter((r) => !empty(r.d));
    assert.deepEqual(wrong.map((r) => `${r.d}: ${r.n} rows ${r.side}`), [], `${target} differs from what its transform makes of the final inputs`);
  } finally {
    await warehouse.run(`DROP TABLE IF EXISTS ${reference}`);
  }

  const expected = await expectationRows(warehouse, table, start, scope.end, mode);
  for (const [date, e] of expected) {
    if (empty(date) || Number(e.source_short_games) > 0) continue;
    assert.equal(counts.get(date) ?? 0, Number(e.expected_rows), `${table} ${date}: rows vs the contract's expectation`);
  }
  return counts;
}

/** Rows of each table on one date, for quick looks. */
export async function countRows(warehouse: DuckDbWarehouse, table: AnalyticsTableName, date: IsoDate, mode: RunMode = 'production'): Promise<number> {
  const [row] = await warehouse.run<{ n: number }>(`SELECT COUNT(*) AS n FROM ${warehouse.context(mode).analytics(table)} WHERE game_date = $d::DATE`, { d: date });
  return Number(row?.n ?? 0);
}
