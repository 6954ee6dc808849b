# IAM: least privilege, one identity per job.
#
# Each function runs as its own service account, so a compromised or buggy function can only do what
# its job needs, and audit logs say which function did what:
#
#   identity       BigQuery                                     Firestore       Pub/Sub publish
#   processChunk   jobUser; dataEditor on nba_analytics and     datastore.user  -
#                  test_nba_analytics; READER on nba_raw        (ledger db)
#   reconcile      jobUser; dataViewer on the analytics         datastore.user  chunks, alerts
#                  datasets, READER on nba_raw
#   backfillApi    jobUser; same as reconcile                   datastore.user  chunks, reconcile, alerts
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
# Cloud Scheduler publishes the reconcile, heal and verify ticks. Scheduler Pub/Sub targets always
# publish as the Cloud Scheduler service agent (no user service account can be chosen), so that agent is
# the "scheduler identity" granted publisher on the reconcile topic, and on nothing else. (backfillApi
# may publish there too, the same message, when it starts a run.) Every grant to an agent waits for
# terraform_data.service_agent (apis.tf), which makes sure the agent exists.
#
# Deploying: creating a function that runs as one of these accounts (or builds as fn-build) needs
# iam.serviceAccounts.actAs on it. The first apply is made by a project Owner, whose role has it; the
# identities that apply afterwards (var.deployers: the Cloud Build deployer, operators) get
# roles/iam.serviceAccountUser on exactly these accounts below, never project-wide. docs/deploy.md has
# the one command for a first apply by someone who is not Owner.

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
  function_accounts_by_email = {
    process_chunk = google_service_account.process_chunk.email
    reconcile     = google_service_account.reconcile.email
    backfill_api  = google_service_account.backfill_api.email
  }

  # Accounts a deployer must be able to act as: the three runtimes and the image build.
  deployable_accounts = {
    process_chunk   = google_service_account.process_chunk.name
    reconcile       = google_service_account.reconcile.name
    backfill_api    = google_service_account.backfill_api.name
    functions_build = google_service_account.functions_build.name
  }
  deployer_grants = merge([
    for account, name in local.deployable_accounts : {
      for member in var.deployers : "${account}.${member}" => { account = name, member = member }
    }
  ]...)

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

  depends_on = [google_project_service.bootstrap]
}

resource "google_service_account" "reconcile" {
  account_id   = local.function_accounts.reconcile.id
  display_name = local.function_accounts.reconcile.display

  depends_on = [google_project_service.bootstrap]
}

resource "google_service_account" "backfill_api" {
  account_id   = local.function_accounts.backfill_api.id
  display_name = local.function_accounts.backfill_api.display

  depends_on = [google_project_service.bootstrap]
}

# Identity Pub/Sub pushes as (OIDC), the only caller of processChunk and reconcile.
resource "google_service_account" "push_invoker" {
  account_id   = "${var.name_prefix}-push-invoker"
  display_name = "backfill Pub/Sub push invoker"

  depends_on = [google_project_service.bootstrap]
}

