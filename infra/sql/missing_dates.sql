-- missing_dates: the dates of each analytics table that are not complete, from coverage_by_date
-- (same window: ${coverage_start} through yesterday). `missing` and `partial` dates are the backfill's
-- to fix (reconcile heals them when coverage healing is on); `no_source` dates wait for raw data.
-- Count per table: SELECT table_name, status, COUNT(*) FROM this view GROUP BY 1, 2.
SELECT
  table_name,
  game_date,
  status,
  scheduled_games,
  expected_rows,
  actual_rows,
  expected_rows - actual_rows AS missing_rows,
  source_short_games,
  last_processed_at
FROM `${project}.${monitoring_dataset}.coverage_by_date`
WHERE status IN ('missing', 'partial', 'no_source')
