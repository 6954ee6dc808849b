# Variables: everything that differs between deployments, each typed, described and, where a wrong value
# would only surface at runtime, validated. Defaults mirror shared/config/defaults.ts so a deployment
# that sets only project_id and the function source behaves like the code's defaults.
#
# Dataset names are NOT variables: shared/tables/names.ts hard-codes nba_raw, nba_analytics and
# test_nba_analytics, and test/infra checks bigquery.tf uses exactly those.

# --- Where --------------------------------------------------------------------------------------------

variable "project_id" {
  type        = string
  description = "Google Cloud project that holds the warehouse, the functions, the topics and the Firestore ledger."
}

variable "region" {
  type        = string
  default     = "us-central1"
  description = "Region of the Cloud Functions, the Cloud Scheduler jobs and the source bucket objects."
}

variable "bq_location" {
  type        = string
  default     = "US"
  description = "BigQuery location of nba_analytics and test_nba_analytics. Must equal nba_raw's location: BigQuery cannot join across locations."
}

variable "firestore_location" {
  type        = string
  default     = "nam5"
  description = "Location of the Firestore database holding the run and chunk ledger (a multi-region such as nam5, or a region)."
}

variable "firestore_database" {
  type        = string
  default     = "(default)"
  description = "Firestore database id for the ledger; passed to the functions as FIRESTORE_DATABASE. If the project already has this database, import it: terraform import google_firestore_database.ledger projects/<project>/databases/<id>."
}

variable "firestore_collection_prefix" {
  type        = string
  default     = "backfill_"
  description = "Prefix of every ledger collection (FIRESTORE_COLLECTION_PREFIX); the composite indexes are declared on the prefixed names."

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]*$", var.firestore_collection_prefix))
    error_message = "firestore_collection_prefix may hold only letters, digits, '_' and '-' (the same rule as ENV_SCHEMA)."
  }
}

variable "name_prefix" {
  type        = string
  default     = "backfill"
  description = "Prefix of every resource name (topics, subscriptions, functions, service accounts); keep it short: service account ids are limited to 30 characters."

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,13}$", var.name_prefix))
    error_message = "name_prefix must be 2-14 lowercase letters, digits or '-', starting with a letter."
  }
}

variable "labels" {
  type        = map(string)
  default     = {}
  description = "Extra labels put on every resource that takes labels (cost attribution)."
}

# --- Function source ----------------------------------------------------------------------------------

variable "source_bucket" {
  type        = string
  description = "Existing GCS bucket holding the zipped function source (package.json, package-lock.json, dist/). Created once next to the state bucket, not here: the build uploads to it before Terraform runs."
}

variable "source_object" {
  type        = string
  default     = null
  description = "Object in source_bucket with the zipped source, e.g. functions/<commit sha>.zip. A new name per build is what makes the functions redeploy. Ignored when source_archive_path is set."
}

variable "source_archive_path" {
  type        = string
  default     = null
  description = "Local path of a zipped source to upload into source_bucket (named by its MD5, so a changed archive redeploys). For deploys from a workstation; Cloud Build uploads itself and sets source_object."
}

# --- Behaviour (the functions' env, see shared/config/config.ts ENV_SCHEMA) --------------------------

variable "coverage_start" {
  type        = string
  default     = "2016-10-01"
  description = "COVERAGE_START: first game date every analytics table must cover; reconcile heals gaps from here through yesterday. Empty turns coverage healing off."

  validation {
    condition     = var.coverage_start == "" || can(regex("^\\d{4}-\\d{2}-\\d{2}$", var.coverage_start))
    error_message = "coverage_start must be YYYY-MM-DD or empty."
  }
}

variable "coverage_targets" {
  type = map(object({
    start = string
    end   = optional(string)
  }))
  default     = {}
  description = "COVERAGE_TARGETS: per-table coverage windows overriding coverage_start, e.g. { player_game_summary = { start = \"2018-10-01\" } }. Keys are analytics table names."
}

variable "max_in_flight" {
  type        = number
  default     = 1200
  description = "MAX_IN_FLIGHT: chunks queued or running across all runs. Bounds the Pub/Sub backlog and, with the worker instance cap, concurrent BigQuery jobs."
}

variable "max_in_flight_per_table" {
  type        = number
  default     = 240
  description = "MAX_IN_FLIGHT_PER_TABLE: chunks in flight per analytics table (BigQuery serialises DML per table beyond a few concurrent jobs)."
}

variable "max_attempts" {
  type        = number
  default     = 5
  description = "MAX_ATTEMPTS: real failures before the ledger marks a chunk dead (quota back-offs are not counted)."
}

variable "lease_ms" {
  type        = number
  default     = 600000
  description = "LEASE_MS: how long a worker holds a chunk; past it reconcile puts the chunk back. Keep above the worker timeout (worker_timeout_seconds)."
}

