import type { AnalyticsTableSpec } from '../types.js';
import type { SqlContext } from '../../sql/dialect.js';
import {
  finalGamesCte, latestBoxScoreCte, latestScheduleCte, possessions, runColumns, teamBoxScoreExpectation, teamSidesCte,
  withCtes,
} from '../sql-fragments.js';
import { col, ints, LINEAGE_COLUMNS, RUN_COLUMNS, SAME_DATE } from './columns.js';

const COLUMNS = [
  col('game_id', 'STRING'), col('game_date', 'DATE'), col('season_year', 'INT64'),
  col('defending_team_abbr', 'STRING'), col('opponent_team_abbr', 'STRING'), col('home_game', 'BOOL'),
  col('win_flag', 'BOOL'),
  ...ints(['points_allowed', 'opp_fg_made', 'opp_fg_attempted', 'opp_three_pt_made', 'opp_three_pt_attempted',
    'opp_ft_made', 'opp_ft_attempted', 'opp_rebounds', 'opp_assists', 'turnovers_forced', 'steals', 'blocks',
    'defensive_rebounds']),
  col('defensive_rating', 'NUMERIC', false, '100 x points allowed / opponent possessions, 2 places'),
  ...RUN_COLUMNS,
  ...LINEAGE_COLUMNS,
];

/**
 * One row per (game_id, defending team) of a final game, read from the raw box score directly so the table
 * does not wait for team_offense_game_summary. A row needs both teams' box score rows: the opponent's
 * gives what was allowed, the team's own gives steals, blocks and defensive rebounds. A game missing
 * either row is short in the expectation, and writes only the rows its data supports.
 */
function transform(ctx: SqlContext): string {
  const { d } = ctx;
  const ctes = [
    latestScheduleCte(ctx), finalGamesCte(ctx), teamSidesCte('sides', 'final_games'), latestBoxScoreCte(ctx),
  ];
  return withCtes(ctes, `SELECT s.game_id, s.game_date, s.season_year, s.team_abbr AS defending_team_abbr,
  s.opponent_team_abbr, s.home_game,
  own.points > opp.points AS win_flag,
  opp.points AS points_allowed, opp.fg_made AS opp_fg_made, opp.fg_attempted AS opp_fg_attempted,
  opp.three_pt_made AS opp_three_pt_made, opp.three_pt_attempted AS opp_three_pt_attempted,
  opp.ft_made AS opp_ft_made, opp.ft_attempted AS opp_ft_attempted,
  opp.total_rebounds AS opp_rebounds, opp.assists AS opp_assists, opp.turnovers AS turnovers_forced,
  own.steals, own.blocks, own.defensive_rebounds,
  ${d.numeric(d.safeDivide('100 * opp.points', possessions('opp')), 2)} AS defensive_rating,
  ${runColumns(d)}
FROM sides AS s
INNER JOIN box_scores AS own ON own.game_id = s.game_id AND own.team_abbr = s.team_abbr
INNER JOIN box_scores AS opp ON opp.game_id = s.game_id AND opp.team_abbr = s.opponent_team_abbr`);
}

export const teamDefenseGameSummary: AnalyticsTableSpec = {
  name: 'team_defense_game_summary',
  description: 'One row per team in a final game, from the defending side: what the opponent made and the defensive rating.',
  columns: COLUMNS,
  key: ['game_id', 'defending_team_abbr'],
  partitionColumn: 'game_date',
  rawReads: [{ table: 'nbac_schedule', window: SAME_DATE }, { table: 'nbac_team_boxscore', window: SAME_DATE }],
  upstream: [],
  transformVersion: 1,
  transform,
  expectation: teamBoxScoreExpectation,
};
