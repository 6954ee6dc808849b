# Versions: the Terraform and provider versions this configuration was written against.
#
# Pinned here, and only here, so an upgrade is one reviewed diff. The google provider is held to 6.x:
# 7.0 changed defaults of resources used below (deletion protection, IAM conditions), and such a jump
# should be taken on purpose, not by a CI run that happens to fetch the newest provider.
#
# State lives in a GCS bucket (partial backend config): Cloud Build passes the bucket at init time,
#   terraform init -backend-config="bucket=<state bucket>" -backend-config="prefix=nba-backfill"
# For a local syntax check without credentials: terraform init -backend=false && terraform validate.

terraform {
  required_version = ">= 1.7.0, < 2.0.0" # 1.7: nonsensitive() on a null check (functions.tf)

  required_providers {
    google = {
      source  = "hashicorp/google"
      version = "~> 6.30"
    }
  }

  backend "gcs" {}
}

provider "google" {
  project = var.project_id
  region  = var.region

  default_labels = merge({ app = "nba-backfill", managed-by = "terraform" }, var.labels)
}
