"""Experiment files: which options to compare across which futures, judged how.

In the vocabulary of exploratory modelling, *uncertainties* are what the world decides,
*levers* are what policy decides, and *outcomes* are what we measure, each with the
direction that is better. Inputs are dotted paths into the scenarios:

    name: iraq-2021-futures
    scenarios: [../scenarios/status-quo.yaml, ../scenarios/advisory.yaml]
    uncertainties:
      threat.attacks_per_month: [2, 20]            # a range: low, high
      airlift.sorties_per_week: [1.5, 6]
    levers:
      cap: [1500, 3000]
      policy.announcements.1.announced: {low: 2021-07-01, high: 2021-12-01, scenarios: [advisory]}
      airlift.cancel_probability: {choices: [0.02, 0.1]}
    outcomes:
      total_cost_usd: minimize
      adviser_days: maximize
    thresholds:                                    # what "good enough" means, for robustness
      days_over_cap: {max: 0}
      adviser_days: {min: 200000}
    robustness: {measure: p90}                     # how sim optimize --robust scores a candidate

A range is sampled uniformly (dates too; whole-number fields are rounded); choices are
equally likely. An input applies to every scenario, or to those listed under
``scenarios``. Setting an input fixes it in each sample, replacing any distribution the
scenario gives it; the scenario's other uncertain inputs are still drawn per replication.

An input may name a ``reference`` value, within its range or among its choices
(``threat.attacks_per_month: {low: 2, high: 20, reference: 8}``): ``sim optimize`` holds an
uncertainty there while it searches the levers (one without a reference is left as the
scenario writes it). ``robustness.measure`` says how ``sim optimize --robust`` scores a
candidate across futures (see ``sim.analysis.pareto``): ``mean`` (the default), ``p10``,
``p90``, ``regret`` or ``satisficing``.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from sim.errors import ScenarioError
from sim.scenario.keys import as_key
from sim.scenario.loader import leaf_type, load_scenario, read_document, validate_model
from sim.scenario.outcomes import DAYS_LATE, NUMERIC, phase_outcome
from sim.scenario.schema import Scenario
from sim.scenario.values import apply_values


def _range_shorthand(value: object) -> object:
    """``[low, high]`` is short for ``{low: ..., high: ...}``."""
    if isinstance(value, list):
        if len(value) != 2:
            raise ValueError("a range is [low, high]; for a list of values use {choices: [...]}")
        return {"low": value[0], "high": value[1]}
    return value


class Input(BaseModel):
    """One uncertainty or lever: a range (``low``, ``high``) or ``choices``."""

    model_config = ConfigDict(extra="forbid")

    low: float | dt.date | None = None
    high: float | dt.date | None = None
    choices: list[Any] | None = Field(default=None, min_length=1)
    scenarios: list[str] | None = Field(
        default=None, description="Scenario names this input applies to (default: all)."
    )
    reference: Any = Field(
        default=None, description="The value sim optimize holds an uncertainty at."
    )
    source: str | None = None

    @property
    def is_range(self) -> bool:
        return self.choices is None

    def value(self, u: float, whole: bool = False) -> Any:
        """The input's value at ``u`` in [0, 1): the same u gives the same value."""
        if self.choices is not None:
            return self.choices[min(int(u * len(self.choices)), len(self.choices) - 1)]
        if isinstance(self.low, dt.date):
            span = (self.high - self.low).days  # type: ignore[operator]
            return self.low + dt.timedelta(days=math.floor(u * span + 0.5))
        x = float(self.low) + u * (float(self.high) - float(self.low))  # type: ignore[arg-type]
        return math.floor(x + 0.5) if whole else x


InputSpec = Annotated[Input, BeforeValidator(_range_shorthand)]


class Threshold(BaseModel):
    """An outcome is good enough when it is at least ``min`` and at most ``max``."""

    model_config = ConfigDict(extra="forbid")
    min: float | None = None
    max: float | None = None

    def met(self, value: float) -> bool:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return False
        return (self.min is None or value >= self.min) and (self.max is None or value <= self.max)


Measure = Literal["mean", "p10", "p90", "regret", "satisficing"]
MEASURES: tuple[str, ...] = get_args(Measure)


class Robustness(BaseModel):
    """How ``sim optimize --robust`` scores a candidate across futures."""

    model_config = ConfigDict(extra="forbid")
    measure: Measure = "mean"


