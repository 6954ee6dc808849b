# Variables: everything that differs between deployments, each typed, described and, where a wrong value
# would only surface at runtime, validated. Defaults mirror shared/config/defaults.ts so a deployment
# that sets only what has no default behaves like the code's defaults.
#
# The values of a deployment live in ONE committed file, infra/deploy.tfvars (copy
# infra/deploy.tfvars.example), which infra/scripts/deploy.sh passes on every apply, from a workstation
# and from Cloud Build alike, and without which it refuses to run. Variables without a default
# (project_id, source_bucket, api_invoker_members, deployers) must be in it, so an apply that forgot the
# file stops at "No value for required variable" instead of resetting who may call the API.
# source_archive_path is the one value given per build (-var), by deploy.sh.
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
  description = "Existing GCS bucket the zipped function source is uploaded to (created once with the state bucket, docs/deploy.md). Terraform uploads the archive itself, on every path."
}

variable "source_archive_path" {
  type        = string
  description = "Local path of the zipped function source (package.json, package-lock.json, dist/) made by infra/scripts/package-source.sh; uploaded to source_bucket as functions/<md5>.zip, so a changed archive redeploys and an unchanged one does not. deploy.sh passes it."
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

variable "coverage_exclude_dates" {
  type        = list(string)
  default     = []
  description = "COVERAGE_EXCLUDE_DATES: game dates (YYYY-MM-DD) the coverage targets leave out, e.g. days a scraper source is known to be lost. Passed sorted and without repeats, comma-separated, to reconcile and backfillApi."

  validation {
    condition     = alltrue([for d in var.coverage_exclude_dates : can(regex("^\\d{4}-\\d{2}-\\d{2}$", d))])
    error_message = "coverage_exclude_dates must be YYYY-MM-DD dates."
  }
  validation {
    condition     = length(var.coverage_exclude_dates) <= 5000
    error_message = "coverage_exclude_dates takes at most 5000 dates (LIMITS.maxExcludedDates)."
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
  default     = 4000
  description = "MAX_IN_FLIGHT: chunks queued or running across all runs. Bounds the Pub/Sub backlog and, with the worker instance cap, concurrent BigQuery jobs."
}

variable "max_in_flight_per_table" {
  type        = number
  default     = 800
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

variable "retry_max_ms" {
  type        = number
  default     = 1800000
  description = "RETRY_MAX_MS: cap of the retry back-off for failed chunks (at least retry_base_ms)."
}

variable "dates_per_job" {
  type        = number
  default     = 200
  description = "DATES_PER_JOB: game dates of a table's first write job; the size then grows while jobs succeed and halves when a rate limit refuses one (shared/chunks/job-size.ts)."
}

variable "max_dates_per_job" {
  type        = number
  default     = 4000
  description = "MAX_DATES_PER_JOB: the most game dates (partitions) one write job may grow to; BigQuery refuses a job modifying more than 4,000 partitions."
}

variable "max_rows_per_job" {
  type        = number
  default     = 1000000
  description = "MAX_ROWS_PER_JOB: the most expected rows one write job takes, so a job stays well inside the worker's timeout; dates past it wait for the next job."
}

variable "quota_give_up_ms" {
  type        = number
  default     = 7200000
  description = "QUOTA_GIVE_UP_MS: after this much summed back-off on quota errors (a daily or custom quota), a chunk's next refusal counts as a failed attempt."
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

variable "alert_webhook_secret" {
  type        = string
  default     = null
  nullable    = true
  description = "ALERT_WEBHOOK_URL (optional): the id of an existing Secret Manager secret whose latest version is the webhook URL reconcile and the API post alerts to (docs/deploy.md shows the gcloud command). The URL never passes through Terraform, so neither the state nor a CI variable holds it. Null: no webhook."

  validation {
    condition     = var.alert_webhook_secret == null || can(regex("^[A-Za-z0-9_-]{1,255}$", var.alert_webhook_secret))
    error_message = "alert_webhook_secret must be a secret id (letters, digits, '_' and '-'), not the URL itself."
  }
}

# --- Schedules ----------------------------------------------------------------------------------------

variable "reconcile_schedule" {
  type        = string
  default     = "* * * * *"
  description = "Cron schedule of the reconcile pass (publishes {\"kind\":\"reconcile\"} to the reconcile topic)."
}

variable "heal_schedule" {
  type        = string
  default     = "0 * * * *"
  description = "Cron schedule of coverage healing (publishes {\"kind\":\"heal\"} to the reconcile topic): compares the warehouse with the coverage targets and starts a run for the gaps. Hourly: each pass reads BigQuery (docs/deploy.md, costs)."
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
  description = "IAM members allowed to call backfillApi, e.g. [\"group:nba-data@example.com\", \"serviceAccount:cli@p.iam.gserviceaccount.com\"]. No default: an apply without infra/deploy.tfvars must not lock the operators out. The API is never public."

  validation {
    condition     = alltrue([for m in var.api_invoker_members : !contains(["allUsers", "allAuthenticatedUsers"], m)])
    error_message = "backfillApi must not be public: allUsers and allAuthenticatedUsers are refused."
  }
}

variable "deployers" {
  type        = list(string)
  description = "IAM members that run terraform apply after the first one (the Cloud Build deployer account, the operators' group): they get roles/iam.serviceAccountUser on the function and build accounts this configuration creates, which deploying a function that runs as them requires. The first apply is made by a project Owner (docs/deploy.md). May be []."

  validation {
    condition     = alltrue([for m in var.deployers : can(regex("^(user|group|serviceAccount):", m))])
    error_message = "deployers must be IAM members: user:, group: or serviceAccount:."
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
