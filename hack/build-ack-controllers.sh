#!/usr/bin/env bash
# Builds the ACK controller binaries used by the local e2e harness (localcluster/ack-controllers.ts):
#   bin/ack/<svc>/controller      one directory per service (every binary is called "controller")
#   bin/ack/<svc>/.stamp          "<tag> recipe=<n> seconds=<build seconds>"; a rebuild at the same tag and recipe is skipped
#   bin/ack/<svc>/build.log       output of the last go install attempt(s)
#   bin/ack/build-summary.tsv     service, tag (or -), status, seconds, detail: one line per service of
#                                 hack/ack-versions.txt, from the last run that tried it (a run for some services
#                                 keeps the lines of the others)
# Services and tags come from hack/ack-versions.txt ("<svc> <pinned tag> <fallback tag|->"): the pinned tag
# is tried first, then the fallback. A service that cannot be built is reported with the exact go error and
# the script goes on; it exits 0 unless no service at all could be built (or was already built).
# Usage: hack/build-ack-controllers.sh [svc ...]   (default: every service in hack/ack-versions.txt)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
OUT=$ROOT/bin/ack
SUMMARY=$OUT/build-summary.tsv
RECIPE=2   # bump when the way a binary is built changes, to force a rebuild
export GOTOOLCHAIN=local CGO_ENABLED=0
exec 3>&1   # progress lines go here even while a build's output is redirected to its build.log

log() { printf '[build-ack %s] %s\n' "$(date +%H:%M:%S)" "$*"; }

# Runs "$@", printing a heartbeat every 60 s (cold builds take minutes on 2 cores).
with_heartbeat() {
  local label=$1; shift
  local start=$SECONDS
  ( while sleep 60; do log "$label: still building ($((SECONDS - start))s)" >&3; done ) &
  local hb=$!
  local rc=0
  "$@" || rc=$?
  kill "$hb" 2>/dev/null; wait "$hb" 2>/dev/null || true
  return "$rc"
}

json_field() { sed -n "s/^[[:space:]]*\"$1\": \"\\(.*\\)\",\\{0,1\\}\$/\\1/p"; }

# 'go install <pkg>@<tag>' cannot be used here: it also reads <module>/@v/list to look for a deprecation
# notice, and the proxy refuses that list with 403 ("loading deprecation for ...: reading .../@v/list: 403
# Forbidden"), which is fatal. So each controller is installed from a throw-away wrapper module
# (.cache/ack-build/<svc>, git-ignored) that requires only <module>@<tag>. The controller go.mods have no
# replace/exclude lines and list every dependency, so the build list is the controller's own go.mod; this
# is checked, and the service fails if any requirement resolves to a different version.
# The version variables are set like ACK's release Dockerfile does (-X <module>/pkg/version.GitVersion=...),
# so resources get the real "services.k8s.aws/controller-version" tag instead of "<svc>-unknown".
build_in_wrapper() {
  local svc=$1 mod=$2 tag=$3 dir=$4
  local w=$ROOT/.cache/ack-build/$svc
  rm -rf "$w"; mkdir -p "$w"
  printf 'module marketplace-operator.invalid/ackbuild/%s\n\ngo 1.25.0\n' "$svc" >"$w/go.mod"
  (
    cd "$w"
    local info ctlmod ctldir commit date
    info=$(go mod download -json "$mod@$tag") || { echo "$info"; return 1; }
    ctlmod=$(json_field GoMod <<<"$info")
    ctldir=$(json_field Dir <<<"$info")
    commit=$(json_field Hash <<<"$info")
    date=$(date -u +%Y-%m-%dT%H:%M)   # what ACK's Makefile passes as BuildDate
    # Seed go.sum with the controller's own go.sum: the proxy serves every dependency, but its checksum
    # database answers 404 for some (e.g. aws-sdk-go-v2/service/rds v1.93.8). 'go install <pkg>@<tag>'
    # would trust the controller's go.sum the same way.
    [[ -f $ctldir/go.sum ]] && cp "$ctldir/go.sum" go.sum && chmod u+w go.sum
    go get "$mod/cmd/controller@$tag" || return 1
    awk '/^require \(/{f=1;next} /^\)/{f=0;next} f&&NF>=2{print $1, $2} /^require [^(]/{print $2, $3}' "$ctlmod" | sort >want.txt
    go list -m all >have.unsorted || return 1
    sort have.unsorted >have.txt
    local diff
    diff=$(comm -23 want.txt have.txt)
    if [[ -n $diff ]]; then
      echo "error: build list differs from $mod@$tag go.mod:"; echo "$diff"; return 1
    fi
    local v=$mod/pkg/version
    GOBIN=$dir go install -trimpath \
      -ldflags "-s -w -X $v.GitVersion=$tag -X $v.GitCommit=$commit -X $v.BuildDate=$date" \
      "$mod/cmd/controller" || return 1
  )
}

