#!/usr/bin/env bash
# Deploys Facelens into the AWS account and region of the current credentials (`make deploy`).
# Steps: check tools -> npm ci (infra) -> cargo lambda build (4 zips) -> web build -> cdk bootstrap
# -> cdk deploy -> print the outputs. Step by step, with what it costs: infra/README.md.
#
#   scripts/deploy.sh --admin-email admin@example.org --mail-from no-reply@example.org
#   ADMIN_EMAIL=admin@example.org MAIL_FROM=no-reply@example.org make deploy
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
#   --arch arm64|x86_64      Lambda architecture, default arm64 [ARCH]
#   --ses-sandbox            let auth mail any verified identity (SES sandbox) [SES_SANDBOX=true]
#   --no-retain              make destroy removes the table and the uploads too [RETAIN_DATA=false]
#   --skip-build             deploy the zips and web/dist already built [SKIP_BUILD=1]
#   --rust-function          let cdk build the functions (cargo-lambda-cdk) [RUST_FUNCTION=true]
#   --yes                    no approval prompt for IAM changes [YES=1]
#   --stack NAME             stack name, default Facelens [STACK_NAME]
#   --dry-run                build and synthesize only: no bootstrap, no deploy [DRY_RUN=1]
# Build outputs are taken from target/lambda and web/dist [LAMBDA_DIR, WEB_DIR].
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
INFRA="$ROOT/infra"
FUNCTIONS=(auth uploads analyses analysis-worker)

ADMIN_EMAIL="${ADMIN_EMAIL:-}"
MAIL_FROM="${MAIL_FROM:-}"
REGION="${AWS_REGION:-${AWS_DEFAULT_REGION:-}}"
DOMAIN="${DOMAIN:-}"
CLOUDFRONT_CERT_ARN="${CLOUDFRONT_CERT_ARN:-}"
ALB_CERT_ARN="${ALB_CERT_ARN:-}"
ALB="${ALB:-}"
WAF="${WAF:-false}"
CLOUDFRONT_WEB_ACL_ARN="${CLOUDFRONT_WEB_ACL_ARN:-}"
ARCH="${ARCH:-arm64}"
SES_SANDBOX="${SES_SANDBOX:-false}"
RETAIN_DATA="${RETAIN_DATA:-true}"
SKIP_BUILD="${SKIP_BUILD:-}"
RUST_FUNCTION="${RUST_FUNCTION:-false}"
YES="${YES:-}"
STACK_NAME="${STACK_NAME:-Facelens}"
DRY_RUN="${DRY_RUN:-}"
LAMBDA_DIR="${LAMBDA_DIR:-$ROOT/target/lambda}"
WEB_DIR="${WEB_DIR:-$ROOT/web/dist}"

usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}"; exit "${1:-0}"; }
die() { echo "deploy: $*" >&2; exit 1; }

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
    --arch) ARCH="$2"; shift 2 ;;
    --ses-sandbox) SES_SANDBOX=true; shift ;;
    --no-retain) RETAIN_DATA=false; shift ;;
    --skip-build) SKIP_BUILD=1; shift ;;
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
if [[ -n "$DOMAIN" && -z "$CLOUDFRONT_CERT_ARN" ]]; then die "--domain needs --cloudfront-cert (us-east-1)"; fi
if [[ "$ALB" == true && -z "$ALB_CERT_ARN" ]]; then
  die "ALB=true needs --alb-cert ARN: the ALB carries passwords and tokens, so it serves HTTPS only"
fi
if [[ -z "$REGION" ]] && command -v aws >/dev/null; then REGION="$(aws configure get region 2>/dev/null || true)"; fi
[[ -n "$REGION" ]] || die "no region: pass --region or set AWS_REGION"
if [[ "$WAF" == true && "$REGION" != us-east-1 && -z "$CLOUDFRONT_WEB_ACL_ARN" ]]; then
  die "--waf in $REGION needs --cloudfront-web-acl ARN: CloudFront takes only a web ACL made in us-east-1 (infra/README.md, \"WAF\")"
fi
export AWS_REGION="$REGION" CDK_DISABLE_CLI_TELEMETRY=true

step() { printf '\n==> %s\n' "$*"; }

step "tools"
for tool in node npm cargo; do command -v "$tool" >/dev/null || die "$tool is missing"; done

step "infra dependencies (npm ci, skipped while node_modules matches the lockfile)"
lock_sum="$(sha256sum "$INFRA/package-lock.json" | cut -d' ' -f1)"
if [[ "$(cat "$INFRA/node_modules/.facelens-lock" 2>/dev/null)" != "$lock_sum" ]]; then
  (cd "$INFRA" && npm ci --no-audit --no-fund && echo "$lock_sum" > node_modules/.facelens-lock)
fi
CDK="$INFRA/node_modules/.bin/cdk"

if [[ -z "$SKIP_BUILD" && "$RUST_FUNCTION" != true ]]; then
  step "Lambda zips for $ARCH (scripts/lambdas.sh, as make lambdas)"
  ARCH="$ARCH" LAMBDA_DIR="$ROOT/target/lambda" bash "$ROOT/scripts/lambdas.sh"
fi
if [[ -z "$SKIP_BUILD" ]]; then
  step "web client"
  if [[ -f "$ROOT/scripts/web-build.sh" ]]; then
    bash "$ROOT/scripts/web-build.sh"
  elif [[ -f "$ROOT/web/package.json" ]]; then
    (cd "$ROOT/web" && npm ci --no-audit --no-fund && npm run build)
  fi
fi
if [[ "$RUST_FUNCTION" != true ]]; then
  for f in "${FUNCTIONS[@]}"; do
    [[ -f "$LAMBDA_DIR/$f/bootstrap.zip" ]] || die "$LAMBDA_DIR/$f/bootstrap.zip is missing"
  done
fi
[[ -f "$WEB_DIR/index.html" ]] || die "$WEB_DIR/index.html is missing: build the web client"

ctx=(
  -c region="$REGION"
  -c stackName="$STACK_NAME"
  -c arch="$ARCH"
  -c adminEmails="$ADMIN_EMAIL"
  -c mailFrom="$MAIL_FROM"
  -c waf="$WAF"
  -c sesSandbox="$SES_SANDBOX"
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

cd "$INFRA"
if [[ -n "$DRY_RUN" ]]; then
  step "cdk synth (dry run: nothing is deployed) -> infra/cdk.out"
  "$CDK" synth "$STACK_NAME" "${ctx[@]}" --quiet
  echo "deploy: dry run done; the template is infra/cdk.out/$STACK_NAME.template.json"
  exit 0
fi
step "cdk bootstrap (once per account and region; a no-op afterwards)"
"$CDK" bootstrap "${ctx[@]}"

step "cdk deploy $STACK_NAME to $REGION"
approval=broadening
[[ -n "$YES" ]] && approval=never
"$CDK" deploy "$STACK_NAME" "${ctx[@]}" --require-approval "$approval" --outputs-file cdk-outputs.json

step "outputs (also in infra/cdk-outputs.json)"
cat cdk-outputs.json
cat <<EOF

Next:
  1. Confirm the SES verification email sent to the sender address, and the SNS subscription
     email sent to each admin (alerts arrive only after that).
  2. Open the SiteUrl above. To use the stack's resources from the local product, see
     infra/README.md, "Run the local product against the deployed stack".
EOF
