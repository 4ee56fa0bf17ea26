"""Inputs in words: the scenario's own words where it has them, never a dotted path.

An exploration's inputs are dotted paths into the scenarios; the charts write them in
words (the announcement's name for ``policy.announcements.1.announced``), taken from the
resolved scenarios the exploration's manifest records.
"""

from pathlib import Path

import matplotlib as mpl
import pandas as pd
import pytest

import sim
from sim import plots
from sim.plots.labels import input_label, input_labels, option_label

from .conftest import INPUTS, WORDS, data_axes, explore_tables, ytick_texts

ROOT = Path(__file__).resolve().parents[2]


def _entry(name: str, **overrides: object) -> dict:
    """A run manifest's entry for the scenario ``name`` (``--set`` style overrides)."""
    scenario = sim.load_scenario(
        ROOT / "scenarios" / f"{name}.yaml", [f"{key}={value}" for key, value in overrides.items()]
    )
    return {"name": scenario.name, "resolved": scenario.model_dump(mode="json")}


@pytest.fixture(scope="module")
def manifest() -> dict:
    """As an exploration writes it: the options, and a lever for the advisory one only."""
    return {
        "scenarios": [_entry("status-quo"), _entry("advisory"), _entry("withdrawal")],
        "experiment": {
            "uncertainties": {"threat.attacks_per_month": {"low": 2, "high": 20}},
            "levers": {
                "cap": {"low": 1500, "high": 3000},
                "policy.announcements.1.announced": {
                    "low": "2021-07-26",
                    "high": "2021-11-30",
                    "scenarios": ["advisory"],
                },
            },
        },
    }


# --- one input -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("threat.attacks_per_month", "Attacks per month"),
        ("unit_types.adviser_team.lead_time_days", "Adviser team: lead time (days)"),
        ("cap", "Cap (people)"),
        ("tour_extension_days", "Tour extension (days)"),
        ("cost.default_per_troop_year_usd", "Default cost per troop-year (US$)"),
        ("airlift.sorties_per_week", "Airlift sorties per week"),
        ("airlift.cancel_probability", "Airlift cancellation probability"),
        ("threat.exposure.combat", "Combat exposure"),
        ("per_unit.readiness_slip_days", "Per-unit readiness slip (days)"),
        ("policy.announcements.1.announced", "Announcement 1: announced"),
        ("policy.phases.2.cap", "Phase 2: cap (people)"),
    ],
)
def test_a_path_in_words(path, words):
    assert input_label(path) == words


def test_the_scenario_names_its_own_announcements():
    advisory = _entry("advisory")
    assert input_label("policy.announcements.1.announced", advisory) == (
        "End of the combat mission: announced"
    )
    resolved = advisory["resolved"]  # a resolved scenario alone does as well
    assert input_label("policy.announcements.2.cap", resolved) == (
        "Advise, assist and enable: cap (people)"
    )
    assert input_label("policy.announcements.1.mix.advisory", resolved) == (
        "End of the combat mission: advisory share"
    )


def test_a_path_the_scenario_lacks_falls_back_to_its_place():
    status_quo = _entry("status-quo")  # one announcement only
    assert input_label("policy.announcements.1.announced", status_quo) == (
        "Announcement 1: announced"
    )


def test_the_unit_can_be_left_to_the_axis():
    assert input_label("cap", unit=False) == "Cap"
    assert input_label("unit_types.adviser_team.lead_time_days", unit=False) == (
        "Adviser team: lead time"
    )


# --- every input of an exploration -----------------------------------------------------------


def test_an_input_takes_the_words_of_a_scenario_it_applies_to(manifest):
    paths = ["cap", "policy.announcements.1.announced", "threat.attacks_per_month"]
    expected = {
        "cap": "Cap (people)",
        "policy.announcements.1.announced": "End of the combat mission: announced",
        "threat.attacks_per_month": "Attacks per month",
    }
    assert input_labels(paths, manifest) == expected
    # the lever moves the advisory option's announcement: the same words on the charts of
    # the withdrawal option, whose own second announcement is another
    assert input_labels(paths, manifest, "withdrawal") == expected
    assert input_labels(paths, manifest, "status-quo") == expected


# The two levers of experiments/iraq-options.yaml: the advisory option's second announcement.
ANNOUNCEMENT = ["policy.announcements.1.cap", "policy.announcements.1.announced"]


def _advisory_levers(manifest: dict, scenarios: list[str] | None) -> dict:
    """``manifest`` with the levers of the advisory option's announcement only."""
    levers = {path: {"low": 0, "high": 1, "scenarios": scenarios} for path in ANNOUNCEMENT}
    return {**manifest, "experiment": {"levers": levers}}


