import { describeProblem, problemSeverity, type Problem } from './problems.js';

/**
 * - COMPLETE: every check passes.
 * - IN_PROGRESS: an active run of the same mode still has non-terminal chunks for the table in scope,
 *   and no check found wrong data.
 * - INCOMPLETE: dates are missing or short (including no_source), nothing is wrong.
 * - TEST_ONLY: the production table is empty in scope, but the test dataset has rows.
 * - FAILED: a check found wrong data (duplicates, NULL criticals, unresolved keys, cross-table
 *   mismatches, rows of the other run mode, excess or unexpected rows).
 */
export const TABLE_STATUSES = ['COMPLETE', 'IN_PROGRESS', 'INCOMPLETE', 'TEST_ONLY', 'FAILED'] as const;
export type TableStatus = (typeof TABLE_STATUSES)[number];
export function isTableStatus(value: unknown): value is TableStatus {
  return typeof value === 'string' && (TABLE_STATUSES as readonly string[]).includes(value);
}

export interface StatusFacts {
  readonly problems: readonly Problem[];
  /** Rows of the verified table in scope. */
  readonly rows: number;
  /** Rows of the same table in the test dataset in scope; null when not looked at. */
  readonly testRows: number | null;
  /** Non-terminal chunks for this table, mode and scope that belong to an active run. */
  readonly inFlightChunks: number;
}

export interface StatusDecision {
  readonly status: TableStatus;
  /** One line saying why, for people. */
  readonly reason: string;
}

/** Wrong data outranks everything; an active run outranks gaps; only a clean table is complete. */
export function decideTableStatus(facts: StatusFacts): StatusDecision {
  const wrong = facts.problems.filter((p) => problemSeverity(p) === 'wrong_data');
  if (wrong.length > 0) return { status: 'FAILED', reason: wrong.map(describeProblem).join('; ') };
  if (facts.inFlightChunks > 0) {
    return { status: 'IN_PROGRESS', reason: `${facts.inFlightChunks} chunk${facts.inFlightChunks === 1 ? '' : 's'} of an active run not finished` };
  }
  if (facts.rows === 0 && facts.testRows !== null && facts.testRows > 0) {
    return { status: 'TEST_ONLY', reason: `no production rows in scope; ${facts.testRows} rows only in the test dataset` };
  }
  const gaps = facts.problems.filter((p) => problemSeverity(p) === 'incomplete');
  if (gaps.length > 0) return { status: 'INCOMPLETE', reason: gaps.map(describeProblem).join('; ') };
  return { status: 'COMPLETE', reason: 'every check passed' };
}

export interface OverallDecision {
  readonly status: TableStatus;
  readonly tablesComplete: number;
  readonly tablesTotal: number;
  /** Whole percent of tables complete. */
  readonly completePct: number;
  /** "1/5 tables complete (20%)". */
  readonly line: string;
}

const OVERALL_PRECEDENCE: readonly TableStatus[] = ['FAILED', 'IN_PROGRESS', 'INCOMPLETE', 'TEST_ONLY', 'COMPLETE'];

/** The overall status is the worst table's; TEST_ONLY counts as incomplete overall. */
export function decideOverall(statuses: readonly TableStatus[]): OverallDecision {
  const tablesTotal = statuses.length;
  const tablesComplete = statuses.filter((s) => s === 'COMPLETE').length;
  const worst = OVERALL_PRECEDENCE.find((s) => statuses.includes(s)) ?? 'COMPLETE';
  const status: TableStatus = worst === 'TEST_ONLY' ? 'INCOMPLETE' : worst;
  const completePct = tablesTotal === 0 ? 100 : Math.floor((100 * tablesComplete) / tablesTotal);
  const noun = tablesTotal === 1 ? 'table' : 'tables';
  return { status, tablesComplete, tablesTotal, completePct, line: `${tablesComplete}/${tablesTotal} ${noun} complete (${completePct}%)` };
}
