#!/usr/bin/env python3
"""Scripted abuse of a real `facelens serve`: each attack of issue #12 and the answer it got.

Starts the binary on 127.0.0.1 with a fresh data directory, plays each attack over HTTP (from
several loopback source addresses, 127.0.0.2 and up, where an attack needs many clients),
prints one line per request with the expected and the actual answer, and a Markdown table
for docs/reliability.md. Exits 1 when any answer differs from the expected one.

    python3 scripts/proof/abuse.py [--binary PATH] [--markdown FILE]

Only the Python standard library; every request goes to 127.0.0.1, a bounded number of
times (about 150 in all).
"""

import argparse
import email
import email.policy
import http.client
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ADMIN_PASSWORD = "correct horse battery"
PHOTO = ROOT / "shared/vision/tests/fixtures/face-bare.jpg"


def default_binary():
    target = os.environ.get("CARGO_TARGET_DIR", str(ROOT / "target"))
    for profile in ("release", "debug"):
        path = Path(target) / profile / "facelens"
        if path.exists():
            return str(path)
    return str(Path(target) / "debug" / "facelens")


class Server:
    """One `facelens serve` on 127.0.0.1 with a temp data dir."""

    def __init__(self, binary):
        self.dir = tempfile.mkdtemp(prefix="facelens-abuse-")
        env = dict(os.environ, FACELENS_ADMIN_USERNAME="admin",
                   FACELENS_ADMIN_EMAIL="admin@example.com",
                   FACELENS_ADMIN_PASSWORD=ADMIN_PASSWORD, RUST_LOG="warn")
        self.proc = subprocess.Popen(
            [binary, "serve", "--port", "0", "--web-dir", "no-web-client",
             "--models-dir", str(ROOT / "models"), "--data-dir", self.dir],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, text=True)
        for line in self.proc.stdout:
            if line.startswith("facelens listening on "):
                hostport = line.split("http://", 1)[1].strip()
                self.host, port = hostport.rsplit(":", 1)
                self.port = int(port)
                break
        else:
            raise SystemExit("the server did not start")

    def stop(self):
        self.proc.kill()
        self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)

    def request(self, method, path, body=None, token=None, source="127.0.0.1",
                headers=None, raw=None):
        conn = http.client.HTTPConnection(self.host, self.port, timeout=30,
                                          source_address=(source, 0))
        hdrs = dict(headers or {})
        data = raw
        if body is not None:
            data = json.dumps(body).encode()
            hdrs.setdefault("Content-Type", "application/json")
        if token:
            hdrs["Authorization"] = f"Bearer {token}"
        conn.request(method, path, body=data, headers=hdrs)
        res = conn.getresponse()
        text = res.read()
        conn.close()
        try:
            parsed = json.loads(text) if text else None
        except ValueError:
            parsed = None
        return res.status, parsed, dict(res.getheaders())

    def mails_to(self, address):
        outbox = Path(self.dir) / "outbox"
        found = []
        for path in sorted(outbox.glob("*.eml"), key=lambda p: p.stat().st_mtime):
            msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            if address in str(msg["To"]):
                found.append(msg.get_body(("plain",)).get_content())
        return found


class Report:
    def __init__(self):
        self.rows = []
        self.failed = 0

    def check(self, attack, request, expected, answer):
        status, body, _ = answer
        code = (body or {}).get("error", {}).get("code", "") if isinstance(body, dict) else ""
        got = f"{status} {code}".strip()
        ok = got == expected or (expected.isdigit() and str(status) == expected)
        self.failed += 0 if ok else 1
        self.rows.append((attack, request, expected, got, ok))
        print(f"{'ok  ' if ok else 'FAIL'} {attack}: {request} -> {got} (expected {expected})")
        return answer


def code_of(answer):
    body = answer[1]
    return (body or {}).get("error", {}).get("code") if isinstance(body, dict) else None


def sign_in(srv, name, password, source="127.0.0.1"):
    status, body, _ = srv.request("POST", "/api/auth/login",
                                  {"username": name, "password": password}, source=source)
    assert status == 200, (name, status, body)
    return body["token"]


def new_user(srv, admin, name, password):
    status, body, _ = srv.request("POST", "/api/users",
                                  {"username": name, "email": f"{name}@example.com"}, admin)
    assert status == 201, body
    mail = srv.mails_to(f"{name}@example.com")[-1]
    one_time = re.search(r"One-time password: (\S+)", mail).group(1)
    welcome = re.search(r"token=([A-Za-z0-9_-]+)", mail).group(1)
    token = sign_in(srv, name, one_time)
    status, body, _ = srv.request("PUT", "/api/me/password",
                                  {"currentPassword": one_time, "newPassword": password}, token)
    assert status == 200, body
    return body["token"], welcome


