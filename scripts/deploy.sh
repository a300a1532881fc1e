#!/usr/bin/env bash
# Deploys Facelens into the AWS account and region of the current credentials (`make deploy`).
# Steps: check tools -> preflight (who, where, Rekognition, SES; confirm) -> npm ci (infra) ->
# cargo lambda build (4 zips, kept per commit) -> web build -> cdk synth -> cdk bootstrap ->
# cdk diff and the cost at rest (confirm) -> cdk deploy -> the outputs. Step by step, with what
# it costs: infra/README.md.
#
#   scripts/deploy.sh --admin-email admin@example.org --mail-from facelens@example.org
#   ADMIN_EMAIL=admin@example.org MAIL_FROM=facelens@example.org make deploy
#   scripts/deploy.sh --from-commit 1a2b3c4 ...   # roll back: the zips and web client kept for it
#
# Options (environment variable in brackets):
#   --admin-email ADDR       alert recipient; repeat or comma-separate for several [ADMIN_EMAIL]
#   --mail-from ADDR         sender of sign-in emails, `addr` or `Name <addr>` [MAIL_FROM]
#   --region REGION          AWS region [AWS_REGION, else the CLI profile's region]
#   --profile NAME           AWS CLI profile [AWS_PROFILE]
#   --domain NAME            custom domain for CloudFront [DOMAIN]
#   --cloudfront-cert ARN    ACM certificate in us-east-1 for --domain [CLOUDFRONT_CERT_ARN]
#   --alb-cert ARN           ACM certificate in REGION: adds the ALB, HTTPS only (443; 80 redirects)
#                            [ALB_CERT_ARN]; without it there is no ALB
#   --no-alb                 no ALB, even with ALB_CERT_ARN set [ALB=false]
#   --waf                    AWS WAF (managed rules, rate limit) on CloudFront and the ALB [WAF=true]
#   --cloudfront-web-acl ARN CLOUDFRONT-scoped web ACL from us-east-1, for --waf outside us-east-1
#                            [CLOUDFRONT_WEB_ACL_ARN]
#   --arch arm64|x86_64      Lambda architecture, default arm64 (with --from-commit: the kept
#                            build's) [ARCH]
#   --ses-identity KIND      the sender's SES identity: email (default: the address, which gets a
#                            verification link, so it must be a mailbox you read), domain (its
#                            whole domain with DKIM: add the three CNAMEs printed at the end to
#                            its DNS; a no-reply address then needs no mailbox) or existing
#                            (the address or its domain is already verified in SES) [SES_IDENTITY]
#   --ses-sandbox            let auth mail any verified identity (SES sandbox) [SES_SANDBOX=true]
#   --no-retain              make destroy removes the table and the uploads too [RETAIN_DATA=false]
#   --open-sign-up           let anyone create an account on the sign-up page, confirming the
#                            email first (default: invite-only, admins do) [SIGN_UP=open]
#   --budget USD             the account's monthly cost budget, mailed to the admins; 0: none
#                            (default 20) [MONTHLY_BUDGET_USD]
#   --skip-build             deploy the zips and web/dist already built [SKIP_BUILD=1]
#   --from-commit SHA        deploy the zips and web client kept for that commit by an earlier run
#                            (target/lambda-archive/<sha>/), without building: the rollback
#                            [FROM_COMMIT]
#   --rust-function          let cdk build the functions (cargo-lambda-cdk) [RUST_FUNCTION=true]
#   --yes                    ask nothing: no confirmation of the account, of the diff, of IAM
#                            changes [YES=1]
#   --stack NAME             stack name, default Facelens [STACK_NAME]
#   --dry-run                build and synthesize only; nothing calls AWS [DRY_RUN=1]
# Build outputs are taken from target/lambda and web/dist [LAMBDA_DIR, WEB_DIR]. Each build is
# kept under target/lambda-archive/<commit> (the last 10 [ARCHIVE_KEEP]; a tree with uncommitted
# changes as <commit>-dirty).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
INFRA="$ROOT/infra"
FUNCTIONS=(auth uploads analyses analysis-worker)
ARCHIVE="${LAMBDA_ARCHIVE:-$ROOT/target/lambda-archive}"
ARCHIVE_KEEP="${ARCHIVE_KEEP:-10}"

