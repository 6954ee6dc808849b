import type { ColumnSpec, ColumnType, RawTableSpec } from './types.js';
import type { RawTableName } from './names.js';

/**
 * The domains of ../shared/contracts/TABLES.md: the loader refuses any other value, and the sample
 * generator writes only these. One list each, here.
 */
export const SEASON_TYPES = ['regular_season', 'play_in', 'playoffs', 'nba_cup_final'] as const;
export type SeasonType = (typeof SEASON_TYPES)[number];
/** 1 scheduled, 2 live, 3 final, 4 postponed. */
export const GAME_STATUSES = { scheduled: 1, live: 2, final: 3, postponed: 4 } as const;
export const PLAYER_STATUSES = ['active', 'dnp', 'inactive'] as const;
export type PlayerStatus = (typeof PLAYER_STATUSES)[number];
export const INJURY_STATUSES = ['out', 'doubtful', 'questionable', 'probable', 'available'] as const;
export type InjuryStatus = (typeof INJURY_STATUSES)[number];
export const MARKETS = ['spreads', 'totals'] as const;
export type Market = (typeof MARKETS)[number];

function col(name: string, type: ColumnType, nullable = false, allowed?: readonly (string | number)[]): ColumnSpec {
  return { name, type, nullable, ...(allowed ? { allowed: allowed.map(String) } : {}) };
}
const ints = (names: string[], nullable = false) => names.map((n) => col(n, 'INT64', nullable));

/** The raw tables of ../shared/contracts/TABLES.md, column for column, in the CSV header order. */
export const RAW_TABLE_SPECS: Record<RawTableName, RawTableSpec> = {
  nbac_schedule: {
    name: 'nbac_schedule',
    dateColumn: 'game_date',
    partitionColumn: 'game_date',
    columns: [
      col('game_id', 'STRING'), col('game_date', 'DATE'), col('season_year', 'INT64'), col('season_type', 'STRING', false, SEASON_TYPES),
      col('home_team_abbr', 'STRING'), col('away_team_abbr', 'STRING'),
      col('home_score', 'INT64', true), col('away_score', 'INT64', true),
      col('game_status', 'INT64', false, Object.values(GAME_STATUSES)), col('processed_at', 'TIMESTAMP'),
    ],
  },
  nbac_team_boxscore: {
    name: 'nbac_team_boxscore',
    dateColumn: 'game_date',
    partitionColumn: 'game_date',
    columns: [
      col('game_id', 'STRING'), col('game_date', 'DATE'), col('team_abbr', 'STRING'), col('opponent_team_abbr', 'STRING'),
      col('is_home', 'BOOL'),
      ...ints(['points', 'fg_made', 'fg_attempted', 'three_pt_made', 'three_pt_attempted', 'ft_made', 'ft_attempted',
        'offensive_rebounds', 'defensive_rebounds', 'total_rebounds', 'assists', 'steals', 'blocks', 'turnovers',
        'personal_fouls', 'plus_minus']),
      col('processed_at', 'TIMESTAMP'),
    ],
  },
  nbac_gamebook_player_stats: {
    name: 'nbac_gamebook_player_stats',
    dateColumn: 'game_date',
    partitionColumn: 'game_date',
    columns: [
      col('game_id', 'STRING'), col('game_date', 'DATE'), col('team_abbr', 'STRING'), col('player_lookup', 'STRING'),
      col('player_name', 'STRING'), col('player_status', 'STRING', false, PLAYER_STATUSES), col('dnp_reason', 'STRING', true),
      col('starter', 'BOOL'), col('minutes', 'STRING', true),
      ...ints(['points', 'fg_made', 'fg_attempted', 'three_pt_made', 'three_pt_attempted', 'ft_made', 'ft_attempted',
        'offensive_rebounds', 'defensive_rebounds', 'assists', 'steals', 'blocks', 'turnovers', 'personal_fouls',
        'plus_minus'], true),
      col('processed_at', 'TIMESTAMP'),
    ],
  },
  odds_api_player_points_props: {
    name: 'odds_api_player_points_props',
    dateColumn: 'game_date',
    partitionColumn: 'game_date',
    columns: [
      col('game_id', 'STRING'), col('game_date', 'DATE'), col('player_lookup', 'STRING'), col('bookmaker', 'STRING'),
      col('points_line', 'NUMERIC'), col('snapshot_timestamp', 'TIMESTAMP'),
    ],
  },
  odds_api_game_lines: {
    name: 'odds_api_game_lines',
    dateColumn: 'game_date',
    partitionColumn: 'game_date',
    columns: [
      col('game_id', 'STRING'), col('game_date', 'DATE'), col('bookmaker', 'STRING'), col('market', 'STRING', false, MARKETS),
      col('team_abbr', 'STRING', true), col('point', 'NUMERIC'), col('snapshot_timestamp', 'TIMESTAMP'),
    ],
  },
  nbac_injury_report: {
    name: 'nbac_injury_report',
    dateColumn: 'game_date',
    partitionColumn: 'report_date',
    columns: [
      col('report_date', 'DATE'), col('report_timestamp', 'TIMESTAMP'), col('game_id', 'STRING'), col('game_date', 'DATE'),
      col('team_abbr', 'STRING'), col('player_lookup', 'STRING'), col('injury_status', 'STRING', false, INJURY_STATUSES), col('reason', 'STRING', true),
    ],
  },
};
