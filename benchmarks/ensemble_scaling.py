"""Replications per second with 1 and 2 local worker processes, and on a Dask local cluster.

    python benchmarks/ensemble_scaling.py [scenario.yaml] [--replications N]

Each figure is the wall time of a whole ensemble run from start to finish, start-up of
the workers included, so a run of a few hundred replications shows whether start-up
dominates; for worker processes it also prints when the first was up (the driver runs
replications itself until then). Parallel efficiency is the 2-worker rate over twice the
1-worker rate. It prints its figures; it asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import platform
import time

import sim
from sim.ensemble.executors import make_executor
from sim.ensemble.runner import Ensemble, Plan


def rate(scenario: sim.Scenario, replications: int, kind: str, workers: int) -> tuple[float, str]:
    """(replications per second, how long) of one ensemble run."""
    began = time.perf_counter()
    with make_executor(kind, workers) as executor:
        Ensemble([scenario], Plan(seed=7, replications=replications), executor).run()
    seconds = time.perf_counter() - began
    startup = getattr(executor, "startup_seconds", None)
    up = f", first worker up after {startup:.1f} s" if startup is not None else ""
    return replications / seconds, f"{seconds:.1f} s{up}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", nargs="?", default="scenarios/advisory.yaml")
    parser.add_argument("--replications", type=int, default=300)
    parser.add_argument("--no-dask", action="store_true", help="skip the Dask local cluster")
    args = parser.parse_args()
    scenario = sim.load_scenario(args.scenario)
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print(f"scenario: {args.scenario}, {args.replications} replications per run")
    one, t1 = rate(scenario, args.replications, "processes", 1)
    print(f"1 worker (in process):  {one:7.1f} replications/s  ({t1})")
    two, t2 = rate(scenario, args.replications, "processes", 2)
    print(f"2 worker processes:     {two:7.1f} replications/s  ({t2})")
    print(f"parallel efficiency:    {two / (2 * one):7.1%}  (target 90% or more)")
    if not args.no_dask:
        dask, t3 = rate(scenario, args.replications, "dask", 2)
        print(f"Dask local cluster (2): {dask:7.1f} replications/s  ({t3}, start-up included)")


if __name__ == "__main__":
    main()
