#!/usr/bin/env python3
"""Crash and load proof of the local server (docs/reliability.md, "Crash and load, local").

Starts `facelens serve` on 127.0.0.1 with a temporary data directory, signs in the first admin
and a second account (which must change its first password), then sends UPLOADS photos through
the presign + PUT flow from CLIENTS concurrent clients while killing the server with SIGKILL at
KILLS random moments and restarting it on the same data directory. It then waits for the queue
to drain and checks:

  * every acknowledged upload (201 to POST /api/uploads and 2xx to the PUT) has exactly one
    record, done or failed with a reason;
  * every photo with a low-confidence face has exactly one alert, and no other photo has one;
  * no orphan object: every file under <data-dir>/objects belongs to a live record;
  * the database passes `facelens check-db` (redb's integrity check) once the server is stopped.

Prints the figures and exits non-zero when an invariant fails. Python 3 standard library only;
every request goes to 127.0.0.1, bounded in count (retries) and in time (deadlines).

    cargo build --workspace --all-targets && bash scripts/models/fetch.sh
    python3 scripts/proof/crash-load.py [--bin target/debug/facelens] [--uploads 1000]
"""

import argparse
import collections
import concurrent.futures
import json
import os
import random
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import zlib

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIXTURES = os.path.join(ROOT, "shared", "vision", "tests", "fixtures")
ADMIN = ("admin", "admin@example.com", "correct horse battery staple")
LOADER = ("loader", "loader@example.com", "a long second passphrase")
ALERTS_SHOWN = 100  # GET /api/alerts answers the newest 100
REQUEST_TIMEOUT = 60
UPLOAD_DEADLINE = 300  # seconds one upload may spend retrying while the server is down


