import type { ColumnSpec, ColumnType, RawWindow } from '../types.js';

export function col(name: string, type: ColumnType, nullable = false, description?: string): ColumnSpec {
  return description === undefined ? { name, type, nullable } : { name, type, nullable, description };
}

export function ints(names: readonly string[], nullable = false, description?: string): ColumnSpec[] {
  return names.map((name) => col(name, 'INT64', nullable, description));
}

/** The three columns every analytics row carries, last, in this order (see runColumns in sql-fragments.ts). */
export const RUN_COLUMNS: readonly ColumnSpec[] = [
  col('run_id', 'STRING'),
  col('run_mode', 'STRING', false, '`production` or `test`'),
  col('processed_at', 'TIMESTAMP', false, 'when the backfill job that wrote the row started'),
];

/** The column of an analytics row that says what its partition was built from (shared/lineage/lineage.ts). */
export const LINEAGE_COLUMN = 'input_fingerprints';

/**
 * Written by the job, not by the transform: the same value on every row of a partition, a JSON object naming
 * the transform version and a fingerprint of each input the partition was built from. Verification compares it
 * with the inputs as they are now (a partition whose inputs changed is `stale`). NULL: written before inputs
 * were tracked.
 */
export const LINEAGE_COLUMNS: readonly ColumnSpec[] = [
  col(LINEAGE_COLUMN, 'STRING', true, 'what the partition was built from: transform version and a fingerprint per input'),
];

/** A raw read of the rows dated D only. */
export const SAME_DATE: RawWindow = { kind: 'same_date' };

/** The columns a table's transform selects: all of the table's but the lineage the write adds. */
export function transformColumns(columns: readonly ColumnSpec[]): ColumnSpec[] {
  return columns.filter((c) => !LINEAGE_COLUMNS.some((l) => l.name === c.name));
}
