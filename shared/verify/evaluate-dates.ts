import type { ChunkRecord } from '../ports/ledger.js';
import type { RunMode } from '../tables/names.js';
import type { IsoDate } from '../util/dates.js';
import { DATE_REASONS, classifyDate, rowsMatch, type DateReason } from './date-reason.js';
import { compressDates } from './date-ranges.js';
import type { DateDetail, Problem } from './problems.js';
import type { StaleCause } from '../lineage/stale-cause.js';
import type { CompleteDate } from './report-schema.js';
import { appendTo } from '../util/group.js';

/**
 * What the contract says one date of one table must hold, from the schedule and raw inputs (the table's expectation
 * SQL): what verification judges a date by, and what a worker judges its write by (shared/planning/expectations.ts).
 */
export interface ExpectedDate {
  readonly date: IsoDate;
  readonly expectedRows: number;
  /** Games whose raw data is short (contract's no_source); > 0 means the date cannot be complete. */
  readonly sourceShortGames: number;
}

export interface DateCount {
  readonly rows: number;
  /** Rows whose run_mode is not the verified mode. */
  readonly wrongModeRows: number;
}

export interface DateEvaluationInput {
  readonly mode: RunMode;
  /** The expectation query's dates in scope (from the schedule and raw data, never the table). */
  readonly expectations: readonly ExpectedDate[];
  /** Rows per date of the verified table in scope. */
  readonly counts: ReadonlyMap<IsoDate, DateCount>;
  /** Rows per date of the same table in the test dataset; null when not looked at. */
  readonly testCounts: ReadonlyMap<IsoDate, number> | null;
  /** The ledger's chunks of (table, mode) by game date; null without a ledger. */
  readonly chunks: ReadonlyMap<IsoDate, ChunkRecord> | null;
  readonly tolerance: number;
  /** Dates whose rows are stale, with why (from the lineage assessment); absent: none. */
  readonly stale?: ReadonlyMap<IsoDate, readonly StaleCause[]>;
  /** Dates the scope excludes: listed as `excluded`, counted apart. */
  readonly excluded?: ReadonlySet<IsoDate>;
}

export interface DateEvaluation {
  readonly rows: number;
  readonly expectedRows: number;
  readonly expectedDates: number;
  readonly completeDates: number;
  /** The complete dates themselves, in date order (as many as completeDates). */
  readonly completeDateList: CompleteDate[];
  readonly coveragePct: number | null;
  readonly sourceShortDates: number;
  readonly sourceShortGames: number;
  /** Game dates of the scope it excludes (listed under `excluded`, outside coverage). */
  readonly excludedDates: number;
  readonly minDate: IsoDate | null;
  readonly maxDate: IsoDate | null;
  readonly distinctDates: number;
  readonly testDatasetRows: number | null;
  readonly problems: Problem[];
}

/**
 * Pure: the row-count checks of one table. Every number comes from the warehouse counts and the
 * expectation; the ledger's chunk only says why a date is missing.
 */
