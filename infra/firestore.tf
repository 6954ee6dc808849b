# Firestore: the database of the ledger and of the alert store, and the composite indexes their queries
# need.
#
# The ledger (adapters/firestore/firestore-ledger.ts) keeps one document per run and per chunk, in the
# collections <firestore_collection_prefix>runs and <firestore_collection_prefix>chunks; the alert store
# (adapters/firestore/firestore-alert-store.ts) keeps alerts, verifications and verification scopes.
# Production Firestore rejects a query that needs a composite index nobody created (the emulator does
# not, so the adapters' own tests cannot catch it). So:
#   - every entry of FIRESTORE_INDEXES (adapters/firestore/indexes.ts) and ALERT_STORE_INDEXES
#     (firestore-alert-store.ts) has one google_firestore_index below, same collection, same fields in
#     the same order, and nothing else is declared (test/infra checks both ways);
#   - test/infra runs both adapters against the emulator, records every query they send, and fails on
#     a query that no declared index serves.
# Firestore appends __name__ to each index itself, which is what the chunk queries order by.
#
# Native mode; concurrency mode left at the API default.
# Delete protection on, and ABANDON on destroy: a `terraform destroy` must never erase the checkpoints
# of a running backfill.

resource "google_firestore_database" "ledger" {
  project                     = var.project_id
  name                        = var.firestore_database
  location_id                 = var.firestore_location
  type                        = "FIRESTORE_NATIVE"
  app_engine_integration_mode = "DISABLED"
  delete_protection_state     = "DELETE_PROTECTION_ENABLED"
  deletion_policy             = "ABANDON"

  depends_on = [google_project_service.enabled]
}

# --- Composite indexes (adapters/firestore/indexes.ts) ------------------------------------------------

resource "google_firestore_index" "runs_by_state_created_at" {
  project     = var.project_id
  database    = google_firestore_database.ledger.name
  collection  = "${var.firestore_collection_prefix}runs"
  query_scope = "COLLECTION"

  fields {
    field_path = "state"
    order      = "ASCENDING"
  }
  fields {
    field_path = "createdAt"
    order      = "DESCENDING"
  }
}

resource "google_firestore_index" "chunks_by_run_ids_table" {
  project     = var.project_id
  database    = google_firestore_database.ledger.name
  collection  = "${var.firestore_collection_prefix}chunks"
  query_scope = "COLLECTION"

  fields {
    field_path   = "runIds"
    array_config = "CONTAINS"
  }
  fields {
    field_path = "table"
    order      = "ASCENDING"
  }
}

resource "google_firestore_index" "chunks_by_run_ids_mode" {
  project     = var.project_id
  database    = google_firestore_database.ledger.name
  collection  = "${var.firestore_collection_prefix}chunks"
  query_scope = "COLLECTION"

  fields {
    field_path   = "runIds"
    array_config = "CONTAINS"
  }
  fields {
    field_path = "mode"
    order      = "ASCENDING"
  }
}

resource "google_firestore_index" "chunks_by_run_ids_state" {
  project     = var.project_id
  database    = google_firestore_database.ledger.name
  collection  = "${var.firestore_collection_prefix}chunks"
  query_scope = "COLLECTION"

  fields {
    field_path   = "runIds"
    array_config = "CONTAINS"
  }
  fields {
    field_path = "state"
    order      = "ASCENDING"
  }
}

resource "google_firestore_index" "chunks_by_run_ids_table_mode" {
  project     = var.project_id
  database    = google_firestore_database.ledger.name
  collection  = "${var.firestore_collection_prefix}chunks"
  query_scope = "COLLECTION"

  fields {
    field_path   = "runIds"
    array_config = "CONTAINS"
  }
  fields {
    field_path = "table"
    order      = "ASCENDING"
  }
  fields {
    field_path = "mode"
    order      = "ASCENDING"
  }
}

resource "google_firestore_index" "chunks_by_run_ids_table_state" {
  project     = var.project_id
  database    = google_firestore_database.ledger.name
  collection  = "${var.firestore_collection_prefix}chunks"
  query_scope = "COLLECTION"

  fields {
    field_path   = "runIds"
    array_config = "CONTAINS"
  }
  fields {
    field_path = "table"
    order      = "ASCENDING"
  }
  fields {
    field_path = "state"
    order      = "ASCENDING"
  }
}

resource "google_firestore_index" "chunks_by_run_ids_mode_state" {
  project     = var.project_id
  database    = google_firestore_database.ledger.name
  collection  = "${var.firestore_collection_prefix}chunks"
  query_scope = "COLLECTION"

  fields {
    field_path   = "runIds"
    array_config = "CONTAINS"
  }
  fields {
    field_path = "mode"
    order      = "ASCENDING"
  }
  fields {
    field_path = "state"
    order      = "ASCENDING"
  }
}

resource "google_firestore_index" "chunks_by_run_ids_table_mode_state" {
  project     = var.project_id
  database    = google_firestore_database.ledger.name
  collection  = "${var.firestore_collection_prefix}chunks"
  query_scope = "COLLECTION"

  fields {
    field_path   = "runIds"
    array_config = "CONTAINS"
  }
  fields {
    field_path = "table"
    order      = "ASCENDING"
  }
  fields {
    field_path = "mode"
    order      = "ASCENDING"
  }
  fields {
    field_path = "state"
    order      = "ASCENDING"
  }
}

