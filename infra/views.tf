# Monitoring views: SQL in sql/*.sql, one view per file, in their own dataset so they never show up
# among the analytics tables the code lists and checks.
#
# How the placeholders are applied: each file is a plain SELECT (no DDL) rendered with Terraform's
# templatefile(), which replaces ${project}, ${raw_dataset}, ${analytics_dataset}, ${monitoring_dataset}
# and ${coverage_start} with the values in local.sql_vars below, and nothing else (test/infra checks
# every placeholder of every file is one of these). Outside Terraform, render the same way, e.g.
#   sed -e 's/${project}/my-proj/g' -e 's/${raw_dataset}/nba_raw/g' ... sql/coverage_by_date.sql
# and wrap it in CREATE OR REPLACE VIEW `my-proj.nba_backfill_monitoring.coverage_by_date` AS ...
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

  # View name -> file. missing_dates reads coverage_by_date, so it is created after it (below).
  base_views = {
    coverage_by_date        = "coverage_by_date.sql"
    test_rows_in_production = "test_rows_in_production.sql"
  }
  derived_views = {
    missing_dates = "missing_dates.sql"
  }
}

resource "google_bigquery_dataset" "monitoring" {
  project       = var.project_id
  dataset_id    = local.monitoring_dataset
  friendly_name = "NBA backfill monitoring"
  description   = "Views for the BigQuery console: coverage per table and date, missing dates, test rows in production."
  location      = var.bq_location

  depends_on = [google_project_service.enabled]
}

resource "google_bigquery_table" "base_views" {
  for_each = local.base_views

  project             = var.project_id
  dataset_id          = google_bigquery_dataset.monitoring.dataset_id
  table_id            = each.key
  deletion_protection = false

  view {
    query          = templatefile("${path.module}/sql/${each.value}", local.sql_vars)
    use_legacy_sql = false
  }

  # BigQuery validates a view's query on creation: the tables it reads must exist.
  depends_on = [google_bigquery_table.analytics]
}

resource "google_bigquery_table" "derived_views" {
  for_each = local.derived_views

  project             = var.project_id
  dataset_id          = google_bigquery_dataset.monitoring.dataset_id
  table_id            = each.key
  deletion_protection = false

  view {
    query          = templatefile("${path.module}/sql/${each.value}", local.sql_vars)
    use_legacy_sql = false
  }

  depends_on = [google_bigquery_table.base_views]
}
