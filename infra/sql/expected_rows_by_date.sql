-- expected_rows_by_date: GENERATED from shared/tables/registry.ts by `npm run generate:infra`;
-- do not edit, regenerate (test/infra fails while it is stale).
-- What each analytics table must hold per game date, by each table's `expectation`: the same SQL
-- verification runs, computed from the schedule and the raw inputs, never from the table itself.
-- One row per table and date with games counting for it, from ${coverage_start} through yesterday:
-- expected_rows, source_short_games (games whose raw data is short: the date cannot be complete),
-- scheduled_games.
SELECT 'player_game_summary' AS table_name, e.game_date, e.expected_rows, e.source_short_games, e.scheduled_games
FROM (
  WITH
  schedule_scraped AS (
    SELECT game_id, game_date, season_year, season_type, home_team_abbr, away_team_abbr, home_score, away_score, game_status, processed_at FROM `${project}.${raw_dataset}.nbac_schedule` WHERE game_date BETWEEN DATE_SUB(DATE '${coverage_start}', INTERVAL 366 DAY) AND DATE_ADD(DATE_SUB(CURRENT_DATE(), INTERVAL 1 DAY), INTERVAL 366 DAY) AND game_id IN (SELECT game_id FROM `${project}.${raw_dataset}.nbac_schedule` WHERE game_date BETWEEN DATE '${coverage_start}' AND DATE_SUB(CURRENT_DATE(), INTERVAL 1 DAY))
  ),
  schedule_repeated_keys AS (
    SELECT game_id AS repeated_game_id
    FROM schedule_scraped
    GROUP BY game_id
    HAVING COUNT(*) > 1
  ),
  schedule_marked AS (
    SELECT s.*, (r.repeated_game_id IS NOT NULL OR s.game_id IS NULL) AS is_repeated
    FROM schedule_scraped AS s
    LEFT JOIN schedule_repeated_keys AS r ON r.repeated_game_id = s.game_id
  ),
  schedule AS (
    SELECT game_id, game_date, season_year, season_type, home_team_abbr, away_team_abbr, home_score, away_score, game_status
    FROM (
      SELECT game_id, game_date, season_year, season_type, home_team_abbr, away_team_abbr, home_score, away_score, game_status,
        ROW_NUMBER() OVER (
          PARTITION BY game_id
          ORDER BY processed_at DESC, game_status DESC, COALESCE(home_score, -1) DESC, COALESCE(away_score, -1) DESC,
            game_date DESC, home_team_abbr, away_team_abbr
        ) AS row_rank
      FROM schedule_marked
      WHERE is_repeated
    ) AS ranked_schedule
    WHERE row_rank = 1
    UNION ALL
    SELECT game_id, game_date, season_year, season_type, home_team_abbr, away_team_abbr, home_score, away_score, game_status FROM schedule_marked WHERE NOT is_repeated
  ),
  final_games AS (
    SELECT game_id, game_date, season_year, season_type, home_team_abbr, away_team_abbr, home_score, away_score, game_status FROM schedule WHERE game_status = 3 AND game_date BETWEEN DATE '${coverage_start}' AND DATE_SUB(CURRENT_DATE(), INTERVAL 1 DAY)
  ),
  gamebook_scraped AS (
    SELECT game_id, game_date, team_abbr, player_lookup, player_name, player_status, dnp_reason, starter, minutes, points, fg_made, fg_attempted, three_pt_made, three_pt_attempted, ft_made, ft_attempted, offensive_rebounds, defensive_rebounds, assists, steals, blocks, turnovers, personal_fouls, plus_minus, processed_at FROM `${project}.${raw_dataset}.nbac_gamebook_player_stats` WHERE game_date BETWEEN DATE '${coverage_start}' AND DATE_SUB(CURRENT_DATE(), INTERVAL 1 DAY)
  ),
  gamebook_repeated_keys AS (
    SELECT game_id AS repeated_game_id, player_lookup AS repeated_player_lookup
    FROM gamebook_scraped
    GROUP BY game_id, player_lookup
    HAVING COUNT(*) > 1
  ),
  gamebook_marked AS (
    SELECT s.*, (r.repeated_game_id IS NOT NULL OR s.game_id IS NULL OR s.player_lookup IS NULL) AS is_repeated
    FROM gamebook_scraped AS s
    LEFT JOIN gamebook_repeated_keys AS r ON r.repeated_game_id = s.game_id AND r.repeated_player_lookup = s.player_lookup
  ),
  gamebook AS (
    SELECT game_id, game_date, team_abbr, player_lookup, player_name, player_status, dnp_reason, starter, minutes, points, fg_made, fg_attempted, three_pt_made, three_pt_attempted, ft_made, ft_attempted, offensive_rebounds, defensive_rebounds, assists, steals, blocks, turnovers, personal_fouls, plus_minus
    FROM (
      SELECT game_id, game_date, team_abbr, player_lookup, player_name, player_status, dnp_reason, starter, minutes, points, fg_made, fg_attempted, three_pt_made, three_pt_attempted, ft_made, ft_attempted, offensive_rebounds, defensive_rebounds, assists, steals, blocks, turnovers, personal_fouls, plus_minus,
        ROW_NUMBER() OVER (
          PARTITION BY game_id, player_lookup
          ORDER BY processed_at DESC, team_abbr, player_status, player_name, COALESCE(points, -1) DESC
        ) AS row_rank
      FROM gamebook_marked
      WHERE is_repeated
    ) AS ranked_gamebook
    WHERE row_rank = 1
    UNION ALL
    SELECT game_id, game_date, team_abbr, player_lookup, player_name, player_status, dnp_reason, starter, minutes, points, fg_made, fg_attempted, three_pt_made, three_pt_attempted, ft_made, ft_attempted, offensive_rebounds, defensive_rebounds, assists, steals, blocks, turnovers, personal_fouls, plus_minus FROM gamebook_marked WHERE NOT is_repeated
  ),
  active_players AS (
    SELECT g.game_id, g.game_date, g.game_status,
      COUNT(DISTINCT CASE WHEN b.player_status = 'active' AND b.team_abbr = g.home_team_abbr THEN b.player_lookup END) AS home_active_players,
      COUNT(DISTINCT CASE WHEN b.player_status = 'active' AND b.team_abbr = g.away_team_abbr THEN b.player_lookup END) AS away_active_players
    FROM final_games AS g
    LEFT JOIN gamebook AS b ON b.game_id = g.game_id
    GROUP BY g.game_id, g.game_date, g.game_status
  ),
  listed AS (
    SELECT g.game_id, COUNT(DISTINCT b.player_lookup) AS listed_players
    FROM final_games AS g
    INNER JOIN `${project}.${raw_dataset}.nbac_gamebook_player_stats` AS b ON b.game_id = g.game_id
    WHERE b.game_date BETWEEN DATE '${coverage_start}' AND DATE_SUB(CURRENT_DATE(), INTERVAL 1 DAY)
    GROUP BY g.game_id
  ),
  per_game AS (
    SELECT a.game_date, COALESCE(l.listed_players, 0) AS expected_rows, (a.home_active_players < 5 OR a.away_active_players < 5) AS is_short
    FROM active_players AS a
    LEFT JOIN listed AS l ON l.game_id = a.game_id
  )
  SELECT game_date,
    CAST(SUM(expected_rows) AS INT64) AS expected_rows,
    CAST(COUNTIF(is_short) AS INT64) AS source_short_games,
    CAST(COUNT(*) AS INT64) AS scheduled_games
  FROM per_game
  GROUP BY game_date
) AS e
UNION ALL
SELECT 'team_offense_game_summary' AS table_name, e.game_date, e.expected_rows, e.source_short_games, e.scheduled_games
FROM (
  WITH
  schedule_scraped AS (
    SELECT game_id, game_date, season_year, season_type, home_team_abbr, away_team_abbr, home_score, away_score, game_status, processed_at FROM `${project}.${raw_dataset}.nbac_schedule` WHERE game_date BETWEEN DATE_SUB(DATE '${coverage_start}', INTERVAL 366 DAY) AND DATE_ADD(DATE_SUB(CURRENT_DATE(), INTERVAL 1 DAY), INTERVAL 366 DAY) AND game_id IN (SELECT game_id FROM `${project}.${raw_dataset}.nbac_schedule` WHERE game_date BETWEEN DATE '${coverage_start}' AND DATE_SUB(CURRENT_DATE(), INTERVAL 1 DAY))
  ),
  schedule_repeated_keys AS (
    SELECT game_id AS repeated_game_id
    FROM schedule_scraped
    GROUP BY game_id
    HAVING COUNT(*) > 1
  ),
  schedule_marked AS (
    SELECT s.*, (r.repeated_game_id IS NOT NULL OR s.game_id IS NULL) AS is_repeated
    FROM schedule_scraped AS s
    LEFT JOIN schedule_repeated_keys AS r ON r.repeated_game_id = s.game_id
  ),
  schedule AS (
    SELECT game_id, game_date, season_year, season_type, home_team_abbr, away_team_abbr, home_score, away_score, game_status
    FROM (
      SELECT game_id, game_date, season_year, season_type, home_team_abbr, away_team_abbr, home_score, away_score, game_status,
        ROW_NUMBER() OVER (
          PARTITION BY game_id
          ORDER BY processed_at DESC, game_status DESC, COALESCE(home_score, -1) DESC, COALESCE(away_score, -1) DESC,
            game_date DESC, home_team_abbr, away_team_abbr
        ) AS row_rank
      FROM schedule_marked
      WHERE is_repeated
    ) AS ranked_schedule
    WHERE row_rank = 1
    UNION ALL
    SELECT game_id, game_date, season_year, season_type, home_team_abbr, away_team_abbr, home_score, away_score, game_status FROM schedule_marked WHERE NOT is_repeated
  ),
  final_games AS (
    SELECT game_id, game_date, season_year, season_type, home_team_abbr, away_team_abbr, home_score, away_score, game_status FROM schedule WHERE game_status = 3 AND game_date BETWEEN DATE '${coverage_start}' AND DATE_SUB(CURRENT_DATE(), INTERVAL 1 DAY)
  ),
  box_teams AS (
    SELECT DISTINCT game_id, team_abbr FROM `${project}.${raw_dataset}.nbac_team_boxscore` WHERE game_date BETWEEN DATE '${coverage_start}' AND DATE_SUB(CURRENT_DATE(), INTERVAL 1 DAY)
  ),
  per_game AS (
    SELECT g.game_date, 2 AS expected_rows, (home_box.game_id IS NULL OR away_box.game_id IS NULL) AS is_short
    FROM final_games AS g
    LEFT JOIN box_teams AS home_box ON home_box.game_id = g.game_id AND home_box.team_abbr = g.home_team_abbr
    LEFT JOIN box_teams AS away_box ON away_box.game_id = g.game_id AND away_box.team_abbr = g.away_team_abbr
  )
  SELECT game_date,
    CAST(SUM(expected_rows) AS INT64) AS expected_rows,
    CAST(COUNTIF(is_short) AS INT64) AS source_short_games,
    CAST(COUNT(*) AS INT64) AS scheduled_games
  FROM per_game
  GROUP BY game_date
) AS e
UNION ALL
SELECT 'team_defense_game_summary' AS table_name, e.game_date, e.expected_rows, e.source_short_games, e.scheduled_games
FROM (
  WITH
  schedule_scraped AS (
    SELECT game_id, game_date, season_year, season_type, home_team_abbr, away_team_abbr, home_score, away_score, game_status, processed_at FROM `${project}.${raw_dataset}.nbac_schedule` WHERE game_date BETWEEN DATE_SUB(DATE '${coverage_start}', INTERVAL 366 DAY) AND DATE_ADD(DATE_SUB(CURRENT_DATE(), INTERVAL 1 DAY), INTERVAL 366 DAY) AND game_id IN (SELECT game_id FROM `${project}.${raw_dataset}.nbac_schedule` WHERE game_date BETWEEN DATE '${coverage_start}' AND DATE_SUB(CURRENT_DATE(), INTERVAL 1 DAY))
  ),
  schedule_repeated_keys AS (
    SELECT game_id AS repeated_game_id
    FROM schedule_scraped
    GROUP BY game_id
    HAVING COUNT(*) > 1
  ),
  schedule_marked AS (
    SELECT s.*, (r.repeated_game_id IS NOT NULL OR s.game_id IS NULL) AS is_repeated
    FROM schedule_scraped AS s
    LEFT JOIN schedule_repeated_keys AS r ON r.repeated_game_id = s.game_id
  ),
  schedule AS (
    SELECT game_id, game_date, season_year, season_type, home_team_abbr, away_team_abbr, home_score, away_score, game_status
    FROM (
      SELECT game_id, game_date, season_year, season_type, home_team_abbr, away_team_abbr, home_score, away_score, game_status,
        ROW_NUMBER() OVER (
          PARTITION BY game_id
          ORDER BY processed_at DESC, game_status DESC, COALESCE(home_score, -1) DESC, COALESCE(away_score, -1) DESC,
            game_date DESC, home_team_abbr, away_team_abbr
        ) AS row_rank
      FROM schedule_marked
      WHERE is_repeated
    ) AS ranked_schedule
    WHERE row_rank = 1
    UNION ALL
    SELECT game_id, game_date, season_year, season_type, home_team_abbr, away_team_abbr, home_score, away_score, game_status FROM schedule_marked WHERE NOT is_repeated
  ),
  final_games AS (
    SELECT game_id, game_date, season_year, season_type, home_team_abbr, away_team_abbr, home_score, away_score, game_status FROM schedule WHERE game_status = 3 AND game_date BETWEEN DATE '${coverage_start}' AND DATE_SUB(CURRENT_DATE(), INTERVAL 1 DAY)
  ),
  box_teams AS (
    SELECT DISTINCT game_id, team_abbr FROM `${project}.${raw_dataset}.nbac_team_boxscore` WHERE game_date BETWEEN DATE '${coverage_start}' AND DATE_SUB(CURRENT_DATE(), INTERVAL 1 DAY)
  ),
  per_game AS (
    SELECT g.game_date, 2 AS expected_rows, (home_box.game_id IS NULL OR away_box.game_id IS NULL) AS is_short
    FROM final_games AS g
    LEFT JOIN box_teams AS home_box ON home_box.game_id = g.game_id AND home_box.team_abbr = g.home_team_abbr
    LEFT JOIN box_teams AS away_box ON away_box.game_id = g.game_id AND away_box.team_abbr = g.away_team_abbr
  )
  SELECT game_date,
    CAST(SUM(expected_rows) AS INT64) AS expected_rows,
    CAST(COUNTIF(is_short) AS INT64) AS source_short_games,
    CAST(COUNT(*) AS INT64) AS scheduled_games
  FROM per_game
  GROUP BY game_date
) AS e
UNION ALL
SELECT 'upcoming_team_game_context' AS table_name, e.game_date, e.expected_rows, e.source_short_games, e.scheduled_games
FROM (
  WITH
  schedule_scraped AS (
    SELECT game_id, game_date, season_year, season_type, home_team_abbr, away_team_abbr, home_score, away_score, game_status, processed_at FROM `${project}.${raw_dataset}.nbac_schedule` WHERE game_date BETWEEN DATE_SUB(DATE '${coverage_start}', INTERVAL 366 DAY) AND DATE_ADD(DATE_SUB(CURRENT_DATE(), INTERVAL 1 DAY), INTERVAL 366 DAY) AND game_id IN (SELECT game_id FROM `${project}.${raw_dataset}.nbac_schedule` WHERE game_date BETWEEN DATE '${coverage_start}' AND DATE_SUB(CURRENT_DATE(), INTERVAL 1 DAY))
  ),
  schedule_repeated_keys AS (
    SELECT game_id AS repeated_game_id
    FROM schedule_scraped
    GROUP BY game_id
    HAVING COUNT(*) > 1
  ),
  schedule_marked AS (
    SELECT s.*, (r.repeated_game_id IS NOT NULL OR s.game_id IS NULL) AS is_repeated
    FROM schedule_scraped AS s
    LEFT JOIN schedule_repeated_keys AS r ON r.repeated_game_id = s.game_id
  ),
  schedule AS (
    SELECT game_id, game_date, season_year, season_type, home_team_abbr, away_team_abbr, home_score, away_score, game_status
    FROM (
      SELECT game_id, game_date, season_year, season_type, home_team_abbr, away_team_abbr, home_score, away_score, game_status,
        ROW_NUMBER() OVER (
          PARTITION BY game_id
          ORDER BY processed_at DESC, game_status DESC, COALESCE(home_score, -1) DESC, COALESCE(away_score, -1) DESC,
            game_date DESC, home_team_abbr, away_team_abbr
        ) AS row_rank
      FROM schedule_marked
      WHERE is_repeated
    ) AS ranked_schedule
    WHERE row_rank = 1
    UNION ALL
    SELECT game_id, game_date, season_year, season_type, home_team_abbr, away_team_abbr, home_score, away_score, game_status FROM schedule_marked WHERE NOT is_repeated
  ),
  scheduled_games AS (
    SELECT game_id, game_date, season_year, season_type, home_team_abbr, away_team_abbr, home_score, away_score, game_status FROM schedule WHERE game_status <> 4 AND game_date BETWEEN DATE '${coverage_start}' AND DATE_SUB(CURRENT_DATE(), INTERVAL 1 DAY)
  ),
  per_game AS (
    SELECT game_date, 2 AS expected_rows, FALSE AS is_short FROM scheduled_games
  )
  SELECT game_date,
    CAST(SUM(expected_rows) AS INT64) AS expected_rows,
    CAST(COUNTIF(is_short) AS INT64) AS source_short_games,
    CAST(COUNT(*) AS INT64) AS scheduled_games
  FROM per_game
  GROUP BY game_date
) AS e
UNION ALL
SELECT 'upcoming_player_game_context' AS table_name, e.game_date, e.expected_rows, e.source_short_games, e.scheduled_games
FROM (
  WITH
  schedule_scraped AS (
    SELECT game_id, game_date, season_year, season_type, home_team_abbr, away_team_abbr, home_score, away_score, game_status, processed_at FROM `${project}.${raw_dataset}.nbac_schedule` WHERE game_date BETWEEN DATE_SUB(DATE '${coverage_start}', INTERVAL 366 DAY) AND DATE_ADD(DATE_SUB(CURRENT_DATE(), INTERVAL 1 DAY), INTERVAL 366 DAY) AND game_id IN (SELECT game_id FROM `${project}.${raw_dataset}.nbac_schedule` WHERE game_date BETWEEN DATE '${coverage_start}' AND DATE_SUB(CURRENT_DATE(), INTERVAL 1 DAY))
  ),
  schedule_repeated_keys AS (
    SELECT game_id AS repeated_game_id
    FROM schedule_scraped
    GROUP BY game_id
    HAVING COUNT(*) > 1
  ),
  schedule_marked AS (
    SELECT s.*, (r.repeated_game_id IS NOT NULL OR s.game_id IS NULL) AS is_repeated
    FROM schedule_scraped AS s
    LEFT JOIN schedule_repeated_keys AS r ON r.repeated_game_id = s.game_id
  ),
  schedule AS (
    SELECT game_id, game_date, season_year, season_type, home_team_abbr, away_team_abbr, home_score, away_score, game_status
    FROM (
      SELECT game_id, game_date, season_year, season_type, home_team_abbr, away_team_abbr, home_score, away_score, game_status,
        ROW_NUMBER() OVER (
          PARTITION BY game_id
          ORDER BY processed_at DESC, game_status DESC, COALESCE(home_score, -1) DESC, COALESCE(away_score, -1) DESC,
            game_date DESC, home_team_abbr, away_team_abbr
        ) AS row_rank
      FROM schedule_marked
      WHERE is_repeated
    ) AS ranked_schedule
    WHERE row_rank = 1
    UNION ALL
    SELECT game_id, game_date, season_year, season_type, home_team_abbr, away_team_abbr, home_score, away_score, game_status FROM schedule_marked WHERE NOT is_repeated
  ),
  scheduled_games AS (
    SELECT game_id, game_date, season_year, season_type, home_team_abbr, away_team_abbr, home_score, away_score, game_status FROM schedule WHERE game_status <> 4 AND game_date BETWEEN DATE '${coverage_start}' AND DATE_SUB(CURRENT_DATE(), INTERVAL 1 DAY)
  ),
  gamebook_scraped AS (
    SELECT game_id, game_date, team_abbr, player_lookup, player_name, player_status, dnp_reason, starter, minutes, points, fg_made, fg_attempted, three_pt_made, three_pt_attempted, ft_made, ft_attempted, offensive_rebounds, defensive_rebounds, assists, steals, blocks, turnovers, personal_fouls, plus_minus, processed_at FROM `${project}.${raw_dataset}.nbac_gamebook_player_stats` WHERE game_date BETWEEN DATE '${coverage_start}' AND DATE_SUB(CURRENT_DATE(), INTERVAL 1 DAY)
  ),
  gamebook_repeated_keys AS (
    SELECT game_id AS repeated_game_id, player_lookup AS repeated_player_lookup
    FROM gamebook_scraped
    GROUP BY game_id, player_lookup
    HAVING COUNT(*) > 1
  ),
  gamebook_marked AS (
    SELECT s.*, (r.repeated_game_id IS NOT NULL OR s.game_id IS NULL OR s.player_lookup IS NULL) AS is_repeated
    FROM gamebook_scraped AS s
    LEFT JOIN gamebook_repeated_keys AS r ON r.repeated_game_id = s.game_id AND r.repeated_player_lookup = s.player_lookup
  ),
  gamebook AS (
    SELECT game_id, game_date, team_abbr, player_lookup, player_name, player_status, dnp_reason, starter, minutes, points, fg_made, fg_attempted, three_pt_made, three_pt_attempted, ft_made, ft_attempted, offensive_rebounds, defensive_rebounds, assists, steals, blocks, turnovers, personal_fouls, plus_minus
    FROM (
      SELECT game_id, game_date, team_abbr, player_lookup, player_name, player_status, dnp_reason, starter, minutes, points, fg_made, fg_attempted, three_pt_made, three_pt_attempted, ft_made, ft_attempted, offensive_rebounds, defensive_rebounds, assists, steals, blocks, turnovers, personal_fouls, plus_minus,
        ROW_NUMBER() OVER (
          PARTITION BY game_id, player_lookup
          ORDER BY processed_at DESC, team_abbr, player_status, player_name, COALESCE(points, -1) DESC
        ) AS row_rank
      FROM gamebook_marked
      WHERE is_repeated
    ) AS ranked_gamebook
    WHERE row_rank = 1
    UNION ALL
    SELECT game_id, game_date, team_abbr, player_lookup, player_name, player_status, dnp_reason, starter, minutes, points, fg_made, fg_attempted, three_pt_made, three_pt_attempted, ft_made, ft_attempted, offensive_rebounds, defensive_rebounds, assists, steals, blocks, turnovers, personal_fouls, plus_minus FROM gamebook_marked WHERE NOT is_repeated
  ),
  active_players AS (
    SELECT g.game_id, g.game_date, g.game_status,
      COUNT(DISTINCT CASE WHEN b.player_status = 'active' AND b.team_abbr = g.home_team_abbr THEN b.player_lookup END) AS home_active_players,
      COUNT(DISTINCT CASE WHEN b.player_status = 'active' AND b.team_abbr = g.away_team_abbr THEN b.player_lookup END) AS away_active_players
    FROM scheduled_games AS g
    LEFT JOIN gamebook AS b ON b.game_id = g.game_id
    GROUP BY g.game_id, g.game_date, g.game_status
  ),
  listed AS (
    SELECT game_id, COUNT(DISTINCT player_lookup) AS listed_players
    FROM (
      SELECT game_id, player_lookup FROM `${project}.${raw_dataset}.nbac_gamebook_player_stats` WHERE game_date BETWEEN DATE '${coverage_start}' AND DATE_SUB(CURRENT_DATE(), INTERVAL 1 DAY)
      UNION ALL
      SELECT game_id, player_lookup FROM `${project}.${raw_dataset}.odds_api_player_points_props` WHERE game_date BETWEEN DATE '${coverage_start}' AND DATE_SUB(CURRENT_DATE(), INTERVAL 1 DAY)
    ) AS keys
    GROUP BY game_id
  ),
  per_game AS (
    SELECT a.game_date, COALESCE(l.listed_players, 0) AS expected_rows,
      (a.game_status = 3 AND (a.home_active_players < 5 OR a.away_active_players < 5)) AS is_short
    FROM active_players AS a
    LEFT JOIN listed AS l ON l.game_id = a.game_id
  )
  SELECT game_date,
    CAST(SUM(expected_rows) AS INT64) AS expected_rows,
    CAST(COUNTIF(is_short) AS INT64) AS source_short_games,
    CAST(COUNT(*) AS INT64) AS scheduled_games
  FROM per_game
  GROUP BY game_date
) AS e
