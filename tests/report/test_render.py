"""What the report says in its text and tables: options by title, people's numbers, intervals
to one precision, and scenario text kept as text.

The comparison is the one ``sim compare`` wrote (see conftest.py), read back and, where a
test needs it, changed in its manifest; it is rendered without charts.
"""

import copy
import dataclasses
import math

import pandas as pd
import pytest

import sim
from sim.report import render
from sim.report.html import _interval
from sim.workflows.comparison import Comparison

HOSTILE = "<script>alert('x')</script> & <b>bold</b>"


@pytest.fixture(scope="module")
def cmp(folder) -> Comparison:
    return sim.load_results(folder)


@pytest.fixture(autouse=True)
def no_charts(monkeypatch):
    monkeypatch.setattr(Comparison, "chart_makers", lambda self: {})


def _changed(c: Comparison, change) -> Comparison:
    manifest = copy.deepcopy(c.manifest)
    change(manifest)
    return dataclasses.replace(c, manifest=manifest)


def test_the_cap_of_each_phase_is_a_number_of_people(page):
    for table in page.tables["options"][1::2]:  # each option's phases
        cap = table[0].index("Cap")
        assert {row[cap] for row in table[1:]} == {"2,500 people"}
        early = table[0].index("Early return")
        assert not [row[early] for row in table[1:] if "_" in row[early]]


@pytest.fixture(scope="module")
def page(cmp, read_page):
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Comparison, "chart_makers", lambda self: {})
        return read_page(render(cmp))


def test_titles_descriptions_and_notes_stay_text(cmp, read_page):
    def hostile(manifest):
        for record in manifest["scenarios"]:
            record["resolved"]["title"] = HOSTILE
            record["resolved"]["description"] = HOSTILE
            record["notes"]["cap"] = HOSTILE
        manifest["scenarios"][0]["phases"][0]["name"] = HOSTILE

    html = render(_changed(cmp, hostile))
    page = read_page(html)
    assert page.tags["script"] == page.tags["b"] == 0
    assert "<script>" not in html and "<b>bold" not in html
    assert HOSTILE in page.title
    assert HOSTILE in page.words("options")
    assumptions = {row[0]: row[1:] for row in page.tables["assumptions"][0][1:]}
    assert assumptions["cap"][1] == HOSTILE
    assert page.tables["options"][1][1][0] == HOSTILE  # the first option's first phase


def test_options_that_share_a_title_are_told_apart_by_name(cmp, read_page):
    def same_title(manifest):
        for record in manifest["scenarios"]:
            record["resolved"]["title"] = "One title"

    page = read_page(render(_changed(cmp, same_title)))
    outcomes = page.tables["results"][0]
    assert outcomes[0] == ["Outcome", *(f"One title ({n})" for n in cmp.scenarios)]


def _row(mean, q05, q95, ci_low=math.nan, ci_high=math.nan) -> pd.Series:
    return pd.Series({"mean": mean, "q05": q05, "q95": q95, "ci_low": ci_low, "ci_high": ci_high})


@pytest.mark.parametrize(
    ("row", "ci", "shown"),
    [
        (_row(-63.2, -153.0, 9.9), False, "-63 (-153 to 10)"),
        (_row(0.0, 0.0, 0.0, 0.0, 0.0), True, "0 (0 to 0); CI 0 to 0"),
        (_row(-1.83, -3.8, -0.2, -2.96, -0.71), True, "-1.8 (-3.8 to -0.2); CI -3.0 to -0.7"),
        (_row(0.25, 0.1, 0.4), False, "0.25 (0.10 to 0.40)"),
        (_row(-0.001, -0.004, 0.3), False, "0.00 (0.00 to 0.30)"),  # no "-0.00"
    ],
)
def test_an_interval_gives_its_numbers_to_one_precision(row, ci, shown):
    assert _interval(row, 1.0, ci=ci) == shown


def test_one_replication_gives_its_value_alone():
    assert _interval(_row(2450.0, 2450.0, 2450.0), 1.0, one=True) == "2,450"
