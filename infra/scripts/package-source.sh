#!/usr/bin/env bash
# Builds dist/ and zips the Cloud Functions source: package.json, package-lock.json and dist/ (without
# the compiled tests). The function build installs the dependencies with npm ci from the lock file and
# runs no npm scripts (GOOGLE_NODE_RUN_SCRIPTS="" in infra/functions.tf), so dist/ must be complete here.
#
# Usage: infra/scripts/package-source.sh [out.zip]   (default .deploy/function-source.zip)
# infra/scripts/deploy.sh runs it when given no archive, and passes the zip to terraform apply (source_archive_path).
set -euo pipefail

out="${1:-.deploy/function-source.zip}"
cd "$(dirname "$0")/../.."

npm run -s build
main="$(node -p "require('./package.json').main")"
[ -f "$main" ] || { echo "package.json main ($main) was not built" >&2; exit 1; }

stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
cp package.json package-lock.json "$stage/"
cp -R dist "$stage/dist"
rm -rf "$stage/dist/test"

mkdir -p "$(dirname "$out")"
out_abs="$(cd "$(dirname "$out")" && pwd)/$(basename "$out")"
rm -f "$out_abs"
if command -v zip >/dev/null; then
  (cd "$stage" && zip -qr -X "$out_abs" .)
elif command -v python3 >/dev/null; then
  python3 - "$stage" "$out_abs" <<'PY'
import os, sys, zipfile
root, out = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
    for folder, _, files in sorted(os.walk(root)):
        for name in sorted(files):
            path = os.path.join(folder, name)
            z.write(path, os.path.relpath(path, root))
PY
else
  echo "neither zip nor python3 is available to build the archive" >&2
  exit 1
fi
echo "function source: $out ($(du -h "$out_abs" | cut -f1))"