# Identity that builds the function images (instead of the project's default compute account, whose
# broad Editor role, where it still has it, is exactly what we do not want in a build).
resource "google_service_account" "functions_build" {
  account_id   = "${var.name_prefix}-fn-build"
  display_name = "backfill function image builds"

  depends_on = [google_project_service.bootstrap]
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

# nba_raw is not ours, and may carry authorized views of its owners. The dataset IAM resources would
# strip those ("Using any of these resources will remove any authorized view permissions from the
# dataset. To assign and preserve authorized view permissions use the google_bigquery_dataset_access
# instead.", https://registry.terraform.io/providers/hashicorp/google/latest/docs/resources/bigquery_dataset_iam),
# so read access is one google_bigquery_dataset_access entry per function account. READER is the basic
# role the API stores for roles/bigquery.dataViewer ("Predefined roles that have equivalent basic roles
# are swapped by the API to their basic counterparts, and will show a diff post-create",
# https://registry.terraform.io/providers/hashicorp/google/latest/docs/resources/bigquery_dataset_access).
resource "google_bigquery_dataset_access" "raw_reader" {
  for_each = local.function_accounts_by_email

  project       = var.project_id
  dataset_id    = data.google_bigquery_dataset.raw.dataset_id
  role          = "READER"
  user_by_email = each.value
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

# A job that finished may unblock dependent work: processChunk nudges reconcile at once (at most once a second).
resource "google_pubsub_topic_iam_member" "chunk_publishes_reconcile" {
  topic  = google_pubsub_topic.reconcile.name
  role   = "roles/pubsub.publisher"
  member = "serviceAccount:${google_service_account.process_chunk.email}"
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

  depends_on = [terraform_data.service_agent]
}

# --- Pub/Sub service agent: push auth and dead-lettering ----------------------------------------------

resource "google_service_account_iam_member" "pubsub_mints_push_tokens" {
  service_account_id = google_service_account.push_invoker.name
  role               = "roles/iam.serviceAccountTokenCreator"
  member             = local.pubsub_service_agent

  depends_on = [terraform_data.service_agent]
}

resource "google_pubsub_topic_iam_member" "dead_letter_forwarding" {
  topic  = google_pubsub_topic.dead_letter.name
  role   = "roles/pubsub.publisher"
  member = local.pubsub_service_agent

  depends_on = [terraform_data.service_agent]
}

resource "google_pubsub_subscription_iam_member" "dead_letter_source_ack" {
  for_each = {
    process_chunk = google_pubsub_subscription.process_chunk_push.name
    reconcile     = google_pubsub_subscription.reconcile_push.name
  }

  subscription = each.value
  role         = "roles/pubsub.subscriber"
  member       = local.pubsub_service_agent

  depends_on = [terraform_data.service_agent]
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

# Read access to the operator-made webhook secret (variables.tf alert_webhook_secret), for the two
# functions that post alerts, on that secret only.
resource "google_secret_manager_secret_iam_member" "alert_webhook_access" {
  for_each = var.alert_webhook_secret != null ? {
    reconcile    = local.function_members.reconcile
    backfill_api = local.function_members.backfill_api
  } : {}

  project   = var.project_id
  secret_id = var.alert_webhook_secret
  role      = "roles/secretmanager.secretAccessor"
  member    = each.value

  depends_on = [google_project_service.enabled]
}

# --- Function image builds ----------------------------------------------------------------------------

# The build account (build_config.service_account) needs, per "Custom Service Account for Cloud Build"
# (https://cloud.google.com/functions/docs/securing/build-custom-sa): roles/logging.logWriter ("for
# storing build logs in Cloud Logging"), roles/artifactregistry.writer ("for storing build images in
# Artifact Registry") and read access to the function source. Not project-wide storage.objectViewer: that
# would let a build read every bucket, the Terraform state bucket included.
resource "google_project_iam_member" "functions_build" {
  for_each = toset([
    "roles/logging.logWriter",
    "roles/artifactregistry.writer",
  ])

  project = var.project_id
  role    = each.value
  member  = "serviceAccount:${google_service_account.functions_build.email}"
}

# The source a 2nd gen build fetches is Cloud Functions' copy of our zip in its own bucket
# gcf-v2-sources-<project number>-<region> ("failed to download archive
# gs://gcf-v2-sources-594424405950-us-central1/.../function-source.zip: Access to bucket
# gcf-v2-sources-594424405950-us-central1 denied. You must grant Storage Object Viewer permission to
# <build account>", terraform-provider-google issue #20571; the bucket naming:
# https://cloud.google.com/functions/docs/building, "gcf-v2-sources-PROJECT_NUMBER-REGION"). That bucket
# only exists once the first function is created, so no bucket-level binding can precede it: the grant
# is project-level with an IAM condition naming exactly that bucket and its objects
# (resource.name is "projects/_/buckets/BUCKET" or "projects/_/buckets/BUCKET/objects/OBJECT",
# https://cloud.google.com/iam/docs/conditions-resource-attributes; docs/deploy.md says what to do if the bucket does not honour it).
resource "google_project_iam_member" "functions_build_source" {
  project = var.project_id
  role    = "roles/storage.objectViewer"
  member  = "serviceAccount:${google_service_account.functions_build.email}"

  condition {
    title       = "function source bucket only"
    description = "Cloud Functions' copy of the function source; no other bucket (the Terraform state bucket least of all)."
    expression  = "resource.name == \"projects/_/buckets/${local.function_source_bucket}\" || resource.name.startsWith(\"projects/_/buckets/${local.function_source_bucket}/objects/\")"
  }
}

locals {
  function_source_bucket = "gcf-v2-sources-${data.google_project.this.number}-${var.region}"
}

# --- Deployers ------------------------------------------------------------------------------------------

resource "google_service_account_iam_member" "deployer_acts_as" {
  for_each = local.deployer_grants

  service_account_id = each.value.account
  role               = "roles/iam.serviceAccountUser"
  member             = each.value.member
}
