#!/usr/bin/env bash
# Two Janus Enrollment servers on one PostgreSQL behind nginx (round robin), on this
# machine: what a deployment with several servers looks like, to try by hand or to test.
#
#   scripts/two-servers.sh           serves http://localhost:3200 until Ctrl-C
#   scripts/two-servers.sh --test    runs the two-server Playwright test against it, then stops
#
# With DATABASE_URL set to a PostgreSQL server, its database is used as it is (create it
# first; it is migrated and, when empty, filled with demo data). Without it, a throwaway
# PostgreSQL cluster is started under target/two-servers/ and deleted afterwards. The
# servers are the debug build (`cargo leptos build --split` builds it and the site), in
# development mode, sending email over SMTP to a local aiosmtpd whose maildir the test
# counts. Logs go to target/test-logs/two-servers-*.log.
set -euo pipefail
cd "$(dirname "$0")/.."

mode=serve
[[ "${1:-}" == "--test" ]] && mode=test

proxy_port=${JANUS_PROXY_PORT:-3200}
ports=(${JANUS_TWO_SERVERS_PORTS:-3201 3202})
smtp_port=${JANUS_TWO_SERVERS_SMTP_PORT:-2531}
pg_port=${JANUS_TWO_SERVERS_PG_PORT:-55440}
work=$PWD/target/two-servers
logs=$PWD/target/test-logs
as_pg() { if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }

for tool in nginx curl npx /usr/bin/python3; do
  command -v "$tool" >/dev/null || { echo "missing: $tool (scripts/setup.sh --test installs it)" >&2; exit 1; }
done
/usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null || {
  echo "missing: python3-aiosmtpd (scripts/setup.sh --test installs it)" >&2; exit 1; }
# A run that was killed may have left its PostgreSQL cluster running.
if [[ -f "$work/pg/data/postmaster.pid" ]]; then
  pg_old=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  as_pg "$pg_old/pg_ctl" -D "$work/pg/data" -m immediate stop >/dev/null 2>&1 || true
fi
for port in "$proxy_port" "${ports[@]}" "$smtp_port"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "port $port is in use (a run still going, or another server): stop it first" >&2; exit 1
  fi
done
rm -rf "$work" && mkdir -p "$work" "$logs"
[[ -x target/debug/server && -d target/site/pkg ]] || {
  echo "build first: cargo leptos build --split && scripts/build-pin-page.sh" >&2; exit 1; }

pids=()
pg_bin=""
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [[ -n "$pg_bin" ]]; then
    # Kept for the test command's search for secrets (the cluster itself is deleted).
    as_pg "$pg_bin/pg_dumpall" -h 127.0.0.1 -p "$pg_port" -U postgres >"$logs/two-servers-postgres.sql" 2>/dev/null || true
    as_pg "$pg_bin/pg_ctl" -D "$work/pg/data" -m fast stop >/dev/null 2>&1 || true
    cp "$work/pg/log" "$logs/two-servers-postgres.log" 2>/dev/null || true
    rm -rf "$work/pg"
  fi
}
trap cleanup EXIT

if [[ -z "${DATABASE_URL:-}" ]]; then
  pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  mkdir -p "$work/pg"
  [[ $(id -u) -eq 0 ]] && chown postgres "$work/pg"
  as_pg "$pg_bin/initdb" -D "$work/pg/data" -A trust -U postgres >/dev/null
  as_pg "$pg_bin/pg_ctl" -D "$work/pg/data" -l "$work/pg/log" -w \
    -o "-p $pg_port -k $work/pg -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
  export DATABASE_URL="postgres://postgres@127.0.0.1:$pg_port/postgres"
fi

# Email goes to a real SMTP server, so the test can count what left: each message once.
/usr/bin/python3 -m aiosmtpd -n -l "127.0.0.1:$smtp_port" -c aiosmtpd.handlers.Mailbox "$work/maildir" \
  >"$logs/two-servers-smtp.log" 2>&1 &
pids+=($!)

