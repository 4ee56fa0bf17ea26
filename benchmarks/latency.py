"""How long a user waits for one run, next to the model alone, measured in the same run.

    python benchmarks/latency.py [--repeat 5] [--scenario scenarios/advisory.yaml]

Times, as a user sees them (wall clock of a fresh process, start-up and imports included):

- the reference: ``python -c "import sim; sim.simulate(sim.load_scenario(SCENARIO))"``;
- ``sim run SCENARIO`` (one replication, the default charts as PNG and SVG);
- ``sim run SCENARIO --format none`` (tables only);
- ``sim --help``.

The commands run in turn, ``--repeat`` times, and the medians are printed with the ratio of
each to the reference (issue 14's goal for ``sim run``: at most 2x). It asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def wall(command: list[str]) -> float:
    began = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--scenario", default="scenarios/advisory.yaml")
    args = parser.parse_args()
    sim = [sys.executable, "-c", "from sim.cli import main; main()"]
    scratch = Path(tempfile.mkdtemp(prefix="sim-latency-"))
    reference = f"import sim; sim.simulate(sim.load_scenario({args.scenario!r}))"
    commands = {
        "simulate (reference)": lambda k: [sys.executable, "-c", reference],
        "sim run": lambda k: [*sim, "run", args.scenario, "--out", str(scratch / f"a{k}")],
        "sim run --format none": lambda k: [
            *sim,
            "run",
            args.scenario,
            "--format",
            "none",
            "--out",
            str(scratch / f"b{k}"),
        ],
        "sim --help": lambda k: [*sim, "--help"],
    }
    times: dict[str, list[float]] = {name: [] for name in commands}
    try:
        wall(commands["simulate (reference)"](0))  # warm the file cache
        for k in range(args.repeat):
            for name, command in commands.items():
                times[name].append(wall(command(k)))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    print(
        f"{platform.python_version()} on {platform.machine()}, {os.cpu_count()} cores; "
        f"{args.scenario}, median of {args.repeat}"
    )
    base = statistics.median(times["simulate (reference)"])
    print(f"{'command':<24}{'median s':>10}{'min s':>8}{'x reference':>13}")
    for name, values in times.items():
        median = statistics.median(values)
        print(f"{name:<24}{median:>10.2f}{min(values):>8.2f}{median / base:>13.2f}")


if __name__ == "__main__":
    main()
