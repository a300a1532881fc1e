#!/usr/bin/env bash
# Removes the Facelens stack (`make destroy`) and says truly whether it is gone: it deletes the
# stack with CloudFormation and follows it until DELETE_COMPLETE (or the stack is not found),
# and stops with the reasons if the deletion fails.
#
# A stack deployed with the defaults (retainData) keeps the table, the uploads bucket, the logs
# bucket and the KMS key (your data): this script names them afterwards and how to delete them
# by hand. A stack deployed with --no-retain deletes the photos and the table with it: then it
# warns and asks you to type the stack's name first (--yes alone does not do; for scripts,
# --confirm-delete-data NAME). See infra/README.md, "Destroy".
#
#   scripts/destroy.sh [--region REGION] [--profile NAME] [--stack NAME] [--yes]
#                      [--confirm-delete-data NAME] [--timeout MINUTES]
set -euo pipefail

REGION="${AWS_REGION:-${AWS_DEFAULT_REGION:-}}"
STACK_NAME="${STACK_NAME:-Facelens}"
YES="${YES:-}"
CONFIRM_DELETE_DATA="${CONFIRM_DELETE_DATA:-}"
TIMEOUT_MINUTES="${TIMEOUT_MINUTES:-60}"
POLL_SECONDS="${POLL_SECONDS:-15}"

die() { echo "destroy: $*" >&2; exit 1; }
while (($#)); do
  case "$1" in
    --region) REGION="$2"; shift 2 ;;
    --profile) export AWS_PROFILE="$2"; shift 2 ;;
    --stack) STACK_NAME="$2"; shift 2 ;;
    --yes|-y) YES=1; shift ;;
    --confirm-delete-data) CONFIRM_DELETE_DATA="$2"; shift 2 ;;
    --timeout) TIMEOUT_MINUTES="$2"; shift 2 ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) die "unknown option $1" ;;
  esac
done
[[ "$TIMEOUT_MINUTES" =~ ^[0-9]+$ ]] || die "--timeout takes minutes"
command -v aws >/dev/null || die "the AWS CLI is missing"
command -v python3 >/dev/null || die "python3 is missing (it reads the stack's template)"
if [[ -z "$REGION" ]]; then REGION="$(aws configure get region 2>/dev/null || true)"; fi
[[ -n "$REGION" ]] || die "no region: pass --region or set AWS_REGION"
export AWS_REGION="$REGION"

# ---------------------------------------------------------------- what is there
err="$(mktemp)"
trap 'rm -f "$err"' EXIT
if ! stack="$(aws cloudformation describe-stacks --stack-name "$STACK_NAME" \
    --query 'Stacks[0].[StackId,StackStatus]' --output text 2>"$err")"; then
  if grep -q 'does not exist' "$err"; then
    echo "destroy: there is no stack $STACK_NAME in $REGION (account $(aws sts get-caller-identity --query Account --output text 2>/dev/null || echo '?')): nothing to delete"
    exit 0
  fi
  cat "$err" >&2
  die "could not read stack $STACK_NAME (aws cloudformation describe-stacks failed)"
fi
read -r STACK_ID STATUS <<<"$stack"
case "$STATUS" in
  DELETE_IN_PROGRESS) echo "destroy: $STACK_NAME is already being deleted; following it" ;;
  *_IN_PROGRESS) die "$STACK_NAME is $STATUS: wait until it has finished, then run this again" ;;
esac

output() { # output KEY: a stack output, empty if absent
  aws cloudformation describe-stacks --stack-name "$STACK_ID" \
    --query "Stacks[0].Outputs[?OutputKey=='$1'].OutputValue | [0]" --output text 2>/dev/null | sed 's/^None$//'
}
TABLE="$(output TableName)"
BUCKET="$(output BucketName)"
LOGS_BUCKET="$(output LogsBucketName)"
KEY_ID="$(aws cloudformation describe-stack-resources --stack-name "$STACK_ID" \
  --query "StackResources[?ResourceType=='AWS::KMS::Key'].PhysicalResourceId | [0]" --output text 2>/dev/null | sed 's/^None$//')"

# Whether the data goes with the stack: the deletion policy of the table and the uploads bucket
# in the deployed template (RetainExceptOnCreate, or Retain before it, with retainData, the
# default; Delete with --no-retain).
DATA_POLICY="$(aws cloudformation get-template --stack-name "$STACK_ID" --query TemplateBody --output json \
  | python3 -c '
import json, sys
body = json.load(sys.stdin)
if isinstance(body, str):
    body = json.loads(body)
policies = set()
for lid, r in body.get("Resources", {}).items():
    if r.get("Type") == "AWS::DynamoDB::Table" or (r.get("Type") == "AWS::S3::Bucket" and lid.startswith("UploadsBucket")):
        policies.add(r.get("DeletionPolicy", "Delete"))
print("Delete" if "Delete" in policies else "Retain" if policies else "none")')" \
  || die "could not read the template of $STACK_NAME (aws cloudformation get-template failed)"

ACCOUNT="$(aws sts get-caller-identity --query Account --output text)"
echo "Stack $STACK_NAME ($STATUS) in account $ACCOUNT, $REGION."

