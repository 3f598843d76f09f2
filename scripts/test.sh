#!/usr/bin/env bash
# Sets up what is missing, then runs every check: format, lint (server and wasm), unit and
# integration tests on SQLite and on a real PostgreSQL server (started and stopped here),
# and the Playwright suite in Debian's Chromium against the built app. Exits non-zero on
# the first failure.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test
export PATH="$HOME/.cargo/bin:$PATH"

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

step "Format"
cargo fmt --all --check

step "Lint: server side (app with ssr, domain, store, server)"
cargo clippy --all-targets -- -D warnings
step "Lint: WebAssembly side (app with hydrate, frontend)"
cargo clippy -p frontend --target wasm32-unknown-unknown -- -D warnings

step "Unit, persistence and HTTP tests on SQLite"
cargo test

step "Persistence tests on PostgreSQL"
pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
pg_dir=$(mktemp -d /tmp/janus-pg.XXXXXX)
pg_port=${JANUS_TEST_PG_PORT:-55432}
as_pg() { if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }
[[ $(id -u) -eq 0 ]] && chown postgres "$pg_dir"
stop_pg() { as_pg "$pg_bin/pg_ctl" -D "$pg_dir/data" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$pg_dir"; }
trap stop_pg EXIT
as_pg "$pg_bin/initdb" -D "$pg_dir/data" -A trust -U postgres >/dev/null
as_pg "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/log" -w \
  -o "-p $pg_port -k $pg_dir -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
DATABASE_URL="postgres://postgres@127.0.0.1:$pg_port/postgres" cargo test -p janus-store --test persistence
stop_pg
trap - EXIT

step "End to end: Playwright in Chromium"
cargo leptos build
(cd end2end && npx playwright test)