ADMIN_EMAIL="${ADMIN_EMAIL:-}"
MAIL_FROM="${MAIL_FROM:-}"
REGION="${AWS_REGION:-${AWS_DEFAULT_REGION:-}}"
DOMAIN="${DOMAIN:-}"
CLOUDFRONT_CERT_ARN="${CLOUDFRONT_CERT_ARN:-}"
ALB_CERT_ARN="${ALB_CERT_ARN:-}"
ALB="${ALB:-}"
WAF="${WAF:-false}"
CLOUDFRONT_WEB_ACL_ARN="${CLOUDFRONT_WEB_ACL_ARN:-}"
ARCH_GIVEN="${ARCH:-}"
ARCH="${ARCH:-arm64}"
SES_SANDBOX="${SES_SANDBOX:-false}"
SES_IDENTITY="${SES_IDENTITY:-email}"
RETAIN_DATA="${RETAIN_DATA:-true}"
SIGN_UP="${SIGN_UP:-invite-only}"
MONTHLY_BUDGET_USD="${MONTHLY_BUDGET_USD:-}"
SKIP_BUILD="${SKIP_BUILD:-}"
FROM_COMMIT="${FROM_COMMIT:-}"
RUST_FUNCTION="${RUST_FUNCTION:-false}"
YES="${YES:-}"
STACK_NAME="${STACK_NAME:-Facelens}"
DRY_RUN="${DRY_RUN:-}"
LAMBDA_DIR="${LAMBDA_DIR:-$ROOT/target/lambda}"
WEB_DIR="${WEB_DIR:-$ROOT/web/dist}"

usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}"; exit "${1:-0}"; }
die() { echo "deploy: $*" >&2; exit 1; }
warn() { echo "deploy: WARNING: $*" >&2; }
step() { printf '\n==> %s\n' "$*"; }
# Asks before going on, unless --yes; without a terminal to ask on, stops.
confirm() {
  [[ -n "$YES" ]] && return 0
  [[ -t 0 ]] || die "$1: no terminal to ask on; pass --yes to go on without asking"
  local answer
  read -r -p "$1 [y/N] " answer
  [[ "$answer" =~ ^[Yy]([Ee][Ss])?$ ]] || { echo "deploy: stopped before cdk deploy"; exit 1; }
}

while (($#)); do
  case "$1" in
    --admin-email) ADMIN_EMAIL="${ADMIN_EMAIL:+$ADMIN_EMAIL,}$2"; shift 2 ;;
    --mail-from) MAIL_FROM="$2"; shift 2 ;;
    --region) REGION="$2"; shift 2 ;;
    --profile) export AWS_PROFILE="$2"; shift 2 ;;
    --domain) DOMAIN="$2"; shift 2 ;;
    --cloudfront-cert) CLOUDFRONT_CERT_ARN="$2"; shift 2 ;;
    --alb-cert) ALB_CERT_ARN="$2"; shift 2 ;;
    --no-alb) ALB=false; shift ;;
    --waf) WAF=true; shift ;;
    --cloudfront-web-acl) CLOUDFRONT_WEB_ACL_ARN="$2"; shift 2 ;;
    --arch) ARCH="$2"; ARCH_GIVEN="$2"; shift 2 ;;
    --ses-sandbox) SES_SANDBOX=true; shift ;;
    --ses-identity) SES_IDENTITY="$2"; shift 2 ;;
    --no-retain) RETAIN_DATA=false; shift ;;
    --open-sign-up) SIGN_UP=open; shift ;;
    --budget) MONTHLY_BUDGET_USD="$2"; shift 2 ;;
    --skip-build) SKIP_BUILD=1; shift ;;
    --from-commit) FROM_COMMIT="$2"; shift 2 ;;
    --rust-function) RUST_FUNCTION=true; shift ;;
    --yes|-y) YES=1; shift ;;
    --stack) STACK_NAME="$2"; shift 2 ;;
    --dry-run) DRY_RUN=1; shift ;;
    -h|--help) usage 0 ;;
    *) echo "deploy: unknown option $1" >&2; usage 2 ;;
  esac
done

