"""Run many replications of one or more scenarios, and aggregate them as they finish.

Replication k of every scenario uses the same seed sequence (common random numbers).
Work is cut into batches of consecutive replications; each batch's result is saved (when
a folder is given) and folded into per-day histograms, then its daily counts are dropped,
so memory does not grow with the number of replications. Nothing depends on the order in
which batches finish, so the numbers are the same for any executor and number of workers.

With ``precision``, replications are added in rounds until the 95% confidence interval of
the mean of each outcome in ``sim.scenario.outcomes.PRECISE`` is within ``precision`` of
the mean (or ``max_replications`` is reached); rounds have a fixed size so where it stops
does not depend on the workers.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from sim.ensemble.aggregate import QUANTILES, Histograms
from sim.ensemble.checkpoint import iter_batches, save_batch
from sim.ensemble.executors import Executor
from sim.ensemble.precision import precision_reached
from sim.ensemble.worker import MEASURES, BatchResult, replicate, replicate_batch
from sim.results.tables import dates, events_table, timeseries_table
from sim.scenario.schema import Scenario

BAND_MEASURES = ("boots_on_ground", "cap_count")
SMALLEST = 2  # replications in the smallest batch sent to a worker
BAND_COLUMNS = ["scenario", "date", "role", "measure", "replications", "mean"] + [
    f"q{round(q * 100):02d}" for q in QUANTILES
]


def _missing(done: set[int], target: int) -> list[tuple[int, int]]:
    """(first, count) of each run of consecutive replications below ``target`` not in ``done``."""
    runs: list[tuple[int, int]] = []
    for k in range(target):
        if k in done:
            continue
        if runs and sum(runs[-1]) == k:
            runs[-1] = (runs[-1][0], runs[-1][1] + 1)
        else:
            runs.append((k, 1))
    return runs


@dataclass
class Plan:
    """How many replications, in what batches, with what seed."""

    seed: int = 0
    replications: int | None = 1  # None: add rounds until ``precision`` is reached
    precision: float | None = None
    max_replications: int = 10_000
    batch_size: int = 20  # with several workers, the last batches are smaller
    round_size: int = 100


@dataclass
class _Aggregate:
    """What has been gathered for one scenario."""

    scenario: Scenario
    n_days: int
    n_roles: int
    histograms: dict[tuple[str, int], Histograms] = field(default_factory=dict)
    movement_totals: np.ndarray = field(init=False)  # (2, days, roles): arrivals, departures
    rows: list[dict] = field(default_factory=list)
    sample: BatchResult | None = None
    done: set[int] = field(default_factory=set)  # replications folded in

    def __post_init__(self) -> None:
        for measure in BAND_MEASURES:
            for role in range(self.n_roles + 1):  # the last is the total
                self.histograms[(measure, role)] = Histograms(self.n_days)
        self.movement_totals = np.zeros((2, self.n_days, self.n_roles), dtype=np.int64)

    @property
    def n(self) -> int:
        return len(self.rows)

    def add(self, batch: BatchResult) -> None:
        numbers = set(range(batch.first, batch.first + len(batch.rows)))
        if numbers & self.done:
            return
        self.done |= numbers
        counts = batch.counts.astype(np.int64)  # (reps, measures, days, roles)
        for m, measure in enumerate(MEASURES):
            if measure in BAND_MEASURES:
                for role in range(self.n_roles):
                    self.histograms[(measure, role)].add(counts[:, m, :, role])
                self.histograms[(measure, self.n_roles)].add(counts[:, m].sum(axis=2))
        self.movement_totals += counts[
            :, [MEASURES.index("arrivals"), MEASURES.index("departures")]
        ].sum(axis=0)
        self.rows.extend(batch.rows)
        if batch.sample is not None:
            self.sample = batch


@dataclass
class EnsembleResult:
    """Everything a run folder is made from."""

    scenarios: list[Scenario]
    plan: Plan
    summary: pd.DataFrame
    bands: pd.DataFrame
    movements: pd.DataFrame  # mean arrivals and departures per day and role
    timeseries: pd.DataFrame  # replication 0 of each scenario
    events: pd.DataFrame  # replication 0 of each scenario
    replications: int
    precision: dict[str, float]
    exact: bool
    sim_events: int
    seconds: float


class Ensemble:
    """Runs batches on an executor and folds them into per-scenario aggregates."""

    def __init__(
        self,
        scenarios: list[Scenario],
        plan: Plan,
        executor: Executor,
        folder: Path | None = None,
        progress: Callable[[int, int | None], None] | None = None,
        run_id: str = "",
    ) -> None:
        self.scenarios = scenarios
        self.plan = plan
        self.executor = executor
        self.folder = folder
        self.run_id = run_id  # batches are saved with it, and only theirs are read back
        self.progress = progress
        self.aggregates = [
            _Aggregate(s, (s.end - s.start).days + 1, len(s.roles)) for s in scenarios
        ]
        self.sim_events = 0
        self.seconds = 0.0

    def resume(self) -> int:
        """Fold in the batches saved in the folder by an earlier, interrupted run."""
        if self.folder is None:
            return 0
        for batch in iter_batches(self.folder, self.run_id, self.scenarios):
            self._fold(batch)
        return sum(a.n for a in self.aggregates)

    def run(self) -> EnsembleResult:
        began = time.perf_counter()
        plan = self.plan
        if plan.replications is not None:
            self._run_until(plan.replications)
        else:
            target = plan.round_size
            while True:
                target = min(target, plan.max_replications)
                self._run_until(target)
                reached = self._precision(below=target)
                if all(w <= (plan.precision or 0) for w in reached.values()):
                    break
                if target >= plan.max_replications:
                    break
                target += plan.round_size
        self.seconds += time.perf_counter() - began
        return self._result()

    def _run_until(self, target: int) -> None:
        """Run every missing replication below ``target``, a bounded number of batches at a time.

        While the workers start, small batches run here. With several workers the last
        batches are smaller, so that the workers finish together.
        """
        todo = [
            [i, first, count]
            for i, agg in enumerate(self.aggregates)
            for first, count in _missing(agg.done, target)
        ]
        total = target * len(self.scenarios)
        self._report(total)
        workers = self.executor.workers
        window = max(2 * workers, 2)
        pending = []
        while todo or pending:
            if todo and self.executor.starting:
                batch = replicate_batch(*self._take(todo, max(self.plan.batch_size // 10, 1)))
                self._finish(batch, total)
                continue
            while todo and len(pending) < window:
                left = sum(count for _, _, count in todo)
                size = max(-(-left // (2 * workers)), SMALLEST) if workers > 1 else left
                pending.append(self.executor.submit(replicate_batch, *self._take(todo, size)))
            future = next(self.executor.as_completed(pending))
            pending.remove(future)
            self._finish(future.result(), total)

    def _take(self, todo: list[list[int]], size: int) -> tuple[Scenario, int, int, int, int]:
        """``replicate_batch`` arguments for the next ``size`` replications (at most a batch)."""
        i, first, count = todo[0]
        size = min(size, count, self.plan.batch_size)
        if size == count:
            todo.pop(0)
        else:
            todo[0][1:] = [first + size, count - size]
        return self.scenarios[i], i, self.plan.seed, first, size

    def _finish(self, batch: BatchResult, total: int) -> None:
        if self.folder is not None:
            save_batch(self.folder, batch, self.run_id)
        self._fold(batch)
        self._report(total)

    def _fold(self, batch: BatchResult) -> None:
        self.aggregates[batch.index].add(batch)
        self.sim_events += batch.sim_events

    def _report(self, total: int) -> None:
        if self.progress:
            self.progress(sum(a.n for a in self.aggregates), total)

    def _precision(self, below: int | None = None) -> dict[str, float]:
        """Precision reached by the replications numbered below ``below`` (default: all)."""
        if self.plan.precision is None:
            return {}
        summary = self.summary()
        if below is not None:
            summary = summary[summary["replication"] < below]
        return precision_reached(summary)

    def summary(self) -> pd.DataFrame:
        frames = [pd.DataFrame(a.rows) for a in self.aggregates if a.rows]
        summary = pd.concat(frames, ignore_index=True)
        order = {s.name: i for i, s in enumerate(self.scenarios)}
        summary = summary.sort_values(
            ["scenario", "replication"], key=lambda c: c.map(order) if c.name == "scenario" else c
        )
        return summary.reset_index(drop=True)

    def _result(self) -> EnsembleResult:
        for i, agg in enumerate(self.aggregates):
            if agg.sample is None or agg.sample.sample is None:
                # Replication 0 came from a saved batch, which keeps no recording: run it
                # again here (same seed, same numbers) for the sample tables.
                concrete, rec, _ = replicate(agg.scenario, self.plan.seed, 0)
                agg.sample = BatchResult(i, 0, [], np.empty(0), rec, concrete, 0, 0.0)
        samples = [a.sample for a in self.aggregates]
        timeseries = pd.concat(
            [timeseries_table(b.sample, b.sample_scenario, 0) for b in samples if b],
            ignore_index=True,
        )
        events = pd.concat(
            [events_table(b.sample, b.sample_scenario, 0) for b in samples if b], ignore_index=True
        )
        return EnsembleResult(
            scenarios=self.scenarios,
            plan=self.plan,
            summary=self.summary(),
            bands=pd.concat([self._bands(a) for a in self.aggregates], ignore_index=True),
            movements=pd.concat([self._movements(a) for a in self.aggregates], ignore_index=True),
            timeseries=timeseries,
            events=events,
            replications=min(a.n for a in self.aggregates),
            precision=self._precision(),
            exact=all(h.exact for a in self.aggregates for h in a.histograms.values()),
            sim_events=self.sim_events,
            seconds=self.seconds,
        )

    @staticmethod
    def _bands(agg: _Aggregate) -> pd.DataFrame:
        s = agg.scenario
        series = list(agg.histograms.items())  # ((measure, role), histograms)
        quantiles = np.concatenate([hist.quantiles(QUANTILES) for _, hist in series])
        names = [*s.roles, "total"]
        return pd.DataFrame(
            {
                "scenario": s.name,
                "date": np.tile(dates(s, agg.n_days).values, len(series)),
                "role": np.repeat([names[role] for (_, role), _ in series], agg.n_days),
                "measure": np.repeat([measure for (measure, _), _ in series], agg.n_days),
                "replications": np.repeat([hist.n for _, hist in series], agg.n_days),
                "mean": np.concatenate([hist.mean() for _, hist in series]),
                **dict(zip(BAND_COLUMNS[6:], quantiles.T, strict=True)),
            }
        )

    @staticmethod
    def _movements(agg: _Aggregate) -> pd.DataFrame:
        s = agg.scenario
        n = max(agg.n, 1)
        day_index = dates(s, agg.n_days)
        arrivals, departures = agg.movement_totals / n
        return pd.DataFrame(
            {
                "scenario": s.name,
                "replication": -1,  # the mean of all replications
                "date": np.repeat(day_index.values, len(s.roles)),
                "role": pd.Categorical(
                    np.tile(np.array(s.roles, dtype=object), agg.n_days), categories=s.roles
                ),
                "arrivals": arrivals.ravel(),
                "departures": departures.ravel(),
            }
        )
