/** The five analytics tables of ../shared/contracts/TABLES.md, in dependency order. */
export const ANALYTICS_TABLES = [
  'player_game_summary',
  'team_offense_game_summary',
  'team_defense_game_summary',
  'upcoming_team_game_context',
  'upcoming_player_game_context',
] as const;
export type AnalyticsTableName = (typeof ANALYTICS_TABLES)[number];
export function isAnalyticsTable(value: unknown): value is AnalyticsTableName {
  return typeof value === 'string' && (ANALYTICS_TABLES as readonly string[]).includes(value);
}

/** Raw tables in `nba_raw`, written by scrapers outside this project and only read here. */
export const RAW_TABLES = [
  'nbac_schedule',
  'nbac_team_boxscore',
  'nbac_gamebook_player_stats',
  'odds_api_player_points_props',
  'odds_api_game_lines',
  'nbac_injury_report',
] as const;
export type RawTableName = (typeof RAW_TABLES)[number];
export function isRawTable(value: unknown): value is RawTableName {
  return typeof value === 'string' && (RAW_TABLES as readonly string[]).includes(value);
}

export const RUN_MODES = ['production', 'test'] as const;
export type RunMode = (typeof RUN_MODES)[number];
export function isRunMode(value: unknown): value is RunMode {
  return typeof value === 'string' && (RUN_MODES as readonly string[]).includes(value);
}

/** Dataset (BigQuery) or schema (DuckDB) names of the contract. */
export const RAW_DATASET = 'nba_raw';
export const ANALYTICS_DATASETS: Record<RunMode, string> = {
  production: 'nba_analytics',
  test: 'test_nba_analytics',
};
