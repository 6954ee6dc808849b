# Monitoring: page a person when the data is wrong or when work is being lost.
#
# 1. Verification failures. Verification is to log each failed check as one JSON line
#    {"severity":"ERROR","event":"verification_failed","table":...,"gameDate":...} on stdout; Cloud
#    Logging turns that into a LogEntry with severity ERROR and jsonPayload.event. A log-match condition
#    fires on those entries. Not a log-based metric with a threshold condition: an alert policy created
#    in the same apply as the metric it reads fails, "Error 404: Cannot find metric(s) that match type =
#    \"logging.googleapis.com/user/...\". If a metric was created recently, it could take up to 10
#    minutes to become available" (terraform-provider-google issue #11102, still open), so a first
#    apply on a fresh project would stop there. A log-match condition reads the logs themselves and
#    needs no metric; it requires a notification rate limit ("notificationRateLimit: Required for
#    log-based alerting policies, i.e. policies with a LogMatch condition",
#    https://cloud.google.com/monitoring/api/ref_v3/rest/v3/projects.alertPolicies#alertstrategy).
# 2. Dead letters. A message lands on the dead-letter topic only after max_delivery_attempts failed
#    pushes: a chunk or a reconcile tick the code never settled. The alert fires while the dead-letter
#    inbox subscription holds unacknowledged messages, and clears once someone has looked and acked.
#
# Notifications go to var.notification_channels plus, if alert_email is set, an e-mail channel.
# Both policies auto-close after a day without new events.

locals {
  verification_failed_filter = <<-EOT
    resource.type="cloud_run_revision"
    severity=ERROR
    jsonPayload.event="verification_failed"
  EOT
}

locals {
  alert_channels = concat(var.notification_channels, google_monitoring_notification_channel.email[*].id)
}

resource "google_monitoring_notification_channel" "email" {
  count = var.alert_email != null ? 1 : 0

  display_name = "NBA backfill alerts (${var.alert_email})"
  type         = "email"
  labels       = { email_address = var.alert_email }

  depends_on = [google_project_service.enabled]
}

# --- Verification failures ----------------------------------------------------------------------------

resource "google_monitoring_alert_policy" "verification_failed" {
  display_name = "NBA backfill: verification failed"
  combiner     = "OR"
  severity     = "ERROR"

  conditions {
    display_name = "verification_failed log entries"
    condition_matched_log {
      filter = local.verification_failed_filter
      label_extractors = {
        table = "EXTRACT(jsonPayload.table)"
      }
    }
  }

  alert_strategy {
    # One notification per 5 minutes at most, however many checks fail at once.
    notification_rate_limit {
      period = "300s"
    }
    auto_close = "86400s"
  }

  documentation {
    mime_type = "text/markdown"
    content   = <<-EOT
      A verification check failed for table $${log.extracted_label.table}.
      Logs: `jsonPayload.event="verification_failed"` (the daily verification runs in ${local.function_names.reconcile}).
      Coverage and missing dates: views in the ${google_bigquery_dataset.monitoring.dataset_id} dataset.
    EOT
  }

  notification_channels = local.alert_channels

  depends_on = [google_project_service.enabled]
}

# --- Dead letters -------------------------------------------------------------------------------------

resource "google_monitoring_alert_policy" "dead_letters" {
  display_name = "NBA backfill: messages in the dead-letter topic"
  combiner     = "OR"
  severity     = "WARNING"

  conditions {
    display_name = "undelivered messages in ${google_pubsub_subscription.dead_letter_inbox.name}"
    condition_threshold {
      filter          = "resource.type = \"pubsub_subscription\" AND resource.label.subscription_id = \"${google_pubsub_subscription.dead_letter_inbox.name}\" AND metric.type = \"pubsub.googleapis.com/subscription/num_undelivered_messages\""
      comparison      = "COMPARISON_GT"
      threshold_value = 0
      duration        = "300s"
      aggregations {
        alignment_period   = "300s"
        per_series_aligner = "ALIGN_MAX"
      }
      trigger {
        count = 1
      }
    }
  }

  alert_strategy {
    auto_close = "86400s"
  }

  documentation {
    mime_type = "text/markdown"
    content   = <<-EOT
      Pub/Sub gave up on a message after ${var.max_delivery_attempts} deliveries and moved it to
      ${google_pubsub_topic.dead_letter.name}. Pull it from ${google_pubsub_subscription.dead_letter_inbox.name}
      (`gcloud pubsub subscriptions pull ${google_pubsub_subscription.dead_letter_inbox.name} --limit 10`),
      find the function's error in the logs, fix, then ack. Reconcile republishes chunks whose lease
      expired, so a dead-lettered chunk message does not lose the chunk.
    EOT
  }

  notification_channels = local.alert_channels
}