resource "google_firestore_index" "chunks_by_table_mode" {
  project     = var.project_id
  database    = google_firestore_database.ledger.name
  collection  = "${var.firestore_collection_prefix}chunks"
  query_scope = "COLLECTION"

  fields {
    field_path = "table"
    order      = "ASCENDING"
  }
  fields {
    field_path = "mode"
    order      = "ASCENDING"
  }
}

resource "google_firestore_index" "chunks_by_table_state" {
  project     = var.project_id
  database    = google_firestore_database.ledger.name
  collection  = "${var.firestore_collection_prefix}chunks"
  query_scope = "COLLECTION"

  fields {
    field_path = "table"
    order      = "ASCENDING"
  }
  fields {
    field_path = "state"
    order      = "ASCENDING"
  }
}

resource "google_firestore_index" "chunks_by_mode_state" {
  project     = var.project_id
  database    = google_firestore_database.ledger.name
  collection  = "${var.firestore_collection_prefix}chunks"
  query_scope = "COLLECTION"

  fields {
    field_path = "mode"
    order      = "ASCENDING"
  }
  fields {
    field_path = "state"
    order      = "ASCENDING"
  }
}

resource "google_firestore_index" "chunks_by_table_mode_state" {
  project     = var.project_id
  database    = google_firestore_database.ledger.name
  collection  = "${var.firestore_collection_prefix}chunks"
  query_scope = "COLLECTION"

  fields {
    field_path = "table"
    order      = "ASCENDING"
  }
  fields {
    field_path = "mode"
    order      = "ASCENDING"
  }
  fields {
    field_path = "state"
    order      = "ASCENDING"
  }
}

resource "google_firestore_index" "chunks_by_table_mode_state_game_date" {
  project     = var.project_id
  database    = google_firestore_database.ledger.name
  collection  = "${var.firestore_collection_prefix}chunks"
  query_scope = "COLLECTION"

  fields {
    field_path = "table"
    order      = "ASCENDING"
  }
  fields {
    field_path = "mode"
    order      = "ASCENDING"
  }
  fields {
    field_path = "state"
    order      = "ASCENDING"
  }
  fields {
    field_path = "gameDate"
    order      = "ASCENDING"
  }
}
# Reconcile's search for chunks in flight whose lease ran out: where(state in [...]).where(leaseExpiresAt <=).
resource "google_firestore_index" "chunks_by_state_lease_expires_at" {
  project     = var.project_id
  database    = google_firestore_database.ledger.name
  collection  = "${var.firestore_collection_prefix}chunks"
  query_scope = "COLLECTION"

  fields {
    field_path = "state"
    order      = "ASCENDING"
  }
  fields {
    field_path = "leaseExpiresAt"
    order      = "ASCENDING"
  }
}
# The listing copy's delta (adapters/firestore/chunk-mirror.ts): where(changedAt >=).where(changedBy !=), ordered by
# changedAt first, so it scans only the entries of the chunks changed since its last read.
resource "google_firestore_index" "chunks_by_changed_at_changed_by" {
  project     = var.project_id
  database    = google_firestore_database.ledger.name
  collection  = "${var.firestore_collection_prefix}chunks"
  query_scope = "COLLECTION"

  fields {
    field_path = "changedAt"
    order      = "ASCENDING"
  }
  fields {
    field_path = "changedBy"
    order      = "ASCENDING"
  }
}
# Its check of the margin window: count() and sum(revision) where(changedAt >=).where(changedAt <).where(changedBy !=);
# the summed field must be in the index.
resource "google_firestore_index" "chunks_by_changed_at_changed_by_revision" {
  project     = var.project_id
  database    = google_firestore_database.ledger.name
  collection  = "${var.firestore_collection_prefix}chunks"
  query_scope = "COLLECTION"

  fields {
    field_path = "changedAt"
    order      = "ASCENDING"
  }
  fields {
    field_path = "changedBy"
    order      = "ASCENDING"
  }
  fields {
    field_path = "revision"
    order      = "ASCENDING"
  }
}
# --- Composite indexes of the alert store (firestore-alert-store.ts ALERT_STORE_INDEXES) ----------------

# listAlerts: where(scopeKey ==).where(status in [...]).
resource "google_firestore_index" "alerts_by_scope_status" {
  project     = var.project_id
  database    = google_firestore_database.ledger.name
  collection  = "${var.firestore_collection_prefix}alerts"
  query_scope = "COLLECTION"

  fields {
    field_path = "scopeKey"
    order      = "ASCENDING"
  }
  fields {
    field_path = "status"
    order      = "ASCENDING"
  }
}

# listVerifications of one scope, newest first: where(scopeKey ==).orderBy(verifiedAt desc).
resource "google_firestore_index" "verifications_by_scope_verified_at" {
  project     = var.project_id
  database    = google_firestore_database.ledger.name
  collection  = "${var.firestore_collection_prefix}verifications"
  query_scope = "COLLECTION"

  fields {
    field_path = "scopeKey"
    order      = "ASCENDING"
  }
  fields {
    field_path = "verifiedAt"
    order      = "DESCENDING"
  }
}
