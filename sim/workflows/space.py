"""The space a search of levers explores, and what each of its candidates runs.

A *candidate* is one setting of the levers that apply to the scenario searched: a point u
in [0, 1)^d, one coordinate per lever, given its value by ``Input.value`` (so numbers,
dates and choices are searched alike). Each candidate runs as design points of a derived
experiment (``make_space``): its levers, and the uncertainties held at their ``reference``
values (one without a reference is left as the scenario writes it, drawn per replication
if the scenario draws it) or, with ``robust``, sampled once as ``futures`` (a Latin
hypercube from the seed) that every candidate meets. Candidate i in future k is design
point i*K + k.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from sim.ensemble.sweep import sample_values
from sim.errors import ScenarioError
from sim.scenario.experiment import Experiment, Input
from sim.scenario.schema import Scenario


@dataclass
class Space:
    """What a search varies, what each evaluation runs, and how it is scored."""

    experiment: Experiment  # the derived experiment each design point belongs to
    scenario: Scenario | None  # None: ``model`` takes the simulator's place
    objectives: dict[str, str]  # outcome -> minimize | maximize
    thresholds: dict[str, Any]
    replications: int
    precision: float | None = None
    measure: str | None = None  # across futures; None: not robust
    futures: np.ndarray | None = None  # (futures, uncertainties) in [0, 1)
    model: Callable[[dict], dict] | None = None
    held: dict[str, Any] = field(default_factory=dict)  # uncertainties at their reference

    @property
    def levers(self) -> dict[str, Input]:
        return self.experiment.levers

    @property
    def n_futures(self) -> int:
        return 1 if self.futures is None else len(self.futures)

    @property
    def scores(self) -> dict[str, str]:
        """The objectives of the search (score columns) and their directions."""
        if self.measure == "regret":
            return dict.fromkeys(self.objectives, "minimize")
        if self.measure == "satisficing":
            return {**self.objectives, "satisficing": "maximize"}
        return dict(self.objectives)

    @property
    def constraints(self) -> int:
        """pymoo's inequality constraints: one per threshold bound, then "the runs failed"."""
        if self.measure == "satisficing":
            return 1
        bounds = [b for t in self.thresholds.values() for b in (t.min, t.max) if b is not None]
        return len(bounds) + 1

    def design(self, u: np.ndarray) -> np.ndarray:
        """Design points of the derived experiment: candidate i in future k is row i*K + k."""
        u = np.clip(np.atleast_2d(np.asarray(u, dtype=float)), 0.0, 1 - 1e-12)
        held = len(self.experiment.uncertainties)
        futures = self.futures if self.futures is not None else np.zeros((1, held))
        k = len(futures)
        return np.hstack([np.tile(futures, (len(u), 1)), np.repeat(u, k, axis=0)])

    def lever_values(self, u: np.ndarray) -> pd.DataFrame:
        """Each candidate's lever values, one column per lever."""
        u = np.atleast_2d(np.asarray(u, dtype=float))
        points = self.design(u)[:: self.n_futures]
        return sample_values(self.experiment, points)[list(self.levers)]


def make_space(
    experiment: Experiment,
    scenarios: Sequence[Scenario],
    scenario: str | None,
    *,
    replications: int | None = None,
    precision: float | None = None,
    robust: bool = False,
    futures: int = 50,
    seed: int = 0,
    model: Callable[[dict], dict] | None = None,
    file: str | None = None,
) -> Space:
    """The search space of ``experiment`` for the option ``scenario`` (with ``model``: for
    no scenario, every input applies); ``ScenarioError`` if there is nothing to search."""
    from sim.analysis.sensitivity import design

    names = [s.name for s in scenarios]
    if model is None and scenario not in names:
        raise ScenarioError(
            f"--scenario {scenario}: not an option of the experiment (have {', '.join(names)})",
            file=file,
        )

    def applies(spec: Input) -> bool:
        return spec.scenarios is None or scenario in spec.scenarios

    levers = {
        p: s.model_copy(update={"scenarios": None})
        for p, s in experiment.levers.items()
        if applies(s)
    }
    if not levers:
        raise ScenarioError(
            f"no lever applies to '{scenario}': nothing to search", file=file, key="levers"
        )
    uncertain = {p: s for p, s in experiment.uncertainties.items() if applies(s)}
    if robust and not uncertain:
        raise ScenarioError(
            f"no uncertainty applies to '{scenario}': --robust has no futures to sample",
            file=file,
            key="uncertainties",
        )
    if robust:
        held: dict[str, Any] = {}
        uncertainties = {p: s.model_copy(update={"scenarios": None}) for p, s in uncertain.items()}
        points = design("lhs", len(uncertainties), futures, seed=seed)
    else:
        held = {p: s.reference for p, s in uncertain.items() if s.reference is not None}
        uncertainties = {p: Input(choices=[v]) for p, v in held.items()}
        points = None
    derived = experiment.model_copy(
        update={
            "scenarios": [scenario or "model"],
            "uncertainties": uncertainties,
            "levers": levers,
        }
    )
    option = next((s for s in scenarios if s.name == scenario), None)
    return Space(
        experiment=derived,
        scenario=option,
        objectives=dict(experiment.outcomes),
        thresholds=dict(experiment.thresholds),
        replications=replications or experiment.replications,
        precision=precision,
        measure=experiment.robustness.measure if robust else None,
        futures=points,
        model=model,
        held=held,
    )
