import type { AnalyticsTableSpec } from '../types.js';
import type { SqlContext } from '../../sql/dialect.js';
import {
  activePlayersCte, expectationSelect, finalGamesCte, inJobDates, isHomeTeam, latestGamebookCte, latestScheduleCte, minutesToDecimal,
  opponentOf, propLinesCtes, runColumns, shortGamebook, withCtes,
} from '../sql-fragments.js';
import { col, ints, LINEAGE_COLUMNS, RUN_COLUMNS, SAME_DATE } from './columns.js';

const WHEN_ACTIVE = 'NULL only when not active';
const STATS = [
  'points', 'fg_made', 'fg_attempted', 'three_pt_made', 'three_pt_attempted', 'ft_made', 'ft_attempted',
] as const;
const MORE_STATS = ['assists', 'steals', 'blocks', 'turnovers', 'personal_fouls', 'plus_minus'] as const;

/**
 * Box score lines and stats of a player who played are NULL for one who did not, so those columns are
 * nullable here: the contract's "NULL only when not active" is a condition the verification checks
 * against is_active, not a column that is never NULL.
 */
const COLUMNS = [
  col('game_id', 'STRING'), col('game_date', 'DATE'), col('season_year', 'INT64'),
  col('player_lookup', 'STRING'), col('player_name', 'STRING'),
  col('team_abbr', 'STRING'), col('opponent_team_abbr', 'STRING'), col('home_game', 'BOOL'),
  col('starter', 'BOOL'), col('is_active', 'BOOL'), col('dnp_reason', 'STRING', true),
  col('minutes_played', 'NUMERIC', true, `decimal minutes rounded to 1 place; ${WHEN_ACTIVE}`),
  ...ints(STATS, true, WHEN_ACTIVE),
  col('rebounds', 'INT64', true, `offensive + defensive rebounds; ${WHEN_ACTIVE}`),
  ...ints(MORE_STATS, true, WHEN_ACTIVE),
  col('ts_pct', 'NUMERIC', true, 'points / (2 x (FGA + 0.44 x FTA)), 3 places; NULL without attempts'),
  col('win_flag', 'BOOL'),
  col('points_line', 'NUMERIC', true, 'latest prop line snapshot before 00:00 UTC of game_date'),
  col('over_under_result', 'STRING', true, 'OVER, UNDER or PUSH of points against points_line'),
  ...RUN_COLUMNS,
  ...LINEAGE_COLUMNS,
];

/**
 * One row per (game_id, player_lookup) in the gamebook of a final game. team_abbr is the gamebook's;
 * opponent, home_game, win_flag and season_year come from the schedule. A team in the gamebook that is
 * neither of the game's teams gets NULL opponent, home_game and win_flag, which the verification reports.
 */
function transform(ctx: SqlContext): string {
  const { d } = ctx;
  const stat = (name: string) => `CASE WHEN p.is_active THEN p.${name} END AS ${name}`;
  const players = `players AS (
  SELECT g.game_id, g.game_date, g.season_year, b.player_lookup, b.player_name, b.team_abbr,
    ${opponentOf('b.team_abbr', 'g')} AS opponent_team_abbr,
    ${isHomeTeam('b.team_abbr', 'g')} AS home_game,
    CASE WHEN b.team_abbr = g.home_team_abbr THEN g.home_score > g.away_score
      WHEN b.team_abbr = g.away_team_abbr THEN g.away_score > g.home_score END AS win_flag,
    b.starter, b.player_status = 'active' AS is_active, b.dnp_reason, b.minutes,
    ${[...STATS, ...MORE_STATS, 'offensive_rebounds', 'defensive_rebounds'].map((s) => `b.${s}`).join(', ')}
  FROM gamebook AS b
  INNER JOIN final_games AS g ON g.game_id = b.game_id
)`;
  const ctes = [
    latestScheduleCte(ctx), finalGamesCte(ctx), latestGamebookCte(ctx),
    ...propLinesCtes(ctx, 'final_games', { opening: false }), players,
  ];
  return withCtes(ctes, `SELECT p.game_id, p.game_date, p.season_year, p.player_lookup, p.player_name,
  p.team_abbr, p.opponent_team_abbr, p.home_game, p.starter, p.is_active,
  p.dnp_reason,
  CASE WHEN p.is_active THEN ${minutesToDecimal(d, 'p.minutes')} END AS minutes_played,
  ${STATS.map(stat).join(',\n  ')},
  CASE WHEN p.is_active THEN p.offensive_rebounds + p.defensive_rebounds END AS rebounds,
  ${MORE_STATS.map(stat).join(',\n  ')},
  CASE WHEN p.is_active THEN ${d.numeric(d.safeDivide('p.points', '2 * (p.fg_attempted + 0.44 * p.ft_attempted)'), 3)} END AS ts_pct,
  p.win_flag,
  l.current_points_line AS points_line,
  CASE WHEN NOT p.is_active OR l.current_points_line IS NULL OR p.points IS NULL THEN NULL
    WHEN p.points > l.current_points_line THEN 'OVER'
    WHEN p.points < l.current_points_line THEN 'UNDER'
    ELSE 'PUSH' END AS over_under_result,
  ${runColumns(d)}
FROM players AS p
LEFT JOIN prop_lines AS l ON l.game_id = p.game_id AND l.player_lookup = p.player_lookup`);
}

/**
 * Dates with final games. Expected: the distinct (game_id, player_lookup) the raw gamebook lists for
 * them. Short: final games where either team has fewer than 5 active players (absent team = 0).
 */
function expectation(ctx: SqlContext): string {
  const listed = `listed AS (
  SELECT g.game_id, COUNT(DISTINCT b.player_lookup) AS listed_players
  FROM final_games AS g
  INNER JOIN ${ctx.raw('nbac_gamebook_player_stats')} AS b ON b.game_id = g.game_id
  WHERE ${inJobDates(ctx.d, 'b.game_date')}
  GROUP BY g.game_id
)`;
  const perGame = `per_game AS (
  SELECT a.game_date, COALESCE(l.listed_players, 0) AS expected_rows, ${shortGamebook('a')} AS is_short
  FROM active_players AS a
  LEFT JOIN listed AS l ON l.game_id = a.game_id
)`;
  const ctes = [
    latestScheduleCte(ctx), finalGamesCte(ctx), latestGamebookCte(ctx),
    activePlayersCte('active_players', 'final_games'), listed, perGame,
  ];
  return withCtes(ctes, expectationSelect(ctx.d, 'per_game'));
}

export const playerGameSummary: AnalyticsTableSpec = {
  name: 'player_game_summary',
  description: 'One row per player listed in the gamebook of a final game: his line, shooting efficiency, result and prop line.',
  columns: COLUMNS,
  key: ['game_id', 'player_lookup'],
  partitionColumn: 'game_date',
  rawReads: [
    { table: 'nbac_schedule', window: SAME_DATE },
    { table: 'nbac_gamebook_player_stats', window: SAME_DATE },
    { table: 'odds_api_player_points_props', window: SAME_DATE },
  ],
  upstream: [],
  transformVersion: 1,
  transform,
  expectation,
};