class Experiment(BaseModel):
    """Options, uncertainties, levers, outcomes and thresholds of an exploration."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=r"^[a-z][a-z0-9_\-]*$", max_length=60)
    description: str = ""
    scenarios: list[str] = Field(min_length=1, description="Scenario files (the options).")
    uncertainties: dict[str, InputSpec] = Field(default_factory=dict)
    levers: dict[str, InputSpec] = Field(default_factory=dict)
    outcomes: dict[str, Literal["minimize", "maximize"]] = Field(min_length=1)
    thresholds: dict[str, Threshold] = Field(default_factory=dict)
    robustness: Robustness = Field(default_factory=Robustness)
    replications: int = Field(default=20, ge=1, le=100_000)
    seed: int = Field(default=0, ge=0)
    source: str | None = None

    @property
    def inputs(self) -> dict[str, Input]:
        """Uncertainties then levers, in the order written."""
        return {**self.uncertainties, **self.levers}


def _rules(e: Experiment) -> list[tuple[tuple, str]]:
    problems = []
    for section in ("uncertainties", "levers"):
        for path, spec in getattr(e, section).items():
            at = (section, path)
            found = len(problems)
            if spec.is_range:
                if spec.low is None or spec.high is None:
                    problems.append((at, "a range needs low and high"))
                elif type(spec.low) is not type(spec.high):
                    problems.append((at, "low and high must both be numbers or both dates"))
                elif not spec.low < spec.high:
                    problems.append((at, f"low ({spec.low}) must be below high ({spec.high})"))
            elif spec.low is not None or spec.high is not None:
                problems.append((at, "give a range (low, high) or choices, not both"))
            if spec.reference is not None and len(problems) == found:
                problem = _reference_problem(spec)
                if problem:
                    problems.append(((*at, "reference"), problem))
    both = set(e.uncertainties) & set(e.levers)
    for path in sorted(both):
        problems.append((("levers", path), "already an uncertainty"))
    for outcome, t in e.thresholds.items():
        if outcome not in e.outcomes:
            problems.append((("thresholds", outcome), f"'{outcome}' is not among the outcomes"))
        elif t.min is None and t.max is None:
            problems.append((("thresholds", outcome), "give min, max or both"))
        elif t.min is not None and t.max is not None and t.min > t.max:
            problems.append((("thresholds", outcome), f"min ({t.min}) is above max ({t.max})"))
    if e.robustness.measure == "satisficing" and not e.thresholds:
        problems.append(
            (
                ("robustness", "measure"),
                "satisficing counts futures meeting the thresholds: add some",
            )
        )
    return problems


def _reference_problem(spec: Input) -> str | None:
    """What is wrong with an input's ``reference`` (None: nothing)."""
    ref = spec.reference
    if spec.choices is not None:
        return None if ref in spec.choices else f"{ref!r} is not among the choices {spec.choices}"
    if isinstance(spec.low, dt.date):
        if not isinstance(ref, dt.date) or isinstance(ref, dt.datetime):
            return f"{ref!r} is not a date (write it as {spec.low.isoformat()})"
    elif isinstance(ref, bool) or not isinstance(ref, int | float):
        return f"{ref!r} is not a number"
    if not spec.low <= ref <= spec.high:  # type: ignore[operator]
        return f"{ref} is outside the range [{spec.low}, {spec.high}]"
    return None


def load_experiment(path: str | Path) -> tuple[Experiment, list[Scenario]]:
    """The experiment and its scenarios, every input checked against every scenario."""
    path = Path(path)
    doc = read_document(path)
    doc.data.setdefault("name", path.stem.lower().replace(" ", "-"))
    experiment = validate_model(doc, Experiment, _rules)
    scenarios = []
    for i, s in enumerate(experiment.scenarios):
        if not (path.parent / s).is_file():
            file, line = doc.locate(("scenarios", i))
            raise ScenarioError(
                f"cannot find '{s}' (looked for {path.parent / s})",
                file=file,
                line=line,
                key=f"scenarios.{i}",
            )
        scenarios.append(load_scenario(path.parent / s))
    names = [s.name for s in scenarios]
    for i, name in enumerate(names):
        if name in names[:i]:  # results are kept by option name: two would be merged
            file, line = doc.locate(("scenarios", i))
            first = experiment.scenarios[names.index(name)]
            raise ScenarioError(
                f"'{experiment.scenarios[i]}' has the same name ('{name}') as '{first}': "
                "give one of them its own `name:`",
                file=file,
                line=line,
                key=f"scenarios.{i}",
            )
    known = outcome_names(scenarios)
    for outcome in experiment.outcomes:
        if outcome not in known:
            file, line = doc.locate(("outcomes", outcome))
            close = difflib.get_close_matches(outcome, sorted(known), n=1)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            raise ScenarioError(
                f"no outcome '{outcome}'{hint}", file=file, line=line, key=f"outcomes.{outcome}"
            )
    for section in ("uncertainties", "levers"):
        for key, spec in getattr(experiment, section).items():
            file, line = doc.locate((section, key))
            for name in spec.scenarios or []:
                if name not in names:
                    raise ScenarioError(
                        f"no scenario named '{name}' (have {', '.join(names)})",
                        file=file,
                        line=line,
                        key=f"{section}.{key}",
                    )
            kind = leaf_type(as_key(key))
            if kind is None:
                raise ScenarioError(
                    "no such setting in a scenario", file=file, line=line, key=f"{section}.{key}"
                )
            values = (
                spec.choices
                if spec.choices is not None
                else [spec.value(u, kind is int) for u in (0.0, 1.0)]
            )
            if spec.reference is not None:
                values = [*values, spec.reference]
            for scenario in scenarios:
                if spec.scenarios is None or scenario.name in spec.scenarios:
                    for value in values:
                        _check_value(scenario, key, value, file, line, section)
    return experiment, scenarios


def outcome_names(scenarios: list[Scenario]) -> set[str]:
    """The numeric outcomes a run of these scenarios gives (see sim.scenario.outcomes)."""
    names = set(NUMERIC)
    for s in scenarios:
        late = [p.slug for p in s.policy.phases if p.deadline is not None]
        names |= {phase_outcome(DAYS_LATE, slug) for slug in late}
    return names


def _check_value(
    scenario: Scenario, key: str, value: Any, file: str, line: int | None, section: str
) -> None:
    try:
        apply_values(scenario, {key: value})
    except ScenarioError as err:
        raise ScenarioError(
            f"{value} does not make a valid '{scenario.name}': {err.message}",
            file=file,
            line=line,
            key=f"{section}.{key}",
        ) from None
