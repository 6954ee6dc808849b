import { z } from 'zod';
import { CHUNK_STATES } from '../chunks/chunk-state.js';
import { RUN_MODES } from '../tables/names.js';
import { isIsoDate } from '../util/dates.js';
import { DATE_REASONS, type DateReason } from './date-reason.js';
import { StaleCauseSchema } from '../lineage/stale-cause.js';

export const IsoDateSchema = z.string().refine(isIsoDate, 'must be YYYY-MM-DD');

/** A table key as column -> value text; a NULL key part stays null. Columns in the table's key order. */
export const KeySchema = z.record(z.string(), z.string().nullable());
export type Key = z.infer<typeof KeySchema>;

/**
 * Consecutive problem dates, where "consecutive" follows the table's game calendar (expected game
 * dates and dates holding rows), not calendar days: an All-Star break does not split a range, a
 * healthy game date in between does.
 */
export const DateRangeSchema = z.object({ start: IsoDateSchema, end: IsoDateSchema, dates: z.number().int().positive() });
export type DateRange = z.infer<typeof DateRangeSchema>;

export const DateDetailSchema = z.object({
  date: IsoDateSchema,
  expectedRows: z.number().int(),
  rows: z.number().int(),
  sourceShortGames: z.number().int(),
  /** Rows for the date in the test dataset; null when not looked at. */
  testRows: z.number().int().nullable(),
  /** The ledger's chunk for (table, date, mode), shown beside; never trusted instead of the counts. */
  chunk: z
    .object({ state: z.enum(CHUNK_STATES), attempts: z.number().int(), lastError: z.string().nullable() })
    .nullable(),
  /** Present on `stale` dates only: why the rows are not built from the inputs as they are now. */
  stale: z.array(StaleCauseSchema).optional(),
});
export type DateDetail = z.infer<typeof DateDetailSchema>;

export const DateCountSchema = z.object({ date: IsoDateSchema, rows: z.number().int() });

export const CROSS_TABLE_TRUTHS = [
  /** team_offense.points_scored = the schedule's final score of that team. */
  'offense_points_match_schedule',
  /** team_defense.points_allowed = team_offense.points_scored of the opponent in the same game. */
  'defense_points_match_opponent_offense',
  /** Sum of player points per (game_id, team_abbr) = the team's final score, where the gamebook is complete. */
  'player_points_sum_match_team',
] as const;
export type CrossTableTruth = (typeof CROSS_TABLE_TRUTHS)[number];

export const MismatchSchema = z.object({
  key: KeySchema,
  actual: z.number().nullable(),
  expected: z.number().nullable(),
  /** Where `expected` was read, e.g. `nba_analytics.team_offense_game_summary.points_scored`. */
  expectedFrom: z.string(),
});
export type Mismatch = z.infer<typeof MismatchSchema>;

export const TeamNotInGameSchema = z.object({
  key: KeySchema,
  column: z.string(),
  value: z.string().nullable(),
  homeTeam: z.string().nullable(),
  awayTeam: z.string().nullable(),
});

const dateRows = z.object({
  kind: z.literal('date_rows'),
  reason: z.enum(DATE_REASONS),
  expectedRows: z.number().int(),
  rows: z.number().int(),
  dates: z.array(DateDetailSchema),
  ranges: z.array(DateRangeSchema),
});
const unexpectedRows = z.object({
  kind: z.literal('unexpected_rows'),
  rows: z.number().int(),
  dates: z.array(DateCountSchema),
  ranges: z.array(DateRangeSchema),
});
const wrongRunMode = z.object({
  kind: z.literal('wrong_run_mode'),
  /** The run_mode every row of the dataset must carry; these rows carry another (test rows in production). */
  expectedRunMode: z.enum(RUN_MODES),
  rows: z.number().int(),
  dates: z.array(DateCountSchema),
  ranges: z.array(DateRangeSchema),
});
const duplicateKeys = z.object({
  kind: z.literal('duplicate_keys'),
  /** Keys held by more than one row. */
  keys: z.number().int(),
  /** Rows beyond the first of each such key. */
  extraRows: z.number().int(),
  sample: z.array(KeySchema),
});
const nullCritical = z.object({
  kind: z.literal('null_critical'),
  column: z.string(),
  /** Set for a column the contract lets be NULL except under this condition (e.g. `is_active`). */
  when: z.string().nullable(),
  rows: z.number().int(),
  sample: z.array(KeySchema),
});
const unknownGame = z.object({
  kind: z.literal('unknown_game'),
  rows: z.number().int(),
  sample: z.array(KeySchema),
});
const teamNotInGame = z.object({
  kind: z.literal('team_not_in_game'),
  rows: z.number().int(),
  sample: z.array(TeamNotInGameSchema),
});
const crossTableMismatch = z.object({
  kind: z.literal('cross_table_mismatch'),
  truth: z.enum(CROSS_TABLE_TRUTHS),
  compared: z.number().int(),
  mismatches: z.number().int(),
  listed: z.array(MismatchSchema),
});

