#!/usr/bin/env bash
# Started by Playwright: a fresh SQLite database with demo data, served on port 3100 so a
# developer's own server on 3000 is left alone.
set -euo pipefail
cd "$(dirname "$0")/.."
db_dir=end2end/.tmp
rm -rf "$db_dir" && mkdir -p "$db_dir"
export LEPTOS_OUTPUT_NAME=janus LEPTOS_SITE_ROOT=target/site LEPTOS_SITE_PKG_DIR=pkg
export DATABASE_URL="sqlite://$db_dir/janus.db?mode=rwc"
export JANUS_SITE__ADDRESS=127.0.0.1:3100 JANUS_SITE__PUBLIC_URL=http://127.0.0.1:3100
target/debug/server seed-demo >/dev/null
exec target/debug/server serve
