import type { Warehouse } from '../ports/warehouse.js';
import { renderQuery } from '../sql/render.js';
import { LINEAGE_COLUMN } from '../tables/analytics/columns.js';
import type { RunMode } from '../tables/names.js';
import type { AnalyticsTableSpec } from '../tables/types.js';
import type { IsoDate } from '../util/dates.js';
import { toInt, toText } from '../verify/sql/values.js';
import type { RecordedLineage } from './lineage-record.js';

export interface RecordedPartition {
  readonly rows: number;
  readonly lineage: RecordedLineage;
}

/** What the partitions of `dates` hold now: their rows and the lineage those rows recorded. Dates without rows are absent. */
export async function recordedPartitions(warehouse: Warehouse, spec: AnalyticsTableSpec, mode: RunMode, dates: readonly IsoDate[]): Promise<Map<IsoDate, RecordedPartition>> {
  if (dates.length === 0) return new Map();
  const ctx = warehouse.context(mode);
  const { d } = ctx;
  const sql = `SELECT ${d.formatDate('game_date')} AS game_date, COUNT(*) AS n_rows,
  MIN(${LINEAGE_COLUMN}) AS lineage_min, MAX(${LINEAGE_COLUMN}) AS lineage_max, ${d.countIf(`${LINEAGE_COLUMN} IS NULL`)} AS untracked_rows
FROM ${ctx.analytics(spec.name)}
WHERE ${d.inArray('game_date', 'dates', 'ARRAY<DATE>')}
GROUP BY game_date`;
  const { rows } = await warehouse.query(renderQuery(`recorded_lineage_${spec.name}`, sql, { dates: [...new Set(dates)].sort() }));
  const out = new Map<IsoDate, RecordedPartition>();
  for (const row of rows) {
    const date = toText(row.game_date);
    if (date === null) continue;
    out.set(date, {
      rows: toInt(row.n_rows),
      lineage: { min: toText(row.lineage_min), max: toText(row.lineage_max), untrackedRows: toInt(row.untracked_rows) },
    });
  }
  return out;
}
