#!/usr/bin/env bash
# Runs before `npm start` and `npm test` (npm's prestart/pretest): installs and sets up whatever is missing, so each of
# the two commands works on a fresh machine, and costs a few seconds when everything is already there.
#   1. the toolchains the setup needs (Node >= 20, Go, Python 3), checked, with a clear message when one is missing
#   2. node_modules from the committed lock (`npm ci`), re-run only when package-lock.json changed since the last one
#   3. hack/setup.sh: ACK CRDs, local control plane, Lua, ACK controllers, moto (each step skips what is done)
# It needs no node_modules itself: npm runs it before any dependency is installed.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$SECONDS
log() { printf '[bootstrap %s] %s\n' "$(date +%H:%M:%S)" "$*"; }

missing=()
node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)' || missing+=("Node.js >= 20 (found $(node --version))")
command -v go >/dev/null 2>&1 || missing+=("Go >= 1.25 (builds etcd, kube-apiserver and the ACK controllers from Go modules)")
command -v python3 >/dev/null 2>&1 || missing+=("Python 3 (runs moto, the AWS emulator)")
if ((${#missing[@]} > 0)); then
  printf '[bootstrap] missing on PATH: %s\n' "${missing[@]}" >&2
  exit 1
fi

# npm ci deletes node_modules first, so it runs only when the lock it was made from has changed.
stamp=node_modules/.bootstrap-lock.sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [[ -f $stamp && "$(cat "$stamp")" == "$want" ]]; then
  log "node_modules matches package-lock.json"
else
  log "installing node_modules from package-lock.json (npm ci)"
  npm ci --no-audit --no-fund
  echo "$want" >"$stamp"
fi

log "setup: ACK CRDs, control plane, Lua, ACK controllers, moto (~17 min on a fresh machine, seconds afterwards)"
bash hack/setup.sh
log "ready in $((SECONDS - start)) s"
