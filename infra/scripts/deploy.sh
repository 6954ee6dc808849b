#!/usr/bin/env bash
# The deploy step of cloudbuild.yaml (google-cloud-cli:slim): upload the function source and apply
# infra/ with Terraform. Does nothing unless the build is for the deploy branch.
#
# Env (from cloudbuild.yaml): BRANCH_NAME, DEPLOY_BRANCH, COMMIT_SHA, PROJECT_ID, REGION, NAME_PREFIX,
# TF_STATE_BUCKET, SOURCE_BUCKET, TF_VARS_FILE (optional), TERRAFORM_VERSION.
# Usage: infra/scripts/deploy.sh <function-source.zip>
set -euo pipefail

archive="${1:?usage: deploy.sh <function-source.zip>}"

if [ "${BRANCH_NAME:-}" != "${DEPLOY_BRANCH:?}" ]; then
  echo "not deploying: branch '${BRANCH_NAME:-<none>}' is not '${DEPLOY_BRANCH}'"
  exit 0
fi

: "${COMMIT_SHA:?}" "${PROJECT_ID:?}" "${REGION:?}" "${NAME_PREFIX:?}" "${TF_STATE_BUCKET:?}" "${SOURCE_BUCKET:?}" "${TERRAFORM_VERSION:?}"
[ -f "$archive" ] || { echo "no function source at $archive (the build step makes it)" >&2; exit 1; }
archive="$(cd "$(dirname "$archive")" && pwd)/$(basename "$archive")"

# Terraform, pinned and checked against HashiCorp's published SHA-256 sums.
tf_dir="/opt/terraform-${TERRAFORM_VERSION}"
if [ ! -x "$tf_dir/terraform" ]; then
  base="https://releases.hashicorp.com/terraform/${TERRAFORM_VERSION}"
  zip="terraform_${TERRAFORM_VERSION}_linux_amd64.zip"
  tmp="$(mktemp -d)"
  curl -fsSL "$base/$zip" -o "$tmp/$zip"
  curl -fsSL "$base/terraform_${TERRAFORM_VERSION}_SHA256SUMS" -o "$tmp/SHA256SUMS"
  (cd "$tmp" && grep " ${zip}\$" SHA256SUMS | sha256sum -c -)
  mkdir -p "$tf_dir"
  python3 -m zipfile -e "$tmp/$zip" "$tf_dir"
  chmod +x "$tf_dir/terraform"
  rm -rf "$tmp"
fi
export PATH="$tf_dir:$PATH"

# One object per commit: a new object name is what makes Cloud Functions rebuild.
object="functions/${COMMIT_SHA}.zip"
gcloud storage cp "$archive" "gs://${SOURCE_BUCKET}/${object}"

# The alert webhook lives in the Secret Manager secret Terraform manages. Read it back so that a CI
# apply keeps what an operator set (passing nothing would delete the secret). A failure to list
# secrets stops the deploy rather than silently dropping the webhook.
secret="${NAME_PREFIX}-alert-webhook-url"
existing="$(gcloud secrets list --project "$PROJECT_ID" --filter="name ~ secrets/${secret}$" --format='value(name)')"
if [ -n "$existing" ]; then
  TF_VAR_alert_webhook_url="$(gcloud secrets versions access latest --secret "$secret" --project "$PROJECT_ID")"
  export TF_VAR_alert_webhook_url
fi

cd "$(dirname "$0")/.."
terraform init -input=false -backend-config="bucket=${TF_STATE_BUCKET}" -backend-config="prefix=nba-backfill"
var_file=()
if [ -n "${TF_VARS_FILE:-}" ]; then var_file=(-var-file="$(cd .. && pwd)/${TF_VARS_FILE}"); fi
terraform apply -input=false -auto-approve "${var_file[@]}" \
  -var "project_id=${PROJECT_ID}" \
  -var "region=${REGION}" \
  -var "name_prefix=${NAME_PREFIX}" \
  -var "source_bucket=${SOURCE_BUCKET}" \
  -var "source_object=${object}"
