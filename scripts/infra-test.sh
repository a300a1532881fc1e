#!/usr/bin/env bash
# Checks of the AWS CDK app in infra/ (`make infra-test`, part of `make test`):
#   1. npm ci (skipped while node_modules matches package-lock.json)
#   2. tsc --noEmit
#   3. CDK assertion tests (node's test runner)
#   4. cdk synth, offline, for two configurations (the defaults: no ALB, no WAF; everything:
#      HTTPS ALB, WAF, custom domain, in us-east-1 where the CloudFront web ACL can live)
#   5. cfn-lint and checkov on both templates, from a venv outside the repo
#   6. checkov on both templates without their suppressions: each suppression must still be needed
# Needs node >= 20 with npm, and python3 with venv. Nothing is deployed; no AWS credentials are
# read; no network is used but the package registries on a cold run.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
INFRA="$ROOT/infra"
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/facelens"
VENV="${FACELENS_INFRA_VENV:-$CACHE/infra-venv}"
CFN_LINT_VERSION=1.58.0
CHECKOV_VERSION=3.3.30
REGION=eu-west-1

# Offline and quiet: no version check, no telemetry, no instance-metadata probe for credentials.
export CDK_DISABLE_VERSION_CHECK=true CDK_DISABLE_CLI_TELEMETRY=true AWS_EC2_METADATA_DISABLED=true
export BC_SKIP_MAPPING=TRUE CHECKOV_DISABLE_VERSION_CHECK=true
export NPM_CONFIG_UPDATE_NOTIFIER=false NPM_CONFIG_FUND=false NPM_CONFIG_AUDIT=false

START=$SECONDS
step() { printf '\n==> [infra %3ss] %s\n' "$((SECONDS - START))" "$*"; }
die() { echo "infra-test: $*" >&2; exit 1; }

command -v node >/dev/null || die "node is missing (Debian: apt-get install nodejs npm; node >= 20)"
command -v npm >/dev/null || die "npm is missing (Debian: apt-get install npm)"
command -v python3 >/dev/null || die "python3 is missing"
node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)' \
  || die "node $(node --version) is too old: aws-cdk-lib needs node >= 20"

cd "$INFRA"

step "npm ci"
lock_sum="$(sha256sum package-lock.json | cut -d' ' -f1)"
if [[ -f node_modules/.facelens-lock && "$(cat node_modules/.facelens-lock)" == "$lock_sum" ]]; then
  echo "node_modules matches package-lock.json"
else
  npm ci --no-audit --no-fund
  echo "$lock_sum" > node_modules/.facelens-lock
fi

step "typecheck (tsc --noEmit)"
# Skipped when no source, tsconfig or lockfile changed since the last clean check.
src_sum="$(cat package-lock.json tsconfig.json $(find bin lib test -name '*.ts' | sort) | sha256sum | cut -d' ' -f1)"
if [[ -f node_modules/.facelens-tsc && "$(cat node_modules/.facelens-tsc)" == "$src_sum" ]]; then
  echo "sources unchanged since the last clean typecheck"
else
  node_modules/.bin/tsc --noEmit
  echo "$src_sum" > node_modules/.facelens-tsc
fi

