# Outputs: what operators and the CLI need after an apply: where the private API is, and the names of
# the topics, functions and datasets to look at when something goes wrong.

output "api_url" {
  description = "URL of backfillApi (private: call it with an identity token of one of api_invoker_members)."
  value       = google_cloudfunctions2_function.backfill_api.service_config[0].uri
}

output "function_names" {
  description = "Cloud Function names, keyed by manifest entry point."
  value = {
    processChunk = google_cloudfunctions2_function.process_chunk.name
    reconcile    = google_cloudfunctions2_function.reconcile.name
    backfillApi  = google_cloudfunctions2_function.backfill_api.name
  }
}

output "topics" {
  description = "Pub/Sub topic names, keyed by the env var that names them (CHUNKS_TOPIC etc.), plus the dead-letter topic."
  value = {
    CHUNKS_TOPIC    = google_pubsub_topic.chunks.name
    RECONCILE_TOPIC = google_pubsub_topic.reconcile.name
    ALERTS_TOPIC    = google_pubsub_topic.alerts.name
    dead_letter     = google_pubsub_topic.dead_letter.name
  }
}

output "dead_letter_subscription" {
  description = "Pull subscription holding dead-lettered messages for inspection."
  value       = google_pubsub_subscription.dead_letter_inbox.name
}

output "firestore_database" {
  description = "Firestore database of the ledger (FIRESTORE_DATABASE)."
  value       = google_firestore_database.ledger.name
}

output "monitoring_dataset" {
  description = "BigQuery dataset with the coverage / missing dates / test-rows views."
  value       = google_bigquery_dataset.monitoring.dataset_id
}
