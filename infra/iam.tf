# IAM: least privilege, one identity per job.
#
# Each function runs as its own service account, so a compromised or buggy function can only do what
# its job needs, and audit logs say which function did what:
#
#   identity       BigQuery                                     Firestore       Pub/Sub publish
#   processChunk   jobUser; dataEditor on nba_analytics and     datastore.user  -
#                  test_nba_analytics; dataViewer on nba_raw    (ledger db)
#   reconcile      jobUser; dataViewer on the three datasets    datastore.user  chunks, alerts
#   backfillApi    jobUser; dataViewer on the three datasets    datastore.user  chunks, reconcile, alerts
#
# Only processChunk writes the warehouse; reconcile and the API read it (coverage, verification,
# estimates). Publish rights follow `publishes` in functions/manifest.ts, topic by topic, never
# project-wide (test/infra checks them against the manifest). Firestore access is conditioned on the
# ledger database, so the functions cannot read other Firestore databases of the project.
#
# Invocation: no function is public (no allUsers / allAuthenticatedUsers anywhere; test/infra checks).
#   - processChunk and reconcile: roles/run.invoker for the push-invoker account only, whose OIDC token
#     Pub/Sub attaches to each push.
#   - backfillApi: roles/run.invoker for var.api_invoker_members.
# 2nd gen functions are served by Cloud Run, so invocation is roles/run.invoker on the Cloud Run
# service (same name as the function); roles/cloudfunctions.invoker would not let a request through.
#
# Google service agents: Pub/Sub mints OIDC tokens as push-invoker and forwards dead letters (publisher
# on the dead-letter topic, subscriber on the source subscriptions: both required for dead-lettering);
# Cloud Scheduler publishes the reconcile and verify ticks. Scheduler Pub/Sub targets always publish as
# the Cloud Scheduler service agent (no user service account can be chosen), so that agent is the
# "scheduler identity" granted publisher on the reconcile topic, and on nothing else. (backfillApi may
# publish there too, the same message, when it starts a run.)
#
# Whoever runs `terraform apply` needs iam.serviceAccountUser on these accounts (to deploy functions
# running as them) and the admin roles of the services above.

locals {
  function_accounts = {
    process_chunk = { id = "${var.name_prefix}-process-chunk", display = "backfill processChunk function" }
    reconcile     = { id = "${var.name_prefix}-reconcile", display = "backfill reconcile function" }
    backfill_api  = { id = "${var.name_prefix}-api", display = "backfill backfillApi function" }
  }

  function_members = {
    process_chunk = "serviceAccount:${google_service_account.process_chunk.email}"
    reconcile     = "serviceAccount:${google_service_account.reconcile.email}"
    backfill_api  = "serviceAccount:${google_service_account.backfill_api.email}"
  }

  # Function -> role on each analytics dataset.
  analytics_dataset_roles = {
    process_chunk = "roles/bigquery.dataEditor"
    reconcile     = "roles/bigquery.dataViewer"
    backfill_api  = "roles/bigquery.dataViewer"
  }
  analytics_dataset_grants = merge([
    for dataset_key, dataset_id in {
      analytics      = google_bigquery_dataset.analytics.dataset_id
      test_analytics = google_bigquery_dataset.test_analytics.dataset_id
      } : {
      for fn, role in local.analytics_dataset_roles : "${dataset_key}.${fn}" => {
        dataset_id = dataset_id
        role       = role
        member     = local.function_members[fn]
      }
    }
  ]...)
}

# --- Identities ---------------------------------------------------------------------------------------

resource "google_service_account" "process_chunk" {
  account_id   = local.function_accounts.process_chunk.id
  display_name = local.function_accounts.process_chunk.display
}

resource "google_service_account" "reconcile" {
  account_id   = local.function_accounts.reconcile.id
  display_name = local.function_accounts.reconcile.display
}

resource "google_service_account" "backfill_api" {
  account_id   = local.function_accounts.backfill_api.id
  display_name = local.function_accounts.backfill_api.display
}

# Identity Pub/Sub pushes as (OIDC), the only caller of processChunk and reconcile.
resource "google_service_account" "push_invoker" {
  account_id   = "${var.name_prefix}-push-invoker"
  display_name = "backfill Pub/Sub push invoker"
}

# Identity that builds the function images (instead of the project's default compute account, whose
# broad Editor role, where it still has it, is exactly what we do not want in a build).
resource "google_service_account" "functions_build" {
  account_id   = "${var.name_prefix}-fn-build"
  display_name = "backfill function image builds"
}

# --- BigQuery -----------------------------------------------------------------------------------------

# Running query jobs is a project-level permission; which data they may touch is granted per dataset.
resource "google_project_iam_member" "bigquery_job_user" {
  for_each = local.function_members

  project = var.project_id
  role    = "roles/bigquery.jobUser"
  member  = each.value
}

resource "google_bigquery_dataset_iam_member" "analytics" {
  for_each = local.analytics_dataset_grants

  project    = var.project_id
  dataset_id = each.value.dataset_id
  role       = each.value.role
  member     = each.value.member
}

