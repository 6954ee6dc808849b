# Pub/Sub: the topics of functions/manifest.ts and how messages reach the functions.
#
# Topics: chunks (one message per chunk to compute), reconcile (Scheduler ticks and verify requests),
# alerts (what reconcile and the API raise), and a dead-letter topic.
#
# Delivery. A 2nd gen function with an event_trigger gets its subscription from Eventarc, and that
# subscription cannot be given a dead-letter policy from Terraform (event_trigger only has retry_policy).
# So the two event-driven functions have NO event_trigger. Each is reached by an explicit push
# subscription declared here, which carries:
#   - retry_policy: exponential back-off between retries (the push equivalent of RETRY_POLICY_RETRY:
#     a function that throws answers non-2xx, and Pub/Sub redelivers);
#   - dead_letter_policy: after max_delivery_attempts the message goes to the dead-letter topic, where
#     a pull subscription keeps it for inspection and monitoring.tf alerts on it;
#   - oidc_token: Pub/Sub signs each push with the push-invoker service account, the only identity
#     with roles/run.invoker on those functions (iam.tf), so the functions stay private.
# The push endpoint ends in /projects/<p>/topics/<t>: the functions framework turns a raw Pub/Sub push
# into the same CloudEvent (google.cloud.pubsub.topic.v1.messagePublished) an Eventarc trigger
# delivers, taking the topic from that path. The handlers therefore work unchanged either way, as long
# as they are registered with functions.cloudEvent(...).
#
# Exactly one subscription pushes to each function: a second one (or an event_trigger added later)
# would deliver every message twice. test/infra checks this.

locals {
  topic_names = {
    chunks      = "${var.name_prefix}-chunks"
    reconcile   = "${var.name_prefix}-reconcile"
    alerts      = "${var.name_prefix}-alerts"
    dead_letter = "${var.name_prefix}-dead-letter"
  }
  # Seven days is the most a subscription keeps; enough to read a weekend's dead letters on Monday.
  inspection_retention = "604800s"
}

resource "google_pubsub_topic" "chunks" {
  name       = local.topic_names.chunks
  depends_on = [google_project_service.enabled]
}

resource "google_pubsub_topic" "reconcile" {
  name       = local.topic_names.reconcile
  depends_on = [google_project_service.enabled]
}

resource "google_pubsub_topic" "alerts" {
  name       = local.topic_names.alerts
  depends_on = [google_project_service.enabled]
}

resource "google_pubsub_topic" "dead_letter" {
  name       = local.topic_names.dead_letter
  depends_on = [google_project_service.enabled]
}

# --- Push subscriptions: the triggers of processChunk and reconcile ----------------------------------

resource "google_pubsub_subscription" "process_chunk_push" {
  name  = "${var.name_prefix}-chunks-to-process-chunk"
  topic = google_pubsub_topic.chunks.id

  # How long Pub/Sub waits for the function's answer: just above the function timeout, so a running
  # chunk is not redelivered while it is still being computed.
  ack_deadline_seconds       = min(var.worker_timeout_seconds + 60, 600)
  message_retention_duration = "86400s"

  push_config {
    push_endpoint = "${google_cloudfunctions2_function.process_chunk.service_config[0].uri}/projects/${var.project_id}/topics/${google_pubsub_topic.chunks.name}"
    oidc_token {
      service_account_email = google_service_account.push_invoker.email
      audience              = google_cloudfunctions2_function.process_chunk.service_config[0].uri
    }
  }

  retry_policy {
    minimum_backoff = var.retry_minimum_backoff
    maximum_backoff = var.retry_maximum_backoff
  }

  dead_letter_policy {
    dead_letter_topic     = google_pubsub_topic.dead_letter.id
    max_delivery_attempts = var.max_delivery_attempts
  }

  expiration_policy {
    ttl = "" # never expire, however quiet the backfill is
  }

  # Pub/Sub must be able to mint tokens for the invoker and forward to the dead-letter topic before
  # the first message arrives.
  depends_on = [
    google_cloud_run_v2_service_iam_member.push_invoker,
    google_service_account_iam_member.pubsub_mints_push_tokens,
    google_pubsub_topic_iam_member.dead_letter_forwarding,
  ]
}

resource "google_pubsub_subscription" "reconcile_push" {
  name  = "${var.name_prefix}-reconcile-to-reconcile"
  topic = google_pubsub_topic.reconcile.id

  ack_deadline_seconds = min(var.worker_timeout_seconds + 60, 600)
  # A reconcile tick older than the next tick is worthless; verify requests are daily.
  message_retention_duration = "86400s"

  push_config {
    push_endpoint = "${google_cloudfunctions2_function.reconcile.service_config[0].uri}/projects/${var.project_id}/topics/${google_pubsub_topic.reconcile.name}"
    oidc_token {
      service_account_email = google_service_account.push_invoker.email
      audience              = google_cloudfunctions2_function.reconcile.service_config[0].uri
    }
  }

  retry_policy {
    minimum_backoff = var.retry_minimum_backoff
    maximum_backoff = var.retry_maximum_backoff
  }

  dead_letter_policy {
    dead_letter_topic     = google_pubsub_topic.dead_letter.id
    max_delivery_attempts = var.max_delivery_attempts
  }

  expiration_policy {
    ttl = ""
  }

  depends_on = [
    google_cloud_run_v2_service_iam_member.push_invoker,
    google_service_account_iam_member.pubsub_mints_push_tokens,
    google_pubsub_topic_iam_member.dead_letter_forwarding,
  ]
}

# --- Pull subscriptions: keep what nobody consumes automatically --------------------------------------

# A topic without a subscription drops its messages; these keep them for people and for alerting.
resource "google_pubsub_subscription" "dead_letter_inbox" {
  name                       = "${var.name_prefix}-dead-letter-inbox"
  topic                      = google_pubsub_topic.dead_letter.id
  message_retention_duration = local.inspection_retention
  retain_acked_messages      = true
  ack_deadline_seconds       = 60

  expiration_policy {
    ttl = ""
  }
}

resource "google_pubsub_subscription" "alerts_inbox" {
  name                       = "${var.name_prefix}-alerts-inbox"
  topic                      = google_pubsub_topic.alerts.id
  message_retention_duration = local.inspection_retention
  ack_deadline_seconds       = 60

  expiration_policy {
    ttl = ""
  }
}
