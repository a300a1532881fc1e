#!/usr/bin/env python3
"""Faults on the AWS path (docs/reliability.md, "Faults, AWS path"): the shipped Lambda binaries
under a Lambda Runtime API emulator, on moto and s3s-fs behind a proxy that fails, delays or
throttles about one call in ten.

What runs, all on 127.0.0.1:

  * moto server (DynamoDB, SNS, SQS, SESv2) and s3s-fs (S3 that verifies SigV4 signatures,
    presigned ones included), with the table, bucket, topic, queue and dead-letter queue set up
    as infra/lib/facelens-stack.ts sets them up;
  * a fault-injecting proxy, the functions' AWS_ENDPOINT_URL: it routes each call by the
    service of its SigV4 credential scope (the Authorization header, or X-Amz-Credential of a
    presigned URL) to moto or s3s-fs, and for about --fault-rate of the calls to the faulted
    services it answers a server error (500/503), a throttle (DynamoDB
    ProvisionedThroughputExceededException / ThrottlingException, S3 SlowDown, SNS Throttling /
    KMSThrottling, SQS RequestThrottled), each in its service's error format, or delays the call by 0.2-2 s,
    chosen by a seeded RNG and counted. It answers Rekognition DetectFaces itself (nothing here runs
    Rekognition): the documented response shape, with the boxes of the photo's faces and a
    confidence under 50% for the photos the script marked (a JPEG comment in the photo). After
    each successful PUT under uploads/ it sends the S3 ObjectCreated event to the analysis
    queue, as the bucket's notification does;
  * each function (auth, uploads, analyses, analysis-worker) as its own processes, each process
    an emulated Lambda sandbox: a Runtime API of its own, one invocation at a time, the
    function's timeout from infra (then the sandbox is killed and a new one cold-starts), a new
    sandbox when one dies; up to --http-instances sandboxes per HTTP function, started on demand;
  * an API Gateway HTTP API (payload 2.0) emulator routing as infra's API_ROUTES, turning each
    request into an APIGatewayProxyRequestV2 event (requestContext.http.sourceIp is the TCP
    peer) and the function's answer back into HTTP;
  * the SQS trigger of the worker as infra configures it (batches of 5, reportBatchItemFailures,
    --worker-concurrency pollers): messages that fail, whose invocation fails or times out, come
    back after the visibility timeout (infra's 720 s, shortened to --retry-delay) and go to the
    dead-letter queue after maxReceiveCount receives (moto's redrive). The poller's own SQS
    calls go through the proxy too.

Then users drive the flow over HTTP: the first admin is made by `auth-admin`, the admin creates
--users accounts (each sets a password through the welcome link moto's SES recorded and signs
in), and --clients clients send --uploads photos through presign + PUT (the fixture photos,
a share of them marked low-confidence, and a few poison photos: a truncated JPEG, a PNG whose
header claims 3.6 gigapixels, random bytes named .jpg), poll each analysis until it is done or
failed, read their history, and delete some analyses while they are processing. When the queue
has drained it checks, from the table, the bucket, moto's SNS record and the queues:

  * every acknowledged upload (201 to the presign, 2xx to the PUT) that was not deleted has
    exactly one record, done or failed with a reason, listed once in its owner's history, with
    its photo (and, when done, its annotated image and thumbnail);
  * every such photo with a face under 50% has exactly one alert item and exactly one SNS
    message, and no other photo has either; a deleted analysis has no alert item;
  * a deleted analysis has no record and no object; no object in the bucket lacks its record;
  * each owner's category counts equal what their records say;
  * the queue is empty and the dead-letter queue holds poison photos only.

It prints the figures (faults injected per service and kind, retries, cold starts, DLQ,
orphans, times) and exits 1 when an invariant fails, 2 when the run itself could not be made.
The work directory (kept with --keep or when something failed) holds calls.log, one line per
AWS call with the fault it got, and each sandbox's log under logs/.

Harder faults, off by default: --outages N (N windows of --outage-seconds in which every call
to one faulted service fails, more than the SDK's three attempts absorb), --kills N (N sandboxes
SIGKILLed at random moments) and --hangs N (N of the first calls to --hang-service held
unanswered past the worker's timeout, then dropped: a blackholed connection).

    bash scripts/aws-test-setup.sh            # moto server and s3s-fs, once
    make lambdas                              # target/lambda/<function>/bootstrap.zip
    python3 scripts/proof/aws-faults.py [--uploads 200] [--clients 10] [--seed N]
    python3 scripts/proof/aws-faults.py --fault-services all --outages 4 --kills 8
    python3 scripts/proof/aws-faults.py --bin-dir DIR   # plain executables instead of zips

`--bin-dir` takes a directory holding auth, uploads, analyses, analysis-worker and auth-admin
executables (for example a cargo target's debug/); with `--lambda-dir` (default
target/lambda) the functions come from the zips and `auth-admin` from `--auth-admin`, else from
a cargo target directory. Python 3 standard library only; every connection goes to 127.0.0.1,
and every loop is bounded in count or time.
"""

import argparse
import base64
import collections
import concurrent.futures
import contextlib
import http.client
import http.server
import json
import os
import queue
import random
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import urllib.error
import urllib.parse
import urllib.request
import uuid
import zipfile
import zlib

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CACHE = os.path.join(os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "facelens")
PHOTOS_DIR = os.path.join(ROOT, "shared", "vision", "tests", "fixtures")
REKOGNITION_DIR = os.path.join(ROOT, "shared", "aws", "tests", "fixtures", "rekognition")
FUNCTIONS = ("auth", "uploads", "analyses", "analysis-worker")
HTTP_FUNCTIONS = ("auth", "uploads", "analyses")

# ---------------------------------------------------------------- the stack's names
REGION = "us-east-1"
ACCOUNT = "123456789012"  # moto's default account
ACCESS_KEY, SECRET_KEY = "AKFACELENSTEST", "SKFACELENSTESTSECRET"  # s3s-fs checks these
TABLE = "facelens-proof"
BUCKET = "facelens-proof-photos"
TOPIC = "facelens-proof-alerts"
TOPIC_ARN = f"arn:aws:sns:{REGION}:{ACCOUNT}:{TOPIC}"
QUEUE, DLQ = "facelens-proof-analysis", "facelens-proof-analysis-dlq"
SENDER = "no-reply@facelens.example.com"
SITE = "https://facelens.example.com"
JWT_SECRET = "an aws-faults proof secret of 32 bytes or more"
ADMIN = ("admin", "admin@facelens.example.com", "correct horse battery staple")
USER_PASSWORD = "plum orchard lantern 42"

# Each function's environment, as infra/lib/facelens-stack.ts gives it (`env`), with this run's
# names. Auth's signing secret is given directly rather than through Secrets Manager; uploads
# and analyses hold none (they verify with the public key auth publishes in the table). Besides these,
# every sandbox gets what Lambda sets (AWS_LAMBDA_*, region, credentials) and AWS_ENDPOINT_URL.
FUNCTION_ENV = {
    "auth": {
        "RUST_LOG": "info", "FACELENS_TABLE_NAME": TABLE, "FACELENS_JWT_SECRET": JWT_SECRET,
        "FACELENS_MAIL_FROM": f"Facelens <{SENDER}>", "FACELENS_PUBLIC_URL": SITE,
        "FACELENS_BUCKET_NAME": BUCKET, "FACELENS_ORIGIN_SECRET": "aws-faults-origin-secret",
    },
    "uploads": {
        "RUST_LOG": "info", "FACELENS_TABLE_NAME": TABLE, "FACELENS_BUCKET_NAME": BUCKET,
    },
    "analyses": {
        "RUST_LOG": "info", "FACELENS_TABLE_NAME": TABLE, "FACELENS_BUCKET_NAME": BUCKET,
    },
    "analysis-worker": {
        "RUST_LOG": "info", "FACELENS_TABLE_NAME": TABLE, "FACELENS_BUCKET_NAME": BUCKET,
        "FACELENS_ALERT_TOPIC_ARN": TOPIC_ARN, "FACELENS_PUBLIC_URL": SITE,
    },
}

ALERT_BELOW = 50.0  # the worker's default FACELENS_ALERT_BELOW
REQUEST_TIMEOUT = 60  # seconds, one HTTP request of a client
HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "te",
              "trailer", "upgrade", "proxy-authorization", "proxy-authenticate"}


STOP = threading.Event()  # set when the run is interrupted: every loop ends soon after


class RunError(Exception):
    """The run itself could not be made (as opposed to an invariant that failed)."""


def log(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


# ---------------------------------------------------------------- what infra says


def read_infra():
    """The figures the run copies from infra/: routes, timeouts, batch size, receives."""
    def grab(path, pattern, what):
        with open(os.path.join(ROOT, "infra", "lib", path), encoding="utf-8") as f:
            found = re.findall(pattern, f.read())
        if not found:
            raise RunError(f"cannot read {what} from infra/lib/{path}; update read_infra()")
        return found

    routes = [(m, p, fn) for m, p, fn in grab(
        "routes.ts", r"\{ method: '(\w+)', path: '([^']+)', fn: '([\w-]+)'", "API_ROUTES")]
    sizes = {name: (int(m), int(t)) for name, m, t in grab(
        "facelens-stack.ts", r"'?([\w-]+)'?: \{ memory: (\d+), timeout: (\d+) \}", "FUNCTION_SIZES")}
    factor = int(grab("facelens-stack.ts", r"visibilityTimeout: Duration\.seconds\((\d+) \* FUNCTION_SIZES",
                      "the queue's visibility timeout")[0])
    return {
        "routes": routes,
        "timeouts": {name: t for name, (_, t) in sizes.items()},
        "memory": {name: m for name, (m, _) in sizes.items()},
        "max_receives": int(grab("facelens-stack.ts", r"MAX_RECEIVE_COUNT = (\d+)", "MAX_RECEIVE_COUNT")[0]),
        "batch_size": int(grab("facelens-stack.ts", r"batchSize: (\d+)", "the worker's batchSize")[0]),
        "visibility": factor * sizes["analysis-worker"][1],
        "worker_concurrency": int(grab("config.ts", r"'workerConcurrency', (\d+)", "workerConcurrency")[0]),
    }


# ---------------------------------------------------------------- small HTTP helpers


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_listening(port, proc, what, timeout=60):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
            return
        if proc.poll() is not None:
            raise RunError(f"{what} exited ({proc.returncode}) before listening")
        time.sleep(0.1)
    raise RunError(f"{what} did not listen on port {port} within {timeout} s")


def read_body(handler):
    """The request body, with `Transfer-Encoding: chunked` undone; (bytes, was_chunked)."""
    if handler.headers.get("Transfer-Encoding", "").lower() == "chunked":
        chunks = []
        while True:
            size = int(handler.rfile.readline(65537).split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while handler.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                    pass
                return b"".join(chunks), True
            chunks.append(handler.rfile.read(size))
            handler.rfile.readline(3)
    return handler.rfile.read(int(handler.headers.get("Content-Length") or 0)), False


def reply(handler, status, body=b"", headers=(), reason=None):
    """Sends a whole answer with its length (keeps the connection usable)."""
    handler.send_response_only(status, reason)
    for name, value in headers:
        if name.lower() not in HOP_BY_HOP and name.lower() != "content-length":
            handler.send_header(name, value)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    if handler.command != "HEAD" and body:
        handler.wfile.write(body)


class QuietServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128

    def handle_error(self, request, client_address):
        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError, BrokenPipeError)):
            super().handle_error(request, client_address)


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass


