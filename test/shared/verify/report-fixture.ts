import type { TableReport, VerificationReport } from '../../../shared/verify/report-schema.js';
import { decideOverall } from '../../../shared/verify/table-status.js';

const checksPassed = (): TableReport['checks'] =>
  (['coverage', 'excess_rows', 'unexpected_rows', 'run_mode', 'duplicate_keys', 'null_criticals', 'keys_resolve'] as const).map((name) => ({
    name,
    passed: true,
  }));

export function tableReport(over: Partial<TableReport> & Pick<TableReport, 'table'>): TableReport {
  return {
    dataset: 'nba_analytics',
    status: 'COMPLETE',
    statusReason: 'every check passed',
    rows: 2460,
    expectedRows: 2460,
    expectedDates: 160,
    completeDates: 160,
    completeDateList: [],
    coveragePct: 100,
    sourceShortDates: 0,
    sourceShortGames: 0,
    excludedDates: 0,
    minDate: '2021-10-19',
    maxDate: '2022-04-10',
    distinctDates: 160,
    testDatasetRows: 0,
    checks: checksPassed(),
    crossTable: [],
    queries: [{ family: 'row_counts', label: `verify_rows_${over.table}`, bytesProcessed: 1024 }],
    ledger: null,
    leakageChecked: null,
    problems: [],
    ...over,
  };
}

/** Two tables: one complete, one incomplete with 40 no_source dates in 2 ranges and a failed date. */
export function sampleReport(): VerificationReport {
  const noSourceDates = Array.from({ length: 40 }, (_, i) => `2021-11-${String((i % 30) + 1).padStart(2, '0')}`);
  const tables: TableReport[] = [
    tableReport({ table: 'team_offense_game_summary' }),
    tableReport({
      table: 'player_game_summary',
      status: 'FAILED',
      statusReason: '1 duplicated key (1 extra row)',
      rows: 100,
      expectedRows: 120,
      expectedDates: 120,
      completeDates: 80,
      sourceShortDates: 40,
      coveragePct: 50,
      problems: [
        {
          kind: 'date_rows',
          reason: 'no_source',
          expectedRows: 0,
          rows: 0,
          dates: noSourceDates.map((date) => ({ date, expectedRows: 0, rows: 0, sourceShortGames: 7, testRows: 0, chunk: null })),
          ranges: [
            { start: '2021-11-01', end: '2021-11-30', dates: 30 },
            { start: '2021-12-01', end: '2021-12-10', dates: 10 },
          ],
        },
        {
          kind: 'date_rows',
          reason: 'failed',
          expectedRows: 20,
          rows: 0,
          dates: [{ date: '2022-01-05', expectedRows: 20, rows: 0, sourceShortGames: 0, testRows: 0, chunk: { state: 'failed', attempts: 2, lastError: 'TransientError: timeout' } }],
          ranges: [{ start: '2022-01-05', end: '2022-01-05', dates: 1 }],
        },
        { kind: 'duplicate_keys', keys: 1, extraRows: 1, sample: [{ game_id: '0022100001', player_lookup: 'lebronjames' }] },
        {
          kind: 'cross_table_mismatch',
          truth: 'player_points_sum_match_team',
          compared: 10,
          mismatches: 1,
          listed: [{ key: { game_id: '0022100001', team_abbr: 'LAL' }, actual: 104, expected: 106, expectedFrom: 'nba_raw.nbac_schedule final score' }],
        },
      ],
    }),
  ];
  return {
    schemaVersion: 2,
    generatedAt: '2024-07-01T12:00:00.000Z',
    scope: { tables: ['player_game_summary', 'team_offense_game_summary'], start: '2021-10-01', end: '2022-06-30', mode: 'production', excludeDates: [] },
    options: { tolerance: 0 },
    overall: decideOverall(tables.map((t) => t.status)),
    bytesProcessed: 2048,
    tables,
  };
}
