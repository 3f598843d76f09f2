#!/usr/bin/env bash
# Sets up what is missing, builds, migrates, seeds demo data into an empty database and
# serves Janus Enrollment at http://127.0.0.1:3000 (SQLite in ./data).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh

echo "==> Building (the first build takes several minutes)"
cargo leptos build --split
scripts/build-pin-page.sh

export LEPTOS_OUTPUT_NAME=janus LEPTOS_SITE_ROOT=target/site LEPTOS_SITE_PKG_DIR=pkg
seed_report=$(target/debug/server seed-demo)
echo "${seed_report%%$'\n'*}"
cat <<MSG

  Janus Enrollment: http://127.0.0.1:3000
  Staff sign-in:    agent@janus.example / harbor-lantern-7412
  Admin sign-in:    admin@janus.example / quiet-meadow-4821
  Dev mailbox:      http://127.0.0.1:3000/dev/mailbox  (every email and SMS "sent"; signed in)
  Passkeys:         open http://localhost:3000 (browsers allow them on names, not addresses)
  (Ctrl-C stops the server; the data stays in ./data.)

MSG
exec target/debug/server serve