const leakage = z.object({
  kind: z.literal('leakage'),
  /** Dates whose partition differs from its rebuild from inputs with the future masked (see leakage.ts). */
  dates: z.array(z.object({
    date: IsoDateSchema,
    differingRows: z.number().int(),
    columns: z.array(z.string()),
    sample: z.array(KeySchema),
  })),
});

export const ProblemSchema = z.discriminatedUnion('kind', [
  dateRows,
  unexpectedRows,
  wrongRunMode,
  duplicateKeys,
  nullCritical,
  unknownGame,
  teamNotInGame,
  crossTableMismatch,
  leakage,
]);
export type Problem = z.infer<typeof ProblemSchema>;
export type ProblemKind = Problem['kind'];
export const PROBLEM_KINDS = [
  'date_rows', 'unexpected_rows', 'wrong_run_mode', 'duplicate_keys', 'null_critical', 'unknown_game', 'team_not_in_game', 'cross_table_mismatch', 'leakage',
] as const satisfies readonly ProblemKind[];

/** `info`: shown, never deciding a status or alerting (excluded dates). */
export const SEVERITIES = ['wrong_data', 'incomplete', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Wrong data fails a table; incompleteness only keeps it from being complete. */
export function problemSeverity(problem: Problem): Severity {
  if (problem.kind === 'date_rows') return problem.reason === 'excess' ? 'wrong_data' : problem.reason === 'excluded' ? 'info' : 'incomplete';
  return 'wrong_data';
}

/** What the problem is about, without counts or dates: the identity alerts deduplicate on. */
export function problemSubject(problem: Problem): string {
  switch (problem.kind) {
    case 'date_rows': return problem.reason;
    case 'null_critical': return problem.when ? `${problem.column} when ${problem.when}` : problem.column;
    case 'cross_table_mismatch': return problem.truth;
    case 'wrong_run_mode': return problem.expectedRunMode;
    case 'leakage': return [...new Set(problem.dates.flatMap((d) => d.columns))].sort().join(',');
    default: return '';
  }
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

export function dateReasonLabel(reason: DateReason): string {
  return reason === 'excess' ? 'excess rows' : reason.replace('_', ' ');
}

/** One line, for status reasons, alerts and people. */
export function describeProblem(problem: Problem): string {
  switch (problem.kind) {
    case 'date_rows':
      return reasonDescription(problem.reason, problem.dates.length, problem.rows, problem.expectedRows);
    case 'unexpected_rows':
      return `${plural(problem.rows, 'row')} on ${plural(problem.dates.length, 'date')} where nothing was expected`;
    case 'wrong_run_mode':
      return `${plural(problem.rows, 'row')} whose run_mode is not '${problem.expectedRunMode}' on ${plural(problem.dates.length, 'date')}`;
    case 'duplicate_keys':
      return `${plural(problem.keys, 'duplicated key')} (${plural(problem.extraRows, 'extra row')})`;
    case 'null_critical':
      return `${plural(problem.rows, 'NULL')} in critical column ${problem.column}${problem.when ? ` where ${problem.when}` : ''}`;
    case 'unknown_game':
      return `${plural(problem.rows, 'row')} whose game_id is not in the schedule`;
    case 'team_not_in_game':
      return `${plural(problem.rows, 'row')} naming a team that is not one of the game's two teams`;
    case 'cross_table_mismatch':
      return `${problem.truth}: ${plural(problem.mismatches, 'mismatch', 'mismatches')} of ${problem.compared} compared`;
    case 'leakage':
      return `features that read the game's own date or later (leakage) on ${plural(problem.dates.length, 'date')}: ${[...new Set(problem.dates.flatMap((d) => d.columns))].join(', ')}`;
  }
}

function reasonDescription(reason: DateReason, dates: number, rows: number, expected: number): string {
  const on = plural(dates, 'date');
  switch (reason) {
    case 'no_source': return `${on} with short raw data (no_source)`;
    case 'not_processed': return `${on} not processed`;
    case 'failed': return `${on} whose chunk failed`;
    case 'dead': return `${on} whose chunk is dead`;
    case 'partial': return `${on} short: ${rows} of ${expected} rows (partial)`;
    case 'stale': return `${on} built from inputs that changed since, or were missing (stale)`;
    case 'test_only': return `${on} only in the test dataset (test_only)`;
    case 'excess': return `${on} with excess rows: ${rows} where ${expected} expected`;
    case 'excluded': return `${on} excluded from the scope${rows > 0 ? ` (${rows} rows found there)` : ''}`;
  }
}
