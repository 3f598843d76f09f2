#!/usr/bin/env bash
# Installs whatever this machine is missing to build (and, with --test, to test) Janus
# Enrollment, using only crates.io, npm, Debian packages and rustup targets. Idempotent:
# each step checks first and does nothing when the tool is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

want_test=false
[[ "${1:-}" == "--test" ]] && want_test=true

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
as_root() { if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi; }

apt_updated=false
apt_install() {
  if ! $apt_updated; then as_root apt-get update -qq; apt_updated=true; fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

export PATH="$HOME/.cargo/bin:$PATH"

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "Adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# cargo-leptos 0.3.10 is the newest that builds on rustc 1.95 with --locked.
if ! cargo leptos --version 2>/dev/null | grep -q '0\.3\.10'; then
  say "Installing cargo-leptos 0.3.10 (about 11 minutes on 2 cores)"
  cargo install cargo-leptos --version 0.3.10 --locked
fi

# The CLI must match the wasm-bindgen library version in Cargo.lock exactly.
wbg_version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
if ! wasm-bindgen --version 2>/dev/null | grep -q " ${wbg_version}\$"; then
  say "Installing wasm-bindgen-cli ${wbg_version}"
  cargo install wasm-bindgen-cli --version "${wbg_version}" --force
fi

# cargo-leptos would download wasm-opt from a host this machine cannot reach; npm has it.
if ! command -v wasm-opt >/dev/null; then
  say "Installing wasm-opt (binaryen from npm)"
  npm install -g binaryen@132.0.0 >/dev/null
fi

# The client page's bundle is precompressed in release builds (scripts/build-pin-page.sh).
if ! command -v brotli >/dev/null; then
  say "Installing brotli (Debian)"
  apt_install brotli
fi

if $want_test; then
  if ! command -v chromium >/dev/null; then
    say "Installing Chromium (Debian)"
    apt_install chromium
  fi
  if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || ! id postgres >/dev/null 2>&1; then
    say "Installing PostgreSQL (Debian)"
    apt_install postgresql
  fi
  if ! command -v nginx >/dev/null; then
    say "Installing nginx (Debian's nginx-light), the reverse proxy of the two-server test"
    apt_install nginx-light
  fi
  if ! /usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null; then
    say "Installing an SMTP server for the delivery tests (Debian's python3-aiosmtpd)"
    apt_install python3-aiosmtpd
  fi
  # The fuzz targets need libFuzzer's sanitizer flags, which only the nightly compiler
  # takes; this kind of machine comes with a nightly toolchain.
  if ! rustup toolchain list | grep -q '^nightly'; then
    echo "The fuzz step needs the nightly Rust toolchain (rustup toolchain install nightly)." >&2
    exit 1
  fi
  if ! cargo fuzz --version >/dev/null 2>&1; then
    say "Installing cargo-fuzz 0.13.2 (crates.io, about 2 minutes)"
    cargo install cargo-fuzz --version 0.13.2 --locked
  fi
  if [[ ! -d end2end/node_modules/@playwright/test ]]; then
    say "Installing Playwright's test runner (no browser download: Debian's Chromium is used)"
    (cd end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund >/dev/null)
  fi
fi
