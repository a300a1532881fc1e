#!/usr/bin/env bash
# Tests the browser client: unit tests (vitest), a production build, then the
# end-to-end suite in headless Chromium against a real `facelens serve`.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"

if [[ ! -x /usr/bin/chromium ]]; then
  echo "web-test: installing Chromium from Debian's packages"
  SUDO=""
  if [[ "$(id -u)" != 0 ]]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi

bash scripts/web-build.sh --deps-only

echo "web-test: unit tests (vitest)"
(cd web && npx --no-install vitest run)

bash scripts/web-build.sh

# The same build as `make cargo-test` (features unified as for the tests), so after it this
# only checks that everything is fresh instead of rebuilding crates with other features.
echo "web-test: building the server (cargo build --workspace --all-targets)"
cargo build --workspace --all-targets
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
export FACELENS_BIN="${FACELENS_BIN:-$TARGET_DIR/debug/facelens}"

echo "web-test: end-to-end tests (headless Chromium, playwright-core)"
cd web
rm -rf test-results
mkdir -p test-results
# The API document the client's types come from is the one the server serves (no browser), then
# the app's story, face sign-in with a fake camera, the live mask check with a fake camera,
# everyday flows (uploads across pages, reloads, abandoned uploads, keyboard), API tokens made,
# used and revoked, sign-up (on a server with --sign-up open: the form, the emailed confirmation
# link, signing in after it; and the default, invite-only), then axe-core on
# every screen at a desktop and a phone size (e2e/a11y.e2e.test.mjs), each file on its own server.
node --test --test-concurrency=1 --test-reporter=spec e2e/openapi.e2e.test.mjs e2e/app.e2e.test.mjs e2e/face.e2e.test.mjs e2e/live.e2e.test.mjs e2e/flows.e2e.test.mjs e2e/tokens.e2e.test.mjs e2e/signup.e2e.test.mjs e2e/a11y.e2e.test.mjs
