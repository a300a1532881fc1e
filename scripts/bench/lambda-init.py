#!/usr/bin/env python3
"""Cold-start time of each Lambda zip, measured locally: process start to first answer.

A minimal Lambda Runtime API (the interface the real service offers a function's bootstrap,
`/2018-06-01/runtime/invocation/next` and `.../response`) runs on 127.0.0.1. Each round starts
the function's `bootstrap` from its zip with AWS_LAMBDA_RUNTIME_API pointing here, hands it one
sample event from events/, and stops the clock when the function posts its response. The
hello-world lambda_http function (scripts/bench/hello-lambda, built the same way) is the
baseline. Prints the median and p90 over --rounds rounds per function.

Usage: python3 scripts/bench/lambda-init.py [--rounds 20] [--lambda-dir target/lambda]
Needs `make lambdas` first, and the baseline zip (see docs/performance.md for the command).
"""
import argparse
import json
import os
import statistics
import subprocess
import tempfile
import threading
import time
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# function -> (sample event, extra environment). No network is used at cold start: auth's
# signing secret is given directly (the others hold none: they verify with the public key auth
# publishes) and the sample events need no AWS call.
SECRET = "a-local-benchmark-secret-of-32-bytes-or-more"
COMMON = {"AWS_REGION": "us-east-1",
          "AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench",
          "AWS_ENDPOINT_URL": "http://127.0.0.1:9"}
FUNCTIONS = {
    "hello-lambda": ("auth/apigw-v2-health.json", {}),
    "auth": ("auth/apigw-v2-health.json",
             {"FACELENS_TABLE_NAME": "bench", "FACELENS_BUCKET_NAME": "bench",
              "FACELENS_JWT_SECRET": SECRET,
              "FACELENS_MAIL_FROM": "Facelens <no-reply@example.com>",
              "FACELENS_PUBLIC_URL": "https://facelens.example.com"}),
    "uploads": ("uploads/apigw-v2-presign-without-token.json",
                {"FACELENS_TABLE_NAME": "bench", "FACELENS_BUCKET_NAME": "bench"}),
    "analyses": ("analyses/apigw-v2-history.json",
                 {"FACELENS_TABLE_NAME": "bench", "FACELENS_BUCKET_NAME": "bench"}),
    "analysis-worker": ("analysis-worker/sqs-s3-test-event.json",
                        {"FACELENS_TABLE_NAME": "bench", "FACELENS_BUCKET_NAME": "bench",
                         "FACELENS_ALERT_TOPIC_ARN": "arn:aws:sns:us-east-1:1:bench"}),
}


class RuntimeApi(BaseHTTPRequestHandler):
    """One event per round; records when the response arrives."""
    event = b"{}"
    answered = threading.Event()
    answer = b""

    def log_message(self, *args):
        pass

    def do_GET(self):
        if not self.path.endswith("/invocation/next"):
            self.send_error(404)
            return
        if RuntimeApi.answered.is_set():
            time.sleep(5)  # the function waits for its next event; the round is over
            self.send_error(503)
            return
        self.send_response(200)
        self.send_header("Lambda-Runtime-Aws-Request-Id", "bench-request")
        self.send_header("Lambda-Runtime-Deadline-Ms", str(int(time.time() * 1000) + 30000))
        self.send_header("Lambda-Runtime-Invoked-Function-Arn",
                         "arn:aws:lambda:us-east-1:123456789012:function:bench")
        self.send_header("Lambda-Runtime-Trace-Id", "Root=1-00000000-000000000000000000000000")
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(RuntimeApi.event)))
        self.end_headers()
        self.wfile.write(RuntimeApi.event)

    def do_POST(self):
        length = int(self.headers.get("Content-Length", 0))
        body = self.rfile.read(length)
        self.send_response(202)
        self.send_header("Content-Length", "0")
        self.end_headers()
        if "/response" in self.path or "/error" in self.path:
            RuntimeApi.answer = body
            RuntimeApi.answered.set()


def bootstrap(lambda_dir, name, workdir):
    target = os.path.join(workdir, name)
    os.makedirs(target, exist_ok=True)
    with zipfile.ZipFile(os.path.join(lambda_dir, name, "bootstrap.zip")) as z:
        z.extractall(target)
    path = os.path.join(target, "bootstrap")
    os.chmod(path, 0o755)
    return path


def one_round(path, env):
    RuntimeApi.answered.clear()
    start = time.perf_counter()
    proc = subprocess.Popen([path], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    ok = RuntimeApi.answered.wait(30)
    elapsed = time.perf_counter() - start
    proc.kill()
    proc.wait()
    if not ok:
        raise RuntimeError(f"{path} did not answer within 30 s")
    return elapsed * 1000


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--lambda-dir", default=os.path.join(ROOT, "target", "lambda"))
    parser.add_argument("--cert-file", help="SSL_CERT_FILE for the functions: the AWS SDK loads "
                        "the system's root certificates when a client is built, and on Lambda "
                        "(Amazon Linux 2023) they are one bundle, where Debian also has a "
                        "directory of ~440 files; pass the bundle to time what Lambda does")
    args = parser.parse_args()
    certs = {"SSL_CERT_FILE": args.cert_file} if args.cert_file else {}
    server = ThreadingHTTPServer(("127.0.0.1", 0), RuntimeApi)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    results = {}
    with tempfile.TemporaryDirectory() as workdir:
        for name, (event, extra) in FUNCTIONS.items():
            zip_path = os.path.join(args.lambda_dir, name, "bootstrap.zip")
            if not os.path.exists(zip_path):
                print(f"{name:16} skipped: {zip_path} missing")
                continue
            path = bootstrap(args.lambda_dir, name, workdir)
            with open(os.path.join(ROOT, "events", event), "rb") as f:
                RuntimeApi.event = f.read()
            env = {"PATH": "/usr/bin:/bin", "AWS_LAMBDA_RUNTIME_API": f"127.0.0.1:{port}",
                   "AWS_LAMBDA_FUNCTION_NAME": name, "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256",
                   "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST", "RUST_LOG": "warn",
                   **COMMON, **certs, **extra}
            one_round(path, env)  # warm the page cache
            times = sorted(one_round(path, env) for _ in range(args.rounds))
            answer = json.loads(RuntimeApi.answer or b"{}")
            status = answer.get("statusCode", answer.get("batchItemFailures", "?"))
            size = os.path.getsize(zip_path) / 1048576
            results[name] = statistics.median(times)
            print(f"{name:16} zip {size:6.2f} MB  init+first answer median {statistics.median(times):7.1f} ms"
                  f"  p90 {times[int(len(times) * 0.9) - 1]:7.1f} ms  (answer: {status})")
    base = results.get("hello-lambda")
    if base:
        for name, median in results.items():
            if name != "hello-lambda":
                print(f"{name:16} {median / base:5.2f}x hello-world")
    server.shutdown()


if __name__ == "__main__":
    main()
