#!/usr/bin/env bash
# Builds the client PIN page's own WebAssembly (the `pin_page` crate: the shared PIN rules
# and a few DOM calls, no Leptos) into the site's package folder. Run it after
# `cargo leptos build`, which empties that folder. The files are named by their content
# hash, so browsers may keep them for good; `pin-page.hash` tells the server the name.
#   scripts/build-pin-page.sh            debug, as scripts/run.sh and the tests serve it
#   scripts/build-pin-page.sh --release  optimised, with .br and .gz beside each file
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

release=false
[[ "${1:-}" == "--release" ]] && release=true
profile=dev out=debug
$release && profile=wasm-release out=wasm-release

cargo build -p pin-page --target wasm32-unknown-unknown --profile "$profile"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
wasm-bindgen --target web --no-typescript --out-dir "$tmp" --out-name pin-page \
  "target/wasm32-unknown-unknown/$out/pin_page.wasm"
if $release; then
  wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int \
    -o "$tmp/pin-page_bg.wasm" "$tmp/pin-page_bg.wasm"
fi

hash=$(cat "$tmp/pin-page.js" "$tmp/pin-page_bg.wasm" | sha256sum | cut -c1-20)
pkg=target/site/pkg
mkdir -p "$pkg"
rm -f "$pkg"/pin-page.*
cp "$tmp/pin-page.js" "$pkg/pin-page.$hash.js"
cp "$tmp/pin-page_bg.wasm" "$pkg/pin-page.$hash.wasm"
if $release; then
  for f in "$pkg/pin-page.$hash.js" "$pkg/pin-page.$hash.wasm"; do
    gzip -9 -k -f "$f"
    brotli -q 11 -k -f "$f"
  done
fi
# Written last: until it names the new files, the server keeps naming none.
echo "$hash" >"$pkg/pin-page.hash"
echo "client page bundle: $pkg/pin-page.$hash.{js,wasm}"
