"""Record onnxruntime reference outputs and fixtures for the Rust tests.

    bash scripts/models/fetch.sh --training
    python scripts/models/make_references.py

Writes shared/vision/tests/fixtures/: references.json (raw outputs of the models
on fixed formula inputs, and the faces CenterFace finds in each fixture photo) and
small fixture JPEGs cut from packaged photos (see fixtures/SOURCES.md).
"""

import json
import sys
from pathlib import Path

import cv2
import numpy as np
import onnxruntime as ort

sys.path.insert(0, str(Path(__file__).parent))
import faces  # noqa: E402
import synth  # noqa: E402

FIX = faces.ROOT / "shared/vision/tests/fixtures"
DET_STRIDE = 97  # record every 97th value of each detector output
LMK_STRIDE = 13  # and every 13th of each CenterFace map


def formula(n, salt):
    """The same fixed input the Rust tests build: ((i * 37 + salt) % 255) / 255."""
    i = np.arange(n, dtype=np.int64)
    return (((i * 37 + salt) % 255) / 255.0).astype(np.float32)


def session(path):
    opts = ort.SessionOptions()
    opts.log_severity_level = 3
    return ort.InferenceSession(str(path), opts)


def detector_references():
    """YuNet's twelve raw outputs on a fixed 640x480 input, every DET_STRIDE-th value."""
    import detectors  # noqa: E402

    det = detectors.YuNet().sess
    x = formula(3 * 480 * 640, 0) * 255.0
    names = [o.name for o in det.get_outputs()]
    outputs = det.run(None, {"input": x.reshape(1, 3, 480, 640)})
    refs = {"input": "((i * 37) % 255) / 255 * 255, shape [1,3,480,640]", "stride": DET_STRIDE}
    for name, out in zip(names, outputs):
        refs[name] = [float(v) for v in out.reshape(-1)[::DET_STRIDE]]
    return refs


def embedder_references():
    """SFace's 128 raw outputs on a fixed 112x112 input."""
    emb = session(faces.MODELS / "sface-112.onnx")
    x = formula(3 * 112 * 112, 5) * 255.0
    out = emb.run(None, {emb.get_inputs()[0].name: x.reshape(1, 3, 112, 112)})[0]
    return {"input": "((i * 37 + 5) % 255) / 255 * 255, shape [1,3,112,112]",
            "outputs": [float(v) for v in out.reshape(-1)]}


def landmarker_references():
    """CenterFace's four raw maps on a fixed 256x256 region (the size the Rust landmarker
    feeds it), every LMK_STRIDE-th value of each."""
    cf = faces.CenterFace()
    x = formula(3 * 256 * 256, 13) * 255.0
    names = ["heatmap", "scale", "offset", "landmarks"]
    outputs = cf.sess.run(None, {cf.sess.get_inputs()[0].name: x.reshape(1, 3, 256, 256)})
    refs = {"input": "((i * 37 + 13) % 255) / 255 * 255, shape [1,3,256,256]", "stride": LMK_STRIDE}
    for name, out in zip(names, outputs):
        refs[name] = [float(v) for v in out.reshape(-1)[::LMK_STRIDE]]
    return refs


def save_jpeg(name, rgb, max_side):
    h, w = rgb.shape[:2]
    k = min(1.0, max_side / max(h, w))
    small = cv2.resize(rgb, (round(w * k), round(h * k)), interpolation=cv2.INTER_AREA)
    cv2.imwrite(str(FIX / name), cv2.cvtColor(small, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, 90])
    return cv2.cvtColor(cv2.imread(str(FIX / name)), cv2.COLOR_BGR2RGB)


def main():
    FIX.mkdir(parents=True, exist_ok=True)
    refs = {}
    refs["detector"] = detector_references()
    refs["embedder"] = embedder_references()
    refs["landmarker"] = landmarker_references()
    cls = session(faces.MODELS / "mask-classifier.onnx")
    n = 3
    x = formula(n * 3 * 64 * 64, 11).reshape(n, 3, 64, 64)
    refs["classifier"] = {
        "input": "((i * 37 + 11) % 255) / 255, shape [3,3,64,64]",
        "probs": [[float(v) for v in row] for row in cls.run(None, {"input": x})[0]],
    }
    cf = faces.CenterFace()
    photos = {
        "astronaut.jpg": (faces.load_photo("skimage/astronaut.png"), 384),
        "group.jpg": (faces.load_photo("insightface/t1.jpg"), 640),
        "no-face.jpg": (cv2.cvtColor(cv2.imread(str(faces.skimage_data_dir() / "coffee.png")), cv2.COLOR_BGR2RGB), 320),
    }
    refs["photos"] = {}
    for name, (rgb, side) in photos.items():
        small = save_jpeg(name, rgb, side)
        refs["photos"][name] = [d["box"] for d in cf.detect(small)]
    # classifier fixtures: one held-out face (t1.jpg), bare and with a drawn mask
    t1 = [f for f in faces.read_data_list() if f["photo"] == "insightface/t1.jpg"]
    face = max(t1, key=lambda f: f["box"][2])
    mask_photos = [cv2.cvtColor(cv2.imread(str(p)), cv2.COLOR_BGR2RGB) for p in faces.mask_photos()]
    rng = np.random.default_rng(3)
    refs["crops"] = {}
    for kind in ("bare", "masked"):
        region, f = synth.occlude(faces.load_photo(face["photo"]), face, kind, rng, mask_photos)
        name = f"face-{kind}.jpg"
        cv2.imwrite(str(FIX / name), cv2.cvtColor(region, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, 92])
        refs["crops"][name] = {"box": [round(v, 1) for v in f["box"]], "masked": kind == "masked"}
    (FIX / "references.json").write_text(json.dumps(refs, indent=1) + "\n")
    print(f"wrote {FIX.relative_to(faces.ROOT)}")


if __name__ == "__main__":
    main()
