import type { TableStatus } from '../verify/table-status.js';
import type { VerificationSummary } from '../verify/verification-summary.js';

export type SummaryProblem = VerificationSummary['problems'][number];

export interface AlertContext {
  /**
   * The caller expects the scope to be complete: a finished run's scope, or the coverage target.
   * Without it only wrong data alerts; gaps are normal while data is still coming.
   */
  readonly expectComplete: boolean;
  /** Status of the problem's table in the same verification. */
  readonly tableStatus: TableStatus | undefined;
}

/**
 * Which problems alert:
 *
 * - wrong data (severity `wrong_data`: duplicates, NULL criticals, unresolved keys, cross-table
 *   mismatches, rows of the other run mode, excess or unexpected rows): always.
 * - `no_source` gaps: never. The raw data for those dates is short; no backfill can fill them. They
 *   stay in the report and its history, and alerting on them would page someone daily for data that
 *   does not exist.
 * - other gaps (not_processed, failed, dead, partial, test_only): only when the caller expects the
 *   scope complete, and not while an active run is still working on the table (IN_PROGRESS).
 */
export function shouldAlert(problem: SummaryProblem, context: AlertContext): boolean {
  if (problem.severity === 'wrong_data') return true;
  // Excluded dates are what the scope asked to leave out.
  if (problem.severity === 'info') return false;
  if (problem.kind === 'date_rows' && problem.subject === 'no_source') return false;
  return context.expectComplete && context.tableStatus !== 'IN_PROGRESS';
}
