"""Do the face detectors see masked faces? UltraFace (the product's local detector) vs CenterFace.

Each fixture photo is scored whole, then the bare and the masked fixture faces are pasted as
square tiles of 80, 160 and 320 pixels into a 1224x816 grey photo (the way
services/local/examples/bench_photos.rs builds the benchmark photos). For every image it
prints each detector's three best face scores and whether the best passes the detector's
threshold (UltraFace: the product's 0.7; CenterFace: 0.3). A detector that misses the masked
tiles while passing the bare ones cannot count masked faces in local mode.

Needs `bash scripts/models/fetch.sh` (centerface.onnx is in the default set now) and the
packages of requirements.txt. Superseded by detector_eval.py (varied faces and masks, YuNet too;
see models/README.md, "Choosing the local detector"). Run: python scripts/models/masked_detection.py
"""

import sys
from pathlib import Path

import cv2
import numpy as np
import onnxruntime as ort

sys.path.insert(0, str(Path(__file__).resolve().parent))
from faces import MODELS, ROOT, CenterFace  # noqa: E402

FIXTURES = ROOT / "shared" / "vision" / "tests" / "fixtures"
ULTRAFACE_THRESHOLD = 0.7
CENTERFACE_THRESHOLD = 0.3


class UltraFace:
    """UltraFace RFB-640 with the product's pre-processing: letterbox into 640x480 on grey
    127, then (x - 127) / 128."""

    def __init__(self):
        opts = ort.SessionOptions()
        opts.log_severity_level = 3
        self.sess = ort.InferenceSession(str(MODELS / "ultraface-rfb-640.onnx"), opts)

    def scores(self, rgb: np.ndarray) -> np.ndarray:
        h, w = rgb.shape[:2]
        scale = min(640 / w, 480 / h)
        nw, nh = max(1, round(w * scale)), max(1, round(h * scale))
        canvas = np.full((480, 640, 3), 127, np.uint8)
        x0, y0 = (640 - nw) // 2, (480 - nh) // 2
        canvas[y0 : y0 + nh, x0 : x0 + nw] = cv2.resize(rgb, (nw, nh), interpolation=cv2.INTER_LINEAR)
        blob = ((canvas.astype(np.float32) - 127) / 128).transpose(2, 0, 1)[None]
        face_scores = self.sess.run(None, {self.sess.get_inputs()[0].name: blob})[0][0, :, 1]
        return np.sort(face_scores)[::-1][:3]


def centerface_scores(detector: CenterFace, rgb: np.ndarray) -> np.ndarray:
    found = detector.detect(rgb, threshold=0.001)
    return np.array([f["score"] for f in found[:3]] or [0.0])


def read(name: str) -> np.ndarray:
    return cv2.cvtColor(cv2.imread(str(FIXTURES / name), cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)


def tile(face: np.ndarray, size: int) -> np.ndarray:
    photo = np.full((816, 1224, 3), 120, np.uint8)
    photo[200 : 200 + size, 300 : 300 + size] = cv2.resize(face, (size, size), interpolation=cv2.INTER_AREA)
    return photo


def main():
    ultraface, centerface = UltraFace(), CenterFace()
    images = [(name, read(name)) for name in ("face-bare.jpg", "face-masked.jpg", "no-face.jpg", "group.jpg")]
    for size in (80, 160, 320):
        for name in ("face-bare.jpg", "face-masked.jpg"):
            images.append((f"{name} as a {size} px tile", tile(read(name), size)))
    print(f"{'image':34} {'UltraFace best 3':24} {'found':6} {'CenterFace best 3':24} found")
    for label, rgb in images:
        u, c = ultraface.scores(rgb), centerface_scores(centerface, rgb)
        print(
            f"{label:34} {np.array2string(u, precision=3):24} {str(u[0] >= ULTRAFACE_THRESHOLD):6} "
            f"{np.array2string(c, precision=3):24} {c[0] >= CENTERFACE_THRESHOLD}"
        )


if __name__ == "__main__":
    main()