[[ -n "$ADMIN_EMAIL" ]] || die "--admin-email (or ADMIN_EMAIL) is required: alerts go there"
[[ -n "$MAIL_FROM" ]] || die "--mail-from (or MAIL_FROM) is required: sign-in emails come from it"
[[ "$ARCH" == arm64 || "$ARCH" == x86_64 ]] || die "--arch must be arm64 or x86_64"
[[ "$SES_IDENTITY" =~ ^(email|domain|existing)$ ]] || die "--ses-identity must be email, domain or existing"
if [[ -n "$DOMAIN" && -z "$CLOUDFRONT_CERT_ARN" ]]; then die "--domain needs --cloudfront-cert (us-east-1)"; fi
if [[ "$ALB" == true && -z "$ALB_CERT_ARN" ]]; then
  die "ALB=true needs --alb-cert ARN: the ALB carries passwords and tokens, so it serves HTTPS only"
fi
if [[ -n "$MONTHLY_BUDGET_USD" && ! "$MONTHLY_BUDGET_USD" =~ ^[0-9]+$ ]]; then
  die "--budget takes whole US dollars (0 for no budget), not \"$MONTHLY_BUDGET_USD\""
fi
if [[ -n "$FROM_COMMIT" && "$RUST_FUNCTION" == true ]]; then
  die "--from-commit deploys kept zips; --rust-function builds them: choose one"
fi
# `aws configure get` reads the local configuration only: no call to AWS.
if [[ -z "$REGION" ]] && command -v aws >/dev/null; then REGION="$(aws configure get region 2>/dev/null || true)"; fi
[[ -n "$REGION" ]] || die "no region: pass --region or set AWS_REGION"
if [[ "$WAF" == true && "$REGION" != us-east-1 && -z "$CLOUDFRONT_WEB_ACL_ARN" ]]; then
  die "--waf in $REGION needs --cloudfront-web-acl ARN: CloudFront takes only a web ACL made in us-east-1 (infra/README.md, \"WAF\")"
fi
export AWS_REGION="$REGION" CDK_DISABLE_CLI_TELEMETRY=true

