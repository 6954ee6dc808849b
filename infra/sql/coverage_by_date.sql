-- coverage_by_date: rows per analytics table and game_date in ${analytics_dataset}, against the rows
-- the contract (shared/contracts/TABLES.md) says must exist. What is expected comes from the schedule
-- (latest scrape of each game) and the raw inputs, never from the table being checked:
--   player_game_summary           distinct (game_id, player_lookup) in the gamebook of the date's final games
--   team_offense_game_summary     2 x final games
--   team_defense_game_summary     2 x final games
--   upcoming_team_game_context    2 x scheduled games (any status but postponed)
--   upcoming_player_game_context  distinct (game_id, player_lookup) in gamebook union props of those games
-- source_short_games counts the contract's no_source games: a gamebook with fewer than 5 active
-- players for a team (player tables), a final game without both team box scores (team summaries).
-- status: complete | excess (more rows than expected) | no_source (cannot be complete until the raw data
-- arrives) | missing (no rows) | partial.
-- Window: ${coverage_start} through yesterday; the game_date bounds on the analytics tables are
-- literals so BigQuery can prune partitions (they require a partition filter).
WITH
schedule AS (
  SELECT game_id, game_date, game_status
  FROM `${project}.${raw_dataset}.nbac_schedule`
  WHERE TRUE
  QUALIFY ROW_NUMBER() OVER (PARTITION BY game_id ORDER BY processed_at DESC) = 1
),
games AS (
  SELECT game_id, game_date, game_status
  FROM schedule
  WHERE game_date BETWEEN DATE '${coverage_start}' AND DATE_SUB(CURRENT_DATE(), INTERVAL 1 DAY)
),
final_games AS (
  SELECT game_id, game_date FROM games WHERE game_status = 3
),
scheduled_games AS (
  SELECT game_id, game_date FROM games WHERE game_status != 4
),
gamebook AS (
  SELECT DISTINCT game_id, team_abbr, player_lookup, player_status
  FROM `${project}.${raw_dataset}.nbac_gamebook_player_stats`
  WHERE game_date BETWEEN DATE '${coverage_start}' AND DATE_SUB(CURRENT_DATE(), INTERVAL 1 DAY)
),
props AS (
  SELECT DISTINCT game_id, player_lookup
  FROM `${project}.${raw_dataset}.odds_api_player_points_props`
  WHERE game_date BETWEEN DATE '${coverage_start}' AND DATE_SUB(CURRENT_DATE(), INTERVAL 1 DAY)
),
boxscore_teams AS (
  SELECT DISTINCT game_id, team_abbr
  FROM `${project}.${raw_dataset}.nbac_team_boxscore`
  WHERE game_date BETWEEN DATE '${coverage_start}' AND DATE_SUB(CURRENT_DATE(), INTERVAL 1 DAY)
),
short_gamebook_games AS (
  SELECT f.game_id, f.game_date
  FROM final_games AS f
  LEFT JOIN (
    SELECT game_id, team_abbr, COUNT(DISTINCT IF(player_status = 'active', player_lookup, NULL)) AS active_players
    FROM gamebook
    GROUP BY game_id, team_abbr
  ) AS t ON t.game_id = f.game_id
  GROUP BY f.game_id, f.game_date
  HAVING COUNT(t.team_abbr) < 2 OR MIN(t.active_players) < 5
),
short_boxscore_games AS (
  SELECT f.game_id, f.game_date
  FROM final_games AS f
  LEFT JOIN boxscore_teams AS b ON b.game_id = f.game_id
  GROUP BY f.game_id, f.game_date
  HAVING COUNT(b.team_abbr) < 2
),
expected AS (
  SELECT 'player_game_summary' AS table_name, f.game_date,
    COUNT(DISTINCT CONCAT(g.game_id, '|', g.player_lookup)) AS expected_rows,
    COUNT(DISTINCT f.game_id) AS games
  FROM final_games AS f
  LEFT JOIN gamebook AS g ON g.game_id = f.game_id
  GROUP BY f.game_date
  UNION ALL
  SELECT 'team_offense_game_summary', game_date, 2 * COUNT(*), COUNT(*) FROM final_games GROUP BY game_date
  UNION ALL
  SELECT 'team_defense_game_summary', game_date, 2 * COUNT(*), COUNT(*) FROM final_games GROUP BY game_date
  UNION ALL
  SELECT 'upcoming_team_game_context', game_date, 2 * COUNT(*), COUNT(*) FROM scheduled_games GROUP BY game_date
  UNION ALL
  SELECT 'upcoming_player_game_context', s.game_date,
    COUNT(DISTINCT CONCAT(p.game_id, '|', p.player_lookup)),
    COUNT(DISTINCT s.game_id)
  FROM scheduled_games AS s
  LEFT JOIN (
    SELECT game_id, player_lookup FROM gamebook
    UNION DISTINCT
    SELECT game_id, player_lookup FROM props
  ) AS p ON p.game_id = s.game_id
  GROUP BY s.game_date
),
source_short AS (
  SELECT 'player_game_summary' AS table_name, game_date, COUNT(*) AS short_games FROM short_gamebook_games GROUP BY game_date
  UNION ALL
  SELECT 'upcoming_player_game_context', game_date, COUNT(*) FROM short_gamebook_games GROUP BY game_date
  UNION ALL
  SELECT 'team_offense_game_summary', game_date, COUNT(*) FROM short_boxscore_games GROUP BY game_date
  UNION ALL
  SELECT 'team_defense_game_summary', game_date, COUNT(*) FROM short_boxscore_games GROUP BY game_date
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
    COALESCE(e.games, 0) AS games,
    COALESCE(e.expected_rows, 0) AS expected_rows,
    COALESCE(a.actual_rows, 0) AS actual_rows,
    a.last_processed_at
  FROM expected AS e
  FULL OUTER JOIN actual AS a ON a.table_name = e.table_name AND a.game_date = e.game_date
)
SELECT
  j.table_name,
  j.game_date,
  j.games,
  j.expected_rows,
  j.actual_rows,
  COALESCE(s.short_games, 0) AS source_short_games,
  j.last_processed_at,
  CASE
    WHEN j.actual_rows > j.expected_rows THEN 'excess'
    WHEN j.actual_rows = j.expected_rows AND COALESCE(s.short_games, 0) = 0 THEN 'complete'
    WHEN COALESCE(s.short_games, 0) > 0 THEN 'no_source'
    WHEN j.actual_rows = 0 THEN 'missing'
    ELSE 'partial'
  END AS status
FROM joined AS j
LEFT JOIN source_short AS s ON s.table_name = j.table_name AND s.game_date = j.game_date
