"""SFace embeddings of the packaged face photos: genuine and impostor similarities, bare and masked.

Pipeline (what the product would do): detect with the chosen local detector (YuNet by
default, `detectors.detect_full`: photo fitted into 640x480), take each face's 5 landmarks,
estimate the similarity transform onto the 112x112 ArcFace template by least squares
(Umeyama, no reflection), warp the photo at full resolution (bilinear, black outside),
feed SFace (models/sface-112.onnx, input "data" [1,3,112,112], RGB 0..255 float; the graph
subtracts 127.5 and multiplies by 1/128), L2-normalise the 128 outputs, compare by cosine.

Faces: every face in faces.eval_photos() (people named where one person appears in several
photos: Barack Obama x4, Emmanuel Macron x2, Jacinda Ardern x2; everyone in the group photos
is taken to be a person of their own). For a masked face a mask is drawn by synth.py on
the region around the face (2.2 box sides), and that region is detected again, so the
landmarks come from the masked face as they would in the product. Bare faces go through the
same region re-detection, so both sides are treated alike.

Pairs: genuine = same person, different photos (bare/bare, bare/masked with 5 masks each
way); same-photo bare/masked (3 masks per face: what the mask alone costs); impostor =
different people (bare/bare, bare/masked, masked/masked). Faces from two different face-api
demo photos are left out of both: the demo photos share models (sample1.jpg's third face
and sample3.jpg's second look like one woman), so such a pair may be either; their
highest similarities are listed as "unlabelled".

Needs `bash scripts/models/fetch.sh --training` and requirements.txt. About 2 minutes.
Writes models/embedding.eval.json; prints the summary.

    python scripts/models/embedding_eval.py [--detector YuNet|CenterFace] [--landmarks YuNet|CenterFace]

--landmarks: the detector run again on the region around each face for the landmarks that
align it (default: the same detector); YuNet's landmarks move under a mask (see README).
"""

import argparse
import datetime
import itertools
import json
import sys
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import detectors as D  # noqa: E402
import faces  # noqa: E402
import synth  # noqa: E402

SEED = 20261130
# ArcFace's 112x112 template: eye on the image's left, other eye, nose tip, mouth corners.
TEMPLATE = np.array([[38.2946, 51.6963], [73.5318, 51.5014], [56.0252, 71.7366],
                     [41.5493, 92.3655], [70.7299, 92.2041]], np.float64)
OPENCV_ZOO_THRESHOLD = 0.363  # SFace's cosine threshold in OpenCV Zoo's demo
# Ours (models/README.md): the sweep below, with YuNet's and with CenterFace's landmarks, has
# no bare impostor pair at or above 0.45 and every genuine pair from different photos above.
RECOMMENDED_THRESHOLD = 0.45
MIN_FACE = 40  # px, box width in the photo
MASKS_SAME_PHOTO = 3
MASKS_CROSS_PHOTO = 5
OUT = faces.MODELS / "embedding.eval.json"


