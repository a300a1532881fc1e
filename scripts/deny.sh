#!/usr/bin/env bash
# Checks dependency licences, bans and sources with cargo-deny, installing it on first use.
set -euo pipefail
cd "$(dirname "$0")/.."
DENY_VERSION=0.20.2
if ! command -v cargo-deny >/dev/null || ! cargo-deny --version | grep -q "$DENY_VERSION"; then
  echo "deny: installing cargo-deny $DENY_VERSION (once per machine)"
  cargo install cargo-deny --version "$DENY_VERSION" --locked --no-default-features --quiet
fi
cargo deny --log-level error check licenses bans sources