# ---------------------------------------------------------------- kept builds (rollback)
# The archive of a commit: lambda/<name>/bootstrap.zip, web/ (the client as built), manifest.
commit_name() { # the archive name of the working tree: <commit> or <commit>-dirty; empty outside git
  local sha
  sha="$(git -C "$ROOT" rev-parse --short=12 HEAD 2>/dev/null)" || return 0
  if [[ -n "$(git -C "$ROOT" status --porcelain --untracked-files=no 2>/dev/null)" ]]; then
    echo "$sha-dirty"
  else
    echo "$sha"
  fi
}
kept_builds() { # the kept builds' names, newest first
  python3 - "$ARCHIVE" <<'PY'
import os, sys
root = sys.argv[1]
names = [n for n in os.listdir(root) if os.path.isdir(os.path.join(root, n)) and not n.endswith(".tmp")] if os.path.isdir(root) else []
for n in sorted(names, key=lambda n: os.path.getmtime(os.path.join(root, n)), reverse=True):
    print(n)
PY
}
find_archive() { # find_archive SHA -> the kept build's directory
  local want="$1" full kept n matches=()
  [[ -d "$ARCHIVE/$want" ]] && { echo "$ARCHIVE/$want"; return; }
  if full="$(git -C "$ROOT" rev-parse --verify --quiet "$want^{commit}" 2>/dev/null)"; then
    [[ -d "$ARCHIVE/${full:0:12}" ]] && { echo "$ARCHIVE/${full:0:12}"; return; }
  fi
  kept="$(kept_builds)"
  while IFS= read -r n; do
    [[ -n "$n" && "$n" == "$want"* && "$n" != *-dirty ]] && matches+=("$n")
  done <<<"$kept"
  if ((${#matches[@]} == 1)); then echo "$ARCHIVE/${matches[0]}"; return; fi
  if ((${#matches[@]} > 1)); then die "--from-commit $want matches several kept builds: ${matches[*]}"; fi
  die "no kept build for commit $want under ${ARCHIVE#"$ROOT"/}; kept builds, newest first: ${kept//$'\n'/ }"
}
manifest_get() { sed -n "s/^$2=//p" "$1/manifest" 2>/dev/null | head -n 1; }

if [[ -n "$FROM_COMMIT" ]]; then
  KEPT="$(find_archive "$FROM_COMMIT")"
  SKIP_BUILD=1
  LAMBDA_DIR="$KEPT/lambda"
  kept_arch="$(manifest_get "$KEPT" arch)"
  if [[ -z "$ARCH_GIVEN" && -n "$kept_arch" ]]; then ARCH="$kept_arch"; fi
  if [[ -d "$KEPT/web" ]]; then
    WEB_DIR="$KEPT/web"
  else
    warn "no web client kept in ${KEPT#"$ROOT"/}: deploying $WEB_DIR as it is"
  fi
  echo "deploy: the build kept for $(manifest_get "$KEPT" commit || true) (${KEPT#"$ROOT"/}, $ARCH, built $(manifest_get "$KEPT" built || true))"
fi

# ---------------------------------------------------------------- tools
step "tools"
missing=()
need() { command -v "$1" >/dev/null || missing+=("$1: $2"); }
need node "node >= 20 (Debian: apt-get install nodejs npm)"
need npm "npm (Debian: apt-get install npm)"
need python3 "python3 (it checks the zips and reads the outputs)"
[[ -n "$DRY_RUN" ]] || need aws "the AWS CLI v2 (https://docs.aws.amazon.com/cli/)"
if [[ "$RUST_FUNCTION" == true ]]; then
  need cargo "the Rust toolchain (rustup)"
  cargo lambda --version >/dev/null 2>&1 || missing+=("cargo-lambda: --rust-function runs it during synth (pip install cargo-lambda)")
elif [[ -z "$SKIP_BUILD" ]]; then
  need cargo "the Rust toolchain (rustup), or --skip-build with zips already built"
  # scripts/lambdas.sh installs cargo-lambda into a venv when it is not on PATH.
  if ! cargo lambda --version >/dev/null 2>&1 && ! python3 -c 'import venv, ensurepip' 2>/dev/null; then
    missing+=("cargo-lambda, or python3 with venv to install it (Debian: apt-get install python3-venv)")
  fi
fi
if command -v node >/dev/null && ! node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)'; then
  missing+=("node >= 20: this is $(node --version)")
fi
if ((${#missing[@]})); then
  printf 'deploy: missing: %s\n' "${missing[@]}" >&2
  exit 1
fi
echo "node $(node --version), npm $(npm --version), $(python3 --version)${DRY_RUN:+, dry run: no AWS call}"

# The bootstrap of each zip is an ELF binary whose machine field (offset 18) says its
# architecture: 0x3E x86-64, 0xB7 aarch64. Lambda would fail at the first invocation otherwise.
zip_arch() {
  python3 - "$1" <<'PY'
import sys, zipfile
try:
    with zipfile.ZipFile(sys.argv[1]) as z:
        head = z.open("bootstrap").read(20)
except KeyError:
    print("no bootstrap inside"); sys.exit()
except (zipfile.BadZipFile, OSError):
    print("not a zip"); sys.exit()
if len(head) < 20 or head[:4] != b"\x7fELF":
    print("not an ELF binary"); sys.exit()
machine = int.from_bytes(head[18:20], "little" if head[5] == 1 else "big")
print({0x3E: "x86_64", 0xB7: "arm64"}.get(machine, "ELF machine 0x%x" % machine))
PY
}
check_zips() {
  local f zip got
  for f in "${FUNCTIONS[@]}"; do
    zip="$LAMBDA_DIR/$f/bootstrap.zip"
    [[ -f "$zip" ]] || die "$zip is missing: build the functions (ARCH=$ARCH make lambdas) or drop --skip-build"
    got="$(zip_arch "$zip")"
    if [[ "$got" != "$ARCH" ]]; then
      case "$got" in
        x86_64|arm64) die "$zip holds an $got binary, but the functions are to run on $ARCH: rebuild with ARCH=$ARCH make lambdas, or pass --arch $got" ;;
        *) die "$zip: $got (the zip must hold the Lambda binary as bootstrap): rebuild with ARCH=$ARCH make lambdas" ;;
      esac
    fi
  done
  echo "the four zips hold $ARCH binaries (${LAMBDA_DIR#"$ROOT"/})"
}
if [[ -n "$SKIP_BUILD" && "$RUST_FUNCTION" != true ]]; then
  check_zips
  [[ -f "$WEB_DIR/index.html" ]] || die "$WEB_DIR/index.html is missing: build the web client (scripts/web-build.sh)"
fi

# ---------------------------------------------------------------- preflight (AWS)
FIRST_DEPLOY=
ACCOUNT=
if [[ -z "$DRY_RUN" ]]; then
  step "preflight: who deploys where"
  identity="$(aws sts get-caller-identity --query '[Account,Arn]' --output text)" \
    || die "no usable AWS credentials (aws sts get-caller-identity failed): aws configure, aws sso login, or --profile"
  read -r ACCOUNT caller_arn <<<"$identity"
  status_err="$(mktemp)"
  if stack_status="$(aws cloudformation describe-stacks --stack-name "$STACK_NAME" \
      --query 'Stacks[0].StackStatus' --output text 2>"$status_err")"; then
    stack_line="exists ($stack_status): this deploy updates it"
    if [[ "$stack_status" == ROLLBACK_COMPLETE ]]; then
      rm -f "$status_err"
      die "stack $STACK_NAME is ROLLBACK_COMPLETE (its first deploy failed): CloudFormation cannot update it; remove it with scripts/destroy.sh --stack $STACK_NAME, then deploy again"
    fi
  elif grep -q 'does not exist' "$status_err"; then
    stack_line="does not exist yet: this is its first deploy"
    FIRST_DEPLOY=1
  else
    cat "$status_err" >&2; rm -f "$status_err"
    die "could not read stack $STACK_NAME (aws cloudformation describe-stacks failed)"
  fi
  rm -f "$status_err"
  printf '  account   %s\n  identity  %s\n  region    %s\n  profile   %s\n  stack     %s %s\n' \
    "$ACCOUNT" "$caller_arn" "$REGION" "${AWS_PROFILE:-(none: default credentials)}" "$STACK_NAME" "$stack_line"

  aws rekognition list-collections --max-results 1 >/dev/null \
    || die "Rekognition does not answer in $REGION (aws rekognition list-collections failed): it is not offered in every region, and the worker and face sign-in need it; pick another --region or check the identity's permissions"
  echo "  Rekognition answers in $REGION"

  ses="$(aws sesv2 get-account --query '[ProductionAccessEnabled,SendingEnabled,EnforcementStatus]' --output text)" \
    || die "SES does not answer in $REGION (aws sesv2 get-account failed): auth sends its mail through SES in the stack's region"
  read -r ses_production ses_sending ses_enforcement <<<"$ses"
  if [[ "${ses_production,,}" == true ]]; then
    echo "  SES in $REGION: production access (ProductionAccessEnabled true): auth may mail anyone"
  else
    echo "  SES in $REGION: in the SANDBOX (ProductionAccessEnabled ${ses_production,,}): it sends only to verified"
    echo "  addresses, at most 200 messages a day. Verify each recipient and deploy with --ses-sandbox, or ask"
    echo "  AWS for production access (SES console -> Account dashboard)."
    [[ "$SES_SANDBOX" == true ]] || warn "SES is in the sandbox and --ses-sandbox is off: auth's mail (password resets) will be refused"
    [[ "$SIGN_UP" != open ]] || warn "sign-up is open but SES is in the sandbox: confirmation links reach only verified addresses, so strangers cannot finish signing up"
  fi
  # The sender's identity: made by the stack (email, domain), or one that must already be
  # verified (existing).
  sender="${MAIL_FROM##*<}"; sender="${sender%>}"; sender_domain="${sender##*@}"
  if [[ "$SES_IDENTITY" == existing ]]; then
    verified=""
    for identity in "$sender" "$sender_domain"; do
      status="$(aws sesv2 get-email-identity --email-identity "$identity" --query VerifiedForSendingStatus --output text 2>/dev/null || true)"
      [[ "${status,,}" == true ]] && verified="$identity"
    done
    [[ -n "$verified" ]] || die "--ses-identity existing: neither $sender nor $sender_domain is a verified SES identity in $REGION (aws sesv2 get-email-identity); verify one, or deploy with --ses-identity email or domain"
    echo "  SES identity $verified is verified: auth sends as $sender"
  elif [[ "$SES_IDENTITY" == domain ]]; then
    echo "  SES identity: the stack makes $sender_domain with DKIM; add the three CNAME records printed at the end to its DNS"
  else
    echo "  SES identity: the stack makes $sender; AWS mails it a verification link, so it must be a mailbox you read"
  fi
  if [[ "${ses_sending,,}" != true ]]; then
    warn "SES sending is paused for this account in $REGION (SendingEnabled ${ses_sending,,}, enforcement ${ses_enforcement:-?})"
  fi
  confirm "Build and deploy stack $STACK_NAME to account $ACCOUNT in $REGION?"
fi

# ---------------------------------------------------------------- build
step "infra dependencies (npm ci, skipped while node_modules matches the lockfile)"
lock_sum="$(sha256sum "$INFRA/package-lock.json" | cut -d' ' -f1)"
if [[ "$(cat "$INFRA/node_modules/.facelens-lock" 2>/dev/null)" != "$lock_sum" ]]; then
  (cd "$INFRA" && npm ci --no-audit --no-fund && echo "$lock_sum" > node_modules/.facelens-lock)
fi
CDK="$INFRA/node_modules/.bin/cdk"

if [[ -z "$SKIP_BUILD" && "$RUST_FUNCTION" != true ]]; then
  step "Lambda zips for $ARCH (scripts/lambdas.sh, as make lambdas)"
  ARCH="$ARCH" LAMBDA_DIR="$LAMBDA_DIR" bash "$ROOT/scripts/lambdas.sh"
fi
if [[ -z "$SKIP_BUILD" ]]; then
  step "web client"
  if [[ -f "$ROOT/scripts/web-build.sh" ]]; then
    bash "$ROOT/scripts/web-build.sh"
  elif [[ -f "$ROOT/web/package.json" ]]; then
    (cd "$ROOT/web" && npm ci --no-audit --no-fund && npm run build)
  fi
  [[ -f "$WEB_DIR/index.html" ]] || die "$WEB_DIR/index.html is missing: build the web client"
  if [[ "$RUST_FUNCTION" != true ]]; then
    check_zips
    name="$(commit_name)"
    if [[ -z "$name" ]]; then
      warn "not a git checkout: this build is not kept for --from-commit"
    else
      step "keep this build for rollback: ${ARCHIVE#"$ROOT"/}/$name"
      [[ "$name" == *-dirty ]] && warn "the tree has uncommitted changes: kept as $name, replaced by the next such build"
      rm -rf "$ARCHIVE/$name.tmp"
      mkdir -p "$ARCHIVE/$name.tmp/lambda"
      for f in "${FUNCTIONS[@]}"; do
        mkdir -p "$ARCHIVE/$name.tmp/lambda/$f"
        cp "$LAMBDA_DIR/$f/bootstrap.zip" "$ARCHIVE/$name.tmp/lambda/$f/"
      done
      cp -R "$WEB_DIR" "$ARCHIVE/$name.tmp/web"
      printf 'commit=%s\narch=%s\nbuilt=%s\n' "$(git -C "$ROOT" rev-parse HEAD)" "$ARCH" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
        > "$ARCHIVE/$name.tmp/manifest"
      rm -rf "${ARCHIVE:?}/$name"
      mv "$ARCHIVE/$name.tmp" "$ARCHIVE/$name"
      # The newest ARCHIVE_KEEP builds stay.
      kept_builds | tail -n +"$((ARCHIVE_KEEP + 1))" | while IFS= read -r old; do rm -rf "${ARCHIVE:?}/$old"; done
    fi
  fi
fi

ctx=(
  -c region="$REGION"
  -c stackName="$STACK_NAME"
  -c arch="$ARCH"
  -c adminEmails="$ADMIN_EMAIL"
  -c mailFrom="$MAIL_FROM"
  -c waf="$WAF"
  -c sesSandbox="$SES_SANDBOX" -c sesIdentity="$SES_IDENTITY"
  -c retainData="$RETAIN_DATA"
  -c rustFunction="$RUST_FUNCTION"
  -c lambdaDir="$LAMBDA_DIR"
  -c webDir="$WEB_DIR"
)
# The ALB is on with its certificate (HTTPS only); --no-alb drops it, and the certificate with it.
if [[ "$ALB" == false ]]; then
  ctx+=(-c alb=false)
elif [[ -n "$ALB_CERT_ARN" ]]; then
  ctx+=(-c certificateArn="$ALB_CERT_ARN")
fi
[[ -n "$CLOUDFRONT_WEB_ACL_ARN" ]] && ctx+=(-c cloudFrontWebAclArn="$CLOUDFRONT_WEB_ACL_ARN")
[[ -n "$DOMAIN" ]] && ctx+=(-c domainName="$DOMAIN" -c cloudFrontCertificateArn="$CLOUDFRONT_CERT_ARN")
[[ -n "$MONTHLY_BUDGET_USD" ]] && ctx+=(-c monthlyBudgetUsd="$MONTHLY_BUDGET_USD")
ctx+=(-c signUp="$SIGN_UP")

cd "$INFRA"
# Synthesized once: the diff, the cost and the deploy are of this very template.
step "cdk synth -> infra/cdk.out"
"$CDK" synth "$STACK_NAME" "${ctx[@]}" --quiet --no-lookups
TEMPLATE="cdk.out/$STACK_NAME.template.json"
cost() { node --import tsx bin/cost-at-rest.ts "$TEMPLATE"; }
if [[ -n "$DRY_RUN" ]]; then
  step "cost at rest"
  cost
  echo "deploy: dry run done; nothing called AWS; the template is infra/$TEMPLATE"
  exit 0
fi

step "cdk bootstrap (once per account and region; a no-op afterwards)"
"$CDK" bootstrap "aws://$ACCOUNT/$REGION" --app cdk.out

step "cdk diff: what this deploy changes in $STACK_NAME"
"$CDK" diff "$STACK_NAME" --app cdk.out
step "cost at rest"
cost
confirm "Deploy these changes to $STACK_NAME in account $ACCOUNT, $REGION?"

step "cdk deploy $STACK_NAME to $REGION"
# The diff above was confirmed (IAM and security-group changes are part of it).
"$CDK" deploy "$STACK_NAME" --app cdk.out --require-approval never --outputs-file cdk-outputs.json
if [[ -n "${name:-}" && -d "$ARCHIVE/$name" ]]; then
  echo "deployed=$STACK_NAME $ACCOUNT $REGION $(date -u +%Y-%m-%dT%H:%M:%SZ)" >> "$ARCHIVE/$name/manifest"
elif [[ -n "${KEPT:-}" ]]; then
  echo "deployed=$STACK_NAME $ACCOUNT $REGION $(date -u +%Y-%m-%dT%H:%M:%SZ) (rollback)" >> "$KEPT/manifest"
fi

step "outputs (also in infra/cdk-outputs.json)"
cat cdk-outputs.json
output() { python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))[sys.argv[2]][sys.argv[3]])' cdk-outputs.json "$STACK_NAME" "$1"; }
cat <<EOF

Next:
  1. SES: $(case "$SES_IDENTITY" in
       email) echo "confirm the verification email AWS sent to the sender address." ;;
       domain) echo "add the MailDkimRecord1-3 CNAME records above to the domain's DNS; SES verifies it within hours." ;;
       existing) echo "nothing: the identity was verified before." ;;
     esac)
     Confirm the SNS subscription email sent to each admin (alerts arrive only after that).
  2. Open the SiteUrl above. To use the stack's resources from the local product, see
     infra/README.md, "Run the local product against the deployed stack". Logs, alarms,
     redrive, restore and rollback: infra/README.md, "Operate".
EOF
if [[ -n "$FIRST_DEPLOY" ]]; then
  # The stack creates no user: auth-admin writes the first admin into the table (README.md).
  first_admin="${ADMIN_EMAIL%%,*}"
  env_line="AWS_REGION=$(printf %q "$REGION")"
  [[ -n "${AWS_PROFILE:-}" ]] && env_line+=" AWS_PROFILE=$(printf %q "$AWS_PROFILE")"
  env_line+=" FACELENS_TABLE_NAME=$(printf %q "$(output TableName)")"
  cat <<EOF
  3. First admin: the stack creates no user. Run once, from the repo root (a password is
     generated and printed once unless FACELENS_ADMIN_PASSWORD is set; nothing is logged):

     $env_line \\
       cargo run -p facelens-auth --bin auth-admin -- --email $(printf %q "$first_admin")
EOF
fi
