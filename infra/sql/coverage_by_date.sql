-- coverage_by_date: rows per analytics table and game_date in ${analytics_dataset}, against what the
-- contract says the date must hold (expected_rows_by_date: each table's expectation from the registry,
-- the same numbers verification uses). Window: ${coverage_start} through yesterday.
-- status, as shared/verify/date-reason.ts classifyDate decides it (exact counts, no ledger):
--   excess (more rows than expected: wrong data) | no_source (raw data short: the date cannot be complete
--   until it arrives) | complete | missing (no rows) | partial (some rows).
-- The game_date bounds on the analytics tables are literals so BigQuery can prune partitions (the
-- tables require a partition filter).
WITH
expected AS (
  SELECT table_name, game_date, expected_rows, source_short_games, scheduled_games
  FROM `${project}.${monitoring_dataset}.expected_rows_by_date`
),
actual AS (
  SELECT 'player_game_summary' AS table_name, game_date, COUNT(*) AS actual_rows, MAX(processed_at) AS last_processed_at
  FROM `${project}.${analytics_dataset}.player_game_summary`
  WHERE game_date BETWEEN DATE '${coverage_start}' AND DATE_SUB(CURRENT_DATE(), INTERVAL 1 DAY)
  GROUP BY game_date
  UNION ALL
  SELECT 'team_offense_game_summary', game_date, COUNT(*), MAX(processed_at)
  FROM `${project}.${analytics_dataset}.team_offense_game_summary`
  WHERE game_date BETWEEN DATE '${coverage_start}' AND DATE_SUB(CURRENT_DATE(), INTERVAL 1 DAY)
  GROUP BY game_date
  UNION ALL
  SELECT 'team_defense_game_summary', game_date, COUNT(*), MAX(processed_at)
  FROM `${project}.${analytics_dataset}.team_defense_game_summary`
  WHERE game_date BETWEEN DATE '${coverage_start}' AND DATE_SUB(CURRENT_DATE(), INTERVAL 1 DAY)
  GROUP BY game_date
  UNION ALL
  SELECT 'upcoming_team_game_context', game_date, COUNT(*), MAX(processed_at)
  FROM `${project}.${analytics_dataset}.upcoming_team_game_context`
  WHERE game_date BETWEEN DATE '${coverage_start}' AND DATE_SUB(CURRENT_DATE(), INTERVAL 1 DAY)
  GROUP BY game_date
  UNION ALL
  SELECT 'upcoming_player_game_context', game_date, COUNT(*), MAX(processed_at)
  FROM `${project}.${analytics_dataset}.upcoming_player_game_context`
  WHERE game_date BETWEEN DATE '${coverage_start}' AND DATE_SUB(CURRENT_DATE(), INTERVAL 1 DAY)
  GROUP BY game_date
),
joined AS (
  SELECT
    COALESCE(e.table_name, a.table_name) AS table_name,
    COALESCE(e.game_date, a.game_date) AS game_date,
    COALESCE(e.scheduled_games, 0) AS scheduled_games,
    COALESCE(e.expected_rows, 0) AS expected_rows,
    COALESCE(a.actual_rows, 0) AS actual_rows,
    COALESCE(e.source_short_games, 0) AS source_short_games,
    a.last_processed_at
  FROM expected AS e
  FULL OUTER JOIN actual AS a ON a.table_name = e.table_name AND a.game_date = e.game_date
)
SELECT
  table_name,
  game_date,
  scheduled_games,
  expected_rows,
  actual_rows,
  source_short_games,
  last_processed_at,
  CASE
    WHEN actual_rows > expected_rows THEN 'excess'
    WHEN source_short_games > 0 THEN 'no_source'
    WHEN actual_rows = expected_rows THEN 'complete'
    WHEN actual_rows = 0 THEN 'missing'
    ELSE 'partial'
  END AS status
FROM joined