step "assertion tests (node --test)"
node --import tsx --test test/*.test.ts

# Placeholder build outputs, so synth needs neither the Rust build nor the web build.
WORK="$(mktemp -d "${TMPDIR:-/tmp}/facelens-infra-XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
python3 - "$WORK" <<'EOF'
import os, sys, zipfile
root = sys.argv[1]
for name in ("auth", "uploads", "analyses", "analysis-worker"):
    d = os.path.join(root, "lambda", name)
    os.makedirs(d)
    with zipfile.ZipFile(os.path.join(d, "bootstrap.zip"), "w") as z:
        z.writestr("bootstrap", "#!/bin/sh\necho placeholder %s\n" % name)
os.makedirs(os.path.join(root, "web"))
with open(os.path.join(root, "web", "index.html"), "w") as f:
    f.write("<!doctype html><title>Facelens</title>\n")
# Hashed assets as the web build writes them: a WebAssembly module beside its gzip copy.
import gzip
os.makedirs(os.path.join(root, "web", "assets"))
wasm = b"\0asm\x01\0\0\0"
with open(os.path.join(root, "web", "assets", "ort-0000.wasm"), "wb") as f:
    f.write(wasm)
with open(os.path.join(root, "web", "assets", "ort-0000.wasm.gz"), "wb") as f:
    f.write(gzip.compress(wasm, mtime=0))
with open(os.path.join(root, "web", "assets", "index-0000.js"), "w") as f:
    f.write("export {};\n")
EOF

synth() { # synth OUTDIR REGION [-c key=value ...]
  local out="$1" region="$2"; shift 2
  node_modules/.bin/cdk synth --quiet --no-lookups --no-notices -o "$out" \
    -c lambdaDir="$WORK/lambda" -c webDir="$WORK/web" -c region="$region" \
    -c adminEmails=admin@example.com -c mailFrom=facelens@example.com "$@"
}
step "cdk synth (defaults: no ALB, no WAF) -> infra/cdk.out"
synth cdk.out "$REGION"
step "cdk synth (everything: HTTPS ALB, WAF, custom domain; us-east-1)"
synth "$WORK/cdk.out.full" us-east-1 -c waf=true \
  -c certificateArn="arn:aws:acm:us-east-1:111122223333:certificate/00000000-0000-0000-0000-000000000000" \
  -c domainName=faces.example.org \
  -c cloudFrontCertificateArn=arn:aws:acm:us-east-1:111122223333:certificate/00000000-0000-0000-0000-000000000000
TEMPLATES=(cdk.out/Facelens.template.json "$WORK/cdk.out.full/Facelens.template.json")

step "venv with cfn-lint $CFN_LINT_VERSION and checkov $CHECKOV_VERSION ($VENV)"
want="cfn-lint==$CFN_LINT_VERSION checkov==$CHECKOV_VERSION"
if [[ ! -x "$VENV/bin/checkov" || "$(cat "$VENV/.facelens-pins" 2>/dev/null)" != "$want" ]]; then
  rm -rf "$VENV"
  mkdir -p "$(dirname "$VENV")"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check $want
  echo "$want" > "$VENV/.facelens-pins"
fi

step "cfn-lint"
for t in "${TEMPLATES[@]}"; do
  set +e
  "$VENV/bin/cfn-lint" --config-file .cfnlintrc.yaml -- "$t"
  rc=$?
  set -e
  # Exit bits: 2 errors, 4 warnings, 8 informational. Errors and warnings fail the check.
  (( (rc & 6) == 0 )) || die "cfn-lint found errors or warnings in $t"
  echo "cfn-lint: $t clean"
done

step "checkov"
for t in "${TEMPLATES[@]}"; do
  echo "checkov: $t"
  # --quiet prints the summary line and the failed checks only.
  "$VENV/bin/checkov" -f "$t" --framework cloudformation --quiet --compact --skip-download \
    || die "checkov failed on $t: fix the finding or suppress it in code with a reason (infra/README.md)"
done

step "checkov: no stale suppression (each suppressed check still fires without it)"
for t in "${TEMPLATES[@]}"; do
  python3 - "$t" "$WORK/stripped.template.json" <<'PY'
import json, sys
t = json.load(open(sys.argv[1]))
for r in t["Resources"].values():
    r.get("Metadata", {}).pop("checkov", None)
json.dump(t, open(sys.argv[2], "w"))
PY
  suppressed="$(python3 -c '
import json, sys
t = json.load(open(sys.argv[1]))
ids = {s["id"] for r in t["Resources"].values() for s in r.get("Metadata", {}).get("checkov", {}).get("skip", [])}
print("\n".join(sorted(ids)))' "$t")"
  fired="$("$VENV/bin/checkov" -f "$WORK/stripped.template.json" --framework cloudformation --compact \
    --skip-download -o json 2>/dev/null | python3 -c '
import json, sys
d = json.load(sys.stdin)
print("\n".join(sorted({c["check_id"] for c in d["results"]["failed_checks"]})))' || true)"
  stale="$(comm -23 <(echo "$suppressed") <(echo "$fired"))"
  [[ -z "$stale" ]] || die "suppressed in $t but no longer reported by checkov (remove the suppression): $stale"
  echo "$t: all $(echo "$suppressed" | wc -l) suppressed check ids still fire without their suppression"
done

step "done"
echo "infra-test: all checks passed in $((SECONDS - START)) s"
