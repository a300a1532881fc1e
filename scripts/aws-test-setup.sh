#!/usr/bin/env bash
# Installs the AWS-compatible server the AWS adapter tests start: moto server (pinned) in a venv
# outside the repo, `${XDG_CACHE_HOME:-$HOME/.cache}/facelens/moto-venv`. Idempotent: when the
# pinned version is already there it only checks it and exits (well under a second).
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

if [[ -f "$MARKER" && -x "$VENV/bin/moto_server" ]]; then
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
echo "moto server $MOTO_VERSION ready: $VENV/bin/moto_server"