# nba_raw is not ours: a non-authoritative member binding adds read access and changes nothing else.
resource "google_bigquery_dataset_iam_member" "raw_viewer" {
  for_each = local.function_members

  project    = var.project_id
  dataset_id = data.google_bigquery_dataset.raw.dataset_id
  role       = "roles/bigquery.dataViewer"
  member     = each.value
}

# --- Firestore ----------------------------------------------------------------------------------------

resource "google_project_iam_member" "firestore_user" {
  for_each = local.function_members

  project = var.project_id
  role    = "roles/datastore.user"
  member  = each.value

  condition {
    title       = "ledger database only"
    description = "Only the backfill ledger database."
    expression  = "resource.name == \"projects/${var.project_id}/databases/${google_firestore_database.ledger.name}\""
  }
}

# --- Pub/Sub publishing (functions/manifest.ts `publishes`) -------------------------------------------

resource "google_pubsub_topic_iam_member" "reconcile_publishes_chunks" {
  topic  = google_pubsub_topic.chunks.name
  role   = "roles/pubsub.publisher"
  member = "serviceAccount:${google_service_account.reconcile.email}"
}

resource "google_pubsub_topic_iam_member" "reconcile_publishes_alerts" {
  topic  = google_pubsub_topic.alerts.name
  role   = "roles/pubsub.publisher"
  member = "serviceAccount:${google_service_account.reconcile.email}"
}

resource "google_pubsub_topic_iam_member" "api_publishes_chunks" {
  topic  = google_pubsub_topic.chunks.name
  role   = "roles/pubsub.publisher"
  member = "serviceAccount:${google_service_account.backfill_api.email}"
}

# A run the API starts or resumes gets a reconcile tick at once, not at the next scheduled one.
resource "google_pubsub_topic_iam_member" "api_publishes_reconcile" {
  topic  = google_pubsub_topic.reconcile.name
  role   = "roles/pubsub.publisher"
  member = "serviceAccount:${google_service_account.backfill_api.email}"
}

resource "google_pubsub_topic_iam_member" "api_publishes_alerts" {
  topic  = google_pubsub_topic.alerts.name
  role   = "roles/pubsub.publisher"
  member = "serviceAccount:${google_service_account.backfill_api.email}"
}

# Cloud Scheduler's pubsub_target publishes as the Cloud Scheduler service agent.
resource "google_pubsub_topic_iam_member" "scheduler_publishes_reconcile" {
  topic  = google_pubsub_topic.reconcile.name
  role   = "roles/pubsub.publisher"
  member = local.scheduler_service_agent

  depends_on = [google_project_service.enabled]
}

# --- Pub/Sub service agent: push auth and dead-lettering ----------------------------------------------

resource "google_service_account_iam_member" "pubsub_mints_push_tokens" {
  service_account_id = google_service_account.push_invoker.name
  role               = "roles/iam.serviceAccountTokenCreator"
  member             = local.pubsub_service_agent

  depends_on = [google_project_service.enabled]
}

resource "google_pubsub_topic_iam_member" "dead_letter_forwarding" {
  topic  = google_pubsub_topic.dead_letter.name
  role   = "roles/pubsub.publisher"
  member = local.pubsub_service_agent

  depends_on = [google_project_service.enabled]
}

resource "google_pubsub_subscription_iam_member" "dead_letter_source_ack" {
  for_each = {
    process_chunk = google_pubsub_subscription.process_chunk_push.name
    reconcile     = google_pubsub_subscription.reconcile_push.name
  }

  subscription = each.value
  role         = "roles/pubsub.subscriber"
  member       = local.pubsub_service_agent
}

# --- Invocation ---------------------------------------------------------------------------------------

resource "google_cloud_run_v2_service_iam_member" "push_invoker" {
  for_each = {
    process_chunk = google_cloudfunctions2_function.process_chunk.name
    reconcile     = google_cloudfunctions2_function.reconcile.name
  }

  project  = var.project_id
  location = var.region
  name     = each.value
  role     = "roles/run.invoker"
  member   = "serviceAccount:${google_service_account.push_invoker.email}"
}

resource "google_cloud_run_v2_service_iam_member" "api_invoker" {
  for_each = toset(var.api_invoker_members)

  project  = var.project_id
  location = var.region
  name     = google_cloudfunctions2_function.backfill_api.name
  role     = "roles/run.invoker"
  member   = each.value
}

# --- Secrets ------------------------------------------------------------------------------------------

resource "google_secret_manager_secret_iam_member" "alert_webhook_access" {
  for_each = local.alert_webhook_enabled ? {
    reconcile    = local.function_members.reconcile
    backfill_api = local.function_members.backfill_api
  } : {}

  secret_id = google_secret_manager_secret.alert_webhook[0].secret_id
  role      = "roles/secretmanager.secretAccessor"
  member    = each.value
}

# --- Function image builds ----------------------------------------------------------------------------

resource "google_project_iam_member" "functions_build" {
  for_each = toset([
    "roles/logging.logWriter",         # build logs
    "roles/artifactregistry.writer",   # pushes the function image to gcf-artifacts
    "roles/storage.objectViewer",      # reads the source zip (and the buildpack cache)
  ])

  project = var.project_id
  role    = each.value
  member  = "serviceAccount:${google_service_account.functions_build.email}"
}
