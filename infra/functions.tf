# Cloud Functions (2nd gen): the three entries of functions/manifest.ts FUNCTIONS.
#
# - processChunk: computes one chunk (table, date) into BigQuery. Reached by the chunks push
#   subscription (pubsub.tf). One chunk per instance (concurrency 1): a chunk is one BigQuery job plus
#   ledger writes, CPU is idle while it waits; the instance cap is what bounds concurrent jobs.
# - reconcile: republishes expired / retryable chunks (every minute), heals coverage (hourly), runs the
#   daily verification: the three Scheduler messages of scheduler.tf.
#   Reached by the reconcile push subscription. One instance: two reconcile passes at once would only
#   contend on the same ledger documents (the ledger's compare-and-set keeps that safe, not cheap).
# - backfillApi: HTTP API for operators and the CLI. Private: only api_invoker_members may call it.
#
# Env vars: each function gets exactly the variables its manifest entry lists (test/infra checks the
# list against functions/manifest.ts and every name against ENV_SCHEMA). They are written out per
# function rather than merged from a shared local so the test can read them without evaluating HCL.
# Topic variables take the name of the google_pubsub_topic resource, never a literal.
#
# Source: one zip (package.json, package-lock.json, dist/) made by infra/scripts/package-source.sh and
# uploaded here (source_archive_path), from a workstation and from Cloud Build alike. dist/ is prebuilt,
# so the build's own npm scripts are switched off (GOOGLE_NODE_RUN_SCRIPTS=""): running `npm run build`
# there would need devDependencies the function image does not install.
#
# Runtime nodejs22. The Node.js 20 runtime can no longer be deployed: deprecated 2026-04-30, decommissioned
# 2026-10-30, and "After the decommission date, you can no longer create new functions or update
# existing functions using the runtime"; Node.js 22 is deprecated 2027-04-30 and decommissioned
# 2027-10-31 (Node.js 24: 2028-04-30, 2028-10-31) (https://cloud.google.com/run/docs/runtimes/function-runtimes#nodejs and
# https://cloud.google.com/functions/docs/runtime-support). The tests run on Node 22 too (.ci/run).

locals {

  # COVERAGE_TARGETS as the code parses it: omit `end` when unset (the schema rejects null).
  coverage_targets_json = jsonencode({
    for table, window in var.coverage_targets : table => { for k, v in window : k => v if v != null }
  })

  # COVERAGE_EXCLUDE_DATES as the code parses it: ascending, no repeats, comma-separated.
  coverage_exclude_dates = join(",", sort(distinct(var.coverage_exclude_dates)))

  function_names = {
    process_chunk = "${var.name_prefix}-process-chunk"
    reconcile     = "${var.name_prefix}-reconcile"
    backfill_api  = "${var.name_prefix}-api"
  }
}

resource "google_storage_bucket_object" "source" {
  bucket = var.source_bucket
  name   = "functions/${filemd5(var.source_archive_path)}.zip"
  source = var.source_archive_path
}

# --- processChunk -------------------------------------------------------------------------------------

