import type { ChunkState } from '../chunks/chunk-state.js';
import { isDone } from '../chunks/chunk-state.js';

/**
 * Why a date in scope does not hold exactly the rows the contract expects:
 *
 * - `no_source`: the raw data for the date is short (the expectation's source_short_games > 0); the
 *   date cannot be complete whatever the backfill does. Such dates are left out of "expected".
 * - `not_processed`: no chunk ran (the ledger has no done or failed chunk for it, or there is no ledger).
 * - `failed` / `dead`: the ledger's chunk for it failed (will retry) or gave up.
 * - `partial`: fewer rows than expected, yet the ledger's chunk claims success (or, without a chunk
 *   that ran, some rows are there).
 * - `stale`: the expected rows are there, but they were not built from the inputs as they are now (an input
 *   changed after the write, an upstream date they read is missing, short or stale, or the rows say nothing of
 *   their inputs): the date must be rebuilt.
 * - `test_only`: the production table has none of it, but the test dataset has rows for it.
 * - `excess`: more rows than expected: wrong data, not a gap.
 * - `excluded`: the scope leaves the date out (a run's or a verification's exclusions): neither required nor
 *   hidden. Listed with the rows found there; counted apart from coverage.
 */
export const DATE_REASONS = ['no_source', 'not_processed', 'failed', 'dead', 'partial', 'stale', 'test_only', 'excess', 'excluded'] as const;
export type DateReason = (typeof DATE_REASONS)[number];
export function isDateReason(value: unknown): value is DateReason {
  return typeof value === 'string' && (DATE_REASONS as readonly string[]).includes(value);
}

export interface DateFacts {
  readonly expectedRows: number;
  readonly rows: number;
  readonly sourceShortGames: number;
  /** Rows for the date in the test dataset; null when not looked at (verifying the test dataset itself). */
  readonly testRows: number | null;
  /** State of the ledger's chunk for (table, date, mode); null when it has none or there is no ledger. */
  readonly chunkState: ChunkState | null;
  /** Fraction of expected rows a date may miss or exceed and still count as complete; 0 = exact. */
  readonly tolerance: number;
  /** Its rows are not built from its inputs as they are now (see shared/lineage). */
  readonly stale: boolean;
  /** The scope excludes the date. */
  readonly excluded: boolean;
}

/** Whether a date's row count is what the contract expects, within tolerance. */
export function rowsMatch(rows: number, expectedRows: number, tolerance: number): boolean {
  return Math.abs(rows - expectedRows) <= tolerance * expectedRows;
}

/** Null when the date is complete; otherwise why not. The warehouse counts decide; the ledger only explains. */
export function classifyDate(facts: DateFacts): DateReason | null {
  if (facts.excluded) return 'excluded';
  if (facts.sourceShortGames > 0) return facts.rows > facts.expectedRows ? 'excess' : 'no_source';
  if (rowsMatch(facts.rows, facts.expectedRows, facts.tolerance)) return facts.stale ? 'stale' : null;
  if (facts.rows > facts.expectedRows) return 'excess';
  if (facts.chunkState === 'dead') return 'dead';
  if (facts.chunkState === 'failed') return 'failed';
  if (facts.chunkState !== null && isDone(facts.chunkState)) return 'partial';
  if (facts.rows > 0) return 'partial';
  if (facts.testRows !== null && facts.testRows > 0) return 'test_only';
  return 'not_processed';
}
