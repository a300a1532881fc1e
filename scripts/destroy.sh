#!/usr/bin/env bash
# Removes the Facelens stack (`make destroy`). Unless the stack was deployed with --no-retain,
# CloudFormation keeps the table, the uploads bucket, the logs bucket and the KMS key (your
# data); this script then lists them and how to delete them by hand. See infra/README.md.
#
#   scripts/destroy.sh [--region REGION] [--profile NAME] [--stack NAME] [--yes]
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
INFRA="$ROOT/infra"
REGION="${AWS_REGION:-${AWS_DEFAULT_REGION:-}}"
STACK_NAME="${STACK_NAME:-Facelens}"
YES="${YES:-}"

die() { echo "destroy: $*" >&2; exit 1; }
while (($#)); do
  case "$1" in
    --region) REGION="$2"; shift 2 ;;
    --profile) export AWS_PROFILE="$2"; shift 2 ;;
    --stack) STACK_NAME="$2"; shift 2 ;;
    --yes|-y) YES=1; shift ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) die "unknown option $1" ;;
  esac
done
if [[ -z "$REGION" ]] && command -v aws >/dev/null; then REGION="$(aws configure get region 2>/dev/null || true)"; fi
[[ -n "$REGION" ]] || die "no region: pass --region or set AWS_REGION"
export AWS_REGION="$REGION" CDK_DISABLE_CLI_TELEMETRY=true

cd "$INFRA"
[[ -x node_modules/.bin/cdk ]] || { npm ci --no-audit --no-fund && sha256sum package-lock.json | cut -d' ' -f1 > node_modules/.facelens-lock; }

# The app must synthesize to find the stack: placeholders stand in for the build outputs.
WORK="$(mktemp -d "${TMPDIR:-/tmp}/facelens-destroy-XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
for f in auth uploads analyses analysis-worker; do
  mkdir -p "$WORK/lambda/$f" && : > "$WORK/lambda/$f/bootstrap.zip"
done
mkdir -p "$WORK/web"

force=()
[[ -n "$YES" ]] && force=(--force)
node_modules/.bin/cdk destroy "$STACK_NAME" "${force[@]}" \
  -c region="$REGION" -c stackName="$STACK_NAME" -c lambdaDir="$WORK/lambda" -c webDir="$WORK/web"

cat <<EOF

Stack $STACK_NAME is gone. Unless it was deployed with --no-retain, these remain (your data):
  - the DynamoDB table (deletion protection on), the uploads bucket and the logs bucket
  - the KMS key (it encrypts the table; schedule its deletion only after deleting the table)
Find them with:
  aws resourcegroupstaggingapi get-resources --tag-filters Key=project,Values=facelens --region $REGION
Delete them by hand (infra/README.md, "Destroy") when you no longer need the data.
EOF
