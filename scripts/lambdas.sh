#!/usr/bin/env bash
# `make lambdas`: one zip per function under target/lambda/<name>/bootstrap.zip (what infra/
# deploys), built by cargo-lambda with the `lambda` profile (release tuned for size, see
# Cargo.toml), then their sizes.
#
# cargo-lambda comes from PyPI (pinned) into a venv outside the repo unless `cargo lambda` is
# already on PATH. x86_64 by default; ARCH=arm64 builds for Graviton (needs
# the aarch64 target, which is added with rustup when rustup is there).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
CARGO_LAMBDA_VERSION=1.9.1
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/facelens"
VENV="$CACHE/cargo-lambda-venv"
ARCH="${ARCH:-x86_64}"
LAMBDA_DIR="${LAMBDA_DIR:-$ROOT/target/lambda}"
FUNCTIONS=(auth uploads analyses analysis-worker)

if ! cargo lambda --version >/dev/null 2>&1; then
  if [[ ! -x "$VENV/bin/cargo-lambda" ]]; then
    echo "installing cargo-lambda $CARGO_LAMBDA_VERSION into $VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "cargo-lambda==$CARGO_LAMBDA_VERSION"
  fi
  export PATH="$VENV/bin:$PATH"
fi

arch_flag=--x86-64
if [[ "$ARCH" == arm64 ]]; then
  arch_flag=--arm64
  if command -v rustup >/dev/null; then rustup target add aarch64-unknown-linux-gnu; fi
fi
start=$SECONDS
# Two builds of named packages, because cargo unifies the features of the packages built
# together (every workspace member unless -p names some): with the analysis crate in the
# build, facelens-aws would carry its `analysis` feature into auth and uploads, and tract's
# self-registering operators would be linked into them too.
(cd "$ROOT" && cargo lambda build --profile lambda "$arch_flag" --output-format zip \
  --lambda-dir "$LAMBDA_DIR" -p facelens-auth -p facelens-uploads --bin auth --bin uploads)
(cd "$ROOT" && cargo lambda build --profile lambda "$arch_flag" --output-format zip \
  --lambda-dir "$LAMBDA_DIR" -p facelens-analysis --bin analyses --bin analysis-worker)
echo "built in $((SECONDS - start)) s ($ARCH)"
for f in "${FUNCTIONS[@]}"; do
  zip="$LAMBDA_DIR/$f/bootstrap.zip"
  [[ -f "$zip" ]] || { echo "lambdas: $zip is missing" >&2; exit 1; }
  awk -v f="$f" -v b="$(stat -c %s "$zip")" -v z="${zip#"$ROOT"/}" \
    'BEGIN { printf "%-16s %8.2f MB  %s\n", f, b / 1048576, z }'
done
