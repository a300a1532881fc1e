#!/usr/bin/env python3
"""Writes the seed corpus of the fuzz targets under fuzz/corpus/<target>/seed-*.

Tiny valid and invalid inputs: images made here (PNG with zlib, well-known 1x1 WebP files) or
taken from a test fixture (a JPEG of shared/vision/tests/fixtures), the sample Lambda events
of events/, and a few strings. Run by scripts/proof/fuzz.sh; the output is committed, so the
targets start from it on any machine. Standard library only.
"""

import base64
import json
import struct
import zlib
from pathlib import Path

FUZZ = Path(__file__).resolve().parent
ROOT = FUZZ.parent


def png(width, height, colour_type, bit_depth, rows):
    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    ihdr = struct.pack(">IIBBBBB", width, height, bit_depth, colour_type, 0, 0, 0)
    raw = b"".join(b"\x00" + row for row in rows)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw))
            + chunk(b"IEND", b""))


def exif_app1(orientation):
    payload = (b"Exif\x00\x00MM\x00\x2a" + struct.pack(">I", 8) + struct.pack(">H", 1)
               + struct.pack(">HHIH", 0x0112, 3, 1, orientation) + b"\x00\x00"
               + struct.pack(">I", 0))
    return b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload


def image_seeds():
    rgb = [bytes(v for x in range(8) for v in (x * 30, y * 40, 128)) for y in range(6)]
    rgba = [bytes(v for x in range(8) for v in (x * 30, y * 40, 128, x * 32)) for y in range(6)]
    gray16 = [b"".join(struct.pack(">H", x * 8000 + y) for x in range(8)) for y in range(6)]
    jpeg = (ROOT / "shared/vision/tests/fixtures/face-bare.jpg").read_bytes()
    flood = png(1, 1, 2, 8, [b"\x00\x00\x00"])
    flood = flood[:16] + struct.pack(">II", 100_000, 100_000) + flood[24:]  # CRC now wrong too
    return {
        "rgb.png": png(8, 6, 2, 8, rgb),
        "rgba.png": png(8, 6, 6, 8, rgba),
        "gray16.png": png(8, 6, 0, 16, gray16),
        "flood-header.png": flood,
        "face.jpg": jpeg,
        "face-exif-rotate90.jpg": jpeg[:2] + exif_app1(6) + jpeg[2:],
        "face-cut-short.jpg": jpeg[:1500],
        # Well-known 1x1 WebP files (lossy, lossless, with alpha, animated).
        "lossy.webp": base64.b64decode("UklGRiIAAABXRUJQVlA4IBYAAAAwAQCdASoBAAEADsD+JaQAA3AAAAAA"),
        "lossless.webp": base64.b64decode("UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA=="),
        "alpha.webp": base64.b64decode(
            "UklGRkoAAABXRUJQVlA4WAoAAAAQAAAAAAAAAAAAQUxQSAwAAAARBxAR/Q9ERP8DAABWUDggGAAAABQBAJ0BKgEAAQAAAP4AAA3AAP7mtQAAAA=="),
        "animated.webp": base64.b64decode(
            "UklGRlIAAABXRUJQVlA4WAoAAAASAAAAAAAAAAAAQU5JTQYAAAD/////AABBTk1GJgAAAAAAAAAAAAAAAAAAAGQAAABWUDhMDQAAAC8AAAAQBxAREYiI/gcA"),
        "text.txt": b"not an image",
        "gif.gif": b"GIF89a\x01\x00\x01\x00\x00\x00\x00;",
    }


def events(directory):
    return {p.name: p.read_bytes() for p in sorted((ROOT / "events" / directory).glob("*.json"))}


def s3_seeds():
    seeds = events("analysis-worker")
    body = {"Records": [{"s3": {"object": {"key": "uploads/alice/0192%2Fx+y.jpg"}}}]}
    seeds["body.json"] = json.dumps(body).encode()
    seeds["test-event.json"] = b'{"Event":"s3:TestEvent","Bucket":"b"}'
    seeds["bad-escape.json"] = b'{"Records":[{"s3":{"object":{"key":"a%+1.jpg"}}}]}'
    seeds["key.txt"] = b"uploads%2Falice%2Fa+b%C3%A9.jpg"
    return seeds


def lambda_seeds():
    seeds = {}
    for directory in ("auth", "uploads", "analyses"):
        seeds.update({f"{directory}-{k}": v for k, v in events(directory).items()})
    # The two panics found inside lambda_http / aws_lambda_events (docs/reliability.md).
    event = json.loads(seeds["auth-apigw-v2-login.json"])
    event.update(isBase64Encoded=True, body="not base64!")
    seeds["known-panic-bad-base64.json"] = json.dumps(event).encode()
    event = json.loads(seeds["auth-alb-login.json"])
    event["headers"]["host"] = "example.com:99999"
    seeds["known-panic-alb-port.json"] = json.dumps(event).encode()
    seeds["known-panic-bad-host.json"] = seeds["uploads-apigw-v2-presign.json"].replace(
        b"amazonaws.com\"", b"amazon%aws.com\"", 1)
    return seeds


def auth_seeds():
    def req(route, client, flags, body):
        return bytes([route, client, flags]) + body
    login = json.dumps({"username": "admin", "password": "wrong password"}).encode()
    return {
        "login": req(0, 1, 0, login),
        "login-nul": req(0, 2, 0, b'{"username":"admin\\u0000x","password":"p"}'),
        "forgot": req(1, 3, 0, b'{"email":"admin@test.local"}'),
        "reset": req(2, 4, 0, b'{"token":"abc","newPassword":"a new password 1","purpose":"reset"}'),
        "change": req(3, 5, 4, b'{"currentPassword":"x","newPassword":"another password 2"}'),
        "create-user": req(4, 6, 4, b'{"username":"bob","email":"bob@example.com","role":"user"}'),
        "register": req(5, 9, 0, b'{"username":"sam","email":"sam@example.com","password":"a sign-up passphrase"}'),
        "register-taken-email": req(5, 10, 0, b'{"username":"sam2","email":"admin@test.local","password":"a sign-up passphrase"}'),
        "confirm": req(6, 11, 0, b'{"token":"abc"}'),
        "audit": req(7, 7, 4, b"limit=5"),
        "not-json": req(0, 8, 1, b"{"),
    }


def cursor_seeds():
    def cursor(choice, key):
        return bytes([choice]) + base64.urlsafe_b64encode(key.encode()).rstrip(b"=")
    return {
        "none-category": cursor(7, "alice\x00"),
        "bob": cursor(7, "bob\x00zzzz"),
        "alice-x": cursor(7, "alice.x\x00zzzz"),
        "category": cursor(1, "alice\x00all_masked\x00zzzz"),
        "garbage": b"\x00not base64!",
    }


def validator_seeds():
    return {
        "name": b"Alice",
        "name-nul": b"admin\x00x",
        "kelvin": "\u212aelvin".encode(),
        "email": b"Alice@Example.COM",
        "name-and-password": b"alice\nalice's password",
        "long": b"a" * 40,
    }


def main():
    targets = {
        "image_decode": image_seeds(),
        "s3_event": s3_seeds(),
        "lambda_request": lambda_seeds(),
        "auth_bodies": auth_seeds(),
        "history_cursor": cursor_seeds(),
        "domain_validators": validator_seeds(),
    }
    for target, seeds in targets.items():
        directory = FUZZ / "corpus" / target
        directory.mkdir(parents=True, exist_ok=True)
        for name, data in seeds.items():
            (directory / f"seed-{name}").write_bytes(data)


if __name__ == "__main__":
    main()
