-- test_rows_in_production: rows in the production dataset ${analytics_dataset} that a test-mode run
-- wrote (run_mode other than 'production'). Test runs write to test_nba_analytics only, so any row here
-- is a bug to fix and to clean up; the view should always be empty.
-- The game_date bound only satisfies the tables' require_partition_filter: every partition is read
-- (run_mode, run_id and processed_at only, which is cheap).
SELECT 'player_game_summary' AS table_name, game_date, run_id, run_mode,
  COUNT(*) AS row_count, MIN(processed_at) AS first_processed_at, MAX(processed_at) AS last_processed_at
FROM `${project}.${analytics_dataset}.player_game_summary`
WHERE game_date >= DATE '1900-01-01' AND IFNULL(run_mode, '') != 'production'
GROUP BY game_date, run_id, run_mode
UNION ALL
SELECT 'team_offense_game_summary', game_date, run_id, run_mode, COUNT(*), MIN(processed_at), MAX(processed_at)
FROM `${project}.${analytics_dataset}.team_offense_game_summary`
WHERE game_date >= DATE '1900-01-01' AND IFNULL(run_mode, '') != 'production'
GROUP BY game_date, run_id, run_mode
UNION ALL
SELECT 'team_defense_game_summary', game_date, run_id, run_mode, COUNT(*), MIN(processed_at), MAX(processed_at)
FROM `${project}.${analytics_dataset}.team_defense_game_summary`
WHERE game_date >= DATE '1900-01-01' AND IFNULL(run_mode, '') != 'production'
GROUP BY game_date, run_id, run_mode
UNION ALL
SELECT 'upcoming_team_game_context', game_date, run_id, run_mode, COUNT(*), MIN(processed_at), MAX(processed_at)
FROM `${project}.${analytics_dataset}.upcoming_team_game_context`
WHERE game_date >= DATE '1900-01-01' AND IFNULL(run_mode, '') != 'production'
GROUP BY game_date, run_id, run_mode
UNION ALL
SELECT 'upcoming_player_game_context', game_date, run_id, run_mode, COUNT(*), MIN(processed_at), MAX(processed_at)
FROM `${project}.${analytics_dataset}.upcoming_player_game_context`
WHERE game_date >= DATE '1900-01-01' AND IFNULL(run_mode, '') != 'production'
GROUP BY game_date, run_id, run_mode
