# APIs: the services this configuration uses, enabled explicitly so a fresh project deploys in one apply,
# in the order a fresh project needs them.
#
# 1. Bootstrap: Cloud Resource Manager (reading the project, project IAM), IAM (service accounts) and
#    Service Usage (enabling the rest). A new project has Service Usage on but not the other two
#    ("When you create a Google Cloud project using the Google Cloud console or Google Cloud CLI, the
#    following APIs and services are enabled by default: ... Service Usage API", Cloud Resource Manager
#    and IAM are not in that list: https://cloud.google.com/service-usage/docs/enabled-service#default).
#    data.google_project, every service account and every project IAM grant depend on these.
# 2. The services of the stack, after the bootstrap.
# 3. Service agents: Pub/Sub and Cloud Scheduler act through Google-managed service agents that iam.tf
#    grants roles to. An agent appears only some time after its API is enabled, and "If a service agent
#    hasn't been created yet, then you can't grant roles to the service agent"
#    (https://cloud.google.com/iam/docs/create-service-agents), so the apply asks for each one
#    (`gcloud beta services identity create`, the command that page gives; google_project_service_identity
#    exists only in the google-beta provider) before any grant to it.
#
# disable_on_destroy = false: tearing down this stack must not switch off APIs other workloads in the
# project (the scrapers writing nba_raw) depend on.

locals {
  bootstrap_services = [
    "cloudresourcemanager.googleapis.com",
    "iam.googleapis.com",
    "serviceusage.googleapis.com",
  ]
  services = [
    "artifactregistry.googleapis.com", # function images
    "bigquery.googleapis.com",
    "cloudbuild.googleapis.com", # builds the function images
    "cloudfunctions.googleapis.com",
    "cloudscheduler.googleapis.com",
    "firestore.googleapis.com",
    "logging.googleapis.com",
    "monitoring.googleapis.com",
    "pubsub.googleapis.com",
    "run.googleapis.com", # 2nd gen functions run on Cloud Run
    "secretmanager.googleapis.com",
  ]
  # Services whose agent iam.tf grants roles to.
  agent_services = ["pubsub.googleapis.com", "cloudscheduler.googleapis.com"]
}

resource "google_project_service" "bootstrap" {
  for_each = toset(local.bootstrap_services)

  project            = var.project_id
  service            = each.value
  disable_on_destroy = false
}

resource "google_project_service" "enabled" {
  for_each = toset(local.services)

  project            = var.project_id
  service            = each.value
  disable_on_destroy = false

  depends_on = [google_project_service.bootstrap]
}

# Creates the service agent of each service in agent_services (idempotent: an existing one is returned).
# Runs gcloud on the machine that applies, with its own credentials (docs/deploy.md: both paths have it).
resource "terraform_data" "service_agent" {
  for_each = toset(local.agent_services)

  triggers_replace = [var.project_id, each.value]

  provisioner "local-exec" {
    command = "gcloud beta services identity create --service=${each.value} --project=${var.project_id} --quiet"
  }

  depends_on = [google_project_service.enabled]
}

data "google_project" "this" {
  project_id = var.project_id

  depends_on = [google_project_service.bootstrap]
}

locals {
  # Google-managed service agents that act on our resources (see iam.tf for what each is granted).
  pubsub_service_agent    = "serviceAccount:service-${data.google_project.this.number}@gcp-sa-pubsub.iam.gserviceaccount.com"
  scheduler_service_agent = "serviceAccount:service-${data.google_project.this.number}@gcp-sa-cloudscheduler.iam.gserviceaccount.com"
}
