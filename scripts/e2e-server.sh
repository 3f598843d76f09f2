#!/usr/bin/env bash
# Started by Playwright: a fresh SQLite database with demo data, served on port ${1:-3100}
# so a developer's own server on 3000 is left alone. Settings can be changed through the
# environment (JANUS_<SECTION>__<KEY>), as the short-window server does. Its output goes to
# target/test-logs/e2e-<port>.log.
set -euo pipefail
cd "$(dirname "$0")/.."
port=${1:-3100}
db_dir=end2end/.tmp/$port
rm -rf "$db_dir" && mkdir -p "$db_dir"
export LEPTOS_OUTPUT_NAME=janus LEPTOS_SITE_ROOT=target/site LEPTOS_SITE_PKG_DIR=pkg
export DATABASE_URL="sqlite://$db_dir/janus.db?mode=rwc"
export JANUS_SITE__ADDRESS=127.0.0.1:$port JANUS_SITE__PUBLIC_URL=${JANUS_SITE__PUBLIC_URL:-http://127.0.0.1:$port}
# The server's log goes to target/test-logs/, where the after-run secret search reads it.
log_dir=target/test-logs && mkdir -p "$log_dir"
export RUST_LOG=${RUST_LOG:-info,sqlx=warn,server=debug,janus_store=debug,app=debug}
target/debug/server seed-demo >"$log_dir/e2e-$port.log" 2>&1
exec target/debug/server serve >>"$log_dir/e2e-$port.log" 2>&1
