"""The registry of outcomes: it knows every column a run gives, and says each one plainly.

The columns come from a real run of the advisory scenario (two phases with targets, so
the per-phase outcomes are there too) rather than from a list that could drift with it.
"""

from __future__ import annotations

import typing
from pathlib import Path

import pandas as pd
import pytest

import sim
from sim.scenario.experiment import outcome_names
from sim.scenario.outcomes import (
    CHARTED,
    DAYS_LATE,
    HEADLINE,
    MET_ON,
    MONTHLY,
    NUMERIC,
    OUTCOMES,
    PER_PHASE,
    PRECISE,
    Better,
    outcome_info,
    phase_of,
    phase_outcome,
)

ADVISORY = Path(__file__).resolve().parents[2] / "scenarios" / "advisory.yaml"
NOT_OUTCOMES = ("scenario", "replication")


@pytest.fixture(scope="module")
def summary() -> pd.DataFrame:
    return sim.simulate(sim.load_scenario(ADVISORY)).summary


def outcome_columns(summary: pd.DataFrame) -> list[str]:
    """Every column but the identifiers and the drawn inputs (dotted names)."""
    return [c for c in summary.columns if c not in NOT_OUTCOMES and "." not in c]


def known(name: str) -> bool:
    try:
        outcome_info(name)
    except KeyError:
        return False
    return True


def test_every_numeric_column_of_a_run_is_in_the_registry(summary):
    numeric = [c for c in outcome_columns(summary) if pd.api.types.is_numeric_dtype(summary[c])]
    assert "advise_assist_and_enable_days_late" in numeric  # the per-phase ones are checked
    assert [c for c in numeric if not known(c)] == []
    assert all(outcome_info(c).numeric for c in numeric)


def test_every_date_column_of_a_run_is_in_the_registry_as_a_date(summary):
    dates = [c for c in outcome_columns(summary) if c not in summary.select_dtypes("number")]
    assert {"zero_on", "advise_assist_and_enable_met_on"} <= set(dates)
    for column in dates:
        assert not outcome_info(column).numeric, column


def test_the_fixed_numeric_outcomes_are_the_run_s_numbers(summary):
    numeric = summary.select_dtypes("number").columns
    assert set(NUMERIC) <= set(numeric)
    assert set(NUMERIC) <= outcome_names([sim.load_scenario(ADVISORY)])


@pytest.mark.parametrize(
    ("selection", "numbers_only"),
    [(HEADLINE, False), (CHARTED, True), (PRECISE, True)],
    ids=["headline", "charted", "precise"],
)
def test_every_selection_names_real_columns(summary, selection, numbers_only):
    assert selection
    assert len(set(selection)) == len(selection)
    missing = [name for name in selection if name not in summary.columns]
    assert missing == []
    if numbers_only:
        assert all(name in NUMERIC for name in selection)


def every_entry():
    return [*OUTCOMES.values(), *PER_PHASE.values(), *MONTHLY.values()]


@pytest.mark.parametrize("outcome", every_entry(), ids=lambda o: o.name)
def test_each_entry_has_words_a_unit_and_a_direction(outcome):
    assert outcome.label.strip() and not outcome.label[0].islower()  # a heading, not a clause
    assert outcome.unit.strip()
    assert outcome.scale > 0
    assert outcome.better in typing.get_args(Better)
    assert outcome.heading.startswith(outcome.label)


def test_a_monthly_outcome_is_not_one_of_the_run():
    assert not set(OUTCOMES) & set(MONTHLY)
    assert not set(MONTHLY) & set(NUMERIC)


def test_headings_say_the_unit_only_when_the_label_does_not():
    headings = {name: outcome_info(name).heading for name in HEADLINE}
    assert headings["total_cost_usd"] == "Total cost (US$ million)"
    assert headings["peak_cap_count"] == "Peak cap count (people)"
    assert headings["people_flown"] == "People flown in or out"
    assert headings["adviser_days"] == "Adviser-days delivered"
    assert headings["days_over_cap"] == "Days over the cap"
    assert headings["casualties"] == "Casualties"
    assert headings["zero_on"] == "Force reaches zero on"


def test_per_phase_outcomes_are_found_by_their_pattern():
    name = phase_outcome(DAYS_LATE, "end_of_the_combat_mission")
    assert name == "end_of_the_combat_mission_days_late"
    late = outcome_info(name)
    assert (late.name, late.label, late.unit) == (
        name,
        "Days late: end of the combat mission",
        "days",
    )
    met = outcome_info(phase_outcome(MET_ON, "withdrawal"))
    assert (met.label, met.numeric) == ("Targets met: withdrawal", False)
    assert phase_of(name) == "end_of_the_combat_mission"
    assert phase_of("total_cost_usd") is None
    assert phase_of("_days_late") is None  # no phase


@pytest.mark.parametrize("name", ["nope", "_met_on", "total_cost", "input.cost.x_usd"])
def test_an_unknown_name_is_a_key_error(name):
    with pytest.raises(KeyError, match="no outcome"):
        outcome_info(name)


def test_an_unknown_pattern_is_a_key_error():
    with pytest.raises(KeyError, match="no per-phase outcome"):
        phase_outcome("{phase}_done", "withdrawal")
