# Cloud Scheduler: the three clocks of the service, all publishing to the reconcile topic, in the shape
# of functions/manifest.ts SCHEDULER_MESSAGES.
#
# - reconcile, every minute (the finest Cloud Scheduler allows; docs/scaling.md): {"kind":"reconcile"}.
#   Keeps the backfill moving: republishes expired leases and due retries, admits pending chunks under
#   the in-flight caps, finishes runs. Reads only Firestore.
# - heal, hourly: {"kind":"heal"}. Compares the warehouse with the coverage targets (BigQuery queries)
#   and starts a run for the gaps, its chunks published at once. Apart from reconcile so that a
#   minute's tick never pays for BigQuery reads.
# - verify, daily: {"kind":"verify"}. Checks yesterday's and the coverage window's tables against the
#   schedule; failures are logged as verification_failed (monitoring.tf alerts on them).
#
# Pub/Sub targets carry base64 data. The payloads are written as literals rather than computed with
# base64encode(jsonencode(...)) so that test/infra can decode them and compare with the manifest
# without evaluating HCL:
#   eyJraW5kIjoicmVjb25jaWxlIn0= is {"kind":"reconcile"}
#   eyJraW5kIjoiaGVhbCJ9         is {"kind":"heal"}
#   eyJraW5kIjoidmVyaWZ5In0=     is {"kind":"verify"}
#
# No retries at the Scheduler: a missed tick is made up by the next one, and the push subscription
# already retries delivery to the function.

resource "google_cloud_scheduler_job" "reconcile" {
  name        = "${var.name_prefix}-reconcile"
  region      = var.region
  description = "Reconcile pass of the NBA backfill."
  schedule    = var.reconcile_schedule
  time_zone   = var.scheduler_time_zone

  pubsub_target {
    topic_name = google_pubsub_topic.reconcile.id
    data       = "eyJraW5kIjoicmVjb25jaWxlIn0="
  }

  depends_on = [google_project_service.enabled, google_pubsub_topic_iam_member.scheduler_publishes_reconcile]
}

resource "google_cloud_scheduler_job" "heal" {
  name        = "${var.name_prefix}-heal"
  region      = var.region
  description = "Coverage healing of the NBA backfill: a run for every gap against the coverage targets."
  schedule    = var.heal_schedule
  time_zone   = var.scheduler_time_zone

  pubsub_target {
    topic_name = google_pubsub_topic.reconcile.id
    data       = "eyJraW5kIjoiaGVhbCJ9"
  }

  depends_on = [google_project_service.enabled, google_pubsub_topic_iam_member.scheduler_publishes_reconcile]
}

resource "google_cloud_scheduler_job" "verify" {
  name        = "${var.name_prefix}-verify"
  region      = var.region
  description = "Daily verification of the NBA analytics tables."
  schedule    = var.verify_schedule
  time_zone   = var.scheduler_time_zone

  pubsub_target {
    topic_name = google_pubsub_topic.reconcile.id
    data       = "eyJraW5kIjoidmVyaWZ5In0="
  }

  depends_on = [google_project_service.enabled, google_pubsub_topic_iam_member.scheduler_publishes_reconcile]
}
