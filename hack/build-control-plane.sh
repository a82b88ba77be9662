#!/usr/bin/env bash
# Builds the local test control plane from the Go module proxy into bin/:
#   bin/etcd, bin/kube-apiserver, bin/kube-controller-manager, bin/kubectl
# A rebuild is skipped when bin/.control-plane.stamp records the same pinned versions.
# Go's module and build caches (GOMODCACHE, GOCACHE) live outside the repo and make a rebuild in a
# fresh clone a matter of linking. See docs/control-plane.md for the recipe and its gotchas.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
KUBE_VERSION=v1.35.4   # v1.35.7 is refused by the module proxy here (403 "not available")
ETCD_VERSION=v3.6.16
BIN=$ROOT/bin
STAMP=$BIN/.control-plane.stamp
WANT="kube=$KUBE_VERSION etcd=$ETCD_VERSION"
export GOTOOLCHAIN=local CGO_ENABLED=0

if [[ -f $STAMP && "$(cat "$STAMP")" == "$WANT" ]] \
   && [[ -x $BIN/etcd && -x $BIN/kube-apiserver && -x $BIN/kube-controller-manager && -x $BIN/kubectl ]]; then
  echo "control plane: $WANT already built in bin/"
  exit 0
fi
mkdir -p "$BIN"
log() { printf '[build-control-plane %s] %s\n' "$(date +%H:%M:%S)" "$*"; }

# Print a heartbeat while a long step runs, so CI logs show progress during the cold build.
with_heartbeat() {
  local label=$1; shift
  local start=$SECONDS
  ( while sleep 60; do log "$label: still running ($((SECONDS - start))s)"; done ) &
  local hb=$!
  local rc=0
  "$@" || rc=$?
  kill "$hb" 2>/dev/null; wait "$hb" 2>/dev/null || true
  log "$label: done in $((SECONDS - start))s (exit $rc)"
  return "$rc"
}

minor=${KUBE_VERSION#v1.}; minor=${minor%%.*}
LD="-s -w"
for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  LD="$LD -X $p.gitVersion=$KUBE_VERSION -X $p.gitMajor=1 -X $p.gitMinor=$minor -X $p.gitTreeState=clean"
done

log "etcd $ETCD_VERSION"
(cd hack/tools/etcd && with_heartbeat "etcd" go build -trimpath -ldflags "-s -w" -o "$BIN/etcd" go.etcd.io/etcd/server/v3)

log "kube-apiserver, kube-controller-manager, kubectl $KUBE_VERSION (cold: ~5 min on 2 cores, measured; seconds when Go's build cache is warm)"
(cd hack/tools/k8s && with_heartbeat "kubernetes" go build -trimpath -tags notest -ldflags "$LD" -o "$BIN/" \
  k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager k8s.io/kubernetes/cmd/kubectl)

echo "$WANT" > "$STAMP"
log "built: $(cd "$BIN" && ls etcd kube-apiserver kube-controller-manager kubectl | tr '\n' ' ')"
