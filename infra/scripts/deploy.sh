#!/usr/bin/env bash
# The one command that deploys, from a workstation and from Cloud Build (the deploy step of
# cloudbuild.yaml) alike: terraform init and apply of infra/ with infra/deploy.tfvars, the committed
# values of the deployment, and the function source zip.
#
# Usage: infra/scripts/deploy.sh [function-source.zip]
#   Without an archive it builds one (infra/scripts/package-source.sh .deploy/function-source.zip).
# Env (all optional on a workstation):
#   TF_STATE_BUCKET    state bucket; default <project_id>-backfill-tfstate
#   TERRAFORM_VERSION  Terraform to use when the terraform on PATH is missing (installed, checked
#                      against HashiCorp's SHA-256 sums, into .deploy/); default 1.9.8
#   AUTO_APPROVE=1     apply without asking (Cloud Build sets it)
#   PROJECT_ID         when set (Cloud Build sets it), deploy.tfvars must name the same project
#   BRANCH_NAME, DEPLOY_BRANCH   when DEPLOY_BRANCH is set (Cloud Build), deploy only from that branch
#
# It calls no gcloud command itself: a fresh project has none of the APIs those would need until
# Terraform has enabled them (infra/apis.tf orders that).
set -euo pipefail

if [ -n "${DEPLOY_BRANCH:-}" ] && [ "${BRANCH_NAME:-}" != "${DEPLOY_BRANCH}" ]; then
  echo "not deploying: branch '${BRANCH_NAME:-<none>}' is not '${DEPLOY_BRANCH}'"
  exit 0
fi

root="$(cd "$(dirname "$0")/../.." && pwd)"
vars="$root/infra/deploy.tfvars"
if [ ! -f "$vars" ]; then
  cat >&2 <<EOF
refusing to deploy: infra/deploy.tfvars is missing.
Every apply, from a workstation or from Cloud Build, uses that one committed file, so that neither
resets what the other set (who may call the API, where alerts go). Make it once:
  cp infra/deploy.tfvars.example infra/deploy.tfvars   # fill in, then commit it
See docs/deploy.md.
EOF
  exit 2
fi

# project_id as written in the file (one line: project_id = "...").
project="$(sed -n 's/^[[:space:]]*project_id[[:space:]]*=[[:space:]]*"\([^"]*\)".*/\1/p' "$vars" | head -n 1)"
if [ -z "$project" ]; then
  echo "refusing to deploy: infra/deploy.tfvars sets no project_id = \"...\" line" >&2
  exit 2
fi
if [ -n "${PROJECT_ID:-}" ] && [ "$PROJECT_ID" != "$project" ]; then
  echo "refusing to deploy: this build runs in project '$PROJECT_ID' but infra/deploy.tfvars deploys to '$project'" >&2
  exit 2
fi
state_bucket="${TF_STATE_BUCKET:-${project}-backfill-tfstate}"

archive="${1:-}"
if [ -z "$archive" ]; then
  archive="$root/.deploy/function-source.zip"
  "$root/infra/scripts/package-source.sh" "$archive"
fi
[ -f "$archive" ] || { echo "no function source at $archive (infra/scripts/package-source.sh makes it)" >&2; exit 1; }
archive="$(cd "$(dirname "$archive")" && pwd)/$(basename "$archive")"

# Terraform: the one on PATH, else a pinned one checked against HashiCorp's published SHA-256 sums.
if ! command -v terraform >/dev/null; then
  version="${TERRAFORM_VERSION:-1.9.8}"
  tf_dir="$root/.deploy/terraform-${version}"
  if [ ! -x "$tf_dir/terraform" ]; then
    base="https://releases.hashicorp.com/terraform/${version}"
    zip="terraform_${version}_linux_amd64.zip"
    tmp="$(mktemp -d)"
    trap 'rm -rf "$tmp"' EXIT
    curl -fsSL "$base/$zip" -o "$tmp/$zip"
    curl -fsSL "$base/terraform_${version}_SHA256SUMS" -o "$tmp/SHA256SUMS"
    (cd "$tmp" && grep " ${zip}\$" SHA256SUMS | sha256sum -c -)
    mkdir -p "$tf_dir"
    python3 -m zipfile -e "$tmp/$zip" "$tf_dir"
    chmod +x "$tf_dir/terraform"
  fi
  export PATH="$tf_dir:$PATH"
fi

cd "$root/infra"
terraform init -input=false -backend-config="bucket=${state_bucket}" -backend-config="prefix=nba-backfill"
# Unattended (Cloud Build): no prompt at all. Otherwise Terraform shows the plan and asks.
unattended=()
if [ "${AUTO_APPROVE:-}" = "1" ]; then unattended=(-input=false -auto-approve); fi
terraform apply "${unattended[@]}" -var-file="$vars" -var "source_archive_path=${archive}"
