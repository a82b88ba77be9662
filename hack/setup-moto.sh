#!/usr/bin/env bash
# Creates (or reuses) the project's Python virtualenv for moto at .cache/venv (git-ignored) and installs
# localcluster/moto/requirements.txt with the transitive pins of localcluster/moto/constraints.txt.
# Idempotent: nothing is done when .cache/venv/.moto-stamp matches the hash of both files.
# Prints the venv's python path on the last line.
# Usage: hack/setup-moto.sh [--refresh-constraints]   (re-resolve and rewrite localcluster/moto/constraints.txt)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
VENV=$ROOT/.cache/venv
REQ=$ROOT/localcluster/moto/requirements.txt
CON=$ROOT/localcluster/moto/constraints.txt
STAMP=$VENV/.moto-stamp
PY=${PYTHON:-python3}
log() { printf '[setup-moto %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

refresh=0
[[ ${1:-} == --refresh-constraints ]] && refresh=1
hash_inputs() { cat "$REQ" "$CON" 2>/dev/null | sha256sum | cut -d' ' -f1; }

if [[ $refresh -eq 0 && -x $VENV/bin/python && -f $STAMP && "$(cat "$STAMP")" == "$(hash_inputs)" ]]; then
  log "moto venv up to date ($("$VENV/bin/python" -c 'import moto; print("moto", moto.__version__)'))"
  echo "$VENV/bin/python"
  exit 0
fi

if [[ ! -x $VENV/bin/python ]]; then
  log "creating virtualenv $VENV with $($PY --version 2>&1)"
  mkdir -p "$(dirname "$VENV")"
  "$PY" -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip >&2
if [[ $refresh -eq 1 || ! -f $CON ]]; then
  log "resolving $REQ"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$REQ" >&2
  {
    echo "# Transitive pins for localcluster/moto/requirements.txt; regenerate with hack/setup-moto.sh --refresh-constraints"
    "$VENV/bin/python" -m pip freeze --disable-pip-version-check --exclude-editable | grep -v '^moto=='
  } >"$CON"
else
  log "installing $REQ with constraints"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$REQ" -c "$CON" >&2
fi
"$VENV/bin/python" -c 'import moto, moto.server, flask; print("moto", moto.__version__)' >&2
hash_inputs >"$STAMP"
echo "$VENV/bin/python"
