#!/usr/bin/env bash
# Builds dist/ and zips the Cloud Functions source: package.json (without its scripts and bin, which
# serve the repository: its `prepare` would compile sources the archive does not hold),
# package-lock.json, and the compiled modules the functions run (tools/function-files.mjs: the
# import closure of package.json's main; no test, benchmark, simulator, sample generator, dev stack or
# CLI module). The function build installs the dependencies with npm ci from the lock file and runs no
# npm scripts (GOOGLE_NODE_RUN_SCRIPTS="" in infra/functions.tf), so the modules must be complete here.
# test/infra/package-source.test.ts builds the archive and lists it.
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
cp package-lock.json "$stage/"
node -e 'const p = require("./package.json"); delete p.scripts; delete p.bin; process.stdout.write(JSON.stringify(p, null, 2) + "\n")' > "$stage/package.json"
node tools/function-files.mjs > "$stage/files.txt"
while IFS= read -r file; do
  mkdir -p "$stage/$(dirname "$file")"
  cp "$file" "$stage/$file"
done < "$stage/files.txt"
rm "$stage/files.txt"

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
