import type { AnalyticsTableSpec } from '../types.js';
import type { SqlContext } from '../../sql/dialect.js';
import {
  BEFORE_THIS_DATE, expectationSelect, GAME_STATUS_FINAL, GAME_STATUS_POSTPONED, inJobDates, jobParams, lastDays,
  latestInjuryReportCte, latestScheduleCte, runColumns, scheduledGamesCte, teamSidesCte, withCtes,
} from '../sql-fragments.js';
import { col, ints, LINEAGE_COLUMNS, RUN_COLUMNS, SAME_DATE } from './columns.js';

/** The longest "games in the last N days" window: the schedule is read this far before the job. */
const RECENT_DAYS = 14;

const COLUMNS = [
  col('game_id', 'STRING'), col('game_date', 'DATE'), col('season_year', 'INT64'),
  col('team_abbr', 'STRING'), col('opponent_team_abbr', 'STRING'), col('home_game', 'BOOL'),
  col('days_rest', 'INT64', true, 'days since the team\'s previous game of the same season; NULL for its first'),
  col('is_back_to_back', 'BOOL'),
  ...ints(['games_in_last_7_days', 'games_in_last_14_days', 'win_streak_entering', 'loss_streak_entering',
    'season_wins_entering', 'season_losses_entering']),
  col('game_spread', 'NUMERIC', true, 'this team\'s latest spread snapshot before 00:00 UTC of game_date'),
  col('game_total', 'NUMERIC', true, 'latest total snapshot before 00:00 UTC of game_date'),
  col('players_out_count', 'INT64', false, 'players of this team `out` in the latest injury report for the game'),
  ...RUN_COLUMNS,
  ...LINEAGE_COLUMNS,
];

/**
 * One row per team of a scheduled (not postponed) game. Every feature is a window over the team's
 * timeline of non-postponed games ordered by day number, with frames that end the day before the row's
 * date: nothing from D itself or later is counted, and the cost is one sort of the schedule rather than a
 * scan of history per row.
 *
 * Streaks: the decided (final, scored) games of a team's season are numbered in date order; the last one
 * before D is number wins + losses entering D, and its streak length is read from there.
 */
