# Monitoring: page a person when the data is wrong or when work is being lost.
#
# 1. Verification failures. Verification is to log each failed check as one JSON line
#    {"severity":"ERROR","event":"verification_failed","table":...,"gameDate":...} on stdout; Cloud
#    Logging turns that into a LogEntry with severity ERROR and jsonPayload.event. A log-based metric
#    counts those entries (labelled by table) and an alert policy fires on any of them.
# 2. Dead letters. A message lands on the dead-letter topic only after max_delivery_attempts failed
#    pushes: a chunk or a reconcile tick the code never settled. The alert fires while the dead-letter
#    inbox subscription holds unacknowledged messages, and clears once someone has looked and acked.
#
# Notifications go to var.notification_channels plus, if alert_email is set, an e-mail channel.
# Both policies auto-close after a day without new events.

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

resource "google_logging_metric" "verification_failed" {
  name        = "${var.name_prefix}/verification_failed"
  description = "Failed verification checks logged by the backfill functions (event=verification_failed)."
  filter      = <<-EOT
    resource.type="cloud_run_revision"
    severity=ERROR
    jsonPayload.event="verification_failed"
  EOT

  metric_descriptor {
    metric_kind = "DELTA"
    value_type  = "INT64"
    unit        = "1"
    labels {
      key         = "table"
      value_type  = "STRING"
      description = "Analytics table whose check failed."
    }
  }
  label_extractors = {
    table = "EXTRACT(jsonPayload.table)"
  }

  depends_on = [google_project_service.enabled]
}

resource "google_monitoring_alert_policy" "verification_failed" {
  display_name = "NBA backfill: verification failed"
  combiner     = "OR"
  severity     = "ERROR"

  conditions {
    display_name = "verification_failed log entries"
    condition_threshold {
      filter          = "resource.type = \"cloud_run_revision\" AND metric.type = \"logging.googleapis.com/user/${google_logging_metric.verification_failed.name}\""
      comparison      = "COMPARISON_GT"
      threshold_value = 0
      duration        = "0s"
      aggregations {
        alignment_period     = "300s"
        per_series_aligner   = "ALIGN_SUM"
        cross_series_reducer = "REDUCE_SUM"
        group_by_fields      = ["metric.label.table"]
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
      A verification check failed for table $${metric.label.table}.
      Logs: `jsonPayload.event="verification_failed"` (the daily verification runs in ${local.function_names.reconcile}).
      Coverage and missing dates: views in the ${google_bigquery_dataset.monitoring.dataset_id} dataset.
    EOT
  }

  notification_channels = local.alert_channels
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
