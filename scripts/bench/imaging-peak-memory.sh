#!/usr/bin/env bash
# Peak memory (VmHWM) of one 24 MP JPEG through decode, annotate and encode, and the refusal of a
# 41 MP JPEG before decoding. Fails when the peak reaches 256 MiB or the refusal does not happen.
# Usage: scripts/bench/imaging-peak-memory.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
cargo run --quiet --release -p facelens-imaging --example peak_memory
