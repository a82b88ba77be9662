#!/usr/bin/env bash
# Idempotent: installs a Lua 5.1 interpreter (Debian's lua5.1) for test/unit/argocd/health.test.ts, which runs
# argocd/health.lua the way Argo CD does (gopher-lua implements Lua 5.1). Does nothing when `lua5.1` or `lua` is
# already on PATH. Needs root (apt-get) on Debian/Ubuntu; elsewhere install Lua 5.1 yourself.
set -euo pipefail
if command -v lua5.1 >/dev/null 2>&1 || command -v lua >/dev/null 2>&1; then
  echo "setup-lua: $(command -v lua5.1 || command -v lua) already installed"
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "setup-lua: no lua5.1/lua on PATH and no apt-get: install Lua 5.1 with your package manager" >&2
  exit 1
fi
SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO=(sudo); else echo "setup-lua: need root for apt-get" >&2; exit 1; fi
fi
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update
"${SUDO[@]}" apt-get install -y --no-install-recommends lua5.1
echo "setup-lua: installed $(command -v lua5.1)"
