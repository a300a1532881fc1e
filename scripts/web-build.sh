#!/usr/bin/env bash
# Builds the browser client into web/dist (served by `facelens serve` at /).
# Idempotent: installs dependencies only when the lockfile changed, and rebuilds
# only when a source file is newer than the last build.
set -euo pipefail
cd "$(dirname "$0")/../web"

install_deps() {
  if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
    echo "web: installing dependencies (npm ci)"
    npm ci --no-audit --no-fund --loglevel=error
  fi
}

needs_build() {
  [[ -f dist/index.html ]] || return 0
  # A build from before the gzip copies (see below) is rebuilt.
  local wasm
  for wasm in dist/assets/*.wasm; do
    [[ -e "$wasm" && ! -f "$wasm.gz" ]] && return 0
  done
  # The live check's worker bundles the two models it runs in the browser.
  [[ -n "$(find src public index.html vite.config.ts tsconfig.json package-lock.json openapi.json scripts \
    ../models/yunet-640.onnx ../models/mask-classifier.onnx -newer dist/index.html -print -quit 2>/dev/null)" ]]
}

install_deps
if [[ "${1:-}" == "--deps-only" ]]; then
  exit 0
fi
# The client's API types are generated from the server's OpenAPI document (web/openapi.json):
# a stale src/lib/openapi.gen.ts fails here even when web/dist is otherwise up to date.
npm run --silent api-types -- --check
if needs_build; then
  echo "web: building into web/dist"
  npm run --silent build
  # The WebAssembly runtime of the live check is 14 MB and 3.7 MB gzipped: a gzip copy beside
  # it is what `facelens serve` sends to browsers that accept gzip, and what CloudFront stores
  # and sends (it compresses nothing over 10 MB itself; every browser with WebAssembly takes
  # gzip). -n: no name or time inside, so builds are equal.
  find dist/assets -name '*.wasm' -exec gzip -9 -n -k -f {} \;
  touch dist/index.html
else
  echo "web: web/dist is up to date"
fi