export function evaluateDates(input: DateEvaluationInput): DateEvaluation {
  const expectedByDate = new Map(input.expectations.map((e) => [e.date, e]));
  const rowDates = [...input.counts.entries()].filter(([, c]) => c.rows > 0).map(([d]) => d).sort();
  const calendar = [
    ...input.expectations.filter((e) => e.expectedRows > 0 || e.sourceShortGames > 0).map((e) => e.date),
    ...rowDates,
  ];

  const byReason = new Map<DateReason, DateDetail[]>();
  const completeDateList: CompleteDate[] = [];
  let expectedRows = 0;
  let expectedDates = 0;
  let completeDates = 0;
  let sourceShortDates = 0;
  let sourceShortGames = 0;
  let excludedDates = 0;
  for (const e of [...input.expectations].sort((a, b) => (a.date < b.date ? -1 : 1))) {
    if (e.expectedRows === 0 && e.sourceShortGames === 0) continue;
    const rows = input.counts.get(e.date)?.rows ?? 0;
    const short = e.sourceShortGames > 0;
    const staleCauses = input.stale?.get(e.date);
    const stale = staleCauses !== undefined;
    const excluded = input.excluded?.has(e.date) ?? false;
    if (excluded) excludedDates += 1;
    else if (short) {
      sourceShortDates += 1;
      sourceShortGames += e.sourceShortGames;
    } else {
      expectedDates += 1;
      expectedRows += e.expectedRows;
      if (rowsMatch(rows, e.expectedRows, input.tolerance) && !stale) completeDates += 1;
    }
    const chunk = input.chunks?.get(e.date) ?? null;
    const testRows = input.testCounts ? (input.testCounts.get(e.date) ?? 0) : null;
    const reason = classifyDate({
      expectedRows: e.expectedRows,
      rows,
      sourceShortGames: e.sourceShortGames,
      testRows,
      chunkState: chunk?.state ?? null,
      tolerance: input.tolerance,
      stale,
      excluded,
    });
    if (reason === null) {
      completeDateList.push({ date: e.date, expectedRows: e.expectedRows, rows });
      continue;
    }
    const detail: DateDetail = {
      date: e.date,
      expectedRows: e.expectedRows,
      rows,
      sourceShortGames: e.sourceShortGames,
      testRows,
      chunk: chunk ? { state: chunk.state, attempts: chunk.attempts, lastError: chunk.lastError } : null,
      ...(reason === 'stale' && staleCauses ? { stale: [...staleCauses] } : {}),
    };
    appendTo(byReason, reason, detail);
  }

  const problems: Problem[] = [];
  for (const reason of DATE_REASONS) {
    const dates = byReason.get(reason);
    if (!dates) continue;
    problems.push({
      kind: 'date_rows',
      reason,
      expectedRows: sum(dates.map((d) => d.expectedRows)),
      rows: sum(dates.map((d) => d.rows)),
      dates,
      ranges: compressDates(dates.map((d) => d.date), calendar),
    });
  }

  const unexpected = rowDates
    .filter((d) => (expectedByDate.get(d)?.expectedRows ?? 0) === 0 && (expectedByDate.get(d)?.sourceShortGames ?? 0) === 0)
    .map((date) => ({ date, rows: input.counts.get(date)?.rows ?? 0 }));
  if (unexpected.length > 0) {
    problems.push({
      kind: 'unexpected_rows',
      rows: sum(unexpected.map((u) => u.rows)),
      dates: unexpected,
      ranges: compressDates(unexpected.map((u) => u.date), calendar),
    });
  }

  const wrongMode = [...input.counts.entries()]
    .filter(([, c]) => c.wrongModeRows > 0)
    .map(([date, c]) => ({ date, rows: c.wrongModeRows }))
    .sort((a, b) => (a.date < b.date ? -1 : 1));
  if (wrongMode.length > 0) {
    problems.push({
      kind: 'wrong_run_mode',
      expectedRunMode: input.mode,
      rows: sum(wrongMode.map((w) => w.rows)),
      dates: wrongMode,
      ranges: compressDates(wrongMode.map((w) => w.date), calendar),
    });
  }

  return {
    rows: sum(rowDates.map((d) => input.counts.get(d)?.rows ?? 0)),
    expectedRows,
    expectedDates,
    completeDates,
    completeDateList,
    // Source-short dates count against coverage: a table whose raw data is missing is not covered.
    coveragePct: expectedDates + sourceShortDates === 0 ? null : Math.floor((1000 * completeDates) / (expectedDates + sourceShortDates)) / 10,
    sourceShortDates,
    sourceShortGames,
    excludedDates,
    minDate: rowDates[0] ?? null,
    maxDate: rowDates[rowDates.length - 1] ?? null,
    distinctDates: rowDates.length,
    testDatasetRows: input.testCounts ? sum([...input.testCounts.values()]) : null,
    problems,
  };
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