export LEPTOS_OUTPUT_NAME=janus LEPTOS_SITE_ROOT=target/site LEPTOS_SITE_PKG_DIR=pkg
export JANUS_SITE__PUBLIC_URL="http://localhost:$proxy_port"
# The proxy appends the browser's address to X-Forwarded-For; throttles count that one.
export JANUS_SITE__BEHIND_PROXY=true
export JANUS_MAIL__TRANSPORT=smtp JANUS_MAIL__SMTP_HOST=127.0.0.1 JANUS_MAIL__SMTP_PORT=$smtp_port JANUS_MAIL__SMTP_SECURITY=plain
export RUST_LOG=${RUST_LOG:-info,sqlx=warn}
target/debug/server seed-demo >"$logs/two-servers-seed.log" 2>&1

upstreams=""
server_pids=""
for port in "${ports[@]}"; do
  JANUS_SITE__ADDRESS=127.0.0.1:$port target/debug/server serve >"$logs/two-servers-$port.log" 2>&1 &
  pids+=($!)
  server_pids+="127.0.0.1:$port=$! "
  upstreams+="    server 127.0.0.1:$port;"$'\n'
done

mkdir -p "$work/nginx"
cat >"$work/nginx/nginx.conf" <<EOF
daemon off;
worker_processes 1;
pid $work/nginx/nginx.pid;
error_log $logs/two-servers-nginx-error.log warn;
events { worker_connections 1024; }
http {
  access_log $logs/two-servers-nginx-access.log;
  client_body_temp_path $work/nginx/body;
  proxy_temp_path $work/nginx/proxy;
  fastcgi_temp_path $work/nginx/fastcgi;
  uwsgi_temp_path $work/nginx/uwsgi;
  scgi_temp_path $work/nginx/scgi;
  # Round robin, the default: consecutive requests go to alternate servers.
  upstream janus {
$upstreams  }
  server {
    listen 127.0.0.1:$proxy_port;
    location / {
      proxy_pass http://janus;
      proxy_http_version 1.1;
      proxy_set_header Host \$http_host;
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
      proxy_set_header Connection "";
    }
    # Event streams: nothing buffered, and a quiet stream (a comment every 15 s) kept open.
    location = /api/events {
      proxy_pass http://janus;
      proxy_http_version 1.1;
      proxy_set_header Host \$http_host;
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
      proxy_set_header Connection "";
      proxy_buffering off;
      proxy_read_timeout 1h;
      # For this test only (it stops the server holding a stream); a real proxy should
      # not name its internal servers.
      add_header X-Upstream \$upstream_addr always;
    }
  }
}
EOF
nginx -c "$work/nginx/nginx.conf" -e "$logs/two-servers-nginx-error.log" &
pids+=($!)

for url in "http://127.0.0.1:${ports[0]}/health" "http://127.0.0.1:${ports[1]}/health" "http://127.0.0.1:$proxy_port/health"; do
  for _ in $(seq 1 600); do
    curl -fsS "$url" >/dev/null 2>&1 && break
    for pid in "${pids[@]}"; do
      kill -0 "$pid" 2>/dev/null || { echo "a process exited early (see $logs/two-servers-*.log)" >&2; exit 1; }
    done
    sleep 0.1
  done
  curl -fsS "$url" >/dev/null || { echo "not answering: $url (see $logs/two-servers-*.log)" >&2; exit 1; }
done

if [[ $mode == test ]]; then
  export JANUS_TWO_SERVERS_MAILDIR=$work/maildir JANUS_TWO_SERVERS_PROXY=http://localhost:$proxy_port
  export JANUS_TWO_SERVERS_DIRECT="http://127.0.0.1:${ports[0]} http://127.0.0.1:${ports[1]}"
  export JANUS_TWO_SERVERS_PIDS="$server_pids"
  (cd end2end && timeout --kill-after=30 10m npx playwright test --config playwright.two-servers.config.ts)
else
  echo "Two servers (${ports[*]}) on one PostgreSQL behind nginx: http://localhost:$proxy_port"
  grep -h "sign-in" "$logs/two-servers-seed.log" || true
  echo "Ctrl-C stops everything."
  wait
fi
