# BigQuery: the analytics datasets this service writes, and the raw dataset it only reads.
#
# - nba_raw belongs to the scrapers: referenced as a data source (it must exist, in bq_location), never
#   managed, so a `terraform destroy` here cannot touch it. iam.tf grants read on it with dataset access
#   entries (google_bigquery_dataset_access), which leave its owners' authorized views alone.
# - nba_analytics (production) and test_nba_analytics (test runs) are managed here with the same five
#   tables, so a test run exercises exactly the production layout.
# - Every table is partitioned by DAY on game_date: the backfill replaces one partition at a time, and
#   verification reads date ranges. require_partition_filter = true makes an unbounded scan an error
#   instead of a bill; every query of the code, and every view in sql/, filters game_date by range.
# - Clustered by the table's key (TABLES.md), which is what joins and verification group by.
# - Schemas come from schemas/<table>.json, generated from shared/tables/registry.ts TABLE_SPECS
#   (`npm run generate:infra`; test/infra fails when they drift).
#   Every column is NULLABLE in BigQuery: query jobs that write partitions produce NULLABLE columns and
#   BigQuery refuses to write them into REQUIRED fields; adding a REQUIRED column later is also refused.
#   "Critical" (never NULL) is enforced by verification instead, and noted in each field's description.

locals {
  raw_dataset       = "nba_raw"
  analytics_dataset = "nba_analytics"
  test_dataset      = "test_nba_analytics"

  # Clustering per table: its key from TABLES.md (BigQuery allows up to four clustering columns).
  analytics_tables = {
    player_game_summary          = { clustering = ["game_id", "player_lookup"] }
    team_offense_game_summary    = { clustering = ["game_id", "team_abbr"] }
    team_defense_game_summary    = { clustering = ["game_id", "defending_team_abbr"] }
    upcoming_team_game_context   = { clustering = ["game_id", "team_abbr"] }
    upcoming_player_game_context = { clustering = ["game_id", "player_lookup"] }
  }
}

data "google_bigquery_dataset" "raw" {
  project    = var.project_id
  dataset_id = local.raw_dataset

  depends_on = [google_project_service.enabled]
}

resource "google_bigquery_dataset" "analytics" {
  project       = var.project_id
  dataset_id    = local.analytics_dataset
  friendly_name = "NBA analytics"
  description   = "Analytics tables written only by the backfill service, one game_date partition at a time (production runs)."
  location      = var.bq_location

  # Access is granted with google_bigquery_dataset_iam_member in iam.tf; no access blocks here, the two
  # would fight over the dataset's ACL.
  delete_contents_on_destroy = false

  depends_on = [google_project_service.enabled]
}

resource "google_bigquery_dataset" "test_analytics" {
  project       = var.project_id
  dataset_id    = local.test_dataset
  friendly_name = "NBA analytics (test runs)"
  description   = "Same tables as nba_analytics, written by test-mode runs only. Safe to truncate."
  location      = var.bq_location

  delete_contents_on_destroy = false

  depends_on = [google_project_service.enabled]
}

resource "google_bigquery_table" "analytics" {
  for_each = local.analytics_tables

  project     = var.project_id
  dataset_id  = google_bigquery_dataset.analytics.dataset_id
  table_id    = each.key
  description = "See shared/contracts/TABLES.md. Written by the backfill only."

  schema = file("${path.module}/schemas/${each.key}.json")

  time_partitioning {
    type  = "DAY"
    field = "game_date"
  }
  require_partition_filter = true
  clustering               = each.value.clustering

  # Years of backfilled history: a plan that would replace a table must fail, not drop it.
  deletion_protection = true
}

resource "google_bigquery_table" "test_analytics" {
  for_each = local.analytics_tables

  project     = var.project_id
  dataset_id  = google_bigquery_dataset.test_analytics.dataset_id
  table_id    = each.key
  description = "Test-mode copy of nba_analytics.${each.key}."

  schema = file("${path.module}/schemas/${each.key}.json")

  time_partitioning {
    type  = "DAY"
    field = "game_date"
  }
  require_partition_filter = true
  clustering               = each.value.clustering

  # Test data can be rebuilt at will; let a schema change replace these tables.
  deletion_protection = false
}
