#!/usr/bin/env bash
# Builds kro's controller (kubernetes-sigs/kro), the peer the benchmark compares the operator with
# (`npm run bench -- --peer kro`, docs/benchmarks.md), from the Go module proxy:
#   bin/kro/controller   the static binary (run out of cluster with --kubeconfig)
#   bin/kro/crds         symlink to the module's helm/crds (ResourceGraphDefinition), read in place
#   bin/kro/.stamp       "<version> seconds=<build seconds>"; a rebuild of the same version is skipped
#   bin/kro/build.log    output of the last build
# Optional: hack/setup.sh runs it; when the build fails the benchmark's kro side and the kro tests are skipped
# with the reason (and fail under CI=true). ~12 min cold on 2 cores, seconds with Go's build cache.
# Usage: hack/build-kro.sh
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION=v0.9.4
MOD=github.com/kubernetes-sigs/kro
OUT=$PWD/bin/kro
export GOTOOLCHAIN=local CGO_ENABLED=0
log() { printf '[build-kro %s] %s\n' "$(date +%H:%M:%S)" "$*"; }

if [[ -x $OUT/controller && -f $OUT/.stamp ]] && read -r v _ <"$OUT/.stamp" && [[ $v == "$VERSION" ]]; then
  log "kro $VERSION already built ($OUT/controller)"
  exit 0
fi
mkdir -p "$OUT"
start=$SECONDS
log "building kro $VERSION from the Go module proxy (~12 min cold on 2 cores)"
# `go mod download -json` prints the module's directory in the module cache; the module's own go.mod and go.sum
# pin every dependency, so `go build` inside it uses exactly kro's build list.
if ! dir=$(go mod download -json "$MOD@$VERSION" 2>"$OUT/build.log" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p') || [[ -z $dir ]]; then
  log "cannot download $MOD@$VERSION (see $OUT/build.log); the benchmark's kro side will be skipped"
  exit 0
fi
( while sleep 60; do log "still building ($((SECONDS - start))s)"; done ) &
hb=$!
rc=0
(cd "$dir" && go build -trimpath -ldflags '-s -w' -o "$OUT/controller.tmp" ./cmd/controller) >>"$OUT/build.log" 2>&1 || rc=$?
kill "$hb" 2>/dev/null; wait "$hb" 2>/dev/null || true
if ((rc != 0)); then
  log "build failed (exit $rc, see $OUT/build.log); the benchmark's kro side will be skipped"
  tail -5 "$OUT/build.log"
  exit 0
fi
mv "$OUT/controller.tmp" "$OUT/controller"
ln -sfn "$dir/helm/crds" "$OUT/crds"
echo "$VERSION seconds=$((SECONDS - start))" >"$OUT/.stamp"
log "built kro $VERSION in $((SECONDS - start)) s: $OUT/controller"