function transform(ctx: SqlContext): string {
  const { d } = ctx;
  const p = jobParams(d);
  const teamSeason = 'PARTITION BY team_abbr, season_year ORDER BY day_number';
  const team = 'PARTITION BY team_abbr ORDER BY day_number';
  const ctes = [
    latestScheduleCte(ctx, RECENT_DAYS),
    scheduledGamesCte(ctx),
    `history_games AS (
  SELECT * FROM schedule WHERE game_status <> ${GAME_STATUS_POSTPONED} AND game_date <= ${p.endDate}
)`,
    teamSidesCte('team_games', 'history_games'),
    `timeline AS (
  SELECT game_id, game_date, season_year, team_abbr, opponent_team_abbr, home_game,
    ${d.dayNumber('game_date')} AS day_number,
    CASE WHEN game_status = ${GAME_STATUS_FINAL} AND team_score > opponent_score THEN 1 ELSE 0 END AS is_win,
    CASE WHEN game_status = ${GAME_STATUS_FINAL} AND team_score < opponent_score THEN 1 ELSE 0 END AS is_loss
  FROM team_games
)`,
    `entering AS (
  SELECT game_id, game_date, season_year, team_abbr, opponent_team_abbr, home_game, day_number,
    MAX(day_number) OVER (${teamSeason} ${BEFORE_THIS_DATE}) AS previous_day_number,
    COUNT(*) OVER (${team} ${lastDays(7)}) AS games_in_last_7_days,
    COUNT(*) OVER (${team} ${lastDays(RECENT_DAYS)}) AS games_in_last_14_days,
    COALESCE(SUM(is_win) OVER (${teamSeason} ${BEFORE_THIS_DATE}), 0) AS season_wins_entering,
    COALESCE(SUM(is_loss) OVER (${teamSeason} ${BEFORE_THIS_DATE}), 0) AS season_losses_entering
  FROM timeline
)`,
    `decided AS (
  SELECT team_abbr, season_year, is_win,
    ROW_NUMBER() OVER (PARTITION BY team_abbr, season_year ORDER BY day_number, game_id) AS decided_number,
    ROW_NUMBER() OVER (PARTITION BY team_abbr, season_year, is_win ORDER BY day_number, game_id) AS result_number
  FROM timeline
  WHERE is_win = 1 OR is_loss = 1
)`,
    // decided_number - result_number is constant along a run of equal results (gaps and islands).
    `streaks AS (
  SELECT team_abbr, season_year, decided_number, is_win,
    ROW_NUMBER() OVER (
      PARTITION BY team_abbr, season_year, is_win, decided_number - result_number ORDER BY decided_number
    ) AS streak_length
  FROM decided
)`,
    `spreads AS (
  SELECT game_id, team_abbr, point
  FROM (
    SELECT l.game_id, l.team_abbr, l.point,
      ROW_NUMBER() OVER (PARTITION BY l.game_id, l.team_abbr ORDER BY l.snapshot_timestamp DESC, l.bookmaker, l.point) AS row_rank
    FROM ${ctx.raw('odds_api_game_lines')} AS l
    INNER JOIN scheduled_games AS g ON g.game_id = l.game_id
    WHERE l.market = 'spreads' AND l.team_abbr IS NOT NULL AND ${inJobDates(d, 'l.game_date')}
      AND l.snapshot_timestamp < ${d.utcMidnight('g.game_date')}
  ) AS ranked_spreads
  WHERE row_rank = 1
)`,
    `totals AS (
  SELECT game_id, point
  FROM (
    SELECT l.game_id, l.point,
      ROW_NUMBER() OVER (PARTITION BY l.game_id ORDER BY l.snapshot_timestamp DESC, l.bookmaker, l.point) AS row_rank
    FROM ${ctx.raw('odds_api_game_lines')} AS l
    INNER JOIN scheduled_games AS g ON g.game_id = l.game_id
    WHERE l.market = 'totals' AND ${inJobDates(d, 'l.game_date')}
      AND l.snapshot_timestamp < ${d.utcMidnight('g.game_date')}
  ) AS ranked_totals
  WHERE row_rank = 1
)`,
    latestInjuryReportCte(ctx, 'injury_report', 'scheduled_games'),
    `players_out AS (
  SELECT game_id, team_abbr, COUNT(DISTINCT player_lookup) AS players_out
  FROM injury_report
  WHERE injury_status = 'out'
  GROUP BY game_id, team_abbr
)`,
  ];
  const daysRest = 'e.day_number - e.previous_day_number';
  return withCtes(ctes, `SELECT e.game_id, e.game_date, e.season_year, e.team_abbr, e.opponent_team_abbr, e.home_game,
  ${d.cast(daysRest, 'INT64')} AS days_rest,
  COALESCE(${daysRest} = 1, FALSE) AS is_back_to_back,
  e.games_in_last_7_days, e.games_in_last_14_days,
  CASE WHEN k.is_win = 1 THEN k.streak_length ELSE 0 END AS win_streak_entering,
  CASE WHEN k.is_win = 0 THEN k.streak_length ELSE 0 END AS loss_streak_entering,
  ${d.cast('e.season_wins_entering', 'INT64')} AS season_wins_entering,
  ${d.cast('e.season_losses_entering', 'INT64')} AS season_losses_entering,
  sp.point AS game_spread,
  tot.point AS game_total,
  COALESCE(o.players_out, 0) AS players_out_count,
  ${runColumns(d)}
FROM entering AS e
LEFT JOIN streaks AS k
  ON k.team_abbr = e.team_abbr AND k.season_year = e.season_year
  AND k.decided_number = e.season_wins_entering + e.season_losses_entering
LEFT JOIN spreads AS sp ON sp.game_id = e.game_id AND sp.team_abbr = e.team_abbr
LEFT JOIN totals AS tot ON tot.game_id = e.game_id
LEFT JOIN players_out AS o ON o.game_id = e.game_id AND o.team_abbr = e.team_abbr
WHERE ${inJobDates(d, 'e.game_date')}`);
}

/** Dates with scheduled (not postponed) games: 2 rows per game, never short (the schedule is the source). */
function expectation(ctx: SqlContext): string {
  const perGame = `per_game AS (
  SELECT game_date, 2 AS expected_rows, FALSE AS is_short FROM scheduled_games
)`;
  return withCtes([latestScheduleCte(ctx), scheduledGamesCte(ctx), perGame], expectationSelect(ctx.d, 'per_game'));
}

export const upcomingTeamGameContext: AnalyticsTableSpec = {
  name: 'upcoming_team_game_context',
  description: 'One row per team in a scheduled game: rest, recent load, season record and streak, lines and injuries entering the game.',
  columns: COLUMNS,
  key: ['game_id', 'team_abbr'],
  partitionColumn: 'game_date',
  rawReads: [
    // Season records, streaks and rest read the season's schedule up to D; games in the last 14 days cross seasons.
    { table: 'nbac_schedule', window: { kind: 'season_to_date', daysBefore: RECENT_DAYS } },
    { table: 'odds_api_game_lines', window: SAME_DATE },
    { table: 'nbac_injury_report', window: SAME_DATE },
  ],
  upstream: [],
  transformVersion: 1,
  transform,
  expectation,
};
