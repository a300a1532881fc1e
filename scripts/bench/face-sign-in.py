#!/usr/bin/env python3
"""Face enrolment and face sign-in on the local server, timed from the client.

Starts the release `facelens serve` on a free port with a fresh data dir and
`--admin-face-sign-in` (so the first admin may enrol; no other account is needed), enrols
`face-bare.jpg`, then signs in ROUNDS times with 2 and with 4 captures in which the head
"turns" (the horizontal warp of tests/src/photos.rs `turned`) and prints the median and
slowest wall time of each request. One request at a time: the server's own time plus a
loopback round trip.

Needs numpy and OpenCV (the venv `make models` uses: $HOME/.cache/facelens/models-venv) and a
release build (`cargo build --release -p facelens`; SKIP_BUILD=1 skips it).
Usage: ~/.cache/facelens/models-venv/bin/python scripts/bench/face-sign-in.py [--rounds 10]
"""

import argparse
import base64
import json
import os
import statistics
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "shared/vision/tests/fixtures/face-bare.jpg"
# Where YuNet puts the fixture's nose and how far apart its eyes are (tests/src/photos.rs).
NOSE_X, EYES = 116.8, 51.1
PASSWORD = "bench passphrase for faces"


def turned(img, shift, spread):
    """The columns around the nose moved sideways by up to `shift` px (Gaussian falloff)."""
    h, w = img.shape[:2]
    xs = np.arange(w, dtype=np.float32)
    src = xs - shift * np.exp(-(((xs - NOSE_X) / spread) ** 2))
    mapx = np.tile(np.clip(src, 0, w - 1), (h, 1)).astype(np.float32)
    mapy = np.tile(np.arange(h, dtype=np.float32)[:, None], (1, w))
    return cv2.remap(img, mapx, mapy, cv2.INTER_LINEAR)


def data_url(img):
    ok, jpeg = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, 92])
    assert ok
    return "data:image/jpeg;base64," + base64.b64encode(jpeg.tobytes()).decode()


def call(base, method, path, body=None, token=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method)
    req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", "Bearer " + token)
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(req) as res:
            answer = json.loads(res.read() or b"null")
    except urllib.error.HTTPError as err:
        raise SystemExit(f"{method} {path}: {err.code} {err.read().decode()}") from None
    return answer, time.perf_counter() - started


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=10)
    args = ap.parse_args()
    target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    if not os.environ.get("SKIP_BUILD"):
        subprocess.run(["cargo", "build", "--quiet", "--release", "-p", "facelens", "--bin", "facelens"],
                       cwd=ROOT, check=True)
    with tempfile.TemporaryDirectory() as work:
        env = dict(os.environ, FACELENS_ADMIN_USERNAME="admin", FACELENS_ADMIN_EMAIL="admin@example.com",
                   FACELENS_ADMIN_PASSWORD=PASSWORD, RUST_LOG="warn")
        out = open(Path(work) / "serve.out", "w+")
        server = subprocess.Popen(
            [str(target / "release/facelens"), "serve", "--port", "0", "--data-dir", f"{work}/data",
             "--web-dir", f"{work}/no-web", "--models-dir", str(ROOT / "models"), "--admin-face-sign-in"],
            env=env, stdout=out, stderr=subprocess.DEVNULL)
        try:
            base = None
            for _ in range(300):
                out.seek(0)
                for line in out:
                    if line.startswith("facelens listening on "):
                        base = line.split()[-1]
                if base:
                    break
                time.sleep(0.1)
            assert base, "the server did not start"
            session, _ = call(base, "POST", "/api/auth/login", {"username": "admin", "password": PASSWORD})
            img = cv2.imread(str(FIXTURE))
            enrol = []
            for _ in range(args.rounds):
                _, took = call(base, "PUT", "/api/me/face", {"capture": data_url(img)}, session["token"])
                enrol.append(took)
            a = data_url(turned(img, 0.2 * EYES, 0.6 * EYES))
            b = data_url(turned(img, -0.3 * EYES, 0.8 * EYES))
            rows = [("PUT /api/me/face (1 capture)", enrol)]
            for captures in ([a, b], [a, b, a, b]):
                times = []
                for _ in range(args.rounds):
                    answer, took = call(base, "POST", "/api/auth/face",
                                        {"username": "admin", "captures": captures})
                    assert answer["user"]["username"] == "admin"
                    times.append(took)
                rows.append((f"POST /api/auth/face ({len(captures)} captures)", times))
            print(f"machine: {os.cpu_count()} cores, load average {open('/proc/loadavg').read().split()[:3]}")
            print(f"{'request':34} {'median ms':>10} {'slowest ms':>11}  ({args.rounds} each, one at a time)")
            for label, times in rows:
                print(f"{label:34} {statistics.median(times) * 1000:10.0f} {max(times) * 1000:11.0f}")
        finally:
            server.terminate()
            server.wait()


if __name__ == "__main__":
    main()
