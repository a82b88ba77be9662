#!/usr/bin/env bash
# One-time (idempotent) setup after `npm ci` (hack/bootstrap.sh runs both before `npm start` and `npm test`): everything the tests and the main job need that npm does not install.
#  1. the ACK CRDs of the pinned controllers, from the Go module proxy (hack/fetch-ack-crds.sh)
#  2. etcd, kube-apiserver, kube-controller-manager and kubectl from the Go module proxy (hack/build-control-plane.sh)
#  3. a Lua 5.1 interpreter (Debian lua5.1) for the Argo CD health check tests (hack/setup-lua.sh)
#  4. the ACK controllers we can obtain, built from Go modules (hack/build-ack-controllers.sh; ~10 min cold)
#  5. kro v0.9.4's controller, the benchmark's peer (hack/build-kro.sh; optional: a failed build only skips the kro side)
#  6. moto (AWS emulator) in a project virtualenv (hack/setup-moto.sh)
# Each step skips work already done; Go's module and build caches make a rebuild in a fresh clone fast.
set -euo pipefail
cd "$(dirname "$0")/.."
bash hack/fetch-ack-crds.sh
bash hack/build-control-plane.sh
bash hack/setup-lua.sh
bash hack/build-ack-controllers.sh
bash hack/build-kro.sh
bash hack/setup-moto.sh
