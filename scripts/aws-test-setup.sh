#!/usr/bin/env bash
# Installs the AWS-compatible servers the AWS adapter tests start: moto server (pinned) in a venv
# outside the repo, `${XDG_CACHE_HOME:-$HOME/.cache}/facelens/moto-venv`, and s3s-fs (pinned; an
# S3 server that verifies SigV4 signatures, for the presigning tests) under
# `${XDG_CACHE_HOME:-$HOME/.cache}/facelens/s3s-fs/bin`. Idempotent: when the pinned versions are
# already there it only checks them and exits (well under a second).
#
# The tests find `moto_server` at `$FACELENS_MOTO_SERVER`, else in that venv, else on PATH; they
# start one on a free 127.0.0.1 port per test binary and fail with a pointer to this script when
# it is missing. Needs python3 with venv; no network but the package registry on a cold run.
set -euo pipefail

MOTO_VERSION=5.2.5
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/facelens"
VENV="${FACELENS_MOTO_VENV:-$CACHE/moto-venv}"
MARKER="$VENV/.facelens-moto-$MOTO_VERSION"

die() { echo "aws-test-setup: $*" >&2; exit 1; }

S3S_VERSION=0.14.1
S3S_ROOT="$CACHE/s3s-fs"
S3S_MARKER="$S3S_ROOT/.facelens-s3s-fs-$S3S_VERSION"


if [[ ! -f "$S3S_MARKER" || ! -x "$S3S_ROOT/bin/s3s-fs" ]]; then
  echo "installing s3s-fs $S3S_VERSION into $S3S_ROOT (a few minutes on a cold machine)"
  mkdir -p "$S3S_ROOT"
  CARGO_TARGET_DIR="$CACHE/s3s-fs-target" cargo install --quiet --locked --root "$S3S_ROOT" \
    "s3s-fs@$S3S_VERSION" --features binary || die "cargo install s3s-fs failed"
  rm -f "$S3S_ROOT"/.facelens-s3s-fs-*
  touch "$S3S_MARKER"
fi
echo "s3s-fs $S3S_VERSION ready: $S3S_ROOT/bin/s3s-fs"

# moto_server_isolated: moto_server with every DynamoDB backend call under one lock. moto's
# transactions deep-copy the table while other request threads change it (a 500) and a
# cancelled one restores that copy, losing writes made meanwhile; DynamoDB isolates them.
write_isolated() {
  cat > "$VENV/bin/moto_server_isolated" <<PY
#!$VENV/bin/python
"""moto_server, with one DynamoDB call at a time (written by scripts/aws-test-setup.sh)."""
import functools
import threading

from moto.dynamodb.models import DynamoDBBackend

_LOCK = threading.RLock()


def _serialised(method):
    @functools.wraps(method)
    def call(self, *args, **kwargs):
        with _LOCK:
            return method(self, *args, **kwargs)
    return call


for _name, _method in list(vars(DynamoDBBackend).items()):
    if callable(_method) and not _name.startswith("_"):
        setattr(DynamoDBBackend, _name, _serialised(_method))

from moto.server import main  # noqa: E402

main()
PY
  chmod +x "$VENV/bin/moto_server_isolated"
}

if [[ -f "$MARKER" && -x "$VENV/bin/moto_server" ]]; then
  write_isolated
  echo "moto server $MOTO_VERSION ready: $VENV/bin/moto_server"
  exit 0
fi

command -v python3 >/dev/null || die "python3 is missing"
echo "installing moto[server]==$MOTO_VERSION into $VENV"
mkdir -p "$CACHE"
if [[ ! -x "$VENV/bin/python" ]]; then
  python3 -m venv "$VENV" || die "python3 -m venv failed (Debian: apt-get install python3-venv)"
fi
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "moto[server]==$MOTO_VERSION"
"$VENV/bin/python" -c "import moto, sys; sys.exit(moto.__version__ != '$MOTO_VERSION')" \
  || die "moto $MOTO_VERSION did not install"
rm -f "$VENV"/.facelens-moto-*
touch "$MARKER"
write_isolated
echo "moto server $MOTO_VERSION ready: $VENV/bin/moto_server"
