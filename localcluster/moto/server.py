"""Runs moto in-process on 127.0.0.1 with the patches ACK controllers need (localcluster/moto/patches.py).

Usage: .cache/venv/bin/python localcluster/moto/server.py [--port N] [--port-file PATH]
  --port 0 (default) picks a free port. When the server listens, one line ``MOTO_PORT=<port>`` is printed
  on stdout (and the port is written to --port-file if given). Patch notes and request logs go to stderr.
  SIGTERM or SIGINT stops the server and exits 0.
Set up the interpreter with hack/setup-moto.sh.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading

sys.dont_write_bytecode = True  # no __pycache__ next to the tracked sources
# AWS accounts have the AWS-managed IAM policies (arn:aws:iam::aws:policy/...); moto loads them only when asked.
# Without them a Role that attaches one (spec.policies) never syncs: AttachRolePolicy answers NoSuchEntity.
os.environ.setdefault("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import moto  # noqa: E402
from moto.server import ThreadedMotoServer  # noqa: E402

import patches  # noqa: E402

HOST = "127.0.0.1"
EXPECTED_MOTO = "5.2.5"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=0, help="TCP port on 127.0.0.1 (0: a free one)")
    parser.add_argument("--port-file", help="also write the port to this file once listening")
    args = parser.parse_args()

    if moto.__version__ != EXPECTED_MOTO:
        print(f"[moto] warning: moto {moto.__version__} installed, patches were checked against {EXPECTED_MOTO}", file=sys.stderr)
    for name, applied in patches.apply_all():
        print(f"[moto] patch {name}: {'applied' if applied else 'skipped (moto implements it)'}", file=sys.stderr)

    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())

    # ThreadedMotoServer defaults to 0.0.0.0: always pass the loopback address.
    server = ThreadedMotoServer(ip_address=HOST, port=args.port, verbose=False)
    server.start()
    _, port = server.get_host_and_port()
    if args.port_file:
        tmp = f"{args.port_file}.tmp"
        with open(tmp, "w") as f:
            f.write(f"{port}\n")
        os.replace(tmp, args.port_file)
    print(f"[moto] moto {moto.__version__} listening on http://{HOST}:{port}", file=sys.stderr, flush=True)
    print(f"MOTO_PORT={port}", flush=True)

    while not stop.wait(3600):
        pass
    print("[moto] stopping", file=sys.stderr, flush=True)
    server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