# ---------------------------------------------------------------- confirm
if [[ "$DATA_POLICY" == Delete ]]; then
  items="$( [[ -n "$TABLE" ]] && aws dynamodb describe-table --table-name "$TABLE" --query Table.ItemCount --output text 2>/dev/null || echo '?')"
  cat >&2 <<EOF

  !!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!
  !!  $STACK_NAME was deployed with --no-retain (retainData=false): deleting it DELETES
  !!  EVERY PHOTO AND EVERY ACCOUNT, with no way back:
  !!    - the uploads bucket ${BUCKET:-?}: originals, annotated images, live snapshots and
  !!      enrolled face captures, every version of them (emptied, then deleted);
  !!    - the table ${TABLE:-?} (about $items items, as DynamoDB last counted): accounts,
  !!      analyses, alerts, and its point-in-time recovery (a system backup DynamoDB may keep,
  !!      aws dynamodb list-backups --backup-type SYSTEM, is encrypted with the key below);
  !!    - the logs bucket ${LOGS_BUCKET:-?}, and the KMS key (deleted after 7 days);
  !!    - the face collection (every enrolled face).
  !!  To keep them, redeploy first without --no-retain, then destroy.
  !!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!

EOF
  if [[ -n "$CONFIRM_DELETE_DATA" ]]; then
    [[ "$CONFIRM_DELETE_DATA" == "$STACK_NAME" ]] \
      || die "--confirm-delete-data must be the stack's name ($STACK_NAME): nothing deleted"
  else
    [[ -t 0 ]] || die "the photos would be deleted and there is no terminal to confirm on: pass --confirm-delete-data $STACK_NAME (--yes is not enough); nothing deleted"
    read -r -p "Type the stack's name ($STACK_NAME) to delete it with all its data: " typed
    [[ "$typed" == "$STACK_NAME" ]] || die "not confirmed: nothing deleted"
  fi
elif [[ -z "$YES" ]]; then
  [[ -t 0 ]] || die "no terminal to ask on: pass --yes to delete $STACK_NAME; nothing deleted"
  echo "The table, the uploads and logs buckets and the KMS key are kept (retainData); everything else goes,"
  echo "the face collection too (enrolled faces must be enrolled again on a new stack)."
  read -r -p "Delete stack $STACK_NAME? [y/N] " answer
  [[ "$answer" =~ ^[Yy]([Ee][Ss])?$ ]] || die "not confirmed: nothing deleted"
fi

# ---------------------------------------------------------------- delete and follow
if [[ "$STATUS" != DELETE_IN_PROGRESS ]]; then
  aws cloudformation delete-stack --stack-name "$STACK_ID"
  echo "destroy: deletion of $STACK_NAME started (CloudFront takes a few minutes to disable)"
fi
deadline=$((SECONDS + TIMEOUT_MINUTES * 60))
last=
while :; do
  # By id: a deleted stack is still described (DELETE_COMPLETE) under its id; by name it is not found.
  if now="$(aws cloudformation describe-stacks --stack-name "$STACK_ID" \
      --query 'Stacks[0].StackStatus' --output text 2>"$err")"; then
    :
  elif grep -q 'does not exist' "$err"; then
    now=GONE
  else
    cat "$err" >&2
    die "could not read the stack's status; it may still be deleting: aws cloudformation describe-stacks --stack-name $STACK_ID"
  fi
  [[ "$now" != "$last" ]] && echo "  $(date -u +%H:%M:%S) $now"
  last="$now"
  case "$now" in
    DELETE_COMPLETE|GONE) break ;;
    DELETE_FAILED)
      echo "destroy: $STACK_NAME is NOT gone: DELETE_FAILED. What failed:" >&2
      aws cloudformation describe-stack-events --stack-name "$STACK_ID" \
        --query "StackEvents[?ResourceStatus=='DELETE_FAILED'].[LogicalResourceId,ResourceStatusReason]" \
        --output text >&2 || true
      die "fix what is named above (e.g. empty a bucket by hand), then run this again"
      ;;
  esac
  ((SECONDS < deadline)) || die "$STACK_NAME is still $now after $TIMEOUT_MINUTES minutes: NOT confirmed gone; follow it with: aws cloudformation describe-stacks --stack-name $STACK_ID"
  sleep "$POLL_SECONDS"
done

echo
echo "Stack $STACK_NAME is gone (DELETE_COMPLETE) from account $ACCOUNT, $REGION."
if [[ "$DATA_POLICY" == Delete ]]; then
  echo "Its data went with it (--no-retain); the KMS key is scheduled for deletion (7 days)."
else
  cat <<EOF
These were kept (your data, retainData):
  - the DynamoDB table ${TABLE:-(see below)} (deletion protection on)
  - the uploads bucket ${BUCKET:-(see below)} and the logs bucket ${LOGS_BUCKET:-(see below)}
  - the KMS key ${KEY_ID:-(see below)} (it encrypts the table and the photos: schedule its deletion last)
Find them with:
  aws resourcegroupstaggingapi get-resources --tag-filters Key=project,Values=facelens --region $REGION
Delete them by hand (infra/README.md, "Destroy") when you no longer need the data.
EOF
fi
