"""Events per second of ``sim.simulate`` next to a bare SimPy loop of the same size.

    python benchmarks/model_throughput.py [scenario.yaml] [--replications N]

The bare loop starts as many processes as the model does and processes as many events,
all plain timeouts, in the same Python process and run, so the ratio shows what the model
itself costs on top of the SimPy kernel. It prints its figures; it asserts nothing.

Milliseconds per replication are printed too: a change that makes the model schedule fewer
events for the same result makes each run faster without necessarily raising events/s.
"""

from __future__ import annotations

import argparse
import platform
import time

import simpy

import sim
from sim.ensemble.streams import streams
from sim.model import STREAMS, run_model


def bare_kernel(processes: int, events: int) -> float:
    """Events per second of ``processes`` processes of plain timeouts, ``events`` in all.

    Counted as the model counts them: every event SimPy processes, including each process's
    start and end, so the timeouts are what is left after those.
    """
    per_process = max((events - 2 * processes) // processes, 1)

    def tick(env: simpy.Environment, n: int, step: float):
        for _ in range(n):
            yield env.timeout(step)

    began = time.perf_counter()
    env = simpy.Environment()
    for i in range(processes):
        env.process(tick(env, per_process, 1.0 + (i % 7) / 7))
    env.run()
    elapsed = time.perf_counter() - began
    processed = next(env._eid)
    return processed / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", nargs="?", default="scenarios/advisory.yaml")
    parser.add_argument("--replications", type=int, default=30)
    args = parser.parse_args()
    scenario = sim.load_scenario(args.scenario)
    sim.simulate(scenario, seed=0)  # warm up imports and caches

    events = processes = 0
    began = time.perf_counter()
    for k in range(args.replications):
        run = sim.simulate(scenario, seed=0, replication=k)
        events += run.sim_events
    simulate_s = time.perf_counter() - began
    simulate_rate = events / simulate_s

    events = 0
    rngs = [streams(0, k, STREAMS) for k in range(args.replications)]
    began = time.perf_counter()
    for k in range(args.replications):
        rec = run_model(scenario, rngs[k])
        events += rec.sim_events
        processes += rec.processes
    model_s = time.perf_counter() - began
    model_rate = events / model_s

    per_run_events = events // args.replications
    per_run_processes = processes // args.replications
    kernel = sorted(bare_kernel(per_run_processes, per_run_events) for _ in range(5))[2]

    print(
        f"machine: {platform.processor() or platform.machine()}, Python {platform.python_version()}"
    )
    print(f"scenario: {args.scenario}, {args.replications} replications")
    print(f"per replication: {per_run_events:,} events, {per_run_processes:,} processes")
    ms = 1000 / args.replications
    print(
        f"bare SimPy kernel:        {kernel:>10,.0f} events/s"
        f"  {1000 * per_run_events / kernel:8.1f} ms per replication"
    )
    print(
        f"model (run_model):        {model_rate:>10,.0f} events/s"
        f"  {model_s * ms:8.1f} ms per replication  ratio {model_rate / kernel:.1%}"
    )
    print(
        f"sim.simulate (+ tables):  {simulate_rate:>10,.0f} events/s"
        f"  {simulate_s * ms:8.1f} ms per replication  ratio {simulate_rate / kernel:.1%}"
    )
    print("target: the model at 50% or more of the bare kernel's event rate")


if __name__ == "__main__":
    main()
