import type { RenderedQuery, SqlContext } from '../../sql/dialect.js';
import { renderQuery } from '../../sql/render.js';
import { RAW_DATASET, type AnalyticsTableName } from '../../tables/names.js';
import type { IsoDate } from '../../util/dates.js';
import { VERIFY_LIMITS } from '../limits.js';
import type { CrossTableTruth, Problem } from '../problems.js';
import { activePlayersCte, finalGamesCte, latestGamebookCte, latestScheduleCte, shortGamebook } from '../../tables/sql-fragments.js';
import { inRange } from './in-range.js';
import { toInt, toNumber, toText } from './values.js';

const OFFENSE = 'team_offense_game_summary';
const SCHEDULE_SCORE = `${RAW_DATASET}.nbac_schedule final score`;

/** The truth each table is checked against (TABLES.md, "Cross-table truths"). */
export const CROSS_TABLE_TRUTH_OF: Readonly<Partial<Record<AnalyticsTableName, CrossTableTruth>>> = {
  team_offense_game_summary: 'offense_points_match_schedule',
  team_defense_game_summary: 'defense_points_match_opponent_offense',
  player_game_summary: 'player_points_sum_match_team',
};

export interface CrossTableScope {
  readonly start: IsoDate;
  readonly end: IsoDate;
  /** Dataset holding team_offense_game_summary for this mode, named in `expectedFrom`. */
  readonly dataset: string;
}

/** The score of `team` in the schedule game `s`. */
const scheduleScore = (team: string, s = 's') =>
  `CASE WHEN ${team} = ${s}.home_team_abbr THEN ${s}.home_score WHEN ${team} = ${s}.away_team_abbr THEN ${s}.away_score END`;

/**
 * The compared pairs (k_0, k_1, actual, expected, expected_from) become exact totals on every row
 * and the first mismatches, listed.
 */
function wrap(comparedSql: string): string {
  return `${comparedSql},
ranked AS (
  SELECT c.*,
    CASE WHEN c.actual IS NULL OR c.expected IS NULL OR c.actual <> c.expected THEN 1 ELSE 0 END AS mismatch
  FROM compared AS c
)
SELECT * FROM (
  SELECT r.*,
    COUNT(*) OVER () AS compared_total,
    SUM(r.mismatch) OVER () AS mismatch_total,
    ROW_NUMBER() OVER (ORDER BY r.mismatch DESC, r.k_0, r.k_1) AS mismatch_rank
  FROM ranked AS r
) AS listed
WHERE mismatch_rank <= ${VERIFY_LIMITS.mismatchesListed}`;
}

function offenseVsSchedule(ctx: SqlContext): string {
  return `WITH ${latestScheduleCte(ctx)},
compared AS (
  SELECT o.game_id AS k_0, o.team_abbr AS k_1, o.points_scored AS actual,
    ${scheduleScore('o.team_abbr')} AS expected,
    '${SCHEDULE_SCORE}' AS expected_from
  FROM ${ctx.analytics(OFFENSE)} AS o
  JOIN schedule AS s ON s.game_id = o.game_id AND s.game_date = o.game_date
  WHERE ${inRange(ctx, 'o.game_date')} AND s.game_status = 3 AND o.team_abbr IN (s.home_team_abbr, s.away_team_abbr)
)`;
}

/** Against the opponent's offense row where it exists, else the schedule's score of the opponent (the offense truth). */
function defenseVsOffense(ctx: SqlContext, dataset: string): string {
  return `WITH ${latestScheduleCte(ctx)},
offense AS (
  SELECT game_id, team_abbr, points_scored FROM ${ctx.analytics(OFFENSE)} WHERE ${inRange(ctx)}
),
compared AS (
  SELECT df.game_id AS k_0, df.defending_team_abbr AS k_1, df.points_allowed AS actual,
    CASE WHEN o.game_id IS NOT NULL THEN o.points_scored ELSE ${scheduleScore('df.opponent_team_abbr')} END AS expected,
    CASE WHEN o.game_id IS NOT NULL THEN '${dataset}.${OFFENSE}.points_scored' ELSE '${SCHEDULE_SCORE}' END AS expected_from
  FROM ${ctx.analytics('team_defense_game_summary')} AS df
  JOIN schedule AS s ON s.game_id = df.game_id AND s.game_date = df.game_date
  LEFT JOIN offense AS o ON o.game_id = df.game_id AND o.team_abbr = df.opponent_team_abbr
  WHERE ${inRange(ctx, 'df.game_date')} AND s.game_status = 3
    AND df.opponent_team_abbr IN (s.home_team_abbr, s.away_team_abbr) AND df.opponent_team_abbr <> df.defending_team_abbr
)`;
}