# True when the stamp in $1 records $2 at the current recipe.
stamp_is() { [[ -f $1 ]] && read -r t r _ <"$1" && [[ $t == "$2" && $r == "recipe=$RECIPE" ]]; }
stamp_seconds() { sed -n 's/.*seconds=\([0-9]*\).*/\1/p' "$1"; }

mkdir -p "$OUT"
declare -a wanted=("$@")
want() { [[ ${#wanted[@]} -eq 0 ]] && return 0; local w; for w in "${wanted[@]}"; do [[ $w == "$1" ]] && return 0; done; return 1; }

tmp_summary=$(mktemp)
trap 'rm -f "$tmp_summary"' EXIT
ok=0; failed=0

while read -r svc pinned fallback _; do
  [[ -z ${svc:-} || $svc == \#* ]] && continue
  want "$svc" || continue
  dir=$OUT/$svc
  stamp=$dir/.stamp
  mkdir -p "$dir"
  if [[ -x $dir/controller ]]; then
    cached=""
    if stamp_is "$stamp" "$pinned"; then
      cached=$pinned
    elif [[ $fallback != - ]] && stamp_is "$stamp" "$fallback" \
      && ! go mod download -json "github.com/aws-controllers-k8s/$svc-controller@$pinned" >/dev/null 2>&1; then
      cached=$fallback   # keep the fallback build only while the pinned tag is still refused
    fi
    if [[ -n $cached ]]; then
      log "$svc: $cached already built (bin/ack/$svc/controller), skipping"
      printf '%s\t%s\tcached\t%s\talready built\n' "$svc" "$cached" "$(stamp_seconds "$stamp")" >>"$tmp_summary"
      ok=$((ok + 1))
      continue
    fi
  fi
  : >"$dir/build.log"
  built=""; detail=""
  for tag in "$pinned" "$fallback"; do
    [[ $tag == - ]] && continue
    mod=github.com/aws-controllers-k8s/$svc-controller
    log "$svc: go install $mod/cmd/controller@$tag"
    start=$SECONDS
    rc=0
    echo "### go install $mod/cmd/controller@$tag (wrapper module .cache/ack-build/$svc)" >>"$dir/build.log"
    with_heartbeat "$svc@$tag" build_in_wrapper "$svc" "$mod" "$tag" "$dir" >>"$dir/build.log" 2>&1 || rc=$?
    secs=$((SECONDS - start))
    if [[ $rc -eq 0 && -x $dir/controller ]]; then
      echo "$tag recipe=$RECIPE seconds=$secs" >"$stamp"
      log "$svc: built $tag in ${secs}s"
      printf '%s\t%s\tbuilt\t%s\t%s\n' "$svc" "$tag" "$secs" "$([[ $tag == "$pinned" ]] && echo pinned || echo "fallback (pinned $pinned refused)")" >>"$tmp_summary"
      built=$tag
      break
    fi
    err=$(grep -v '^###' "$dir/build.log" | grep -E 'not available|error|Error|cannot|go: ' | tail -n 3 | tr '\n\t' '  ')
    log "$svc: $tag failed after ${secs}s (exit $rc): $err"
    detail="$detail$tag: $err; "
  done
  if [[ -z $built ]]; then
    rm -f "$stamp" "$dir/controller"
    printf '%s\t-\tFAILED\t-\t%s\n' "$svc" "$detail" >>"$tmp_summary"
    failed=$((failed + 1))
  else
    ok=$((ok + 1))
  fi
done <"$ROOT/hack/ack-versions.txt"

# This run's line of a service, else the previous summary's; services no longer listed are dropped.
row_of() { awk -F'\t' -v s="$1" -v skip="$3" 'NR > skip && $1 == s' "$2" 2>/dev/null | tail -n 1; }
{
  printf 'service\ttag\tstatus\tseconds\tdetail\n'
  while read -r svc _; do
    [[ -z ${svc:-} || $svc == \#* ]] && continue
    row=$(row_of "$svc" "$tmp_summary" 0)
    [[ -z $row ]] && row=$(row_of "$svc" "$SUMMARY" 1)
    [[ -n $row ]] && printf '%s\n' "$row"
  done <"$ROOT/hack/ack-versions.txt"
} >"$SUMMARY.new"
mv "$SUMMARY.new" "$SUMMARY"
log "summary of this run (every service: bin/ack/build-summary.tsv):"
{ printf 'service\ttag\tstatus\tseconds\tdetail\n'; cat "$tmp_summary"; } | { column -t -s $'\t' 2>/dev/null || cat; }
if [[ $failed -gt 0 ]]; then
  log "$failed service(s) could not be built; the e2e harness runs without them (see bin/ack/<svc>/build.log)"
fi
[[ $ok -gt 0 ]]
