import type { ColumnSpec, ColumnType } from '../types.js';

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
