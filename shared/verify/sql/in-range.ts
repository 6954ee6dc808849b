import type { SqlContext } from '../../sql/dialect.js';

/** `column` within the scope's dates: on BigQuery, the filter that prunes partitions. */
export function inRange(ctx: SqlContext, column = 'game_date'): string {
  return `${column} BETWEEN ${ctx.d.param('start_date', 'DATE')} AND ${ctx.d.param('end_date', 'DATE')}`;
}
