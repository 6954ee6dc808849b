import { PermanentError } from '../../shared/errors/errors.js';
import type { ColumnSpec } from '../../shared/tables/types.js';

/** The ARRAY<DATE> parameter naming the partitions a script replaces; chosen to stay clear of transform parameters. */
export const PARTITION_DATES_PARAM = 'partition_dates';
/** Column of the script's last statement: rows the select produced per game_date. */
export const PRODUCED_ROWS_COLUMN = 'produced_rows';
const STAGED = 'staged_rows';

export interface ReplacePartitionsScriptInput {
  /** Backticked, fully qualified target table, from the dialect (never user input). */
  readonly target: string;
  readonly columns: readonly ColumnSpec[];
  readonly partitionColumn: string;
  /** The transform for the dates, rendered for BigQuery. */
  readonly select: string;
}

/**
 * Replace whole `game_date` partitions in one BigQuery job, atomically and idempotently.
 *
 * Why MERGE ... ON FALSE and not BEGIN TRANSACTION; DELETE; INSERT; COMMIT:
 * - One MERGE statement is atomic by itself: every target row of the dates is deleted and every staged
 *   row inserted, or nothing changes. Re-running it leaves the same partitions, so redelivery is harmless.
 * - BigQuery detects conflicts between mutating DML statements per partition, so chunks of the same
 *   table for different dates can write side by side. A multi-statement transaction that deletes rows
 *   blocks other transactions on the whole table ("conflicting transactions are cancelled"), which
 *   turns a parallel backfill into a stream of aborted jobs.
 * - One mutating statement per job instead of two halves the pressure on the per-table DML queue
 *   (2 mutating statements running per table, 20 pending; the 21st fails with "Too many DML statements
 *   outstanding", which classifyError reports as quota) and on the table-update rate limit ("Exceeded
 *   rate limits: too many table update operations for this table", also quota). So per-table concurrency
 *   above about 20 jobs only buys quota back-offs; each job also counts one modification per partition
 *   it touches against the daily partition-modification quota of a column-partitioned table.
 * - A load/query job with destination `table$YYYYMMDD` and WRITE_TRUNCATE avoids the DML queue, but it
 *   replaces one date per job and does not report per-date counts; jobs spanning several dates need this.
 *
 * The select runs once, into a temp table, so the per-date counts returned by the last statement are the
 * rows that were written. The ASSERT stops the job before any write when the select produced rows outside
 * the dates being replaced: inserting them would add rows to partitions this job does not delete.
 * When a statement fails, the script stops and nothing after it has run (the MERGE is the only write).
 */
export function replacePartitionsStatements(input: ReplacePartitionsScriptInput): string[] {
  const dates = `UNNEST(@${PARTITION_DATES_PARAM})`;
  const partition = quoteColumn(input.partitionColumn);
  const columns = input.columns.map((c) => quoteColumn(c.name));
  return [
    `CREATE TEMP TABLE ${STAGED} AS\n${input.select}`,
    `ASSERT NOT EXISTS (SELECT 1 FROM ${STAGED} WHERE ${partition} IS NULL OR ${partition} NOT IN ${dates})\n`
      + `  AS 'replacePartitions: the select produced rows outside the dates being replaced'`,
    [
      `MERGE ${input.target} AS target`,
      `USING ${STAGED} AS source`,
      'ON FALSE',
      `WHEN NOT MATCHED BY SOURCE AND target.${partition} IN ${dates} THEN DELETE`,
      `WHEN NOT MATCHED THEN INSERT (${columns.join(', ')})`,
      `VALUES (${columns.map((c) => `source.${c}`).join(', ')})`,
    ].join('\n'),
    `SELECT ${partition}, COUNT(*) AS ${PRODUCED_ROWS_COLUMN} FROM ${STAGED} GROUP BY ${partition}`,
  ];
}

export function replacePartitionsScript(input: ReplacePartitionsScriptInput): string {
  return `${replacePartitionsStatements(input).join(';\n\n')};\n`;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Column names come from the table specs; backticks keep reserved words (e.g. `rows`, `lookup`) safe. */
export function quoteColumn(name: string): string {
  if (!IDENTIFIER.test(name)) throw new PermanentError(`not a column name: ${JSON.stringify(name)}`);
  return `\`${name}\``;
}