def serve(handler_class, **attributes):
    """An HTTP server on a free 127.0.0.1 port, in a daemon thread; handler attributes set."""
    handler = type(handler_class.__name__, (handler_class,), attributes)
    server = QuietServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


# ---------------------------------------------------------------- AWS calls of the script


def credential_scope(service):
    day = time.strftime("%Y%m%d", time.gmtime())
    return (f"AWS4-HMAC-SHA256 Credential={ACCESS_KEY}/{day}/{REGION}/{service}/aws4_request, "
            f"SignedHeaders=host;x-amz-date, Signature={'0' * 64}")


class AwsError(Exception):
    """An AWS error answer (or no answer) to one of the script's own calls."""


def aws_call(endpoint, service, method="POST", path="/", body=b"", headers=None, timeout=30):
    """One call to moto (which does not check signatures) or to the proxy in front of it; the
    credential scope names the service, as a real signature's does. Returns the body bytes."""
    host = urllib.parse.urlsplit(endpoint)
    conn = http.client.HTTPConnection(host.hostname, host.port, timeout=timeout)
    all_headers = {"Authorization": credential_scope(service),
                   "X-Amz-Date": time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()),
                   "Content-Length": str(len(body)), **(headers or {})}
    try:
        conn.request(method, path, body=body, headers=all_headers)
        answer = conn.getresponse()
        data = answer.read()
    except OSError as e:
        raise AwsError(f"{service}: {e}") from e
    finally:
        conn.close()
    if answer.status >= 300:
        raise AwsError(f"{service} {answer.status}: {data[:300]!r}")
    return data


def aws_json(endpoint, service, target, payload, version="1.0"):
    data = aws_call(endpoint, service, body=json.dumps(payload).encode(), headers={
        "X-Amz-Target": target, "Content-Type": f"application/x-amz-json-{version}"})
    return json.loads(data or b"{}")


def aws_query(endpoint, service, params):
    body = urllib.parse.urlencode(params).encode()
    return aws_call(endpoint, service, body=body,
                    headers={"Content-Type": "application/x-www-form-urlencoded"}).decode()


class Sqs:
    """The few SQS actions the run needs (JSON protocol)."""

    def __init__(self, endpoint):
        self.endpoint = endpoint

    def call(self, action, payload):
        return aws_json(self.endpoint, "sqs", f"AmazonSQS.{action}", payload)

    def create(self, name, attributes=None):
        return self.call("CreateQueue", {"QueueName": name, "Attributes": attributes or {}})["QueueUrl"]

    def arn(self, url):
        return self.call("GetQueueAttributes", {"QueueUrl": url, "AttributeNames": ["QueueArn"]})[
            "Attributes"]["QueueArn"]

    def depth(self, url):
        attrs = self.call("GetQueueAttributes", {"QueueUrl": url, "AttributeNames": ["All"]})["Attributes"]
        return (int(attrs.get("ApproximateNumberOfMessages", 0))
                + int(attrs.get("ApproximateNumberOfMessagesNotVisible", 0))
                + int(attrs.get("ApproximateNumberOfMessagesDelayed", 0)))

    def send(self, url, body):
        self.call("SendMessage", {"QueueUrl": url, "MessageBody": body})

    def receive(self, url, count, wait, visibility):
        return self.call("ReceiveMessage", {
            "QueueUrl": url, "MaxNumberOfMessages": count, "WaitTimeSeconds": wait,
            "VisibilityTimeout": visibility, "AttributeNames": ["All"],
            "MessageSystemAttributeNames": ["All"]}).get("Messages", [])

    def delete(self, url, receipt):
        self.call("DeleteMessage", {"QueueUrl": url, "ReceiptHandle": receipt})

    def hide(self, url, receipt, seconds):
        self.call("ChangeMessageVisibility", {"QueueUrl": url, "ReceiptHandle": receipt,
                                              "VisibilityTimeout": seconds})


# ---------------------------------------------------------------- child processes


class Children:
    """Every process the run starts: each dies with the thread that started it (setpriv
    --pdeathsig), and all are ended at exit."""

    def __init__(self):
        self.procs = []
        self.lock = threading.Lock()
        self.prefix = ["setpriv", "--pdeathsig", "KILL"] if shutil.which("setpriv") else []

    def start(self, argv, log_path, env=None):
        with open(log_path, "ab") as out:
            proc = subprocess.Popen(self.prefix + list(argv), stdin=subprocess.DEVNULL, stdout=out,
                                    stderr=subprocess.STDOUT, env=env)
        with self.lock:
            self.procs = [p for p in self.procs if p.poll() is None] + [proc]
        return proc

    def stop_all(self):
        with self.lock:
            procs = list(self.procs)
        for proc in procs:
            if proc.poll() is None:
                proc.terminate()
        end = time.monotonic() + 5
        for proc in procs:
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(max(0.1, end - time.monotonic()))
            if proc.poll() is None:
                proc.kill()
                proc.wait()


def start_moto(children, work):
    binary = os.environ.get("FACELENS_MOTO_SERVER") or os.path.join(CACHE, "moto-venv", "bin", "moto_server")
    if not os.path.exists(binary):
        raise RunError(f"{binary} is missing: run `bash scripts/aws-test-setup.sh` first")
    port = free_port()
    proc = children.start([binary, "-H", "127.0.0.1", "-p", str(port)], os.path.join(work, "moto.log"))
    wait_listening(port, proc, "moto server")
    return f"http://127.0.0.1:{port}"


def start_s3s(children, work):
    binary = os.environ.get("FACELENS_S3S_FS") or os.path.join(CACHE, "s3s-fs", "bin", "s3s-fs")
    if not os.path.exists(binary):
        raise RunError(f"{binary} is missing: run `bash scripts/aws-test-setup.sh` first")
    root = os.path.join(work, "s3")
    os.makedirs(os.path.join(root, BUCKET))  # a bucket is a folder of s3s-fs's root
    port = free_port()
    proc = children.start([binary, "--access-key", ACCESS_KEY, "--secret-key", SECRET_KEY,
                           "--host", "127.0.0.1", "--port", str(port), root],
                          os.path.join(work, "s3s-fs.log"))
    wait_listening(port, proc, "s3s-fs")
    return f"http://127.0.0.1:{port}", root


def set_up_moto(moto, infra):
    """The table (keys, indexes, TTL of infra's), the topic, the sender, the queues."""
    def key_schema(pk, sk):
        return [{"AttributeName": pk, "KeyType": "HASH"}, {"AttributeName": sk, "KeyType": "RANGE"}]

    attributes = ["pk", "sk", "gsi1pk", "gsi1sk", "gsi2pk", "gsi2sk"]
    aws_json(moto, "dynamodb", "DynamoDB_20120810.CreateTable", {
        "TableName": TABLE, "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [{"AttributeName": a, "AttributeType": "S"} for a in attributes],
        "KeySchema": key_schema("pk", "sk"),
        "GlobalSecondaryIndexes": [
            {"IndexName": gsi, "KeySchema": key_schema(f"{gsi}pk", f"{gsi}sk"),
             "Projection": {"ProjectionType": "ALL"}} for gsi in ("gsi1", "gsi2")],
    })
    aws_json(moto, "dynamodb", "DynamoDB_20120810.UpdateTimeToLive", {
        "TableName": TABLE, "TimeToLiveSpecification": {"AttributeName": "ttl", "Enabled": True}})
    arn = re.search(r"<TopicArn>([^<]+)</TopicArn>", aws_query(
        moto, "sns", {"Action": "CreateTopic", "Name": TOPIC, "Version": "2010-03-31"})).group(1)
    if arn != TOPIC_ARN:
        raise RunError(f"moto named the topic {arn}, not {TOPIC_ARN}")
    aws_call(moto, "ses", path="/v2/email/identities", body=json.dumps({"EmailIdentity": SENDER}).encode(),
             headers={"Content-Type": "application/json"})
    sqs = Sqs(moto)
    dlq = sqs.create(DLQ)
    redrive = {"deadLetterTargetArn": sqs.arn(dlq), "maxReceiveCount": str(infra["max_receives"])}
    url = sqs.create(QUEUE, {"VisibilityTimeout": str(infra["visibility"]),
                             "RedrivePolicy": json.dumps(redrive)})
    return url, dlq


def moto_data(moto):
    """moto's record of what was done (sent emails, published notifications)."""
    with urllib.request.urlopen(f"{moto}/moto-api/data.json", timeout=60) as r:
        return json.loads(r.read())


def scan_table(moto):
    """Every item of the table, straight from moto (no faults), as plain Python values."""
    items, start = [], None
    for _ in range(10000):
        payload = {"TableName": TABLE, **({"ExclusiveStartKey": start} if start else {})}
        page = aws_json(moto, "dynamodb", "DynamoDB_20120810.Scan", payload)
        items += [{k: plain(v) for k, v in item.items()} for item in page.get("Items", [])]
        start = page.get("LastEvaluatedKey")
        if not start:
            return items
    raise RunError("the table scan did not end")


def plain(value):
    (kind, v), = value.items()
    if kind == "N":
        return float(v)
    if kind == "M":
        return {k: plain(x) for k, x in v.items()}
    if kind == "L":
        return [plain(x) for x in v]
    return v


# ---------------------------------------------------------------- photos and Rekognition

MARK = b"facelens-proof "


def jpeg_size(data):
    """(width, height) from a JPEG's start-of-frame segment."""
    i = 2
    while i + 9 < len(data):
        if data[i] != 0xFF:
            raise ValueError("not a JPEG segment")
        marker, length = data[i + 1], struct.unpack(">H", data[i + 2:i + 4])[0]
        if marker in (0xC0, 0xC1, 0xC2):
            height, width = struct.unpack(">HH", data[i + 5:i + 9])
            return width, height
        i += 2 + length
    raise ValueError("no start-of-frame segment")


def marked_jpeg(data, photo, low, n):
    """The JPEG with a comment segment after SOI naming its photo and whether its replayed
    faces are low-confidence; decoders skip comments, the proxy reads them."""
    text = MARK + f"photo={photo} low={int(low)} upload={n};".encode()
    return data[:2] + b"\xff\xfe" + struct.pack(">H", len(text) + 2) + text + data[2:]


