"""Time the same ONNX files under Python onnxruntime and compare with tract (criterion).

    cargo bench -p facelens-vision            # writes target/criterion/.../estimates.json
    python scripts/models/bench_onnxruntime.py [--criterion DIR] [--threads N]

Inputs match the Rust benchmark: the group fixture photo letterboxed into the
detector, and 1, 5 and 30 classifier crops of one photo (one batch here; tract runs
them one by one, its fastest way). `load` rows time making a session from the bytes
of the file, as `from_bytes` does in Rust. Prints per-call medians and
the tract / onnxruntime ratio (> 1 means tract is slower). Model-only rows compare
the network alone; the others include each side's pre- and post-processing.
"""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

import cv2
import numpy as np
import onnxruntime as ort

ROOT = Path(__file__).resolve().parents[2]
MODELS = ROOT / "models"
FIX = ROOT / "shared/vision/tests/fixtures"


def median_ms(fn, repeat=30, warmup=3):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def criterion_ms(root: Path, bench: str):
    f = root / bench / "new" / "estimates.json"
    if not f.exists():
        return None
    return json.loads(f.read_text())["median"]["point_estimate"] / 1e6


def main():
    ap = argparse.ArgumentParser()
    target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    ap.add_argument("--criterion", type=Path, default=target / "criterion",
                    help="criterion's output directory (default: $CARGO_TARGET_DIR/criterion)")
    ap.add_argument("--threads", type=int, default=0, help="onnxruntime intra-op threads (0 = default)")
    args = ap.parse_args()
    opts = ort.SessionOptions()
    opts.log_severity_level = 3
    opts.intra_op_num_threads = args.threads
    det_bytes = (MODELS / "ultraface-rfb-640.onnx").read_bytes()
    cls_bytes = (MODELS / "mask-classifier.onnx").read_bytes()
    det = ort.InferenceSession(det_bytes, opts)
    cls = ort.InferenceSession(cls_bytes, opts)

    img = cv2.cvtColor(cv2.imread(str(FIX / "group.jpg")), cv2.COLOR_BGR2RGB)
    h, w = img.shape[:2]
    k = min(640 / w, 480 / h)

    def detect():
        canvas = np.full((480, 640, 3), 127, np.uint8)
        small = cv2.resize(img, (round(w * k), round(h * k)), interpolation=cv2.INTER_LINEAR)
        canvas[: small.shape[0], : small.shape[1]] = small
        x = ((canvas.astype(np.float32) - 127) / 128).transpose(2, 0, 1)[None]
        scores, boxes = det.run(None, {"input": x})
        keep = scores[0, :, 1] > 0.7
        return cv2.dnn.NMSBoxes(boxes[0, keep].tolist(), scores[0, keep, 1].tolist(), 0.7, 0.3)

    det_input = np.zeros((1, 3, 480, 640), np.float32)
    rows = [
        ("detector/load", median_ms(lambda: ort.InferenceSession(det_bytes, opts), repeat=10)),
        ("classifier/load", median_ms(lambda: ort.InferenceSession(cls_bytes, opts), repeat=10)),
        ("detector/group_jpg", median_ms(detect)),
        ("detector/model_only", median_ms(lambda: det.run(None, {"input": det_input}))),
    ]
    face = (372.9, 173.0, 50.3, 66.8)
    for n in (1, 5, 30):
        def classify(n=n):
            x0, y0, bw, bh = face
            side = 1.25 * max(bw, bh)
            s = 64 / side
            m = np.float32([[s, 0, 32 - (x0 + bw / 2) * s], [0, s, 32 - (y0 + bh / 2) * s]])
            crops = [cv2.warpAffine(img, m, (64, 64), flags=cv2.INTER_AREA, borderMode=cv2.BORDER_REPLICATE)
                     for _ in range(n)]
            x = np.stack(crops).astype(np.float32).transpose(0, 3, 1, 2) / 255
            return cls.run(None, {"input": x})[0]
        x = np.full((n, 3, 64, 64), 0.5, np.float32)
        rows.append((f"classifier/faces/{n}", median_ms(classify)))
        rows.append((f"classifier/model_only/{n}", median_ms(lambda x=x: cls.run(None, {"input": x}))))

    print(f"onnxruntime {ort.__version__}, threads={args.threads or 'default'}")
    print("| benchmark | onnxruntime ms | tract ms | tract / onnxruntime |")
    print("|---|---|---|---|")
    for name, ort_ms in rows:
        tract_ms = criterion_ms(args.criterion, name)
        ratio = f"{tract_ms / ort_ms:.2f}" if tract_ms else "n/a"
        tract_s = f"{tract_ms:.3f}" if tract_ms else "n/a (run cargo bench)"
        print(f"| {name} | {ort_ms:.3f} | {tract_s} | {ratio} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
