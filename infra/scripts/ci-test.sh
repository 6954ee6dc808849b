#!/usr/bin/env bash
# The test step of cloudbuild.yaml, in gcr.io/google.com/cloudsdktool/google-cloud-cli:emulators: that
# image has java and the Firestore and Pub/Sub emulators the tests start themselves
# (dev/emulators.ts finds them through `gcloud info`); Node.js is added here, pinned.
set -euo pipefail

version="${NODE_VERSION:?set NODE_VERSION, e.g. 22.23.5}"
dir="/opt/node-v${version}"
if [ ! -x "$dir/bin/node" ]; then
  base="https://nodejs.org/dist/v${version}"
  tarball="node-v${version}-linux-x64.tar.gz"
  tmp="$(mktemp -d)"
  curl -fsSL "$base/$tarball" -o "$tmp/$tarball"
  curl -fsSL "$base/SHASUMS256.txt" -o "$tmp/SHASUMS256.txt"
  (cd "$tmp" && grep " ${tarball}\$" SHASUMS256.txt | sha256sum -c -)
  mkdir -p "$dir"
  tar -xzf "$tmp/$tarball" -C "$dir" --strip-components=1
  rm -rf "$tmp"
fi
export PATH="$dir/bin:$PATH"

java -version
gcloud --version | head -n 1
node --version

# The tests start their own emulators on free ports; an inherited emulator host would redirect them.
unset FIRESTORE_EMULATOR_HOST PUBSUB_EMULATOR_HOST
npm test
