"""The outcomes a scenario can be judged by: each one's name, words, unit and better way.

This is the one registry of outcomes (what a run measures). :mod:`sim.results.outcomes`
computes them; the ensemble, analysis, plots and report take their labels, units, scales
and headline selections from here. It holds names and words only, and imports nothing
else of ``sim``, so every layer may use it.

* :data:`OUTCOMES`: the outcomes every run has, one column each of ``summary.csv``,
  the headline ones first, in the order of the table of main outcomes;
* :data:`PER_PHASE`: outcomes of each phase with targets, whose names are patterns
  (:data:`MET_ON`, :data:`DAYS_LATE`); :func:`phase_outcome` names one for a phase;
* :data:`MONTHLY`: outcomes of a sweep per month rather than per run;
* :func:`outcome_info`: the entry for any outcome name, patterns included.

>>> outcome_info("total_cost_usd").heading
'Total cost (US$ million)'
>>> outcome_info("withdrawal_days_late").label
'Days late: withdrawal'
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

__all__ = [
    "CHARTED",
    "DAYS_LATE",
    "HEADLINE",
    "MET_ON",
    "MONTHLY",
    "NUMERIC",
    "OUTCOMES",
    "PER_PHASE",
    "PRECISE",
    "Outcome",
    "outcome_info",
    "phase_of",
    "phase_outcome",
]

Better = Literal["lower", "higher", "none"]
PHASE = "{phase}"  # where the phase's slug goes in the name and label of a per-phase outcome
_UNITS_NOT_SHOWN = ("", "count", "date")  # a heading says nothing more with these


@dataclass(frozen=True)
class Outcome:
    """One outcome: its column, the words and unit a reader sees, and which way is better.

    ``scale`` turns the column's numbers into ``unit`` (dollars into ``US$ million``);
    ``headline`` puts the outcome in the table of main outcomes (``sim run`` and the report).
    """

    name: str
    label: str
    unit: str
    scale: float = 1.0
    better: Better = "none"
    headline: bool = False

    @property
    def numeric(self) -> bool:
        """Whether the outcome is a number (not a date)."""
        return self.unit != "date"

    @property
    def heading(self) -> str:
        """The label with its unit in brackets, unless the label already says it.

        ``Total cost (US$ million)``, but ``Days over the cap``, ``Attacks`` (a count) and
        ``Adviser-days delivered`` (in person-days).
        """
        said = self.unit.rsplit("-", 1)[-1].lower() in self.label.lower()
        if self.unit in _UNITS_NOT_SHOWN or said:
            return self.label
        return f"{self.label} ({self.unit})"


def _by_name(*outcomes: Outcome) -> dict[str, Outcome]:
    return {o.name: o for o in outcomes}


_MILLION = 1e-6  # dollars to US$ million
OUTCOMES: dict[str, Outcome] = _by_name(
    Outcome("peak_cap_count", "Peak cap count", "people", headline=True),
    Outcome("mean_cap_count", "Mean cap count", "people", headline=True),
    Outcome("peak_boots_on_ground", "Peak boots on the ground", "people", headline=True),
    Outcome("people_flown", "People flown in or out", "people", headline=True),
    Outcome("days_over_cap", "Days over the cap", "days", better="lower", headline=True),
    Outcome(
        "adviser_days", "Adviser-days delivered", "person-days", better="higher", headline=True
    ),
    Outcome("attacks", "Attacks", "count", better="lower", headline=True),
    Outcome("casualties", "Casualties", "count", better="lower", headline=True),
    Outcome(
        "total_cost_usd", "Total cost", "US$ million", scale=_MILLION, better="lower", headline=True
    ),
    Outcome("zero_on", "Force reaches zero on", "date", headline=True),
    Outcome("mean_boots_on_ground", "Mean boots on the ground", "people"),
    Outcome("final_cap_count", "Final cap count", "people"),
    Outcome(
        "exposed_person_days", "Exposure: people in the country", "person-days", better="lower"
    ),
    Outcome("troop_cost_usd", "Troop cost", "US$ million", scale=_MILLION, better="lower"),
    Outcome("base_cost_usd", "Base cost", "US$ million", scale=_MILLION, better="lower"),
    Outcome("shortfalls", "Planning shortfalls", "count", better="lower"),
)
MET_ON = f"{PHASE}_met_on"
DAYS_LATE = f"{PHASE}_days_late"
PER_PHASE: dict[str, Outcome] = _by_name(
    Outcome(MET_ON, f"Targets met: {PHASE}", "date"),
    Outcome(DAYS_LATE, f"Days late: {PHASE}", "days", better="lower"),
)
MONTHLY: dict[str, Outcome] = _by_name(  # per month of a sweep (sim.ensemble.sweep)
    Outcome("cap_count_p90", "90th-percentile cap count", "people"),
)

# Outcomes that are numbers, in every run (the per-phase ones depend on the scenario).
NUMERIC = tuple(name for name, o in OUTCOMES.items() if o.numeric)
# The table of main outcomes, in its order.
HEADLINE = tuple(name for name, o in OUTCOMES.items() if o.headline)
# Two more selections, each in its own order, that are not the headline table: the charts
# show five outcomes, cost first, and ``--replications auto`` also waits on the mean boots
# on the ground. Making them one list would change the charts, and where ``auto`` stops.
# The outcomes charted when none are asked for, in panel order.
CHARTED = ("total_cost_usd", "mean_cap_count", "peak_boots_on_ground", "adviser_days", "casualties")
# The means ``--replications auto`` makes precise: replications are added until each is.
PRECISE = ("mean_cap_count", "mean_boots_on_ground", "adviser_days", "total_cost_usd", "casualties")


def phase_outcome(pattern: str, phase: str) -> str:
    """The name of a per-phase outcome: ``phase_outcome(MET_ON, "withdrawal")``."""
    if pattern not in PER_PHASE:
        raise KeyError(f"no per-phase outcome {pattern!r} (have {', '.join(PER_PHASE)})")
    return pattern.replace(PHASE, phase)


def _split(name: str) -> tuple[Outcome, str] | None:
    """The per-phase pattern ``name`` follows and its phase slug, or ``None``."""
    for pattern, outcome in PER_PHASE.items():
        before, after = pattern.split(PHASE)
        slug = name.removeprefix(before).removesuffix(after)
        if name.startswith(before) and name.endswith(after) and slug:
            return outcome, slug
    return None


def phase_of(name: str) -> str | None:
    """The phase slug of a per-phase outcome (``withdrawal_days_late``), else ``None``."""
    if name in OUTCOMES or name in MONTHLY:
        return None
    found = _split(name)
    return found[1] if found else None


def outcome_info(name: str) -> Outcome:
    """The registry's entry for ``name``, per-phase names included; ``KeyError`` if none."""
    if name in OUTCOMES:
        return OUTCOMES[name]
    if name in MONTHLY:
        return MONTHLY[name]
    found = _split(name)
    if found is None:
        raise KeyError(f"no outcome {name!r} in the registry (sim.scenario.outcomes)")
    pattern, slug = found
    words = slug.replace("_", " ")
    return replace(pattern, name=name, label=pattern.label.replace(PHASE, words))