def png(width, height):
    """A small gradient PNG without faces, made with zlib."""
    raw = b"".join(
        b"\x00" + b"".join(bytes((x * 255 // width, y * 255 // height, 128)) for x in range(width))
        for y in range(height)
    )

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def photos():
    """name -> (content type, bytes): the vision fixtures, a PNG, and one broken 'JPEG'."""
    out = {}
    for name in sorted(os.listdir(FIXTURES)):
        if name.endswith(".jpg"):
            with open(os.path.join(FIXTURES, name), "rb") as f:
                out[name] = ("image/jpeg", f.read())
    out["gradient.png"] = ("image/png", png(96, 64))
    out["broken.jpg"] = ("image/jpeg", b"\xff\xd8\xff this is not a photo at all")
    return out


class ServerDown(Exception):
    """The server did not answer (refused, reset, timed out) or answered 5xx."""


def request(method, url, body=None, headers=None, token=None, timeout=REQUEST_TIMEOUT):
    """One request; returns (status, parsed JSON or None). Raises ServerDown."""
    headers = dict(headers or {})
    data = None
    if isinstance(body, (dict, list)):
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    elif body is not None:
        data = body
    if token:
        headers["Authorization"] = f"Bearer {token}"
    req = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as res:
            status, text = res.status, res.read()
    except urllib.error.HTTPError as e:
        status, text = e.code, e.read()
    except (OSError, urllib.error.URLError) as e:
        raise ServerDown(str(e)) from e
    if status >= 500:
        raise ServerDown(f"{status} {text[:200]!r}")
    try:
        return status, json.loads(text) if text else None
    except ValueError:
        return status, None


class Server:
    """`facelens serve` on a fixed port and data directory; killed and restarted at will."""

    def __init__(self, binary, data_dir, log_path, port, models_dir, alert_below):
        self.binary, self.data_dir, self.port = binary, data_dir, port
        self.models_dir, self.alert_below = models_dir, alert_below
        self.log = open(log_path, "ab")
        self.proc = None
        self.base = f"http://127.0.0.1:{port}"
        self.lock = threading.Lock()

    def start(self, tries=20):
        env = dict(os.environ)
        env.update(
            FACELENS_ADMIN_USERNAME=ADMIN[0],
            FACELENS_ADMIN_EMAIL=ADMIN[1],
            FACELENS_ADMIN_PASSWORD=ADMIN[2],
            RUST_LOG=env.get("RUST_LOG", "warn"),
        )
        for _ in range(tries):
            proc = subprocess.Popen(
                [self.binary, "serve", "--port", str(self.port), "--data-dir", self.data_dir,
                 "--web-dir", "no-web-client", "--models-dir", self.models_dir,
                 "--alert-below", str(self.alert_below)],
                stdout=subprocess.PIPE, stderr=self.log, env=env,
            )
            for line in proc.stdout:
                if line.startswith(b"facelens listening on "):
                    self.proc = proc
                    threading.Thread(target=proc.stdout.read, daemon=True).start()
                    return
            proc.wait()
            time.sleep(0.5)  # the port may still be held by the killed process
        raise RuntimeError(f"the server did not start (exit {proc.returncode}); see the log")

    def kill_hard(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self, timeout=30):
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(timeout=timeout)
            return "graceful"
        except subprocess.TimeoutExpired:
            self.kill_hard()
            return "killed after no graceful stop"


class Session:
    """A signed-in account; signs in again when its token stops working."""

    def __init__(self, server, username, password):
        self.server, self.username, self.password = server, username, password
        self.token = None
        self.lock = threading.Lock()

    def sign_in(self):
        status, body = call_retrying(
            lambda: request("POST", self.server.base + "/api/auth/login",
                            {"username": self.username, "password": self.password}))
        if status != 200:
            raise RuntimeError(f"sign-in of {self.username}: {status} {body}")
        self.token = body["token"]

    def api(self, method, path, body=None):
        """A call with retries while the server is down; one new sign-in on 401."""
        for _ in range(2):
            token = self.token
            status, answer = call_retrying(
                lambda: request(method, self.server.base + path, body, token=token))
            if status != 401:
                return status, answer
            with self.lock:
                if self.token == token:
                    self.sign_in()
        return status, answer


def call_retrying(call, deadline=UPLOAD_DEADLINE):
    """Retries `call` while the server is down, up to `deadline` seconds."""
    end = time.monotonic() + deadline
    while True:
        try:
            return call()
        except ServerDown:
            if time.monotonic() > end:
                raise
            time.sleep(0.2 + random.random() * 0.3)


def read_outbox_field(data_dir, to, label):
    outbox = os.path.join(data_dir, "outbox")
    mails = []
    for name in os.listdir(outbox):
        path = os.path.join(outbox, name)
        with open(path, encoding="utf-8", errors="replace") as f:
            text = f.read().replace("=\r\n", "").replace("=3D", "=")
        if f"To: {to}" in text:
            mails.append((os.path.getmtime(path), text))
    for line in max(mails)[1].splitlines():
        if line.startswith(label):
            return line[len(label):].strip()
    raise RuntimeError(f"no {label!r} in the mail to {to}")


def ready_session(server, username, password):
    """Signs in and changes the first password when the server requires it."""
    session = Session(server, username, password)
    session.sign_in()
    status, body = session.api("GET", "/api/analyses?limit=1")
    if status == 403 and (body or {}).get("error", {}).get("code") == "password_change_required":
        new = password + " changed"
        status, body = session.api("PUT", "/api/me/password",
                                   {"currentPassword": password, "newPassword": new})
        if status != 200:
            raise RuntimeError(f"password change of {username}: {status} {body}")
        session.password, session.token = new, body["token"]
    return session


def create_loader(server, admin):
    status, body = admin.api("POST", "/api/users", {"username": LOADER[0], "email": LOADER[1]})
    if status != 201:
        raise RuntimeError(f"creating {LOADER[0]}: {status} {body}")
    one_time = read_outbox_field(server.data_dir, LOADER[1], "One-time password: ")
    session = Session(server, LOADER[0], one_time)
    session.sign_in()
    status, body = session.api("PUT", "/api/me/password",
                               {"currentPassword": one_time, "newPassword": LOADER[2]})
    if status != 200:
        raise RuntimeError(f"first password change of {LOADER[0]}: {status} {body}")
    session.password, session.token = LOADER[2], body["token"]
    return session


def upload(session, name, kind, data):
    """Presign + PUT with retries while the server is down. Returns (analysis id or None,
    acknowledged, presigns answered)."""
    status, ticket = session.api("POST", "/api/uploads",
                                 {"filename": name, "contentType": kind, "size": len(data)})
    if status != 201:
        return None, False, 0
    headers = dict(ticket["headers"])
    try:
        put = call_retrying(lambda: request(ticket["method"], ticket["url"], data, headers))[0]
    except ServerDown:
        return ticket["analysisId"], False, 1
    return ticket["analysisId"], 200 <= put < 300, 1


def list_all(session):
    """Every record of the account, from the paged history."""
    items, cursor = [], None
    for _ in range(1000):
        path = "/api/analyses?limit=100" + (f"&cursor={cursor}" if cursor else "")
        status, page = session.api("GET", path)
        if status != 200:
            raise RuntimeError(f"history of {session.username}: {status} {page}")
        items += page["items"]
        cursor = page.get("nextCursor")
        if not cursor:
            return items
    raise RuntimeError("history paging did not end")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bin", default=os.environ.get(
        "FACELENS_BIN", os.path.join(ROOT, "target", "debug", "facelens")))
    parser.add_argument("--models-dir", default=os.path.join(ROOT, "models"))
    parser.add_argument("--uploads", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--kills", type=int, default=5)
    parser.add_argument("--seed", type=int, default=int(time.time()))
    parser.add_argument("--drain-timeout", type=int, default=3600, help="seconds")
    parser.add_argument("--alert-below", type=float, default=99.5,
                        help="confidence (%%) under which a face raises an alert; the fixture "
                        "faces are found with 99-100%%, so the server's default 50 would raise "
                        "none (99.5 makes face-masked.jpg, found with 99.1%%, alert)")
    parser.add_argument("--keep", action="store_true", help="keep the data directory")
    args = parser.parse_args()
    rng = random.Random(args.seed)

    work = tempfile.mkdtemp(prefix="facelens-crash-load-")
    data_dir = os.path.join(work, "data")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = Server(args.bin, data_dir, os.path.join(work, "server.log"), port, args.models_dir,
                    args.alert_below)
    print(f"seed {args.seed}; data dir {data_dir}; server log {work}/server.log", flush=True)
    started = time.monotonic()
    server.start()
    admin = ready_session(server, *ADMIN[::2])
    loader = create_loader(server, admin)
    sessions = [admin, loader]
    catalogue = photos()

    # Warm-up: one of each photo, to learn which ones raise an alert (the result is the same
    # for the same bytes), so the load can keep alerts within what GET /api/alerts shows.
    warm = {}
    for name, (kind, data) in catalogue.items():
        analysis_id, acked, _ = upload(admin, name, kind, data)
        assert acked, f"warm-up upload of {name}"
        warm[name] = analysis_id
    alerting = set()
    for name, analysis_id in warm.items():
        for _ in range(args.drain_timeout):
            status, record = admin.api("GET", f"/api/analyses/{analysis_id}")
            if record and record.get("status") != "pending":
                break
            time.sleep(1)
        if any(face.get("lowConfidence") for face in record.get("faces", [])):
            alerting.add(name)
    names = sorted(n for n in catalogue if n != "broken.jpg")
    quiet = [n for n in names if n not in alerting] or names
    alert_budget = ALERTS_SHOWN - 10 - len(alerting)

    plan = []
    for n in range(args.uploads):
        name = rng.choice(names) if rng.random() > 0.02 else "broken.jpg"
        if name in alerting:
            if alert_budget <= 0:
                name = rng.choice(quiet)
            else:
                alert_budget -= 1
        plan.append((n, sessions[n % 2], name))

    # Kill moments: half of them while the uploads arrive (after a random number of uploads),
    # the others while the queue drains (when a random share of it is left), each after a
    # further random pause of up to half a second.
    done_count = [0]
    drain = {"start": None, "left": None}
    progress = threading.Condition()
    during_uploads = (args.kills + 1) // 2
    upload_kills = sorted(rng.sample(range(args.uploads // 10, args.uploads * 9 // 10),
                                     during_uploads))
    drain_kills = sorted((rng.uniform(0.15, 0.85) for _ in range(args.kills - during_uploads)),
                         reverse=True)
    restarts = []

    def kill_and_restart(moment):
        time.sleep(rng.random() * 0.5)
        with server.lock:
            server.kill_hard()
            down = time.monotonic()
            server.start()
            restarts.append(time.monotonic() - down)
        print(f"killed with SIGKILL {moment}; back in {restarts[-1]:.1f} s", flush=True)

    def killer():
        for threshold in upload_kills:
            with progress:
                progress.wait_for(lambda: done_count[0] >= threshold)
            kill_and_restart(f"after {threshold} uploads")
        for share in drain_kills:
            with progress:
                progress.wait_for(lambda: drain["start"] is not None
                                  and drain["left"] <= share * drain["start"])
                left = drain["left"]
            kill_and_restart(f"while draining, {left} analyses left")

    def one(item):
        n, session, name = item
        kind, data = catalogue[name]
        try:
            result = upload(session, f"{n}-{name}", kind, data)
        except ServerDown:
            result = (None, False, 0)
        with progress:
            done_count[0] += 1
            progress.notify_all()
        return (n, session.username, name) + result

    load_started = time.monotonic()
    kill_thread = threading.Thread(target=killer, daemon=True)
    kill_thread.start()
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.clients) as pool:
        results = list(pool.map(one, plan))
    load_seconds = time.monotonic() - load_started
    acked = [r for r in results if r[4]]
    print(f"load done in {load_seconds:.0f} s: {len(acked)} of {len(results)} acknowledged; "
          "waiting for the queue to drain", flush=True)

    expected = {}  # analysis id -> (owner, photo name)
    for name, analysis_id in warm.items():
        expected[analysis_id] = (ADMIN[0], name)
    for n, owner, name, analysis_id, ok, _ in results:
        if ok:
            expected[analysis_id] = (owner, name)

    drain_started = time.monotonic()
    while True:
        records = {s.username: list_all(s) for s in sessions}
        pending = [i["id"] for items in records.values() for i in items
                   if i["status"] == "pending" and i["id"] in expected]
        with progress:
            if drain["start"] is None:
                drain["start"] = len(pending)
            drain["left"] = len(pending)
            progress.notify_all()
        if not pending and not kill_thread.is_alive():
            break
        if time.monotonic() - drain_started > args.drain_timeout:
            print(f"FAIL: {len(pending)} acknowledged uploads still pending after "
                  f"{args.drain_timeout} s", flush=True)
            break
        time.sleep(2)
    drain_seconds = time.monotonic() - drain_started

    failures = []
    by_owner = {u: {i["id"]: i for i in items} for u, items in records.items()}
    listed = collections.Counter(i["id"] for items in records.values() for i in items)
    duplicates = [i for i, c in listed.items() if c > 1]
    if duplicates:
        failures.append(f"{len(duplicates)} records listed more than once")
    full = {}

    def fetch(analysis_id):
        owner = expected[analysis_id][0]
        session = admin if owner == ADMIN[0] else loader
        return analysis_id, session.api("GET", f"/api/analyses/{analysis_id}")

    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        for analysis_id, (status, record) in pool.map(fetch, expected):
            full[analysis_id] = record if status == 200 else None
    done = failed = 0
    for analysis_id, record in full.items():
        if record is None or analysis_id not in by_owner[expected[analysis_id][0]]:
            failures.append(f"acknowledged upload {analysis_id} has no record")
        elif record["status"] == "done":
            done += 1
        elif record["status"] == "failed" and record.get("failureReason"):
            failed += 1
        else:
            failures.append(f"{analysis_id}: {record['status']} {record.get('failureReason')!r}")
    abandoned = [r for u in by_owner.values() for i, r in u.items() if i not in expected]
    for record in abandoned:
        if record["status"] != "pending":
            failures.append(f"{record['id']} was never acknowledged but is {record['status']}")

    # Alerts: exactly one per photo with a low-confidence face, none for the others.
    status, body = admin.api("GET", "/api/alerts")
    alerts = collections.Counter(a["analysisId"] for a in body["alerts"])
    should_alert = {i for i, r in full.items() if r and r["status"] == "done"
                    and any(f.get("lowConfidence") for f in r["faces"])}
    if len(should_alert) >= ALERTS_SHOWN:
        failures.append(f"{len(should_alert)} photos should alert: more than the API shows")
    for analysis_id in should_alert:
        if alerts[analysis_id] != 1:
            failures.append(f"{analysis_id} has {alerts[analysis_id]} alerts")
    extra = set(alerts) - should_alert
    if extra:
        failures.append(f"{len(extra)} alerts for photos without a low-confidence face")

    # Orphans: every file under objects/ belongs to a live record (annotated images to a done
    # one); nothing is left staged.
    orphans = []
    objects = os.path.join(data_dir, "objects")
    for folder, _, files in os.walk(objects):
        for file in files:
            rel = os.path.relpath(os.path.join(folder, file), objects).split(os.sep)
            if len(rel) != 3 or rel[0] not in ("uploads", "annotated"):
                orphans.append("/".join(rel))
                continue
            kind, owner, stem = rel[0], rel[1], rel[2].split(".")[0]
            record = by_owner.get(owner, {}).get(stem)
            if record is None or (kind == "annotated" and record["status"] != "done"):
                orphans.append("/".join(rel))
    for analysis_id, (owner, name) in expected.items():
        ext = "png" if name.endswith(".png") else "jpg"
        if not os.path.exists(os.path.join(objects, "uploads", owner, f"{analysis_id}.{ext}")):
            failures.append(f"the photo of acknowledged upload {analysis_id} is missing")
    if orphans:
        failures.append(f"{len(orphans)} orphan objects, e.g. {orphans[:3]}")

    stopped = server.stop()
    check = subprocess.run([args.bin, "check-db", "--data-dir", data_dir],
                           capture_output=True, text=True, timeout=600)
    figures = dict(
        line.split(": ", 1) for line in check.stdout.splitlines() if ": " in line)
    integrity = figures.get("integrity", "error: " + check.stderr.strip()[-300:])
    if check.returncode != 0 or integrity != "ok":
        failures.append(f"integrity check: {integrity}")
    if figures.get("jobs waiting", "0") != "0":
        failures.append(f"{figures['jobs waiting']} jobs still queued")

    total = time.monotonic() - started
    sent = len(results) + len(warm)
    print()
    print(f"uploads sent          {sent} ({len(warm)} warm-up + {len(results)} under load, "
          f"{args.clients} clients)")
    print(f"acknowledged          {len(expected)}")
    print(f"done                  {done}")
    print(f"failed with a reason  {failed} (dead-lettered: {figures.get('jobs dead-lettered', '?')})")
    print(f"abandoned presigns    {len(abandoned)} (record created, PUT never acknowledged)")
    print(f"alerts                {sum(alerts.values())} (photos that should alert: "
          f"{len(should_alert)})")
    print(f"orphans               {len(orphans)}")
    print(f"integrity             {integrity} (server stop: {stopped})")
    print(f"kills                 {len(restarts)} (restart times: "
          f"{', '.join(f'{r:.1f}' for r in restarts)} s)")
    print(f"duration              {total:.0f} s (load {load_seconds:.0f} s, "
          f"drain after load {drain_seconds:.0f} s)")
    if failures:
        print("\nINVARIANTS FAILED:")
        for failure in failures[:50]:
            print(f"  {failure}")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    else:
        print(f"kept {work}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
