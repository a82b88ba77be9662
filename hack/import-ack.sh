#!/usr/bin/env bash
# Generates the typed cdk8s bindings in imports/ from the ACK CRDs fetched by hack/fetch-ack-crds.sh.
# Only the kinds the charts render are imported, one TypeScript module per API group.
# imports/ is generated: never edit it by hand; rerun `npm run import` instead.
set -euo pipefail
cd "$(dirname "$0")/.."
bash hack/fetch-ack-crds.sh
SRC=.cache/ack-crds
TMP=.cache/ack-import
rm -rf "$TMP"; mkdir -p "$TMP" imports
declare -A KINDS=(
  [ec2]="vpcs subnets internetgateways elasticipaddresses natgateways routetables securitygroups"
  [rds]="dbsubnetgroups dbclusters dbinstances"
  [elasticache]="cachesubnetgroups replicationgroups"
  [s3]="buckets"
  [secretsmanager]="secrets"
  [kms]="keys"
)
for svc in ec2 rds elasticache s3 secretsmanager kms; do
  out="$TMP/$svc.services.k8s.aws.yaml"
  for plural in ${KINDS[$svc]}; do
    f="$SRC/$svc/$svc.services.k8s.aws_$plural.yaml"
    [[ -f "$f" ]] || { echo "import-ack: missing $f (run hack/fetch-ack-crds.sh)" >&2; exit 1; }
    { echo "---"; cat "$f"; } >> "$out"
  done
  # CDK8S_CHECK_UPGRADE=false: the CLI's upgrade check needs the network and only prints noise offline.
  CDK8S_CHECK_UPGRADE=false npx --no-install cdk8s import "$out" --language typescript --output imports > "$TMP/$svc.log" 2>&1 \
    || { cat "$TMP/$svc.log" >&2; exit 1; }
  echo "import-ack: imports/$svc.services.k8s.aws.ts ($(cat "$SRC/$svc/.tag"))"
done