variable "retry_base_ms" {
  type        = number
  default     = 30000
  description = "RETRY_BASE_MS: base of the ledger's exponential retry back-off for failed chunks."
}

variable "dates_per_job" {
  type        = number
  default     = 12
  description = "DATES_PER_JOB: game dates written by one warehouse job."
}

variable "max_event_age_seconds" {
  type        = number
  default     = 3600
  description = "MAX_EVENT_AGE_SECONDS: Pub/Sub events older than this are acknowledged and dropped by the functions; reconcile republishes what still matters."
}

variable "alert_repeat_after_ms" {
  type        = number
  default     = 86400000
  description = "ALERT_REPEAT_AFTER_MS: an unchanged alert is not re-sent to the webhook before this."
}

variable "log_level" {
  type        = string
  default     = "info"
  description = "LOG_LEVEL of the functions."

  validation {
    condition     = contains(["debug", "info", "warn", "error"], var.log_level)
    error_message = "log_level must be one of debug, info, warn, error."
  }
}

variable "alert_webhook_url" {
  type        = string
  default     = null
  sensitive   = true
  nullable    = true
  description = "ALERT_WEBHOOK_URL (optional): where reconcile and the API post alerts. Stored in Secret Manager and mounted as a secret env var, never as a plain env var (those are readable by anyone who can view the function). Null: no webhook."

  validation {
    condition     = var.alert_webhook_url == null || can(regex("^https://", var.alert_webhook_url))
    error_message = "alert_webhook_url must be an https:// URL or null."
  }
}

# --- Schedules ----------------------------------------------------------------------------------------

variable "reconcile_schedule" {
  type        = string
  default     = "* * * * *"
  description = "Cron schedule of the reconcile pass (publishes {\"kind\":\"reconcile\"} to the reconcile topic)."
}

variable "verify_schedule" {
  type        = string
  default     = "30 10 * * *"
  description = "Cron schedule of the daily verification (publishes {\"kind\":\"verify\"}); after the overnight scrapes have landed."
}

variable "scheduler_time_zone" {
  type        = string
  default     = "Etc/UTC"
  description = "Time zone the cron schedules are read in."
}

# --- Delivery and scale -------------------------------------------------------------------------------

variable "max_delivery_attempts" {
  type        = number
  default     = 15
  description = "Pub/Sub deliveries of one message before it goes to the dead-letter topic. With the default back-off (10s doubling to 600s) 15 deliveries span more than MAX_EVENT_AGE_SECONDS, so a chunk message failing for transient reasons (quota, contention) ages out in the code first (acknowledged; reconcile republishes the chunk); what reaches the dead-letter topic is a function that could not answer at all for over an hour."

  validation {
    condition     = var.max_delivery_attempts >= 5 && var.max_delivery_attempts <= 100
    error_message = "Pub/Sub accepts 5 to 100 delivery attempts."
  }
}

variable "retry_minimum_backoff" {
  type        = string
  default     = "10s"
  description = "Shortest wait before Pub/Sub redelivers a message the function failed (transient errors throw, so Pub/Sub retries)."
}

variable "retry_maximum_backoff" {
  type        = string
  default     = "600s"
  description = "Longest wait before Pub/Sub redelivers a failed message (at most 600s)."
}

variable "worker_max_instances" {
  type        = number
  default     = 100
  description = "Instance cap of processChunk. Each instance runs one chunk (concurrency 1), so this caps concurrent BigQuery jobs from the backfill well under the project's concurrent query quota."
}

variable "worker_timeout_seconds" {
  type        = number
  default     = 540
  description = "Timeout of processChunk and reconcile. At most 540s: the push subscription's ack deadline (at most 600s) is set above it, so Pub/Sub never redelivers a message whose function is still running."

  validation {
    condition     = var.worker_timeout_seconds >= 60 && var.worker_timeout_seconds <= 540
    error_message = "worker_timeout_seconds must be between 60 and 540."
  }
}

variable "api_max_instances" {
  type        = number
  default     = 3
  description = "Instance cap of backfillApi (operators' requests only)."
}

variable "api_invoker_members" {
  type        = list(string)
  default     = []
  description = "IAM members allowed to call backfillApi, e.g. [\"group:nba-data@example.com\", \"serviceAccount:cli@p.iam.gserviceaccount.com\"]. The API is never public."

  validation {
    condition     = alltrue([for m in var.api_invoker_members : !contains(["allUsers", "allAuthenticatedUsers"], m)])
    error_message = "backfillApi must not be public: allUsers and allAuthenticatedUsers are refused."
  }
}

# --- Monitoring ---------------------------------------------------------------------------------------

variable "notification_channels" {
  type        = list(string)
  default     = []
  description = "Existing Cloud Monitoring notification channel ids (projects/<p>/notificationChannels/<id>) the alert policies notify."
}

variable "alert_email" {
  type        = string
  default     = null
  description = "Optional e-mail address; when set an e-mail notification channel is created and added to the alert policies."
}