def test_an_announcement_is_named_for_a_key_it_leaves_unset(manifest):
    """The issue: the advisory option's Sobol chart wrote "Announcement 1: cap (people)"
    beside "End of the combat mission: announced". That announcement sets no cap of its
    own, but the key is still valid there: both inputs take its name."""
    (advisory,) = [e for e in manifest["scenarios"] if e["name"] == "advisory"]
    assert advisory["resolved"]["policy"]["announcements"][1]["cap"] is None
    expected = {
        "policy.announcements.1.cap": "End of the combat mission: cap (people)",
        "policy.announcements.1.announced": "End of the combat mission: announced",
    }
    limited = _advisory_levers(manifest, ["advisory"])
    for option in ("advisory", "withdrawal", "status-quo", None):
        assert input_labels(ANNOUNCEMENT, limited, option) == expected, option
    # a lever for every option: each option's chart names its own announcement 1 (the
    # status quo has none: the first that has one names it)
    everywhere = _advisory_levers(manifest, None)
    assert input_labels(ANNOUNCEMENT, everywhere, "advisory") == expected
    assert input_labels(ANNOUNCEMENT, everywhere, "status-quo") == expected
    assert input_labels(ANNOUNCEMENT, everywhere, "withdrawal") == {
        "policy.announcements.1.cap": "Withdrawal: cap (people)",
        "policy.announcements.1.announced": "Withdrawal: announced",
    }
    # without a scenario at hand, or where none has the announcement: its place
    assert input_labels(ANNOUNCEMENT)["policy.announcements.1.cap"] == (
        "Announcement 1: cap (people)"
    )
    only_status_quo = _advisory_levers(manifest, ["status-quo"])
    assert input_labels(ANNOUNCEMENT, only_status_quo)["policy.announcements.1.cap"] == (
        "Announcement 1: cap (people)"
    )


def test_the_sobol_chart_names_one_announcement_one_way(manifest):
    indices = pd.DataFrame(
        {
            "scenario": "advisory",
            "outcome": "total_cost_usd",
            "input": ANNOUNCEMENT,
            "S1": [0.3, 0.1],
            "S1_conf": 0.05,
            "ST": [0.4, 0.2],
            "ST_conf": 0.05,
            "groups": 8,
            "dropped": 0,
        }
    )
    fig = plots.sensitivity_chart(
        indices,
        scenario="advisory",
        outcome="total_cost_usd",
        method="sobol",
        manifest=_advisory_levers(manifest, ["advisory"]),
    )
    (ax,) = data_axes(fig)
    assert sorted(ytick_texts(ax)) == [
        "End of the combat mission: announced",
        "End of the combat mission: cap (people)",
    ]


def test_without_a_manifest_the_words_come_from_the_path():
    assert input_labels(INPUTS) == WORDS


def test_an_option_is_named_with_its_title(manifest):
    assert option_label("advisory", manifest) == "advisory (Shift to an advisory role)"
    assert option_label("advisory") == "advisory"


# --- the charts ------------------------------------------------------------------------------

CHARTS = {
    "scatter": lambda t, m: plots.outcome_scatter(
        t["experiments"], t["means"], "total_cost_usd", inputs=INPUTS, manifest=m
    ),
    "sobol": lambda t, m: plots.sensitivity_chart(
        t["sobol"], scenario="advisory", outcome="total_cost_usd", method="sobol", manifest=m
    ),
    "morris": lambda t, m: plots.sensitivity_chart(
        t["morris"], scenario="advisory", outcome="adviser_days", method="morris", manifest=m
    ),
    "tornado": lambda t, m: plots.tornado(
        t["tornado"], scenario="advisory", outcome="total_cost_usd", manifest=m
    ),
    "over time": lambda t, m: plots.sensitivity_over_time(
        t["sobol_time"], scenario="advisory", method="sobol", manifest=m
    ),
    "boxes": lambda t, m: plots.discovered_boxes(
        t["inputs"], t["means"], t["ok"], t["rules"], scenario="advisory", manifest=m
    ),
}


def _texts(fig) -> list[str]:
    return [t.get_text() for t in fig.findobj(mpl.text.Text) if t.get_text()]


@pytest.mark.parametrize("with_manifest", [True, False])
@pytest.mark.parametrize("chart", CHARTS)
def test_charts_show_inputs_in_words_not_paths(chart, with_manifest, manifest):
    fig = CHARTS[chart](explore_tables(), manifest if with_manifest else None)
    texts = _texts(fig)
    for path in INPUTS:  # "cap" alone is also a word ("90th-percentile cap count")
        assert not any(path in text if "_" in path else path == text for text in texts), path
    assert not any("policy." in text or "_per_" in text for text in texts)
    announced = "End of the combat mission" if with_manifest else "Announcement 1"
    if chart not in ("boxes",):  # the box chart shows the two inputs its rule names
        assert any(text.startswith(f"{announced}: announced") for text in texts), texts


def test_the_tornado_names_its_rows_in_the_scenario_words(manifest):
    fig = CHARTS["tornado"](explore_tables(), manifest)
    (ax,) = data_axes(fig)
    assert "End of the combat mission: announced" in ytick_texts(ax)
    assert "Cap (people)" in ytick_texts(ax)


def test_exploration_footers_name_the_option_with_its_title(manifest):
    fig = CHARTS["tornado"](explore_tables(), manifest)
    assert any("option advisory (Shift to an advisory role)" in t for t in _texts(fig))
