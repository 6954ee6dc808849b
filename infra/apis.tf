# APIs: the services this configuration uses, enabled explicitly so a fresh project deploys in one apply.
# disable_on_destroy = false: tearing down this stack must not switch off APIs other workloads in the
# project (the scrapers writing nba_raw) depend on.

locals {
  services = [
    "artifactregistry.googleapis.com", # function images
    "bigquery.googleapis.com",
    "cloudbuild.googleapis.com", # builds the function images
    "cloudfunctions.googleapis.com",
    "cloudscheduler.googleapis.com",
    "firestore.googleapis.com",
    "iam.googleapis.com",
    "logging.googleapis.com",
    "monitoring.googleapis.com",
    "pubsub.googleapis.com",
    "run.googleapis.com", # 2nd gen functions run on Cloud Run
    "secretmanager.googleapis.com",
  ]
}

resource "google_project_service" "enabled" {
  for_each = toset(local.services)

  project            = var.project_id
  service            = each.value
  disable_on_destroy = false
}

data "google_project" "this" {
  project_id = var.project_id
}

locals {
  # Google-managed service agents that act on our resources (see iam.tf for what each is granted).
  pubsub_service_agent    = "serviceAccount:service-${data.google_project.this.number}@gcp-sa-pubsub.iam.gserviceaccount.com"
  scheduler_service_agent = "serviceAccount:service-${data.google_project.this.number}@gcp-sa-cloudscheduler.iam.gserviceaccount.com"
}
