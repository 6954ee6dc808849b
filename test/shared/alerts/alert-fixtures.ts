import type { DateReason } from '../../../shared/verify/date-reason.js';
import type { Problem } from '../../../shared/verify/problems.js';
import type { TableReport, VerificationReport } from '../../../shared/verify/report-schema.js';
import { decideOverall, decideTableStatus } from '../../../shared/verify/table-status.js';
import type { AnalyticsTableName, RunMode } from '../../../shared/tables/names.js';
import type { AlertState } from '../../../shared/alerts/alert-records.js';
import type { AlertAction } from '../../../shared/alerts/plan-alerts.js';
import { tableReport } from '../verify/report-fixture.js';

export const T0 = Date.parse('2024-07-01T12:00:00.000Z');
export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

export const RANGE = { start: '2021-11-01', end: '2021-11-30' } as const;

/** team_offense points that do not match the schedule: wrong data. */
export function offensePointsMismatch(mismatches = 1): Problem {
  return {
    kind: 'cross_table_mismatch',
    truth: 'offense_points_match_schedule',
    compared: 24,
    mismatches,
    listed: [{ key: { game_id: '0022100150', team_abbr: 'LAL' }, actual: 999, expected: 112, expectedFrom: 'nba_raw.nbac_schedule final score' }],
  };
}

export function duplicateKeys(): Problem {
  return { kind: 'duplicate_keys', keys: 1, extraRows: 1, sample: [{ game_id: '0022100150', team_abbr: 'LAL' }] };
}

/** A date_rows problem on one date: a gap, or (excess) wrong data. */
export function dateProblem(reason: DateReason, date = '2021-11-05'): Problem {
  const expectedRows = reason === 'no_source' ? 0 : 20;
  const rows = reason === 'excess' ? 30 : reason === 'partial' ? 10 : 0;
  return {
    kind: 'date_rows',
    reason,
    expectedRows,
    rows,
    dates: [{ date, expectedRows, rows, sourceShortGames: reason === 'no_source' ? 2 : 0, testRows: 0, chunk: null }],
    ranges: [{ start: date, end: date, dates: 1 }],
  };
}

/** A table's report with these problems, its status decided the way verify() decides it. */
export function tableWith(table: AnalyticsTableName, problems: Problem[] = [], inFlightChunks = 0): TableReport {
  const decision = decideTableStatus({ problems, rows: 100, testRows: 0, inFlightChunks });
  return tableReport({ table, problems, status: decision.status, statusReason: decision.reason });
}

export function reportOf(
  tables: TableReport[],
  options: { start?: string; end?: string; mode?: RunMode; at?: number } = {},
): VerificationReport {
  return {
    schemaVersion: 2,
    generatedAt: new Date(options.at ?? T0).toISOString(),
    scope: { tables: tables.map((t) => t.table), start: options.start ?? RANGE.start, end: options.end ?? RANGE.end, mode: options.mode ?? 'production', excludeDates: [] },
    options: { tolerance: 0 },
    overall: decideOverall(tables.map((t) => t.status)),
    bytesProcessed: null,
    tables,
  };
}

/** The stored alerts after the planned actions were carried out and every send succeeded. */
export function afterSending(alerts: readonly AlertState[], actions: readonly AlertAction[]): AlertState[] {
  const byId = new Map(alerts.map((a) => [a.id, a]));
  for (const action of actions) {
    const next = action.type === 'notify' ? action.sent : action.next;
    byId.set(next.id, { ...next, revision: (byId.get(next.id)?.revision ?? 0) + 1 });
  }
  return [...byId.values()];
}