resource "google_cloudfunctions2_function" "process_chunk" {
  name        = local.function_names.process_chunk
  location    = var.region
  description = "Computes one analytics chunk (table, game_date) into BigQuery and checkpoints it in Firestore."

  build_config {
    runtime         = "nodejs22"
    entry_point     = "processChunk"
    service_account = google_service_account.functions_build.id
    environment_variables = {
      GOOGLE_NODE_RUN_SCRIPTS = ""
    }
    source {
      storage_source {
        bucket = var.source_bucket
        object = google_storage_bucket_object.source.name
      }
    }
  }

  service_config {
    service_account_email            = google_service_account.process_chunk.email
    available_memory                 = "1Gi"
    available_cpu                    = "1"
    timeout_seconds                  = var.worker_timeout_seconds
    min_instance_count               = 0
    max_instance_count               = var.worker_max_instances
    max_instance_request_concurrency = 1
    # Pub/Sub push from this project counts as internal traffic; nothing else needs to reach it.
    ingress_settings               = "ALLOW_INTERNAL_ONLY"
    all_traffic_on_latest_revision = true

    environment_variables = {
      WAREHOUSE                   = "bigquery"
      LEDGER                      = "firestore"
      GOOGLE_CLOUD_PROJECT        = var.project_id
      BQ_LOCATION                 = var.bq_location
      FIRESTORE_DATABASE          = google_firestore_database.ledger.name
      FIRESTORE_COLLECTION_PREFIX = var.firestore_collection_prefix
      LOG_LEVEL                   = var.log_level
      CHUNKS_TOPIC                = google_pubsub_topic.chunks.name
      LEASE_MS                    = var.lease_ms
      MAX_ATTEMPTS                = var.max_attempts
      RETRY_BASE_MS               = var.retry_base_ms
      RETRY_MAX_MS                = var.retry_max_ms
      MAX_EVENT_AGE_SECONDS       = var.max_event_age_seconds
      RECONCILE_TOPIC             = google_pubsub_topic.reconcile.name
      DATES_PER_JOB               = var.dates_per_job
      MAX_DATES_PER_JOB           = var.max_dates_per_job
      MAX_ROWS_PER_JOB            = var.max_rows_per_job
      QUOTA_GIVE_UP_MS            = var.quota_give_up_ms
    }
  }

  lifecycle {
    precondition {
      condition     = var.lease_ms > var.worker_timeout_seconds * 1000
      error_message = "lease_ms must exceed worker_timeout_seconds: a lease ending while its worker still runs lets reconcile hand the chunk to a second worker."
    }
  }

  depends_on = [
    google_project_service.enabled,
    google_project_iam_member.functions_build,
    google_project_iam_member.functions_build_source,
  ]
}

# --- reconcile ----------------------------------------------------------------------------------------

resource "google_cloudfunctions2_function" "reconcile" {
  name        = local.function_names.reconcile
  location    = var.region
  description = "Reconcile pass (every minute), coverage healing (hourly) and daily verification: republishes chunks, heals coverage, raises alerts."

  build_config {
    runtime         = "nodejs22"
    entry_point     = "reconcile"
    service_account = google_service_account.functions_build.id
    environment_variables = {
      GOOGLE_NODE_RUN_SCRIPTS = ""
    }
    source {
      storage_source {
        bucket = var.source_bucket
        object = google_storage_bucket_object.source.name
      }
    }
  }

  service_config {
    service_account_email            = google_service_account.reconcile.email
    available_memory                 = "512Mi"
    available_cpu                    = "1"
    timeout_seconds                  = var.worker_timeout_seconds
    min_instance_count               = 0
    max_instance_count               = 1
    max_instance_request_concurrency = 1
    ingress_settings                 = "ALLOW_INTERNAL_ONLY"
    all_traffic_on_latest_revision   = true

    environment_variables = {
      WAREHOUSE                   = "bigquery"
      LEDGER                      = "firestore"
      GOOGLE_CLOUD_PROJECT        = var.project_id
      BQ_LOCATION                 = var.bq_location
      FIRESTORE_DATABASE          = google_firestore_database.ledger.name
      FIRESTORE_COLLECTION_PREFIX = var.firestore_collection_prefix
      LOG_LEVEL                   = var.log_level
      CHUNKS_TOPIC                = google_pubsub_topic.chunks.name
      RECONCILE_TOPIC             = google_pubsub_topic.reconcile.name
      ALERTS_TOPIC                = google_pubsub_topic.alerts.name
      MAX_IN_FLIGHT               = var.max_in_flight
      MAX_IN_FLIGHT_PER_TABLE     = var.max_in_flight_per_table
      MAX_ATTEMPTS                = var.max_attempts
      LEASE_MS                    = var.lease_ms
      RETRY_BASE_MS               = var.retry_base_ms
      RETRY_MAX_MS                = var.retry_max_ms
      DATES_PER_JOB               = var.dates_per_job
      MAX_DATES_PER_JOB           = var.max_dates_per_job
      COVERAGE_START              = var.coverage_start
      COVERAGE_TARGETS            = local.coverage_targets_json
      ALERT_REPEAT_AFTER_MS       = var.alert_repeat_after_ms
      MAX_EVENT_AGE_SECONDS       = var.max_event_age_seconds
      COVERAGE_EXCLUDE_DATES      = local.coverage_exclude_dates
    }

    # ALERT_WEBHOOK_URL only when a webhook is configured: the code treats an absent variable as "no
    # webhook", while an empty one would fail its URL validation. "latest": an instance reads the
    # secret's newest version when it starts, so rotating the URL needs no apply.
    dynamic "secret_environment_variables" {
      for_each = var.alert_webhook_secret != null ? [var.alert_webhook_secret] : []
      content {
        key        = "ALERT_WEBHOOK_URL"
        project_id = var.project_id
        secret     = secret_environment_variables.value
        version    = "latest"
      }
    }
  }

  depends_on = [
    google_project_service.enabled,
    google_project_iam_member.functions_build,
    google_project_iam_member.functions_build_source,
    google_secret_manager_secret_iam_member.alert_webhook_access,
  ]
}

