"""Peak resident memory of an ensemble run for 1,000 and for 10,000 replications.

    python benchmarks/ensemble_memory.py [scenario.yaml] [--sizes 1000 10000] [--workers 2]

Each size runs in a fresh Python process that reports its own peak resident set size: the
driver, which aggregates. Worker processes hold one batch at a time; they are children of
the fork server, so they are not in this figure. Bands are folded into per-day histograms
as batches arrive, so the larger run should need little more than the smaller (target:
less than 25% more). It prints its figures; it asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import time

CHILD = """
import json, resource, sys, time
import sim
from sim.ensemble.executors import make_executor
from sim.ensemble.runner import Ensemble, Plan
path, n, workers = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
scenario = sim.load_scenario(path)
began = time.perf_counter()
with make_executor("processes", workers) as ex:
    result = Ensemble([scenario], Plan(seed=1, replications=n, batch_size=50), ex).run()
seconds = time.perf_counter() - began
me = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
figures = {"n": result.replications, "driver_kb": me, "seconds": seconds}
print(json.dumps(figures))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", nargs="?", default="scenarios/advisory.yaml")
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, Python {platform.python_version()}")
    print(f"scenario: {args.scenario}, {args.workers} workers")
    peaks = []
    for n in args.sizes:
        began = time.perf_counter()
        out = subprocess.run(
            [sys.executable, "-c", CHILD, args.scenario, str(n), str(args.workers)],
            capture_output=True,
            text=True,
            check=True,
        )
        figures = json.loads(out.stdout.strip().splitlines()[-1])
        peaks.append(figures["driver_kb"])
        print(
            f"{figures['n']:>7,} replications: driver peak {figures['driver_kb'] / 1024:7.1f} MiB, "
            f"{time.perf_counter() - began:6.1f} s"
        )
    if len(peaks) > 1:
        growth = peaks[-1] / peaks[0] - 1
        print(
            f"driver growth from {args.sizes[0]:,} to {args.sizes[-1]:,}: {growth:+.1%}"
            " (target < +25%)"
        )


if __name__ == "__main__":
    main()
