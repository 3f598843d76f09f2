#!/usr/bin/env bash
# Sets up what is missing, then runs every check: format, lint (server and wasm), unit and
# integration tests on SQLite and on a real PostgreSQL server (started and stopped here),
# and the Playwright suite in Debian's Chromium against the built app. Exits non-zero on
# the first failure.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test
export PATH="$HOME/.cargo/bin:$PATH"
# A test run never edits and rebuilds, so incremental caches would only cost disk (CI has little).
export CARGO_INCREMENTAL=0

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
# A test that hangs must fail the run in minutes, not use up CI's limit: tests are built
# first, then run under a deadline far above their normal time (about a minute).
run_tests() { cargo test --no-run "$@" && timeout --kill-after=30 15m cargo test "$@"; }

# Everything this run prints, the logs of the servers it starts and the secrets its tests
# used go to target/test-logs/; the last step searches the logs and databases for them.
rm -rf target/test-logs && mkdir -p target/test-logs
export TEST_SECRETS_LEDGER=$PWD/target/test-logs/secrets.txt
exec > >(tee target/test-logs/run.log) 2>&1

step "Format"
cargo fmt --all --check

step "Lint: server side (app with ssr, domain, store, server)"
cargo clippy --all-targets -- -D warnings
step "Lint: WebAssembly side (app with hydrate, frontend, the client page's pin-page)"
cargo clippy -p frontend -p pin-page --target wasm32-unknown-unknown -- -D warnings

step "Unit, persistence and HTTP tests on SQLite"
run_tests

step "Fuzzing the PIN and code parsers (libFuzzer, 30 seconds)"
cargo +nightly fuzz run pin_and_code --fuzz-dir fuzz --target-dir target/fuzz -- -max_total_time=30

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
export DATABASE_URL="postgres://postgres@127.0.0.1:$pg_port/postgres"
run_tests -p janus-store --test persistence --test dashboard_search --test security_links --test security_checks --test authority --test stages --test contacts --test cooling_off --test prove_its_us --test send_limits --test pin_locks --test outbox --test delivery_status --test throttle --test staff_accounts --test staff_factors --test live_feed
# The fault test that needs PostgreSQL (a database outage against the real server process;
# the other fault tests ran on SQLite above).
run_tests -p server --test faults -- --ignored
unset DATABASE_URL
# Kept for the secret search at the end (the cluster itself is deleted now).
as_pg "$pg_bin/pg_dumpall" -h 127.0.0.1 -p "$pg_port" -U postgres >target/test-logs/postgres.sql
cp "$pg_dir/log" target/test-logs/postgres-server.log
stop_pg
trap - EXIT

step "End to end: Playwright in Chromium"
cargo leptos build --split
scripts/build-pin-page.sh
(cd end2end && timeout --kill-after=30 20m npx playwright test)

step "Two servers on one PostgreSQL behind nginx: shared sessions, limits and outbox; live across processes"
scripts/two-servers.sh --test

step "Secrets at rest: this run's logs and databases searched for every PIN, code and token it used"
python3 scripts/search-secrets.py
