import type { AnalyticsTableSpec } from '../types.js';
import type { SqlContext } from '../../sql/dialect.js';
import {
  finalGamesCte, latestBoxScoreCte, latestScheduleCte, possessions, runColumns, teamBoxScoreExpectation, teamSidesCte,
  withCtes,
} from '../sql-fragments.js';
import { col, ints, LINEAGE_COLUMNS, RUN_COLUMNS, SAME_DATE } from './columns.js';

const COLUMNS = [
  col('game_id', 'STRING'), col('game_date', 'DATE'), col('season_year', 'INT64'),
  col('team_abbr', 'STRING'), col('opponent_team_abbr', 'STRING'), col('home_game', 'BOOL'), col('win_flag', 'BOOL'),
  ...ints(['points_scored', 'fg_made', 'fg_attempted', 'three_pt_made', 'three_pt_attempted', 'ft_made', 'ft_attempted',
    'offensive_rebounds', 'defensive_rebounds', 'rebounds', 'assists', 'turnovers']),
  col('possessions', 'NUMERIC', false, 'FGA + 0.44 x FTA - OREB + TOV, 2 places'),
  col('offensive_rating', 'NUMERIC', false, '100 x points / possessions, 2 places'),
  col('margin_of_victory', 'INT64', false, 'points scored minus the opponent\'s points'),
  ...RUN_COLUMNS,
  ...LINEAGE_COLUMNS,
];

/**
 * One row per team of a final game that has its box score row. Team, opponent and home_game come from the
 * schedule (a box row for a team not in the game is ignored). The opponent's points are its box score
 * points, or its schedule score when its box row is missing, so margin and win_flag exist for every row.
 */
function transform(ctx: SqlContext): string {
  const { d } = ctx;
  const opponentPoints = 'COALESCE(o.points, s.opponent_score)';
  const ctes = [
    latestScheduleCte(ctx), finalGamesCte(ctx), teamSidesCte('sides', 'final_games'), latestBoxScoreCte(ctx),
  ];
  return withCtes(ctes, `SELECT s.game_id, s.game_date, s.season_year, s.team_abbr, s.opponent_team_abbr, s.home_game,
  b.points > ${opponentPoints} AS win_flag,
  b.points AS points_scored, b.fg_made, b.fg_attempted, b.three_pt_made, b.three_pt_attempted, b.ft_made, b.ft_attempted,
  b.offensive_rebounds, b.defensive_rebounds, b.total_rebounds AS rebounds, b.assists, b.turnovers,
  ${d.numeric(possessions('b'), 2)} AS possessions,
  ${d.numeric(d.safeDivide('100 * b.points', possessions('b')), 2)} AS offensive_rating,
  b.points - ${opponentPoints} AS margin_of_victory,
  ${runColumns(d)}
FROM sides AS s
INNER JOIN box_scores AS b ON b.game_id = s.game_id AND b.team_abbr = s.team_abbr
LEFT JOIN box_scores AS o ON o.game_id = s.game_id AND o.team_abbr = s.opponent_team_abbr`);
}

export const teamOffenseGameSummary: AnalyticsTableSpec = {
  name: 'team_offense_game_summary',
  description: 'One row per team in a final game: its box score, possessions, offensive rating and result.',
  columns: COLUMNS,
  key: ['game_id', 'team_abbr'],
  partitionColumn: 'game_date',
  rawReads: [{ table: 'nbac_schedule', window: SAME_DATE }, { table: 'nbac_team_boxscore', window: SAME_DATE }],
  upstream: [],
  transformVersion: 1,
  transform,
  expectation: teamBoxScoreExpectation,
};
