"""Serve a synthetic replica from its own process (benchmarks): prints `PORT N` when ready.

    python benchmarks/serve_synthetic.py --count 5000 --seed 1
"""

from __future__ import annotations

import argparse
import sys

from portal_crawler.replica.generate import build_site
from portal_crawler.replica.server import ReplicaServer
from portal_crawler.replica.synth import synthesize


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    server = ReplicaServer(build_site(site=synthesize(args.count, seed=args.seed)))
    print(f"PORT {server.port}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