def umeyama(src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """2x3 similarity (rotation, uniform scale, translation) taking src onto dst, least squares."""
    src, dst = np.asarray(src, np.float64), np.asarray(dst, np.float64)
    mu_s, mu_d = src.mean(0), dst.mean(0)
    s, d = src - mu_s, dst - mu_d
    cov = d.T @ s / len(src)
    u, sig, vt = np.linalg.svd(cov)
    e = np.eye(2)
    if np.linalg.det(u) * np.linalg.det(vt) < 0:
        e[1, 1] = -1
    r = u @ e @ vt
    scale = (sig * np.diag(e)).sum() / (s**2).sum(1).mean()
    t = mu_d - scale * r @ mu_s
    return np.hstack([scale * r, t[:, None]])


def align(rgb: np.ndarray, landmarks) -> np.ndarray:
    m = umeyama(np.array(landmarks), TEMPLATE)
    return cv2.warpAffine(rgb, m, (112, 112), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=0)


class SFace:
    def __init__(self):
        self.sess = D._session(faces.MODELS / "sface-112.onnx", symbolic=False)

    def embed(self, aligned_rgb: np.ndarray) -> np.ndarray:
        x = aligned_rgb.astype(np.float32).transpose(2, 0, 1)[None]
        v = self.sess.run(None, {"data": x})[0][0].astype(np.float64)
        return v / np.linalg.norm(v)


def detect_faces(det, rgb, threshold):
    """Faces in a photo (small photos padded with replicated edges first, as faces.py does)."""
    pad = 56 if max(rgb.shape[:2]) < 200 else 0
    img = cv2.copyMakeBorder(rgb, pad, pad, pad, pad, cv2.BORDER_REPLICATE) if pad else rgb
    found = D.detect_full(det, img, threshold)
    if max(img.shape[:2]) > 1280:  # large photos: tiles too, as in the product
        found = D.detect_tiled(det, img, threshold, scale=1280 / max(img.shape[:2]), full=found)
    for f in found:
        f["box"][0] -= pad
        f["box"][1] -= pad
        f["landmarks"] = [[x - pad, y - pad] for x, y in f["landmarks"]]
    return found


def redetect(det, local, face, threshold):
    """Detect again in the region around a face; the detection overlapping it best."""
    found = D.detect_full(det, local, threshold)
    if not found:
        return None
    ious = D.iou_matrix([face["box"]], [f["box"] for f in found])[0]
    j = int(np.argmax(ious))
    return found[j] if ious[j] >= 0.3 else None


def unknown(a, b) -> bool:
    """Two faces from different face-api demo photos: same model or not, we cannot tell."""
    return a["photo"] != b["photo"] and a["photo"].startswith("face-api/") and b["photo"].startswith("face-api/")


def summary(scores) -> dict:
    a = np.array(scores)
    if not len(a):
        return {"n": 0}
    return {"n": int(len(a)), "min": round(float(a.min()), 3), "p5": round(float(np.percentile(a, 5)), 3),
            "median": round(float(np.median(a)), 3), "p95": round(float(np.percentile(a, 95)), 3),
            "max": round(float(a.max()), 3)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--detector", default="YuNet", choices=["YuNet", "CenterFace"])
    ap.add_argument("--landmarks", choices=["YuNet", "CenterFace"],
                    help="detector whose landmarks (on the region around each face) align it; default: --detector")
    args = ap.parse_args()
    det = D.YuNet() if args.detector == "YuNet" else D.CenterFace()
    threshold = det.default_threshold
    args.landmarks = args.landmarks or args.detector
    lm_det = det if args.landmarks == args.detector else (D.YuNet() if args.landmarks == "YuNet" else D.CenterFace())
    sface = SFace()
    masks = [faces.load_rgb(p) for p in faces.mask_photos()]
    rng = np.random.default_rng(SEED)

    people = []  # {id, who, photo, bare: emb, masked: [emb...] (same-photo masks), masked_x: [...]}
    missed = {"bare": 0, "masked": 0}
    for pid, (path, who) in faces.eval_photos().items():
        rgb = faces.load_rgb(path)
        found = [f for f in detect_faces(det, rgb, threshold) if f["box"][2] >= MIN_FACE]
        if who is not None:  # one named person: the largest face
            found = sorted(found, key=lambda f: -f["box"][2] * f["box"][3])[:1]
        for k, f in enumerate(found):
            entry = {"id": f"{pid}#{k}", "who": who or f"{pid}#{k}", "photo": pid, "box": f["box"], "masked": []}
            local, lf = synth.occlude(rgb, f, "bare", rng, masks)
            g = redetect(lm_det, local, lf, lm_det.default_threshold)
            if g is None:
                missed["bare"] += 1
                continue
            entry["bare"] = sface.embed(align(local, g["landmarks"]))
            for _ in range(MASKS_SAME_PHOTO + MASKS_CROSS_PHOTO):
                local, lf = synth.occlude(rgb, f, "masked", rng, masks)
                g = redetect(lm_det, local, lf, lm_det.default_threshold)
                if g is None:
                    missed["masked"] += 1
                    entry["masked"].append(None)
                    continue
                entry["masked"].append(sface.embed(align(local, g["landmarks"])))
            people.append(entry)
    print(f"{len(people)} faces ({len({p['who'] for p in people})} people); missed on re-detection: {missed}",
          file=sys.stderr)

    pairs = {k: [] for k in ("genuine bare/bare", "genuine bare/masked", "same photo bare/masked",
                             "impostor bare/bare", "impostor bare/masked", "impostor masked/masked")}
    for p in people:
        for m in p["masked"][:MASKS_SAME_PHOTO]:
            if m is not None:
                pairs["same photo bare/masked"].append(float(p["bare"] @ m))
    unlabelled = []
    for a, b in itertools.combinations(people, 2):
        if unknown(a, b):
            unlabelled.append([a["id"], b["id"], round(float(a["bare"] @ b["bare"]), 3)])
            continue
        if a["who"] == b["who"]:
            pairs["genuine bare/bare"].append(float(a["bare"] @ b["bare"]))
            for x, y in ((a, b), (b, a)):
                for m in y["masked"][MASKS_SAME_PHOTO:]:
                    if m is not None:
                        pairs["genuine bare/masked"].append(float(x["bare"] @ m))
        else:
            pairs["impostor bare/bare"].append(float(a["bare"] @ b["bare"]))
            ma, mb = a["masked"][0], b["masked"][0]
            if mb is not None:
                pairs["impostor bare/masked"].append(float(a["bare"] @ mb))
            if ma is not None:
                pairs["impostor bare/masked"].append(float(b["bare"] @ ma))
            if ma is not None and mb is not None:
                pairs["impostor masked/masked"].append(float(ma @ mb))

    imp_all = pairs["impostor bare/bare"] + pairs["impostor bare/masked"] + pairs["impostor masked/masked"]
    # For comparison: the lowest threshold with no impostor pair of any kind at or above it.
    zero_far = float(np.floor(max(imp_all) * 100) / 100 + 0.01)
    recommended = RECOMMENDED_THRESHOLD

    def rates(t):
        out = {}
        for k, v in pairs.items():
            a = np.array(v)
            if k.startswith("impostor"):
                out[k] = {"FAR": round(float((a >= t).mean()), 4), "n": len(a)}
            else:
                out[k] = {"FRR": round(float((a < t).mean()), 4), "n": len(a)}
        return out

    doc = {
        "command": " ".join(["python scripts/models/embedding_eval.py"] + sys.argv[1:]),
        "date": datetime.date.today().isoformat(),
        "detector": args.detector,
        "landmarks": args.landmarks,
        "faces": [{"id": p["id"], "who": p["who"], "box": [round(v, 1) for v in p["box"]]} for p in people],
        "missed_on_redetection": missed,
        "distributions": {k: summary(v) for k, v in pairs.items()},
        "recommended_threshold": recommended,
        "at_recommended": rates(recommended),
        "zero_far_threshold": zero_far,
        "at_zero_far": rates(zero_far),
        "at_opencv_zoo_0.363": rates(OPENCV_ZOO_THRESHOLD),
        "sweep": {f"{t:.2f}": rates(t) for t in np.arange(0.30, 0.6001, 0.05)},
        "genuine_bare_pairs": sorted(
            [[a["id"], b["id"], round(float(a["bare"] @ b["bare"]), 3)]
             for a, b in itertools.combinations(people, 2) if a["who"] == b["who"]]),
        "top_impostor_bare_pairs": sorted(
            [[a["id"], b["id"], round(float(a["bare"] @ b["bare"]), 3)]
             for a, b in itertools.combinations(people, 2) if a["who"] != b["who"] and not unknown(a, b)],
            key=lambda r: -r[2])[:5],
        "top_unlabelled_pairs": sorted(unlabelled, key=lambda r: -r[2])[:5],
        "n_unlabelled_pairs": len(unlabelled),
    }
    OUT.write_text(json.dumps(doc, indent=1) + "\n")
    print(f"{len(people)} faces, detector {args.detector}, landmarks {args.landmarks}; cosine similarity of "
          "L2-normalised SFace embeddings")
    print()
    print("| pairs | n | min | 5% | median | 95% | max |")
    print("|---|---|---|---|---|---|---|")
    for k, s in doc["distributions"].items():
        if s["n"]:
            print(f"| {k} | {s['n']} | {s['min']:.3f} | {s['p5']:.3f} | {s['median']:.3f} | {s['p95']:.3f} | "
                  f"{s['max']:.3f} |")
    for label, t, r in (("recommended", recommended, doc["at_recommended"]),
                        ("lowest zero-false-accept", zero_far, doc["at_zero_far"]),
                        ("OpenCV Zoo's", OPENCV_ZOO_THRESHOLD, doc["at_opencv_zoo_0.363"])):
        print()
        print(f"At the {label} threshold {t}: " + "; ".join(
            f"{k} {'FAR' if 'FAR' in v else 'FRR'} {100 * v.get('FAR', v.get('FRR')):.1f}% (n={v['n']})"
            for k, v in r.items()))
    print()
    kinds = list(pairs)
    print("| threshold | " + " | ".join(f"{k} {'FAR' if k.startswith('impostor') else 'FRR'}" for k in kinds) + " |")
    print("|---|" + "---|" * len(kinds))
    for t, r in doc["sweep"].items():
        print(f"| {t} | " + " | ".join(f"{100 * r[k].get('FAR', r[k].get('FRR')):.1f}%" for k in kinds) + " |")
    print()
    print("genuine bare pairs:", doc["genuine_bare_pairs"])
    print("closest impostor bare pairs:", doc["top_impostor_bare_pairs"])
    print(f"unlabelled pairs ({len(unlabelled)}), highest:", doc["top_unlabelled_pairs"])


if __name__ == "__main__":
    main()
