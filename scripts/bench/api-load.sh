#!/usr/bin/env bash
# Local server under load: a release `facelens serve` on a free port with a fresh data dir,
# one sign-in, then `wrk` (2 threads) at a few connection counts against
#   POST /api/uploads   (presign: token check, account read, one analysis record written)
#   GET  /api/analyses  (history: first page of 20, after the presign runs filled it)
# printing requests/s, p50 and p99 for each. Target: 10,000 requests/s with p99 < 10 ms.
#
# SKIP_BUILD=1 uses the release binary already built (when other builds hold the lock).
# Usage: scripts/bench/api-load.sh                 (CONNECTIONS="8 32 128" DURATION=10s)
#        CONNECTIONS="16" DURATION=5s scripts/bench/api-load.sh
set -euo pipefail
cd "$(dirname "$0")/../.."

CONNECTIONS=${CONNECTIONS:-"8 32 128"}
DURATION=${DURATION:-10s}
if ! command -v wrk >/dev/null; then
    echo "needs wrk (Debian: apt-get install -y wrk)" >&2
    exit 1
fi

if [[ -z ${SKIP_BUILD:-} ]]; then cargo build --quiet --release -p facelens --bin facelens; fi
bin=${CARGO_TARGET_DIR:-target}/release/facelens

work=$(mktemp -d)
server=
cleanup() {
    if [[ -n $server ]]; then kill "$server" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

password="load test passphrase 1"
FACELENS_ADMIN_USERNAME=admin FACELENS_ADMIN_EMAIL=admin@example.com \
    FACELENS_ADMIN_PASSWORD=$password RUST_LOG=warn \
    "$bin" serve --port 0 --data-dir "$work/data" --web-dir "$work/no-web" \
    --models-dir models >"$work/serve.out" 2>"$work/serve.err" &
server=$!
base=
for _ in $(seq 100); do
    base=$(sed -n 's/^facelens listening on //p' "$work/serve.out")
    [[ -n $base ]] && break
    sleep 0.1
done
if [[ -z $base ]]; then
    echo "the server did not start:" >&2
    cat "$work/serve.err" >&2
    exit 1
fi

login=$(curl -sf -H 'Content-Type: application/json' \
    -d "{\"username\":\"admin\",\"password\":\"$password\"}" "$base/api/auth/login")
TOKEN=$(sed -n 's/.*"token":"\([^"]*\)".*/\1/p' <<<"$login")
export TOKEN
if [[ -z $TOKEN ]]; then
    echo "sign-in failed: $login" >&2
    exit 1
fi

echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at start"
echo "server: $base, data dir on $(df --output=source,fstype "$work" | tail -1)"
echo "wrk -t2 -d$DURATION --latency, connections: $CONNECTIONS"
echo
printf '%-22s %6s %12s %9s %9s %8s\n' route conns "requests/s" "p50 ms" "p99 ms" non-2xx
run() {
    local label=$1 script=$2 path=$3 conns=$4 line
    line=$(wrk -t2 -c"$conns" -d"$DURATION" --latency -s "scripts/bench/wrk/$script" \
        "$base$path" | grep '^p50_ms=')
    eval "$line"
    # shellcheck disable=SC2154 # set by eval from the Lua script's summary line
    printf '%-22s %6s %12s %9s %9s %8s\n' "$label" "$conns" "$rps" "$p50_ms" "$p99_ms" "$non2xx"
}
for conns in $CONNECTIONS; do
    run "POST /api/uploads" presign.lua /api/uploads "$conns"
done
records=$(curl -sf -H "Authorization: Bearer $TOKEN" "$base/api/analyses?limit=1" |
    sed -n 's/.*"all":\([0-9]*\).*/\1/p')
for conns in $CONNECTIONS; do
    run "GET /api/analyses" history.lua /api/analyses "$conns"
done
echo
echo "history holds ${records:-?} analyses (all pending: presigned, never uploaded)"
echo "server peak RSS: $(awk '/VmHWM/ { printf "%.1f MiB", $2 / 1024 }' "/proc/$server/status")"
echo "database file: $(du -h "$work/data"/*.redb 2>/dev/null | cut -f1 | head -1)"
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
