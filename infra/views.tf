# Monitoring views: SQL in sql/*.sql, one view per file, in their own dataset so they never show up
# among the analytics tables the code lists and checks.
#   expected_rows_by_date    what each table must hold per date: GENERATED from the table registry (each
#                            table's `expectation`, the SQL verification runs), so the console and
#                            `verify` agree; regenerate with `npm run generate:infra`
#   coverage_by_date         rows found per table and date against it, with a status
#   missing_dates            the dates that are not complete
#   test_rows_in_production  rows a test run wrote to nba_analytics (should be empty)
#
# How the placeholders are applied: each file is a plain SELECT (no DDL) rendered with Terraform's
# templatefile(), which replaces ${project}, ${raw_dataset}, ${analytics_dataset}, ${monitoring_dataset}
# and ${coverage_start} with the values in local.sql_vars below, and nothing else (test/infra checks
# every placeholder of every file is one of these). To see a rendered query outside an apply:
#   echo 'templatefile("sql/coverage_by_date.sql", local.sql_vars)' | terraform console -var project_id=...
# and to create a view by hand, run that as CREATE OR REPLACE VIEW `<project>.nba_backfill_monitoring.<view>` AS ...
#
# The analytics tables require a partition filter; every view bounds game_date, so a console query on
# a view works without one.

locals {
  monitoring_dataset = "nba_backfill_monitoring"

  sql_vars = {
    project            = var.project_id
    raw_dataset        = local.raw_dataset
    analytics_dataset  = local.analytics_dataset
    monitoring_dataset = local.monitoring_dataset
    # With coverage healing off (coverage_start = ""), watch the seed range's start anyway.
    coverage_start = coalesce(var.coverage_start, "2016-10-01")
  }

  # View name -> file, in three layers: BigQuery checks a view's query when it is created, so a view
  # is created after the views it reads.
  table_views = {
    expected_rows_by_date   = "expected_rows_by_date.sql" # generated from the table registry
    test_rows_in_production = "test_rows_in_production.sql"
  }
  coverage_views = {
    coverage_by_date = "coverage_by_date.sql" # reads expected_rows_by_date
  }
  report_views = {
    missing_dates = "missing_dates.sql" # reads coverage_by_date
  }
}

resource "google_bigquery_dataset" "monitoring" {
  project       = var.project_id
  dataset_id    = local.monitoring_dataset
  friendly_name = "NBA backfill monitoring"
  description   = "Views for the BigQuery console: expected rows, coverage per table and date, missing dates, test rows in production."
  location      = var.bq_location

  depends_on = [google_project_service.enabled]
}

resource "google_bigquery_table" "table_views" {
  for_each = local.table_views

  project             = var.project_id
  dataset_id          = google_bigquery_dataset.monitoring.dataset_id
  table_id            = each.key
  deletion_protection = false

  view {
    query          = templatefile("${path.module}/sql/${each.value}", local.sql_vars)
    use_legacy_sql = false
  }

  depends_on = [google_bigquery_table.analytics]
}

resource "google_bigquery_table" "coverage_views" {
  for_each = local.coverage_views

  project             = var.project_id
  dataset_id          = google_bigquery_dataset.monitoring.dataset_id
  table_id            = each.key
  deletion_protection = false

  view {
    query          = templatefile("${path.module}/sql/${each.value}", local.sql_vars)
    use_legacy_sql = false
  }

  depends_on = [google_bigquery_table.table_views]
}

resource "google_bigquery_table" "report_views" {
  for_each = local.report_views

  project             = var.project_id
  dataset_id          = google_bigquery_dataset.monitoring.dataset_id
  table_id            = each.key
  deletion_protection = false

  view {
    query          = templatefile("${path.module}/sql/${each.value}", local.sql_vars)
    use_legacy_sql = false
  }

  depends_on = [google_bigquery_table.coverage_views]
}