# --- backfillApi --------------------------------------------------------------------------------------

resource "google_cloudfunctions2_function" "backfill_api" {
  name        = local.function_names.backfill_api
  location    = var.region
  description = "HTTP API: start, inspect and cancel backfill runs. Private: IAM invokers only."

  build_config {
    runtime         = "nodejs22"
    entry_point     = "backfillApi"
    service_account = google_service_account.functions_build.id
    environment_variables = {
      GOOGLE_NODE_RUN_SCRIPTS = ""
    }
    source {
      storage_source {
        bucket = var.source_bucket
        object = google_storage_bucket_object.source.name
      }
    }
  }

  service_config {
    service_account_email            = google_service_account.backfill_api.email
    available_memory                 = "512Mi"
    available_cpu                    = "1"
    timeout_seconds                  = 120
    min_instance_count               = 0
    max_instance_count               = var.api_max_instances
    max_instance_request_concurrency = 8
    # Reachable from operators' machines; IAM (iam.tf) is what keeps it private.
    ingress_settings               = "ALLOW_ALL"
    all_traffic_on_latest_revision = true

    environment_variables = {
      WAREHOUSE                   = "bigquery"
      LEDGER                      = "firestore"
      GOOGLE_CLOUD_PROJECT        = var.project_id
      BQ_LOCATION                 = var.bq_location
      FIRESTORE_DATABASE          = google_firestore_database.ledger.name
      FIRESTORE_COLLECTION_PREFIX = var.firestore_collection_prefix
      LOG_LEVEL                   = var.log_level
      CHUNKS_TOPIC                = google_pubsub_topic.chunks.name
      RECONCILE_TOPIC             = google_pubsub_topic.reconcile.name
      ALERTS_TOPIC                = google_pubsub_topic.alerts.name
      MAX_IN_FLIGHT               = var.max_in_flight
      MAX_IN_FLIGHT_PER_TABLE     = var.max_in_flight_per_table
      DATES_PER_JOB               = var.dates_per_job
      ALERT_REPEAT_AFTER_MS       = var.alert_repeat_after_ms
      COVERAGE_EXCLUDE_DATES      = local.coverage_exclude_dates
    }

    dynamic "secret_environment_variables" {
      for_each = var.alert_webhook_secret != null ? [var.alert_webhook_secret] : []
      content {
        key        = "ALERT_WEBHOOK_URL"
        project_id = var.project_id
        secret     = secret_environment_variables.value
        version    = "latest"
      }
    }
  }

  depends_on = [
    google_project_service.enabled,
    google_project_iam_member.functions_build,
    google_project_iam_member.functions_build_source,
    google_secret_manager_secret_iam_member.alert_webhook_access,
  ]
}