/**
 * Only games whose gamebook is complete (each team lists >= 5 distinct active players in the latest
 * raw gamebook rows, as the expectation decides it, never from the checked table) are compared; the team's points come from its offense row where
 * it exists, else the schedule's final score.
 */
function playerPointsVsTeam(ctx: SqlContext, dataset: string): string {
  return `WITH ${latestScheduleCte(ctx)},
${finalGamesCte(ctx)},
${latestGamebookCte(ctx)},
${activePlayersCte('active_players', 'final_games')},
complete_games AS (
  SELECT f.game_id, f.home_team_abbr, f.away_team_abbr, f.home_score, f.away_score
  FROM final_games AS f
  JOIN active_players AS a ON a.game_id = f.game_id
  WHERE NOT ${shortGamebook('a')}
),
players AS (
  SELECT game_id, team_abbr, SUM(points) AS points
  FROM ${ctx.analytics('player_game_summary')}
  WHERE ${inRange(ctx)}
  GROUP BY game_id, team_abbr
),
offense AS (
  SELECT game_id, team_abbr, points_scored FROM ${ctx.analytics(OFFENSE)} WHERE ${inRange(ctx)}
),
compared AS (
  SELECT p.game_id AS k_0, p.team_abbr AS k_1, p.points AS actual,
    CASE WHEN o.game_id IS NOT NULL THEN o.points_scored ELSE ${scheduleScore('p.team_abbr', 'cg')} END AS expected,
    CASE WHEN o.game_id IS NOT NULL THEN '${dataset}.${OFFENSE}.points_scored' ELSE '${SCHEDULE_SCORE}' END AS expected_from
  FROM players AS p
  JOIN complete_games AS cg ON cg.game_id = p.game_id AND p.team_abbr IN (cg.home_team_abbr, cg.away_team_abbr)
  LEFT JOIN offense AS o ON o.game_id = p.game_id AND o.team_abbr = p.team_abbr
)`;
}

const KEY_COLUMNS: Record<CrossTableTruth, readonly [string, string]> = {
  offense_points_match_schedule: ['game_id', 'team_abbr'],
  defense_points_match_opponent_offense: ['game_id', 'defending_team_abbr'],
  player_points_sum_match_team: ['game_id', 'team_abbr'],
};

export function crossTableQuery(truth: CrossTableTruth, ctx: SqlContext, scope: CrossTableScope): RenderedQuery {
  const compared =
    truth === 'offense_points_match_schedule'
      ? offenseVsSchedule(ctx)
      : truth === 'defense_points_match_opponent_offense'
        ? defenseVsOffense(ctx, scope.dataset)
        : playerPointsVsTeam(ctx, scope.dataset);
  return renderQuery(`verify_cross_${truth}`, wrap(compared), { start_date: scope.start, end_date: scope.end });
}

export interface CrossTableResult {
  readonly truth: CrossTableTruth;
  readonly compared: number;
  readonly mismatches: number;
  /** Present only when something did not match. */
  readonly problem: Problem | null;
}

export function parseCrossTable(truth: CrossTableTruth, rows: readonly Record<string, unknown>[]): CrossTableResult {
  const first = rows[0];
  const compared = first ? toInt(first.compared_total) : 0;
  const mismatches = first ? toInt(first.mismatch_total) : 0;
  if (mismatches === 0) return { truth, compared, mismatches, problem: null };
  const [k0, k1] = KEY_COLUMNS[truth];
  const listed = rows
    .filter((r) => toInt(r.mismatch) === 1)
    .sort((a, b) => toInt(a.mismatch_rank) - toInt(b.mismatch_rank))
    .map((r) => ({
      key: { [k0]: toText(r.k_0), [k1]: toText(r.k_1) },
      actual: toNumber(r.actual),
      expected: toNumber(r.expected),
      expectedFrom: toText(r.expected_from) ?? '',
    }));
  return { truth, compared, mismatches, problem: { kind: 'cross_table_mismatch', truth, compared, mismatches, listed } };
}
