#!/usr/bin/env bash
# Obtains the CRDs of the pinned ACK controllers (hack/ack-versions.txt) from the Go module proxy:
# `go mod download` puts each controller module into GOMODCACHE; its config/crd/bases/*.yaml (and the shared
# config/crd/common/bases/*.yaml) are copied into .cache/ack-crds/<service>/ (git-ignored), with the tag that
# was actually used in <service>/.tag ("pinned=<tag> used=<tag>"). The pinned tag is tried first, then the fallback tag.
# A service the proxy serves at neither tag is reported, recorded as "used=none" (its CRDs then come from
# ACK_CRDS_DIR, if anywhere) and tried again on the next run; the exit status stays 0. Which source each kind
# finally comes from is decided by localcluster/ack-crd-sources.ts: see docs/ack-versions.md.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=.cache/ack-crds
mkdir -p "$OUT/common"
export GOTOOLCHAIN=local GOFLAGS=-mod=mod

download_dir() { # module@version -> module dir on stdout, or nothing
  (cd /tmp && go mod download -json "$1" 2>/dev/null | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p') || true
}

while read -r svc pinned fallback; do
  [[ -z "$svc" || "$svc" == \#* ]] && continue
  dir="$OUT/$svc"
  if [[ -f "$dir/.tag" ]] && grep -qx "pinned=$pinned used=.*" "$dir/.tag" && ! grep -qx ".* used=none" "$dir/.tag"; then continue; fi
  used=""; src=""
  for tag in "$pinned" "$fallback"; do
    [[ "$tag" == "-" || -z "$tag" ]] && continue
    src=$(download_dir "github.com/aws-controllers-k8s/${svc}-controller@${tag}")
    if [[ -n "$src" && -d "$src/config/crd/bases" ]]; then used=$tag; break; fi
  done
  if [[ -z "$used" ]]; then
    echo "fetch-ack-crds: $svc: the module proxy serves $([[ "$fallback" == "-" ]] && echo "no $pinned (and no fallback is recorded)" || echo "neither $pinned nor $fallback"); no CRDs from it" >&2
    rm -rf "$dir"; mkdir -p "$dir"
    echo "pinned=$pinned used=none" > "$dir/.tag"
    continue
  fi
  rm -rf "$dir"; mkdir -p "$dir"
  cp "$src"/config/crd/bases/*.yaml "$dir/"
  if [[ -d "$src/config/crd/common/bases" ]]; then cp "$src"/config/crd/common/bases/*.yaml "$OUT/common/"; fi
  chmod -R u+w "$dir" "$OUT/common"
  echo "pinned=$pinned used=$used" > "$dir/.tag"
  echo "fetch-ack-crds: $svc $used$([[ $used != "$pinned" ]] && echo " (pinned $pinned refused by the proxy)") — $(ls "$dir"/*.yaml | wc -l) CRDs"
done < hack/ack-versions.txt