def png(width, height, pixels=True):
    """A PNG: a small gradient, or (pixels=False) just a header claiming width x height."""
    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    if pixels:
        raw = b"".join(b"\x00" + b"".join(bytes((x * 255 // width, y * 255 // height, 128))
                                          for x in range(width)) for y in range(height))
    else:
        raw = b"\x00" * 64
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


class Catalogue:
    """The photos: the vision fixtures with their faces' boxes (references.json, measured by
    the reference detector), a generated PNG without faces, and the poison photos."""

    POISON = ("truncated.jpg", "gigapixel.png", "random.jpg")

    def __init__(self, rng):
        with open(os.path.join(PHOTOS_DIR, "references.json"), encoding="utf-8") as f:
            refs = json.load(f)
        boxes = dict(refs["photos"])
        boxes.update({name: [crop["box"]] for name, crop in refs["crops"].items()})
        self.photos = {}  # name -> (content type, bytes)
        self.boxes = {}  # name -> [(left, top, width, height) as fractions]
        for name in sorted(boxes):
            with open(os.path.join(PHOTOS_DIR, name), "rb") as f:
                data = f.read()
            width, height = jpeg_size(data)
            self.photos[name] = ("image/jpeg", data)
            self.boxes[name] = [(x / width, y / height, w / width, h / height) for x, y, w, h in boxes[name]]
        self.photos["gradient.png"] = ("image/png", png(160, 120))
        self.boxes["gradient.png"] = []
        group = self.photos["group.jpg"][1]
        self.photos["truncated.jpg"] = ("image/jpeg", group[:len(group) * 2 // 5])
        self.photos["gigapixel.png"] = ("image/png", png(60000, 60000, pixels=False))
        self.photos["random.jpg"] = ("image/jpeg", bytes(rng.getrandbits(8) for _ in range(20000)))

    def with_faces(self):
        return [n for n in self.photos if self.boxes.get(n)]

    def healthy(self):
        return [n for n in self.photos if n not in self.POISON]

    def bytes_for(self, name, low, n):
        kind, data = self.photos[name]
        if kind == "image/jpeg" and data[:2] == b"\xff\xd8" and name != "random.jpg":
            data = marked_jpeg(data, name, low, n)
        return kind, data


class Rekognition:
    """DetectFaces, replayed: the documented response shape (the face details of
    shared/aws/tests/fixtures/rekognition/several_faces.json, AWS's own examples) with each face's
    box set to where the photo's faces are, and the first face's confidence set to that of
    low_confidence.json (41.4%) when the photo is marked low. Reads the photo from s3s-fs's
    folder, as Rekognition reads it from the bucket."""

    def __init__(self, catalogue, s3_root):
        self.catalogue, self.s3_root = catalogue, s3_root
        self.fixtures = {}
        for name in os.listdir(REKOGNITION_DIR):
            if name.endswith(".json"):
                with open(os.path.join(REKOGNITION_DIR, name), encoding="utf-8") as f:
                    self.fixtures[name[:-5]] = json.load(f)
        self.details = self.fixtures["several_faces"]["body"]["FaceDetails"]
        self.low = self.fixtures["low_confidence"]["body"]["FaceDetails"][0]["Confidence"]

    def fixture(self, name):
        """(status, headers, body bytes) of a recorded reply."""
        f = self.fixtures[name]
        return f["status"], list(f["headers"].items()), json.dumps(f["body"]).encode()

    def detect_faces(self, request_body):
        try:
            image = json.loads(request_body)["Image"]
        except (ValueError, KeyError, TypeError):
            return self.fixture("invalid_parameter")
        if "S3Object" in image:
            s3 = image["S3Object"]
            path = os.path.join(self.s3_root, s3.get("Bucket", ""), s3.get("Name", ""))
            if ".." in path or not os.path.isfile(path):
                return self.fixture("invalid_s3_object")
            with open(path, "rb") as f:
                data = f.read()
        else:
            data = base64.b64decode(image.get("Bytes", ""))
        if not (data.startswith(b"\xff\xd8") or data.startswith(b"\x89PNG")):
            return self.fixture("invalid_image_format")
        found = re.search(rb"facelens-proof photo=([\w.-]+) low=(\d)", data[:512])
        photo, low = (found.group(1).decode(), found.group(2) == b"1") if found else (None, False)
        faces = []
        for i, (left, top, width, height) in enumerate(self.catalogue.boxes.get(photo, [])):
            detail = json.loads(json.dumps(self.details[i % len(self.details)]))
            detail["BoundingBox"] = {"Width": width, "Height": height, "Left": left, "Top": top}
            detail.pop("Landmarks", None)  # the example's landmarks belong to its own photo
            if low and i == 0:
                detail["Confidence"] = self.low
            faces.append(detail)
        status, headers, _ = self.fixture("no_face")
        headers = [(k, v) for k, v in headers if k != "x-amzn-requestid"] + [
            ("x-amzn-requestid", str(uuid.uuid4()))]
        return status, headers, json.dumps({"FaceDetails": faces}).encode()


# ---------------------------------------------------------------- the fault proxy


class Faults:
    """Chooses, with a seeded RNG, which calls fail, are throttled or are delayed; counts them."""

    KINDS = ("error", "throttle", "delay")

    def __init__(self, seed, rate, services):
        self.rng = random.Random(seed)
        self.rate, self.services = rate, set(services)
        self.lock = threading.Lock()
        self.calls = collections.Counter()  # service -> calls seen
        self.injected = collections.Counter()  # (service, kind) -> count
        self.outages = []  # (service, start, end) in time.monotonic()
        self.hangs = set()  # (service, call number): calls held unanswered, never forwarded
        self.hang_seconds = 0.0

    def plan_hangs(self, service, count, seconds):
        """`count` of the first 5 calls to `service` are held without an answer for `seconds`
        (beyond the caller's Lambda timeout), then dropped unforwarded: a blackholed
        connection, as an SDK without a read timeout waits on until Lambda ends the sandbox."""
        self.hangs = {(service, n) for n in self.rng.sample(range(1, 6), min(count, 5))}
        self.hang_seconds = seconds

    def plan_outages(self, count, seconds, within):
        """`count` windows of `seconds` in the next `within` seconds, each on one service (in
        turn), during which every call to it fails with a 503: more than the SDK's retries
        absorb, so the functions' own failure paths run."""
        services = sorted(self.services - {"ses"})  # the accounts' emails are all sent at set-up
        self.rng.shuffle(services)
        now = time.monotonic()
        for i in range(count):
            start = now + self.rng.uniform(0, within)
            self.outages.append((services[i % len(services)], start, start + seconds))

    def choose(self, service):
        """None, or (kind, delay seconds, a number in [0, 1) that picks among error shapes)."""
        with self.lock:
            self.calls[service] += 1
            now = time.monotonic()
            if (service, self.calls[service]) in self.hangs:
                self.injected[(service, "hang")] += 1
                return "hang", self.hang_seconds, 0.0
            if any(s == service and start <= now < end for s, start, end in self.outages):
                self.injected[(service, "outage")] += 1
                return "error", 0.0, 0.99  # the 503 of the service
            if service not in self.services or self.rng.random() >= self.rate:
                return None
            kind = self.rng.choice(self.KINDS)
            self.injected[(service, kind)] += 1
            return kind, self.rng.uniform(0.2, 2.0), self.rng.random()


# Injected errors: (status, code, message) per service and kind, as each service's model names
# them; `pick` chooses among several.
THROTTLES = {
    "dynamodb": [(400, "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException",
                  "The level of configured provisioned throughput for the table was exceeded."),
                 (400, "com.amazon.coral.availability#ThrottlingException",
                  "Rate of requests exceeds the allowed throughput.")],
    "s3": [(503, "SlowDown", "Please reduce your request rate.")],
    # The common query-API throttle, and Publish's KMSThrottlingException (the topic is
    # encrypted with the stack's key, so each Publish asks KMS).
    "sns": [(400, "Throttling", "Rate exceeded"),
            (400, "KMSThrottling", "The request was denied due to request throttling.")],
    "sqs": [(400, "com.amazonaws.sqs#RequestThrottled", "Rate exceeded")],
    "ses": [(429, "TooManyRequestsException", "Too many requests have been made to the operation.")],
    "rekognition": [(400, "ThrottlingException", "Slow down; sudden increase in rate of requests."),
                    (500, "ThrottlingException", "Service Unavailable")],
}
SERVER_ERRORS = {
    "dynamodb": [(500, "com.amazonaws.dynamodb.v20120810#InternalServerError", "Internal server error"),
                 (503, "com.amazonaws.dynamodb.v20120810#ServiceUnavailable",
                  "The service is currently unavailable or busy.")],
    "s3": [(500, "InternalError", "We encountered an internal error. Please try again."),
           (503, "ServiceUnavailable", "Service is unable to handle request.")],
    "rekognition": [(500, "InternalServerError", "Internal server error")],
}
DEFAULT_SERVER_ERRORS = [(500, "InternalError", "Internal error"), (503, "ServiceUnavailable", "Service unavailable")]


def fault_answer(service, kind, pick, request_headers):
    """(status, headers, body) of an injected error, in the service's own error format."""
    table = THROTTLES if kind == "throttle" else SERVER_ERRORS
    choices = table.get(service, DEFAULT_SERVER_ERRORS if kind != "throttle" else [(400, "Throttling", "Rate exceeded")])
    status, code, message = choices[min(int(pick * len(choices)), len(choices) - 1)]
    request_id = str(uuid.uuid4())
    short = code.split("#")[-1]
    side = "Sender" if status < 500 else "Receiver"
    if service == "s3":  # REST-XML
        body = (f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{code}</Code><Message>{message}'
                f"</Message><RequestId>{request_id[:16]}</RequestId><HostId>aws-faults</HostId></Error>")
        return status, [("Content-Type", "application/xml"), ("x-amz-request-id", request_id[:16])], body.encode()
    if "x-amz-target" in {k.lower() for k in request_headers}:  # the JSON protocols
        headers = [("Content-Type", "application/x-amz-json-1.1"), ("x-amzn-RequestId", request_id),
                   ("x-amzn-ErrorType", short)]
        if service == "sqs":
            headers.append(("x-amzn-query-error", f"{short};{side}"))
        return status, headers, json.dumps({"__type": code, "message": message}).encode()
    if service == "ses":  # REST-JSON
        return status, [("Content-Type", "application/json"), ("x-amzn-RequestId", request_id),
                        ("x-amzn-ErrorType", short)], json.dumps({"message": message}).encode()
    body = (f'<ErrorResponse xmlns="http://{service}.amazonaws.com/doc/2010-03-31/"><Error><Type>{side}</Type>'
            f"<Code>{code}</Code><Message>{message}</Message></Error><RequestId>{request_id}</RequestId>"
            "</ErrorResponse>")  # the query protocol (SNS)
    return status, [("Content-Type", "text/xml"), ("x-amzn-RequestId", request_id)], body.encode()


def service_of(headers, query):
    """The service named in the SigV4 credential scope, or None."""
    found = re.search(r"Credential=[^/,\s]+/\d{8}/[^/]+/([^/]+)/aws4_request", headers.get("Authorization", ""))
    if found:
        return found.group(1)
    credential = urllib.parse.parse_qs(query).get("X-Amz-Credential", [""])[0]
    parts = credential.split("/")
    return parts[3] if len(parts) == 5 else None


class ProxyHandler(Handler):
    """One call of a function (or of the script's SQS poller, or of a browser's presigned PUT)."""
    proxy = None  # the FaultProxy

    def do_any(self):
        started, at = time.monotonic(), time.time()
        body, chunked = read_body(self)
        path, _, query = self.path.partition("?")
        service = service_of(self.headers, query)
        fault = self.proxy.faults.choose(service) if service else None
        status, data, headers = self.answer(service, fault, body, chunked, path, query)
        self.proxy.trace(at, service, self.operation(path, body), fault, status, data, time.monotonic() - started)
        if status is None:  # a hang: the connection closes with no answer
            self.close_connection = True
            return
        reply(self, status, data, headers)

    def answer(self, service, fault, body, chunked, path, query):
        """(status, body, headers) for the call; status None for no answer at all."""
        proxy = self.proxy
        if service is None:
            return 403, b"<Error><Code>AccessDenied</Code><Message>Unsigned request</Message></Error>", [
                ("Content-Type", "application/xml")]
        if fault and fault[0] == "hang":
            STOP.wait(fault[1])
            return None, b"", []
        if fault and fault[0] != "delay":
            status, headers, data = fault_answer(service, fault[0], fault[2], self.headers.keys())
            return status, data, headers
        if fault:
            time.sleep(fault[1])
        if service == "rekognition":
            status, headers, data = proxy.rekognition.detect_faces(body)
            return status, data, headers
        upstream = proxy.s3 if service == "s3" else proxy.moto
        if service == "dynamodb":
            # moto's DynamoDB is not safe under concurrent calls: a transaction deep-copies the
            # table while other threads change it (a 500, "dictionary changed size") and a
            # cancelled one restores that copy, losing the writes made meanwhile. DynamoDB
            # isolates them; one call at a time is the closest moto gets.
            with MOTO_DYNAMODB:
                status, headers, data = forward(upstream, self.command, self.path, self.headers.items(), body, chunked)
        else:
            status, headers, data = forward(upstream, self.command, self.path, self.headers.items(), body, chunked)
        if service == "s3" and self.command == "PUT" and 200 <= status < 300 and "partNumber=" not in query:
            proxy.object_created(urllib.parse.unquote(path), len(body), dict(headers).get("ETag", ""))
        return status, data, headers

    def operation(self, path, body):
        """What the call does, for the trace: the JSON target or query Action, else method and path."""
        target = self.headers.get("X-Amz-Target")
        if target:
            found = re.search(rb'"pk":\s*\{"S":\s*"([^"]+)"', body)
            return target.split(".")[-1] + (f" {found.group(1).decode()}" if found else "")
        action = re.search(rb"Action=(\w+)", body)
        if action:
            return action.group(1).decode()
        return f"{self.command} {urllib.parse.unquote(path)}"

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = do_any


# One DynamoDB call at a time into moto (see FaultProxy's handler).
MOTO_DYNAMODB = threading.Lock()


def forward(endpoint, method, path, headers, body, chunked):
    """Sends the request on unchanged (the Host header too, which the signature covers)."""
    target = urllib.parse.urlsplit(endpoint)
    conn = http.client.HTTPConnection(target.hostname, target.port, timeout=120)
    try:
        conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        for name, value in headers:
            if name.lower() not in HOP_BY_HOP:
                conn.putheader(name, value)
        if chunked:
            conn.putheader("Transfer-Encoding", "chunked")
            conn.endheaders()
            conn.send((b"%x\r\n%s\r\n" % (len(body), body) if body else b"") + b"0\r\n\r\n")
        else:
            conn.endheaders(body if body else None)
        answer = conn.getresponse()
        data = answer.read()
        return answer.status, answer.getheaders(), data
    except OSError as e:
        return 502, [("Content-Type", "text/plain")], f"upstream: {e}".encode()
    finally:
        conn.close()


class FaultProxy:
    """The functions' AWS endpoint: routes, injects faults, replays Rekognition, and sends S3's
    ObjectCreated notifications for uploads/ to the analysis queue."""

    def __init__(self, moto, s3, faults, rekognition, notify, trace_path):
        self.moto, self.s3, self.faults, self.rekognition = moto, s3, faults, rekognition
        self.notify = notify
        self.lock = threading.Lock()
        self.notified = 0
        self.trace_file = open(trace_path, "a", encoding="utf-8", buffering=1)
        self.server = serve(ProxyHandler, proxy=self)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def trace(self, at, service, operation, fault, status, data, seconds):
        """One line per call: start time, service, operation, injected fault, status, error
        code, duration."""
        code = re.search(rb'"__type":\s*"(?:[^"#]*#)?([^"]+)"|<Code>([^<]+)</Code>', data[:2000]) if data else None
        code = (code.group(1) or code.group(2)).decode() if code and status and status >= 300 else ""
        line = (f"{time.strftime('%H:%M:%S', time.localtime(at))}.{int(at * 1000) % 1000:03d} {service} {operation} "
                f"fault={fault[0] if fault else '-'} status={status if status is not None else 'none'} "
                f"{code} {seconds:.2f}s\n")
        with self.lock:
            self.trace_file.write(line)

    def object_created(self, path, size, etag):
        bucket, _, key = path.lstrip("/").partition("/")
        if bucket != BUCKET or not key.startswith("uploads/"):
            return
        event = {"Records": [{
            "eventVersion": "2.1", "eventSource": "aws:s3", "awsRegion": REGION,
            "eventTime": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime()),
            "eventName": "ObjectCreated:Put", "userIdentity": {"principalId": "AWS:AROAPROOF:browser"},
            "requestParameters": {"sourceIPAddress": "127.0.0.1"},
            "responseElements": {"x-amz-request-id": uuid.uuid4().hex[:16].upper(), "x-amz-id-2": "proof"},
            "s3": {"s3SchemaVersion": "1.0", "configurationId": "facelens-uploads",
                   "bucket": {"name": bucket, "ownerIdentity": {"principalId": "PROOF"},
                              "arn": f"arn:aws:s3:::{bucket}"},
                   "object": {"key": urllib.parse.quote_plus(key, safe="/"), "size": size,
                              "eTag": etag.strip('"'), "sequencer": f"{time.time_ns():X}"}}}]}
        self.notify(json.dumps(event))
        with self.lock:
            self.notified += 1

    def close(self):
        self.server.shutdown()
        self.server.server_close()
        self.trace_file.close()


# ---------------------------------------------------------------- Lambda


class Invocation:
    """One event handed to a function; `outcome` is ok, error, timeout or crash."""

    def __init__(self, payload):
        self.id = str(uuid.uuid4())
        self.payload = payload
        self.done = threading.Event()
        self.outcome = self.result = None
        self.lock = threading.Lock()

    def finish(self, outcome, result=b""):
        with self.lock:
            if self.done.is_set():
                return False
            self.outcome, self.result = outcome, result
            self.done.set()
            return True


class RuntimeHandler(Handler):
    """The Lambda Runtime API of one sandbox."""
    sandbox = None

    def do_GET(self):
        if not self.path.startswith("/2018-06-01/runtime/invocation/next"):
            return reply(self, 404)
        invocation = self.sandbox.next_invocation()
        if invocation is None:  # shutting down
            return reply(self, 503)
        fn = self.sandbox.function
        reply(self, 200, invocation.payload, [
            ("Content-Type", "application/json"),
            ("Lambda-Runtime-Aws-Request-Id", invocation.id),
            ("Lambda-Runtime-Deadline-Ms", str(int((time.time() + fn.timeout) * 1000))),
            ("Lambda-Runtime-Invoked-Function-Arn", f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{fn.name}"),
            ("Lambda-Runtime-Trace-Id", f"Root=1-{int(time.time()):08x}-{uuid.uuid4().hex[:24]};Sampled=0")])

    def do_POST(self):
        body, _ = read_body(self)
        parts = self.path.split("/")
        if self.path.startswith("/2018-06-01/runtime/init/error"):
            self.sandbox.function.count("init errors")
        elif len(parts) == 6 and parts[5] in ("response", "error"):
            self.sandbox.answered(parts[4], "ok" if parts[5] == "response" else "error", body)
        else:
            return reply(self, 404)
        reply(self, 202, b'{"status":"OK"}', [("Content-Type", "application/json")])


class Sandbox:
    """One process of a function with its own Runtime API: one invocation at a time; killed at
    the function's timeout; replaced by a cold start when it ends."""

    def __init__(self, function, number):
        self.function, self.number = function, number
        self.current = None
        self.started = 0.0
        self.waiting = False
        self.generation = 0  # which process of this sandbox is running
        self.lock = threading.Lock()
        self.server = serve(RuntimeHandler, sandbox=self)
        self.proc = None
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def next_invocation(self):
        """The next invocation for the running process; None once that process is gone (a
        request of a killed process must not take an invocation)."""
        fn = self.function
        with self.lock:
            self.waiting, generation = True, self.generation
        while not fn.stopping.is_set() and self.generation == generation:
            try:
                invocation = fn.pending.get(timeout=0.5)
            except queue.Empty:
                continue
            if invocation.done.is_set():
                continue  # the caller gave up before a sandbox was free
            with self.lock:
                if self.generation != generation or self.proc.poll() is not None:
                    fn.pending.put(invocation)
                    return None
                self.waiting, self.current = False, invocation
                self.started = time.monotonic()
            return invocation
        return None

    def answered(self, request_id, outcome, body):
        with self.lock:
            invocation = self.current
            if invocation is None or invocation.id != request_id:
                return
            self.current = None
        if invocation.finish(outcome, body) and outcome == "error":
            self.function.count("function errors")

    def run(self):
        """Starts the process, restarts it when it ends (a new sandbox, cold start), and ends
        an invocation that outlives the function's timeout by killing the process."""
        fn = self.function
        failures_in_a_row = 0
        while not fn.stopping.is_set():
            env = dict(fn.env, AWS_LAMBDA_RUNTIME_API=f"127.0.0.1:{self.server.server_address[1]}",
                       AWS_LAMBDA_LOG_STREAM_NAME=f"sandbox-{self.number}")
            started = time.monotonic()
            with self.lock:
                self.generation += 1
                self.proc = fn.children.start([fn.command], fn.log_path(self.number), env)
            fn.count("cold starts")
            while self.proc.poll() is None and not fn.stopping.is_set():
                time.sleep(0.2)
                with self.lock:
                    late = self.current is not None and time.monotonic() - self.started > fn.timeout
                    invocation = self.current if late else None
                    if late:
                        self.current = None
                if invocation and invocation.finish("timeout"):
                    fn.count("timeouts")
                    self.proc.kill()
            with self.lock:
                invocation, self.current, self.waiting = self.current, None, False
            if fn.stopping.is_set():
                break
            if invocation and invocation.finish("crash"):
                fn.count("crashes")
            failures_in_a_row = failures_in_a_row + 1 if time.monotonic() - started < 2 else 0
            if failures_in_a_row >= 5:
                fn.broken = f"{fn.name} exits at start; see {fn.log_path(self.number)}"
                break
            time.sleep(min(2.0, 0.1 * 2 ** failures_in_a_row))

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


class Function:
    """A Lambda function: invocations queue here and go to the first free sandbox; a new
    sandbox starts when none is free, up to `max_sandboxes`."""

    def __init__(self, name, command, env, timeout, max_sandboxes, children, logs):
        self.name, self.command, self.env, self.timeout = name, command, env, timeout
        self.max_sandboxes, self.children, self.logs = max_sandboxes, children, logs
        self.pending = queue.Queue()
        self.sandboxes = []
        self.stats = collections.Counter()
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.broken = None

    def log_path(self, number):
        return os.path.join(self.logs, f"{self.name}-{number}.log")

    def count(self, what, n=1):
        with self.lock:
            self.stats[what] += n

    def invoke(self, payload):
        """Runs one event; returns the finished Invocation (outcome ok/error/timeout/crash)."""
        if self.broken:
            raise RunError(self.broken)
        invocation = Invocation(payload)
        self.count("invocations")
        with self.lock:
            free = sum(1 for s in self.sandboxes if s.waiting and s.current is None)
            if free <= self.pending.qsize() and len(self.sandboxes) < self.max_sandboxes:
                self.sandboxes.append(Sandbox(self, len(self.sandboxes) + 1))
        self.pending.put(invocation)
        end = time.monotonic() + self.timeout + 60  # a sandbox enforces the timeout itself
        while not invocation.done.wait(0.5):
            if STOP.is_set() or self.stopping.is_set():
                invocation.finish("crash")
            elif time.monotonic() > end and invocation.finish("timeout"):
                self.count("timeouts")
        return invocation

    def kill_one(self, rng):
        """SIGKILLs a sandbox (a busy one when there is one), as when Lambda loses it."""
        with self.lock:
            alive = [s for s in self.sandboxes if s.proc and s.proc.poll() is None]
            busy = [s for s in alive if s.current is not None]
        victims = busy or alive
        if not victims:
            return None
        victim = rng.choice(victims)
        self.count("sandboxes killed")
        victim.proc.kill()
        return f"{self.name} sandbox {victim.number} ({'busy' if victim in busy else 'idle'})"

    def stop(self):
        self.stopping.set()
        for sandbox in self.sandboxes:
            if sandbox.proc and sandbox.proc.poll() is None:
                sandbox.proc.kill()
            sandbox.stop()


def function_commands(args, work):
    """name -> executable path: links (or copies) of the given binaries, or the bootstraps of
    the zips, so a rebuild during the run does not change what runs."""
    folder = os.path.join(work, "functions")
    os.makedirs(folder)
    commands = {}
    names = FUNCTIONS + ("auth-admin",)
    for name in names:
        target = os.path.join(folder, name)
        if args.bin_dir:
            source = os.path.join(args.bin_dir, name)
        elif name == "auth-admin":
            source = args.auth_admin or find_auth_admin()
        else:
            zip_path = os.path.join(args.lambda_dir, name, "bootstrap.zip")
            if not os.path.exists(zip_path):
                raise RunError(f"{zip_path} is missing: run `make lambdas` (or pass --bin-dir)")
            os.makedirs(target + ".d")
            with zipfile.ZipFile(zip_path) as z:
                z.extract("bootstrap", target + ".d")
            source = os.path.join(target + ".d", "bootstrap")
            os.chmod(source, 0o755)  # zip extraction drops the mode
        if not source or not os.path.exists(source):
            raise RunError(f"no {name} executable ({source or 'pass --auth-admin'})")
        try:
            os.link(source, target)
        except OSError:
            shutil.copy2(source, target)
        commands[name] = target
    return commands


def find_auth_admin():
    targets = [os.environ.get("CARGO_TARGET_DIR"), os.path.join(ROOT, "target")]
    for target in filter(None, targets):
        for profile in ("release", "debug"):
            path = os.path.join(target, profile, "auth-admin")
            if os.path.exists(path):
                return path
    return None


def lambda_env(name, endpoint, home, memory=256):
    """What Lambda sets in a sandbox, plus the function's own settings (FUNCTION_ENV)."""
    return {
        "PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": home, "TZ": ":UTC", "LANG": "C.UTF-8",
        "AWS_REGION": REGION, "AWS_DEFAULT_REGION": REGION,
        "AWS_ACCESS_KEY_ID": ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
        "AWS_ENDPOINT_URL": endpoint, "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "AWS_LAMBDA_FUNCTION_NAME": name, "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(memory), "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{name}",
        "LAMBDA_TASK_ROOT": home, "_HANDLER": "bootstrap",
        **FUNCTION_ENV.get(name, {}),
    }


# ---------------------------------------------------------------- API Gateway


class ApiHandler(Handler):
    """An HTTP API ($default stage, payload format 2.0) in front of the HTTP functions."""
    gateway = None

    def do_any(self):
        gateway = self.gateway
        body, _ = read_body(self)
        path, _, query = self.path.partition("?")
        route = gateway.route(self.command, path)
        if route is None:
            return reply(self, 404, b'{"message":"Not Found"}', [("Content-Type", "application/json")])
        route_key, fn_name, params = route
        event = api_event(self, route_key, path, query, params, body)
        invocation = gateway.functions[fn_name].invoke(json.dumps(event).encode())
        status, headers, data = api_answer(invocation)
        gateway.count(fn_name, status)
        reply(self, status, data, headers + [("apigw-requestid", event["requestContext"]["requestId"])])

    do_GET = do_PUT = do_POST = do_DELETE = do_any


def api_event(handler, route_key, path, query, params, body):
    headers = collections.OrderedDict()
    cookies = []
    for name, value in handler.headers.items():
        if name.lower() == "cookie":
            cookies += [c.strip() for c in value.split(";") if c.strip()]
        elif name.lower() not in HOP_BY_HOP and name.lower() != "content-length":
            key = name.lower()
            headers[key] = f"{headers[key]},{value}" if key in headers else value
    source_ip = handler.client_address[0]
    headers.update({"x-forwarded-for": source_ip, "x-forwarded-proto": "http",
                    "x-forwarded-port": str(handler.server.server_address[1])})
    if body:
        headers["content-length"] = str(len(body))
    now = time.time()
    event = {
        "version": "2.0", "routeKey": route_key, "rawPath": path, "rawQueryString": query,
        "headers": dict(headers),
        "requestContext": {
            "accountId": ACCOUNT, "apiId": "proofapi", "domainName": headers.get("host", "127.0.0.1"),
            "domainPrefix": "proofapi",
            "http": {"method": handler.command, "path": path, "protocol": "HTTP/1.1",
                     "sourceIp": source_ip, "userAgent": headers.get("user-agent", "")},
            "requestId": base64.b64encode(os.urandom(12)).decode(), "routeKey": route_key,
            "stage": "$default", "time": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
            "timeEpoch": int(now * 1000)},
        "isBase64Encoded": False,
    }
    if cookies:
        event["cookies"] = cookies
    if query:
        joined = collections.OrderedDict()
        for k, v in urllib.parse.parse_qsl(query, keep_blank_values=True):
            joined[k] = f"{joined[k]},{v}" if k in joined else v
        event["queryStringParameters"] = dict(joined)
    if params:
        event["pathParameters"] = params
    if body:
        text_like = re.search(r"json|text|x-www-form-urlencoded", headers.get("content-type", ""))
        try:
            event["body"] = body.decode("utf-8") if text_like else None
        except UnicodeDecodeError:
            event["body"] = None
        if event["body"] is None:
            event["body"], event["isBase64Encoded"] = base64.b64encode(body).decode(), True
    return event


def api_answer(invocation):
    """The HTTP answer API Gateway makes of a function's result."""
    if invocation.outcome == "timeout":
        return 503, [("Content-Type", "application/json")], b'{"message":"Service Unavailable"}'
    if invocation.outcome != "ok":
        return 500, [("Content-Type", "application/json")], b'{"message":"Internal Server Error"}'
    try:
        result = json.loads(invocation.result)
    except ValueError:
        return 500, [("Content-Type", "application/json")], b'{"message":"Internal Server Error"}'
    if not isinstance(result, dict) or "statusCode" not in result:
        return 200, [("Content-Type", "application/json")], json.dumps(result).encode()
    headers = [(k, v) for k, v in (result.get("headers") or {}).items()
               if k not in (result.get("multiValueHeaders") or {})]
    for k, values in (result.get("multiValueHeaders") or {}).items():
        headers += [(k, v) for v in values]
    headers += [("Set-Cookie", c) for c in result.get("cookies") or []]
    body = result.get("body") or ""
    data = base64.b64decode(body) if result.get("isBase64Encoded") else body.encode()
    return int(result["statusCode"]), headers, data


class ApiGateway:
    def __init__(self, routes, functions):
        self.functions = functions
        self.routes = []
        for method, template, fn in routes:
            names = re.findall(r"\{(\w+)\}", template)
            pattern = re.compile("^" + re.sub(r"\\\{\w+\\\}", "([^/]+)", re.escape(template)) + "$")
            self.routes.append((method, template, fn, pattern, names))
        self.answers = collections.Counter()
        self.lock = threading.Lock()
        self.server = serve(ApiHandler, gateway=self)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def route(self, method, path):
        for m, template, fn, pattern, names in self.routes:
            found = pattern.match(path)
            if m == method and found:
                params = {n: urllib.parse.unquote(v) for n, v in zip(names, found.groups())}
                return f"{m} {template}", fn, params
        return None

    def count(self, fn, status):
        with self.lock:
            self.answers[(fn, status // 100 * 100 if status < 500 else status)] += 1

    def close(self):
        self.server.shutdown()
        self.server.server_close()


# ---------------------------------------------------------------- the worker's SQS trigger


class SqsTrigger:
    """The worker's event source mapping, as infra configures it: batches of `batch_size`,
    reportBatchItemFailures, `pollers` concurrent batches. A message whose item failed, or
    whose invocation failed, is left to come back after the visibility timeout, and moto moves
    it to the dead-letter queue after maxReceiveCount receives. The queue's visibility timeout
    (infra: 6 x the worker's timeout) holds while a batch runs; the wait after a failure is
    shortened to `retry_delay` seconds so a run takes minutes, not hours."""

    def __init__(self, sqs, url, function, batch_size, visibility, retry_delay, pollers):
        self.sqs, self.url, self.function = sqs, url, function
        self.batch_size, self.visibility, self.retry_delay = batch_size, visibility, retry_delay
        self.stats = collections.Counter()
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.busy = 0
        self.threads = [threading.Thread(target=self.poll, daemon=True) for _ in range(pollers)]
        for thread in self.threads:
            thread.start()

    def count(self, what, n=1):
        with self.lock:
            self.stats[what] += n

    def poll(self):
        backoff = 0.2
        while not self.stopping.is_set():
            try:
                messages = self.sqs.receive(self.url, self.batch_size, 1, self.visibility)
                backoff = 0.2
            except AwsError:
                self.count("SQS calls that failed (receive)")
                time.sleep(backoff)
                backoff = min(backoff * 2, 5)
                continue
            if messages:
                with self.lock:
                    self.busy += 1
                try:
                    self.run_batch(messages)
                finally:
                    with self.lock:
                        self.busy -= 1

    def run_batch(self, messages):
        self.count("batches")
        self.count("messages received", len(messages))
        self.count("redeliveries", sum(1 for m in messages
                                       if int(m.get("Attributes", {}).get("ApproximateReceiveCount", 1)) > 1))
        event = {"Records": [{
            "messageId": m["MessageId"], "receiptHandle": m["ReceiptHandle"], "body": m["Body"],
            "attributes": m.get("Attributes", {}), "messageAttributes": {},
            "md5OfBody": m.get("MD5OfBody", ""), "eventSource": "aws:sqs",
            "eventSourceARN": f"arn:aws:sqs:{REGION}:{ACCOUNT}:{QUEUE}", "awsRegion": REGION,
        } for m in messages]}
        invocation = self.function.invoke(json.dumps(event).encode())
        failed = {m["MessageId"] for m in messages}
        if invocation.outcome == "ok":
            try:
                result = json.loads(invocation.result or b"{}") or {}
                items = {f["itemIdentifier"] for f in result.get("batchItemFailures") or []}
                # Lambda fails the whole batch when an identifier is empty or unknown.
                failed = items if items <= failed and all(items) else failed
            except (ValueError, TypeError, KeyError):
                pass
        else:
            self.count(f"batches that ended in {invocation.outcome}")
        self.count("batch item failures", len(failed) if invocation.outcome == "ok" else 0)
        for m in messages:
            if m["MessageId"] in failed:
                self.settle(m, lambda r: self.sqs.hide(self.url, r, self.retry_delay), "retry")
            elif not self.settle(m, lambda r: self.sqs.delete(self.url, r), "delete"):
                # Not deleted: it comes back, as it would after the visibility timeout.
                self.count("deliveries repeated after a lost delete")
                self.settle(m, lambda r: self.sqs.hide(self.url, r, self.retry_delay), "retry")

    def settle(self, message, action, what, tries=5):
        for attempt in range(tries):
            try:
                action(message["ReceiptHandle"])
                return True
            except AwsError:
                self.count(f"SQS calls that failed ({what})")
                time.sleep(0.2 * 2 ** attempt)
        return False

    def stop(self):
        self.stopping.set()
        for thread in self.threads:
            thread.join(10)


# ---------------------------------------------------------------- people


class ApiDown(Exception):
    """No usable answer after the retries."""


class Client:
    """A browser: JSON calls to the API with a bearer token, retried on 5xx, 429 and dropped
    connections, as the web client's user would press again."""

    def __init__(self, base, stats, deadline=120):
        self.base, self.stats, self.deadline = base, stats, deadline
        self.token = None

    def call(self, method, path, body=None, token=None, retry=True, statuses=None):
        """(status, JSON body); `statuses`, a list, receives the status of every attempt."""
        headers = {"Accept": "application/json"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if token or self.token:
            headers["Authorization"] = f"Bearer {token or self.token}"
        return self.send(method, self.base + path, data, headers, f"{method} {route_name(path)}", retry, statuses)

    def send(self, method, url, data, headers, what, retry=True, statuses=None):
        end, pause = time.monotonic() + self.deadline, 0.3
        statuses = [] if statuses is None else statuses
        while True:
            if STOP.is_set():
                raise ApiDown("the run was interrupted")
            status, text, retry_after = raw_request(method, url, data, headers)
            statuses.append(status)
            if not retry or (status < 500 and status != 429) or time.monotonic() > end:
                if status >= 500 or status == 429:
                    raise ApiDown(f"{what}: {status} {text[:200]!r}")
                try:
                    return status, json.loads(text) if text else None
                except ValueError:
                    return status, text
            self.stats.add(f"client retries after {status or 'no answer'} ({what})")
            STOP.wait(retry_after if retry_after is not None else pause + random.random() * pause)
            pause = min(pause * 2, 5)


def route_name(path):
    path = path.split("?")[0]
    return re.sub(r"/[0-9a-f]{8}-[0-9a-f-]{27}", "/{id}", path)


def raw_request(method, url, data, headers):
    """(status, body, Retry-After seconds); status 0 when there was no answer."""
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=REQUEST_TIMEOUT) as r:
            return r.status, r.read(), None
    except urllib.error.HTTPError as e:
        after = e.headers.get("Retry-After")
        return e.code, e.read(), float(after) if after and after.isdigit() else None
    except (OSError, urllib.error.URLError) as e:
        return 0, str(e).encode(), None


class Stats(collections.Counter):
    """A counter that threads add to."""

    def __init__(self):
        super().__init__()
        self.lock = threading.Lock()

    def add(self, key, n=1):
        with self.lock:
            self[key] += n


def create_first_admin(command, endpoint, home, work):
    """`auth-admin`, as an operator runs it, through the faulty endpoint (retried: it does
    nothing when the table already has accounts)."""
    env = dict(lambda_env("auth-admin", endpoint, home), FACELENS_TABLE_NAME=TABLE,
               FACELENS_ADMIN_USERNAME=ADMIN[0], FACELENS_ADMIN_EMAIL=ADMIN[1],
               FACELENS_ADMIN_PASSWORD=ADMIN[2], RUST_LOG="warn")
    for attempt in range(5):
        done = subprocess.run([command], env=env, capture_output=True, text=True, timeout=120)
        with open(os.path.join(work, "auth-admin.log"), "a") as f:
            f.write(done.stdout + done.stderr)
        if done.returncode == 0:
            return attempt
        time.sleep(1)
    raise RunError(f"auth-admin failed 5 times; see {work}/auth-admin.log")


def sign_in(client, username, password):
    status, body = client.call("POST", "/api/auth/login", {"username": username, "password": password})
    if status != 200:
        raise RunError(f"sign-in of {username}: {status} {body}")
    client.token = body["token"]
    return client.token


def welcome_link(moto, address):
    """The token of the newest welcome link moto's SES recorded for `address`, or None."""
    for message in reversed(moto_data(moto).get("ses", {}).get("Message", [])):
        to = (message.get("destinations") or {}).get("ToAddresses") or []
        found = re.search(r"#/reset\?token=([^&\s]+)&purpose=welcome", message.get("body") or "")
        if address in to and found:
            return found.group(1)
    return None


def create_user(admin, moto, name, findings):
    """The admin creates `name`; the person sets a password through the welcome link and signs
    in. Returns a signed-in Client."""
    address = f"{name}@facelens.example.com"
    try:
        status, body = admin.call("POST", "/api/users", {"username": name, "email": address})
    except ApiDown as e:
        status, body = 500, str(e)
    link = welcome_link(moto, address)
    if status != 201 and link is None:
        findings.append(f"creating {name}: {status} {body!r} and no welcome email was sent")
        return None
    if status != 201:
        findings.append(f"creating {name}: {status} {body!r}, but the account and its welcome "
                        "email exist (the admin saw an error for an account that was made)")
    user = Client(admin.base, admin.stats)
    status, body = user.call("POST", "/api/auth/reset",
                             {"token": link, "purpose": "welcome", "newPassword": USER_PASSWORD})
    if status != 204:
        raise RunError(f"welcome link of {name}: {status} {body}")
    sign_in(user, name, USER_PASSWORD)
    user.name = name
    return user


# ---------------------------------------------------------------- the load


class Upload:
    """One planned upload and what became of it."""

    def __init__(self, n, photo, low, delete):
        self.n, self.photo, self.low, self.delete = n, photo, low, delete
        self.filename = f"u{n:04d}-{photo}"
        self.analysis_id = None
        self.acknowledged = self.deleted = False
        self.seen = None  # the status the client last saw
        self.delete_answer = None


def plan_uploads(rng, catalogue, count, low_share, delete_share, poison):
    healthy = catalogue.healthy()
    faces = set(catalogue.with_faces())
    poison_slots = set(rng.sample(range(count), min(poison, count)))
    plan = []
    for n in range(count):
        if n in poison_slots:
            photo = rng.choice(catalogue.POISON)
        else:
            photo = rng.choice(healthy)
        low = photo in faces and rng.random() < low_share
        plan.append(Upload(n, photo, low, delete=photo not in catalogue.POISON and rng.random() < delete_share))
    # Every poison kind at least once when there is room.
    for upload, kind in zip([u for u in plan if u.photo in catalogue.POISON], catalogue.POISON):
        upload.photo, upload.filename = kind, f"u{upload.n:04d}-{kind}"
    return plan


def one_upload(user, upload, catalogue, stats, rng, poll_deadline):
    kind, data = catalogue.bytes_for(upload.photo, upload.low, upload.n)
    status, ticket = user.call("POST", "/api/uploads",
                               {"filename": upload.filename, "contentType": kind, "size": len(data)})
    if status != 201:
        raise RunError(f"presign of {upload.filename}: {status} {ticket}")
    upload.analysis_id = ticket["analysisId"]
    status, _ = user.send(ticket["method"], ticket["url"], data, dict(ticket["headers"]), "PUT photo")
    if not 200 <= status < 300:
        stats.add(f"PUTs refused ({status})")
        return
    upload.acknowledged = True
    if upload.delete:
        STOP.wait(rng.uniform(0.0, 1.5))
        tries = []
        upload.delete_answer, _ = user.call("DELETE", f"/api/analyses/{upload.analysis_id}", statuses=tries)
        # A 404 after a failed try: that try deleted it but its answer was lost (a killed sandbox).
        upload.deleted = upload.delete_answer == 204 or (upload.delete_answer == 404 and len(tries) > 1)
        return
    end = time.monotonic() + poll_deadline
    while time.monotonic() < end and not STOP.is_set():
        status, record = user.call("GET", f"/api/analyses/{upload.analysis_id}")
        upload.seen = record.get("status") if status == 200 and isinstance(record, dict) else f"HTTP {status}"
        if upload.seen in ("done", "failed"):
            break
        STOP.wait(1.0)
    if rng.random() < 0.3:
        user.call("GET", "/api/analyses?limit=10")


def run_load(users, plan, catalogue, clients, stats, seed, poll_deadline):
    """`clients` threads; client i acts as users[i % len(users)] and takes the next upload."""
    work = queue.Queue()
    for upload in plan:
        work.put(upload)
    errors = []
    finished = [0]
    lock = threading.Lock()

    def client(i):
        rng = random.Random(seed * 1000 + i)
        user = users[i % len(users)]
        while not STOP.is_set():
            try:
                upload = work.get_nowait()
            except queue.Empty:
                return
            try:
                one_upload(user, upload, catalogue, stats, rng, poll_deadline)
            except (ApiDown, RunError) as e:
                errors.append(f"{upload.filename}: {e}")
            with lock:
                finished[0] += 1
                if finished[0] % 25 == 0:
                    log(f"{finished[0]} of {len(plan)} uploads through")

    with concurrent.futures.ThreadPoolExecutor(max_workers=clients) as pool:
        list(pool.map(client, range(clients)))
    return errors


def kill_sandboxes(functions, count, within, rng):
    """SIGKILLs `count` sandboxes at random moments of the next `within` seconds: the worker's
    half of the time, an HTTP function's otherwise."""
    start = time.monotonic()
    for moment in sorted(rng.uniform(0, within) for _ in range(count)):
        if STOP.wait(max(0.0, start + moment - time.monotonic())):
            return
        name = "analysis-worker" if rng.random() < 0.5 else rng.choice(HTTP_FUNCTIONS)
        killed = functions[name].kill_one(rng)
        log(f"killed {killed}" if killed else f"no {name} sandbox to kill")


def drain(moto, queue_url, trigger, plan, timeout):
    """Waits until no acknowledged upload is pending, the queue is empty and no batch runs."""
    sqs = Sqs(moto)
    end = time.monotonic() + timeout
    live = {u.analysis_id for u in plan if u.acknowledged and not u.deleted}
    while time.monotonic() < end and not STOP.is_set():
        records = {i["pk"][len("ANALYSIS#"):]: i for i in scan_table(moto) if i["pk"].startswith("ANALYSIS#")}
        pending = [a for a in live if records.get(a, {}).get("status") == "pending"]
        depth = sqs.depth(queue_url)
        if not pending and depth == 0 and trigger.busy == 0:
            return True
        log(f"draining: {len(pending)} pending, {depth} messages in the queue, {trigger.busy} batches running")
        STOP.wait(5)
    return False


# ---------------------------------------------------------------- the checks


def list_history(user):
    items, cursor = [], None
    for _ in range(1000):
        path = "/api/analyses?limit=100" + (f"&cursor={urllib.parse.quote(cursor)}" if cursor else "")
        status, page = user.call("GET", path)
        if status != 200:
            raise RunError(f"history of {user.name}: {status} {page}")
        items += page["items"]
        cursor = page.get("nextCursor")
        if not cursor:
            return items, page["counts"]
    raise RunError("history paging did not end")


class Outcome:
    """What the stores hold at the end, read straight from moto and s3s-fs (no faults)."""

    def __init__(self, moto, s3_root, dlq_url, plan):
        items = scan_table(moto)

        def under(prefix):
            return {i["pk"][len(prefix):]: i for i in items if i["pk"].startswith(prefix)}

        self.data = {a: json.loads(i["data"]) for a, i in under("ANALYSIS#").items()}
        self.alert_items = collections.Counter(under("ALERT#").keys())
        self.counts = under("COUNTS#")
        self.published = collections.Counter()
        for topic in moto_data(moto).get("sns", {}).get("Topic", []):
            if topic.get("arn") == TOPIC_ARN:
                for notification in topic.get("sent_notifications", []):
                    found = re.search(r"Analysis: ([0-9a-f-]{36})", notification[1])
                    self.published[found.group(1) if found else "?"] += 1
        bucket = os.path.join(s3_root, BUCKET)
        self.keys = {os.path.relpath(os.path.join(folder, name), bucket).replace(os.sep, "/")
                     for folder, _, files in os.walk(bucket) for name in files}
        self.dead = []
        for _ in range(100):
            messages = Sqs(moto).receive(dlq_url, 10, 0, 600)
            if not messages:
                break
            self.dead += messages
        self.acked = [u for u in plan if u.acknowledged]
        self.live = [u for u in self.acked if not u.deleted]
        self.deleted = [u for u in self.acked if u.deleted]
        self.by_id = {u.analysis_id: u for u in self.acked}

    def status(self, analysis_id):
        return self.data.get(analysis_id, {}).get("status")


def check_records(out, failures):
    """One record per live upload, done or failed with a reason, as its owner saw it; none
    for a deleted one; a record never uploaded to stays pending. Returns the failure reasons."""
    reasons = collections.Counter()
    failures += [f"{u.filename}: the delete while processing answered {u.delete_answer}"
                 for u in out.acked if u.delete and not u.deleted]
    for u in out.live:
        record = out.data.get(u.analysis_id)
        if record is None:
            failures.append(f"{u.filename} ({u.analysis_id}) has no record")
        elif record["status"] == "failed" and record.get("failureReason"):
            reasons[record["failureReason"]] += 1
        elif record["status"] != "done":
            failures.append(f"{u.filename} ({u.analysis_id}) is {record['status']}")
        if record and u.seen in ("done", "failed") and u.seen != record["status"]:
            failures.append(f"{u.filename}: its owner saw {u.seen}, the record says {record['status']}")
    failures += [f"deleted {u.filename} ({u.analysis_id}) still has a record"
                 for u in out.deleted if u.analysis_id in out.data]
    failures += [f"record {a} was never acknowledged but is {r['status']}"
                 for a, r in out.data.items() if a not in out.by_id and r["status"] != "pending"]
    return reasons


def check_history(out, users, failures):
    """Each record listed once, in its owner's history; the counts (table and API) as the
    records say."""
    for user in users:
        history, counts = list_history(user)
        listed = collections.Counter(i["id"] for i in history)
        mine = {a for a, r in out.data.items() if r["owner"] == user.name}
        failures += [f"{a} of {user.name} is listed {listed[a]} times in the history"
                     for a in mine if listed[a] != 1]
        failures += [f"{user.name}'s history lists {a}, which is not theirs or is gone"
                     for a in listed if a not in mine]
        expected = collections.Counter({"all": len(mine)})
        expected.update(out.data[a]["category"] for a in mine if out.data[a].get("category"))
        stored = out.counts.get(user.name, {})
        for category in ("all", "no_faces", "all_masked", "none_masked", "some_masked"):
            api = counts.get(re.sub(r"_(\w)", lambda m: m.group(1).upper(), category), 0)
            if stored.get(category, 0) != expected[category] or api != expected[category]:
                failures.append(f"{user.name}'s count of {category}: table {stored.get(category, 0):.0f}, "
                                f"API {api}, records {expected[category]}")


def check_alerts(out, admin, failures):
    """Exactly one alert item and one SNS message per live done photo with a face under the
    threshold (the photos marked low); none for other photos; a deleted analysis keeps no
    item (its message may have gone out before the deletion). Returns the photos that alert."""
    should = {u.analysis_id for u in out.live if out.status(u.analysis_id) == "done"
              and any(f["confidence"] < ALERT_BELOW for f in out.data[u.analysis_id].get("faces", []))}
    planned = {u.analysis_id for u in out.live if u.low and out.status(u.analysis_id) == "done"}
    if should != planned:
        failures.append(f"{len(should ^ planned)} photos alert otherwise than planned (marked low)")
    items, published = out.alert_items, out.published
    for a in sorted(should):
        if items[a] != 1 or published[a] != 1:
            failures.append(f"{a} ({out.by_id[a].filename}): {items[a]} alert items, {published[a]} SNS messages")
    for a in sorted((set(items) | set(published)) - should):
        u = out.by_id.get(a)
        if not (u and u.deleted and items[a] == 0 and published[a] <= 1):
            failures.append(f"{a}: {items[a]} alert items, {published[a]} SNS messages, not expected")
    status, body = admin.call("GET", "/api/alerts")
    listed = {a["analysisId"] for a in (body or {}).get("alerts", [])} if status == 200 else set()
    if len(should) <= 100 and not should <= listed:
        failures.append(f"GET /api/alerts misses {len(should - listed)} alerts")
    return should


def check_objects(out, failures):
    """Every object belongs to a live record (annotated images to a done one); every live
    record has its photo, and a done one its annotated image and thumbnail. Returns
    (orphans, missing)."""
    orphans = []
    for key in sorted(out.keys):
        parts = key.split("/")
        record = out.data.get(parts[-1].split(".")[0]) if len(parts) == 3 else None
        if (parts[0] not in ("uploads", "annotated") or record is None or record["owner"] != parts[1]
                or (parts[0] == "annotated" and record["status"] != "done")):
            orphans.append(key)
    missing = []
    for u in out.live:
        record = out.data.get(u.analysis_id)
        if record:
            wanted = [record["originalKey"]]
            if record["status"] == "done":
                wanted += [record.get("annotatedKey"), record.get("thumbnailKey")]
            missing += [f"{u.filename}: {k}" for k in wanted if k not in out.keys]
    if orphans:
        failures.append(f"{len(orphans)} orphan objects: {orphans[:5]}")
    if missing:
        failures.append(f"{len(missing)} missing objects: {missing[:5]}")
    return orphans, missing


def check_dead_letters(out, catalogue, failures):
    """The dead-letter queue holds poison photos only. Returns [(key, photo)]."""
    dead = []
    for m in out.dead:
        for record in json.loads(m["Body"]).get("Records") or [{}]:
            key = urllib.parse.unquote_plus(record.get("s3", {}).get("object", {}).get("key", "?"))
            u = out.by_id.get(key.rsplit("/", 1)[-1].split(".")[0])
            dead.append((key, u.photo if u else "?"))
    healthy = [k for k, photo in dead if photo not in catalogue.POISON]
    if healthy:
        failures.append(f"{len(healthy)} healthy photos dead-lettered: {healthy[:5]}")
    return dead


def check(moto, s3_root, dlq_url, plan, users, admin, catalogue):
    """Every invariant; returns (failures, figures)."""
    out = Outcome(moto, s3_root, dlq_url, plan)
    failures = []
    reasons = check_records(out, failures)
    check_history(out, users, failures)
    should = check_alerts(out, admin, failures)
    orphans, missing = check_objects(out, failures)
    dead = check_dead_letters(out, catalogue, failures)
    figures = {
        "uploads": len(plan), "acknowledged": len(out.acked), "deleted while processing": len(out.deleted),
        "done": sum(1 for u in out.live if out.status(u.analysis_id) == "done"),
        "failed": sum(reasons.values()), "failure reasons": reasons,
        "poison": collections.Counter(u.photo for u in out.acked if u.photo in catalogue.POISON),
        "abandoned presigns": sum(1 for a in out.data if a not in out.by_id),
        "alerts expected": len(should), "alert items": sum(out.alert_items.values()),
        "SNS messages": sum(out.published.values()),
        "alerts of deleted analyses published": sum(1 for u in out.deleted if out.published[u.analysis_id]),
        "orphans": len(orphans), "missing objects": len(missing), "dead letters": dead,
    }
    return failures, figures


# ---------------------------------------------------------------- the report


def report(figures, stack, times, args, findings):
    """Prints the figures as a table (and writes them as Markdown with --markdown)."""
    faults, proxy, functions = stack.faults, stack.proxy, stack.functions
    gateway, trigger, client_stats = stack.gateway, stack.trigger, figures["client stats"]
    rows = []

    def row(name, value):
        rows.append((name, str(value)))

    row("uploads sent", f"{figures['uploads']} ({args.clients} clients, {args.users} accounts)")
    row("acknowledged (201 presign, 2xx PUT)", figures["acknowledged"])
    row("deleted while processing", figures["deleted while processing"])
    row("done", figures["done"])
    reasons = "; ".join(f"{n}x {r[:70]}" for r, n in figures["failure reasons"].most_common())
    row("failed with a reason", f"{figures['failed']}" + (f": {reasons}" if reasons else ""))
    row("poison photos sent", ", ".join(f"{n}x {p}" for p, n in sorted(figures["poison"].items())) or 0)
    row("presigns never uploaded (client retried the presign)", figures["abandoned presigns"])
    row("alerts: expected / items / SNS messages",
        f"{figures['alerts expected']} / {figures['alert items']} / {figures['SNS messages']}")
    row("alerts published for analyses deleted meanwhile", figures["alerts of deleted analyses published"])
    row("orphan objects / missing objects", f"{figures['orphans']} / {figures['missing objects']}")
    dead = collections.Counter(photo for _, photo in figures["dead letters"])
    row("dead-letter queue", f"{sum(dead.values())}" + (
        " (" + ", ".join(f"{n}x {p}" for p, n in sorted(dead.items())) + ")" if dead else ""))
    for service in sorted(faults.calls):
        injected = {k: n for (s, k), n in faults.injected.items() if s == service}
        total = sum(injected.values())
        detail = ", ".join(f"{n} {k}" for k, n in sorted(injected.items()))
        row(f"calls to {service}: faults injected", f"{faults.calls[service]} calls, {total} faults"
            + (f" ({total / faults.calls[service]:.1%}: {detail})" if total else ""))
    row("S3 notifications sent to the queue", proxy.notified)
    for name in FUNCTIONS:
        stats = functions[name].stats
        row(f"{name}: invocations, cold starts, errors, timeouts, crashes",
            f"{stats['invocations']}, {stats['cold starts']}, {stats['function errors']}, "
            f"{stats['timeouts']}, {stats['crashes']}"
            + (f" ({stats['sandboxes killed']} sandboxes killed)" if stats["sandboxes killed"] else ""))
    row("worker batches / item failures / redeliveries",
        f"{trigger.stats['batches']} / {trigger.stats['batch item failures']} / {trigger.stats['redeliveries']}")
    for what, n in sorted(trigger.stats.items()):
        if what.startswith(("SQS calls", "deliveries", "batches that")):
            row(f"trigger: {what}", n)
    fives = {k: n for k, n in gateway.answers.items() if k[1] >= 500}
    row("API answers 5xx (by function, status)", ", ".join(f"{fn} {s}: {n}" for (fn, s), n in sorted(fives.items())) or 0)
    retries = sum(n for k, n in client_stats.items() if k.startswith("client retries"))
    row("client retries", f"{retries}" + (": " + "; ".join(
        f"{n}x {k[len('client retries after '):]}" for k, n in sorted(client_stats.items())
        if k.startswith("client retries")) if retries else ""))
    row("wall time", f"{times['total']:.0f} s (set-up {times['setup']:.0f} s, uploads {times['load']:.0f} s, "
        f"drain {times['drain']:.0f} s)")
    width = max(len(n) for n, _ in rows)
    print()
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
    if args.markdown:
        with open(args.markdown, "w", encoding="utf-8") as f:
            f.write("| figure | value |\n|---|---|\n")
            f.writelines(f"| {n} | {v.replace('|', '/')} |\n" for n, v in rows)
            if findings:
                f.write("\nFindings:\n\n" + "".join(f"- {x}\n" for x in findings))


# ---------------------------------------------------------------- main


def parse_args():
    parser = argparse.ArgumentParser(description=" ".join(__doc__.split("\n\n")[0].split()),
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--lambda-dir", default=os.path.join(ROOT, "target", "lambda"),
                       help="cargo-lambda's output: DIR/<function>/bootstrap.zip (default target/lambda)")
    where.add_argument("--bin-dir", help="a directory with auth, uploads, analyses, analysis-worker and "
                       "auth-admin executables")
    parser.add_argument("--auth-admin", help="the auth-admin executable (with --lambda-dir)")
    parser.add_argument("--uploads", type=int, default=200)
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--users", type=int, default=5, help="accounts the clients act as")
    parser.add_argument("--seed", type=int, default=int(time.time()) % 100000)
    parser.add_argument("--fault-rate", type=float, default=0.10)
    parser.add_argument("--fault-services", default="dynamodb,s3,sqs,sns",
                        help="comma-separated signing names (also possible: rekognition, ses), or all")
    parser.add_argument("--outages", type=int, default=0,
                        help="windows in which every call to one faulted service fails (default none)")
    parser.add_argument("--outage-seconds", type=float, default=5.0)
    parser.add_argument("--kills", type=int, default=0,
                        help="sandboxes SIGKILLed at random moments of the uploads (default none)")
    parser.add_argument("--hangs", type=int, default=0,
                        help="calls to --hang-service held unanswered past the worker's timeout, then "
                        "dropped (default none)")
    parser.add_argument("--hang-service", default="sns")
    parser.add_argument("--low-share", type=float, default=0.15,
                        help="share of the photos with faces whose first face is replayed at 41%%")
    parser.add_argument("--delete-share", type=float, default=0.06,
                        help="share of the uploads deleted right after their PUT")
    parser.add_argument("--poison", type=int, default=6, help="poison photos among the uploads")
    parser.add_argument("--worker-concurrency", type=int, default=2,
                        help="concurrent worker batches (infra's default maxConcurrency is 5; "
                        "this machine has 2 cores)")
    parser.add_argument("--http-instances", type=int, default=3, help="sandboxes per HTTP function, at most")
    parser.add_argument("--retry-delay", type=int, default=5,
                        help="seconds before a failed message comes back (infra: the 720 s visibility timeout)")
    parser.add_argument("--poll-deadline", type=int, default=300, help="seconds a client polls one analysis")
    parser.add_argument("--drain-timeout", type=int, default=900)
    parser.add_argument("--rust-log", help="RUST_LOG of every function instead of infra's (info)")
    parser.add_argument("--markdown", help="also write the figures as a Markdown table to this file")
    parser.add_argument("--keep", action="store_true", help="keep the work directory (logs, s3s-fs data)")
    return parser.parse_args()


class Stack:
    """Everything the run starts: moto, s3s-fs, the proxy, the functions, API Gateway and the
    worker's trigger. `close` ends all of it, processes included."""

    def __init__(self, args, infra, work):
        self.children = Children()
        self.functions, self.servers, self.trigger = {}, [], None
        self.commands = function_commands(args, work)
        self.home = os.path.join(work, "home")
        os.makedirs(self.home)
        logs = os.path.join(work, "logs")
        os.makedirs(logs)
        self.moto = start_moto(self.children, work)
        s3, self.s3_root = start_s3s(self.children, work)
        self.queue_url, self.dlq_url = set_up_moto(self.moto, infra)
        self.rng = random.Random(args.seed)
        self.catalogue = Catalogue(self.rng)
        services = ("dynamodb,s3,sqs,sns,rekognition,ses" if args.fault_services == "all"
                    else args.fault_services).split(",")
        self.faults = Faults(args.seed, args.fault_rate, services)
        self.proxy = FaultProxy(self.moto, s3, self.faults, Rekognition(self.catalogue, self.s3_root),
                                notify=lambda body: Sqs(self.moto).send(self.queue_url, body),
                                trace_path=os.path.join(work, "calls.log"))
        self.servers.append(self.proxy)
        for name in FUNCTIONS:
            most = args.worker_concurrency if name == "analysis-worker" else args.http_instances
            env = lambda_env(name, self.proxy.url, self.home, infra["memory"][name])
            if args.rust_log:
                env["RUST_LOG"] = args.rust_log
            self.functions[name] = Function(name, self.commands[name], env, infra["timeouts"][name], most,
                                            self.children, logs)
        self.gateway = ApiGateway(infra["routes"], self.functions)
        self.servers.append(self.gateway)
        self.trigger = SqsTrigger(Sqs(self.proxy.url), self.queue_url, self.functions["analysis-worker"],
                                  infra["batch_size"], infra["visibility"], args.retry_delay,
                                  args.worker_concurrency)
        log(f"moto {self.moto}, s3s-fs {s3}, fault proxy {self.proxy.url}, API {self.gateway.url}; "
            f"faults on {','.join(services)} at {args.fault_rate:.0%}; {args.worker_concurrency} "
            f"concurrent worker batches (infra: up to {infra['worker_concurrency']})")

    def broken(self):
        return [fn.broken for fn in self.functions.values() if fn.broken]

    def close(self):
        STOP.set()
        if self.trigger:
            self.trigger.stop()
        for fn in self.functions.values():
            fn.stop()
        for server in self.servers:
            server.close()
        self.children.stop_all()


def set_up_people(stack, args, findings):
    """The first admin (auth-admin), then the accounts the clients act as, signed in."""
    tries = create_first_admin(stack.commands["auth-admin"], stack.proxy.url, stack.home,
                               os.path.dirname(stack.home))
    log(f"first admin made by auth-admin ({tries} retries)")
    admin = Client(stack.gateway.url, Stats())
    admin.name = ADMIN[0]
    sign_in(admin, ADMIN[0], ADMIN[2])
    users = [u for u in (create_user(admin, stack.moto, f"user{i}", findings) for i in range(args.users)) if u]
    if not users:
        raise RunError("no account could be made")
    return admin, users


def prove(stack, args, infra, findings):
    """The load, the drain and the checks; returns (failures, figures, times)."""
    started = time.monotonic()
    admin, users = set_up_people(stack, args, findings)
    setup = time.monotonic() - started
    log(f"{len(users)} accounts signed in; {args.uploads} uploads from {args.clients} clients")
    plan = plan_uploads(stack.rng, stack.catalogue, args.uploads, args.low_share, args.delete_share,
                        args.poison)
    load_started = time.monotonic()
    within = max(10, args.uploads * 0.3)  # about the length of the uploads, in seconds
    stack.faults.plan_outages(args.outages, args.outage_seconds, within)
    for service, start, end in stack.faults.outages:
        log(f"outage of {service} {start - load_started:.0f}-{end - load_started:.0f} s into the uploads")
    stack.faults.plan_hangs(args.hang_service, args.hangs, infra["timeouts"]["analysis-worker"] + 5)
    threading.Thread(target=kill_sandboxes, daemon=True, args=(
        stack.functions, args.kills, within, random.Random(args.seed + 1))).start()
    failures = run_load(users, plan, stack.catalogue, args.clients, admin.stats, args.seed, args.poll_deadline)
    load = time.monotonic() - load_started
    log(f"uploads done in {load:.0f} s; {sum(u.acknowledged for u in plan)} acknowledged; draining")
    drain_started = time.monotonic()
    if not drain(stack.moto, stack.queue_url, stack.trigger, plan, args.drain_timeout):
        failures.append(f"the queue did not drain within {args.drain_timeout} s")
    stack.trigger.stop()
    drained = time.monotonic() - drain_started
    found, figures = check(stack.moto, stack.s3_root, stack.dlq_url, plan, users + [admin], admin,
                           stack.catalogue)
    figures["client stats"] = admin.stats
    times = {"setup": setup, "load": load, "drain": drained}
    return failures + found, figures, times


def main():
    args = parse_args()
    infra = read_infra()
    started = time.monotonic()
    work = tempfile.mkdtemp(prefix="facelens-aws-faults-")
    stack, findings, failures, run_failed = None, [], [], False

    def interrupted(signum, _frame):
        STOP.set()
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, interrupted)
    signal.signal(signal.SIGINT, interrupted)
    log(f"seed {args.seed}; work directory {work}")
    try:
        stack = Stack(args, infra, work)
        failures, figures, times = prove(stack, args, infra, findings)
        times["total"] = time.monotonic() - started
        report(figures, stack, times, args, findings)
    except RunError as e:
        print(f"\nTHE RUN COULD NOT BE MADE: {e}", flush=True)
        run_failed = True
    except KeyboardInterrupt as e:
        print(f"\ninterrupted ({e}); stopping", flush=True)
        return 130
    except Exception:
        traceback.print_exc()
        run_failed = True
    finally:
        if stack:
            stack.close()
        if args.keep or failures or (stack and (run_failed or stack.broken())):
            log(f"kept {work} (calls.log: every AWS call; logs/: each sandbox's output)")
        else:
            shutil.rmtree(work, ignore_errors=True)
    if run_failed:
        return 2
    for title, lines in (("FINDINGS", findings), ("INVARIANTS FAILED", failures)):
        if lines:
            print(f"\n{title}:")
            for line in lines[:50]:
                print(f"  {line}")
    if failures:
        return 1
    print("\nall invariants hold")
    return 0


if __name__ == "__main__":
    sys.exit(main())