def upload(srv, token):
    data = PHOTO.read_bytes()
    status, body, _ = srv.request("POST", "/api/uploads", {
        "filename": "face.jpg", "contentType": "image/jpeg", "size": len(data)}, token)
    assert status == 201, body
    url = body["url"]
    path = url.split(f":{srv.port}", 1)[1]
    status, _, _ = srv.request(body["method"], path, token=None, raw=data,
                               headers=dict(body["headers"]))
    assert status < 300, status
    return body["analysisId"]


def run(srv, report):
    admin = sign_in(srv, "admin", ADMIN_PASSWORD)
    alice, alice_welcome = new_user(srv, admin, "alice", "plum orchard lantern")
    bob, _ = new_user(srv, admin, "bob", "quiet harbour morning")

    # 1. Lockout from one address: the guesser waits, the person does not.
    for i in range(5):
        report.check("lockout, one address", f"wrong password #{i + 1} for admin from 127.0.0.2",
                     "401 invalid_credentials",
                     srv.request("POST", "/api/auth/login",
                                 {"username": "admin", "password": "guess"}, source="127.0.0.2"))
    answer = report.check("lockout, one address", "right password for admin from 127.0.0.2",
                          "429 too_many_attempts",
                          srv.request("POST", "/api/auth/login",
                                      {"username": "admin", "password": ADMIN_PASSWORD},
                                      source="127.0.0.2"))
    print(f"     Retry-After: {answer[2].get('retry-after')} s")
    report.check("lockout, one address", "right password for admin from 127.0.0.3", "200",
                 srv.request("POST", "/api/auth/login",
                             {"username": "admin", "password": ADMIN_PASSWORD},
                             source="127.0.0.3"))

    # 2. Lockout from many addresses: each address is slowed, the account is not.
    for n in range(10, 20):
        src = f"127.0.0.{n}"
        for _ in range(6):
            last = srv.request("POST", "/api/auth/login",
                               {"username": "admin", "password": "guess"}, source=src)
        report.check("lockout, 10 addresses", f"6th wrong password for admin from {src}",
                     "429 too_many_attempts", last)
    report.check("lockout, 10 addresses", "right password for admin from 127.0.0.1", "200",
                 srv.request("POST", "/api/auth/login",
                             {"username": "admin", "password": ADMIN_PASSWORD}))

    # 3. Names with NUL and control characters.
    for name in ["admin\u0000x", "admin\u0001", "ad\tmin"]:
        for _ in range(6):
            last = srv.request("POST", "/api/auth/login", {"username": name, "password": "guess"},
                               source="127.0.0.4")
        report.check("control characters", f"6th guess as {name!r} from 127.0.0.4",
                     "401 invalid_credentials", last)
    report.check("control characters", "right password for admin from 127.0.0.4", "200",
                 srv.request("POST", "/api/auth/login",
                             {"username": "admin", "password": ADMIN_PASSWORD},
                             source="127.0.0.4"))

    # 4. Reused and stale links.
    report.check("links", "alice's welcome link after her first password change",
                 "400 invalid_token",
                 srv.request("POST", "/api/auth/reset", {"token": alice_welcome,
                             "purpose": "welcome", "newPassword": "stolen passphrase 1"}))
    srv.request("POST", "/api/auth/forgot", {"email": "alice@example.com"})
    link = re.search(r"token=([A-Za-z0-9_-]+)", srv.mails_to("alice@example.com")[-1]).group(1)
    report.check("links", "alice's reset link sent to the welcome page", "400 invalid_token",
                 srv.request("POST", "/api/auth/reset", {"token": link, "purpose": "welcome",
                             "newPassword": "stolen passphrase 2"}))
    report.check("links", "alice's reset link, first use", "204",
                 srv.request("POST", "/api/auth/reset",
                             {"token": link, "newPassword": "copper kettle sunrise"}))
    report.check("links", "alice's reset link, second use", "400 invalid_token",
                 srv.request("POST", "/api/auth/reset",
                             {"token": link, "newPassword": "stolen passphrase 3"}))
    alice = sign_in(srv, "alice", "copper kettle sunrise")

    # 5. Another user's data by id.
    analysis = upload(srv, alice)
    report.check("ownership", "bob reads alice's analysis by id", "404 not_found",
                 srv.request("GET", f"/api/analyses/{analysis}", token=bob))
    report.check("ownership", "bob deletes alice's analysis by id", "404 not_found",
                 srv.request("DELETE", f"/api/analyses/{analysis}", token=bob))
    report.check("ownership", "alice still reads it", "200",
                 srv.request("GET", f"/api/analyses/{analysis}", token=alice))
    report.check("ownership", "bob lists the admin's users", "403 forbidden",
                 srv.request("GET", "/api/users", token=bob))

    # 6. Cursor tampering.
    for _ in range(2):
        upload(srv, alice)
    status, page, _ = srv.request("GET", "/api/analyses?limit=1", token=alice)
    cursor = page.get("nextCursor") or ""
    report.check("cursor", "bob pages with alice's cursor", "400 invalid_input",
                 srv.request("GET", f"/api/analyses?limit=1&cursor={cursor}", token=bob))
    report.check("cursor", "a forged cursor", "400",
                 srv.request("GET", "/api/analyses?cursor=AAAA%2F%2F..%00", token=bob))

    # 7. Oversize and malformed bodies.
    report.check("bodies", "sign-in with a 20 kB password", "413 too_large",
                 srv.request("POST", "/api/auth/login",
                             {"username": "admin", "password": "x" * 20000}))
    report.check("bodies", "sign-in with broken JSON", "400",
                 srv.request("POST", "/api/auth/login", raw=b'{"username": "admin",',
                             headers={"Content-Type": "application/json"}))
    report.check("bodies", "sign-in as text/plain", "415 unsupported_media_type",
                 srv.request("POST", "/api/auth/login", raw=b"{}",
                             headers={"Content-Type": "text/plain"}))
    report.check("bodies", "presign a 16 MB photo", "413 too_large",
                 srv.request("POST", "/api/uploads", {"filename": "a.jpg",
                             "contentType": "image/jpeg", "size": 16 * 1024 * 1024}, alice))
    report.check("bodies", "presign a PDF", "415 unsupported_type",
                 srv.request("POST", "/api/uploads", {"filename": "a.pdf",
                             "contentType": "application/pdf", "size": 1000}, alice))

    # 8. Server-side request forgery, every form of a private address.
    for url in ["http://127.0.0.1/", "http://2130706433/", "http://0177.0.0.1/",
                "http://0x7f000001/", "http://127.1/", "http://[::1]/",
                "http://[::ffff:127.0.0.1]/", "http://[::ffff:0:127.0.0.1]/",
                "http://[::ffff:0:a9fe:a9fe]/", "http://169.254.169.254/latest/meta-data/",
                "http://10.0.0.1/", "http://localhost/", "file:///etc/passwd",
                "gopher://127.0.0.1:25/"]:
        report.check("SSRF", f"upload from {url}", "400 url_refused",
                     srv.request("POST", "/api/uploads/from-url", {"url": url}, alice))

    # 9. Sign-out revokes on the server.
    token = sign_in(srv, "bob", "quiet harbour morning")
    report.check("sign-out", "bob signs out", "204",
                 srv.request("POST", "/api/auth/logout", token=token))
    report.check("sign-out", "bob's token after signing out", "401 unauthorized",
                 srv.request("GET", "/api/me", token=token))

    # 10. Password recovery floods.
    answers = []
    for _ in range(4):
        start = time.monotonic()
        answers.append(srv.request("POST", "/api/auth/forgot", {"email": "bob@example.com"},
                                   source="127.0.0.5"))
        print(f"     forgot answered in {time.monotonic() - start:.2f} s")
    report.check("recovery", "4th reset request for one email", "429 too_many_attempts",
                 answers[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--binary", default=os.environ.get("FACELENS_BIN", default_binary()))
    parser.add_argument("--markdown", help="also write the table to this file")
    args = parser.parse_args()
    srv = Server(args.binary)
    report = Report()
    try:
        run(srv, report)
    finally:
        srv.stop()
    lines = ["| attack | request | expected | answer |", "|---|---|---|---|"]
    for attack, request, expected, got, ok in report.rows:
        mark = "" if ok else " **(differs)**"
        lines.append(f"| {attack} | {request} | {expected} | {got}{mark} |")
    table = "\n".join(lines)
    print()
    print(table)
    if args.markdown:
        Path(args.markdown).write_text(table + "\n")
    print(f"\n{len(report.rows) - report.failed} passed, {report.failed} failed")
    sys.exit(1 if report.failed else 0)


if __name__ == "__main__":
    main()
