"""Uncertain dates: a date written as a uniform, triangular or choice distribution over dates.

Loading is checked here: the forms a user writes (YAML dates, ISO text from ``--set``), the
median standing in, draws in whole days within bounds, and each mistake refused with the
file, line and key, a distribution's extremes included. Drawing per replication, common
random numbers and the run folder are in tests/ensemble/test_drawn_dates.py.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import math
import textwrap
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from ruamel.yaml import YAML

import sim
from sim import ScenarioError
from sim.scenario.uncertainty import DateChoice, DateTriangular, DateUniform

BASE = Path(__file__).resolve().parents[2] / "scenarios" / "base.yaml"
START = "policy.phases.1.start"
ANNOUNCED = "policy.phases.1.announced"
ATTACKS = "threat.attacks_per_month"
GRID = (np.arange(60_000) + 0.5) / 60_000  # u at the middle of equal slices of (0, 1)
POLICY = """
    policy:
      phases:
        - name: status quo
          start: 2021-06-01
        - name: drawdown
          start: 2021-07-26
          deadline: 2021-12-31
          total: 1500
        - name: hold
          start: 2021-12-31
    """


def write(folder: Path, policy: str = POLICY) -> Path:
    """base.yaml's world (force, threat, costs) with ``policy`` (YAML text) as its policy,
    given as phases whatever form base.yaml gives its own in."""
    data = YAML(typ="safe", pure=True).load(BASE.read_text(encoding="utf-8"))
    del data["policy"]
    out = io.StringIO()
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    yaml.dump(data, out)
    path = folder / "dates.yaml"
    path.write_text(out.getvalue() + textwrap.dedent(policy).lstrip("\n"), encoding="utf-8")
    return path


def line_of(path: Path) -> int:
    """The line marked ``# <-``."""
    return next(n for n, line in enumerate(path.read_text().split("\n"), 1) if "# <-" in line)


@pytest.fixture(scope="module")
def with_set(tmp_path_factory):
    """Load the scenario of ``POLICY`` with these ``--set`` overrides."""
    path = write(tmp_path_factory.mktemp("dates"))
    return lambda *overrides: sim.load_scenario(path, list(overrides))


# Forms --------------------------------------------------------------------------------------

FORMS = {
    # spec, type, (low, high), median
    "uniform": (
        "{distribution: uniform, low: 2021-07-01, high: 2021-08-30}",
        DateUniform,
        (dt.date(2021, 7, 1), dt.date(2021, 8, 30)),
        dt.date(2021, 7, 31),  # 30 days after the first, 30 before the last
    ),
    "triangular": (
        "{distribution: triangular, low: 2021-07-01, mode: 2021-07-05, high: 2021-07-31}",
        DateTriangular,
        (dt.date(2021, 7, 1), dt.date(2021, 7, 31)),
        # b - sqrt((b - a)(b - c) / 2) days from 1 July, to the nearest day
        dt.date(2021, 7, 1) + dt.timedelta(days=round(30 - math.sqrt(30 * 26 / 2))),
    ),
    "choice": (
        "{distribution: choice, values: [2021-07-26, 2021-07-01], weights: [1, 3]}",
        DateChoice,
        (dt.date(2021, 7, 1), dt.date(2021, 7, 26)),
        dt.date(2021, 7, 1),  # three chances in four
    ),
}


@pytest.mark.parametrize("kind", sorted(FORMS))
def test_each_form_loads_with_its_median_standing_in(kind, with_set):
    spec, model, (low, high), median = FORMS[kind]
    scenario = with_set(f"{START}={spec}")
    dist = scenario.uncertainties[START]
    assert type(dist) is model
    assert dist.extremes() == (low, high)
    assert dist.central() == median
    assert scenario.policy.phases[1].start == median
    assert type(scenario.policy.phases[1].start) is dt.date


@pytest.mark.parametrize("kind", sorted(FORMS))
def test_draws_are_whole_days_within_bounds_and_ordered(kind, with_set):
    spec, _, (low, high), _ = FORMS[kind]
    dist = with_set(f"{START}={spec}").uncertainties[START]
    draws = [dist.quantile(float(u)) for u in GRID]
    assert all(type(d) is dt.date for d in draws)
    assert min(draws) == low and max(draws) == high
    assert all(a <= b for a, b in itertools.pairwise(draws))


def test_a_uniform_date_gives_every_day_between_its_bounds_equally(with_set):
    """Draws are rounded to the nearest day, so the first and last days get half a day's
    share each and every day between them a whole one."""
    scenario = with_set(f"{START}={{distribution: uniform, low: 2021-10-01, high: 2021-10-31}}")
    counts = Counter(scenario.uncertainties[START].quantile(float(u)) for u in GRID)
    days = [dt.date(2021, 10, d) for d in range(1, 32)]
    assert set(counts) == set(days)
    share = len(GRID) / 30
    assert all(abs(counts[d] - share) <= 1 for d in days[1:-1])
    assert abs(counts[days[0]] - share / 2) <= 1 and abs(counts[days[-1]] - share / 2) <= 1


def test_a_choice_of_dates_gives_its_dates_in_proportion_to_the_weights(with_set):
    dist = with_set(f"{START}={FORMS['choice'][0]}").uncertainties[START]
    counts = Counter(dist.quantile(float(u)) for u in GRID)
    assert counts[dt.date(2021, 7, 1)] == pytest.approx(0.75 * len(GRID), abs=1)
    assert counts[dt.date(2021, 7, 26)] == pytest.approx(0.25 * len(GRID), abs=1)


def test_iso_text_reads_as_the_date_it_names(with_set):
    """``--set`` values and quoted dates arrive as text; they mean the same dates."""
    quoted = with_set(f"{START}={{distribution: uniform, low: '2021-07-01', high: '2021-08-30'}}")
    plain = with_set(f"{START}={FORMS['uniform'][0]}")
    assert quoted.uncertainties[START] == plain.uncertainties[START]


def test_a_date_distribution_in_a_file(tmp_path):
    path = write(
        tmp_path,
        """
        policy:
          phases:
            - name: status quo
              start: 2021-06-01
            - name: drawdown
              start: {distribution: triangular, low: 2021-07-01, mode: 2021-07-05, high: 2021-07-31}
              announced: {distribution: choice, values: [2021-06-15, 2021-07-01]}
              deadline: 2021-12-31
              total: 1500
        """,
    )
    scenario = sim.load_scenario(path)
    assert set(scenario.uncertainties) >= {START, ANNOUNCED}
    assert scenario.policy.phases[1].start == FORMS["triangular"][3]
    # the median of two equally likely values is the second, as for a choice of numbers
    assert scenario.policy.phases[1].announced == dt.date(2021, 7, 1)


def test_the_distribution_is_recorded_with_iso_dates(with_set):
    """The manifest keeps each distribution as JSON: dates as YYYY-MM-DD."""
    dist = with_set(f"{START}={FORMS['triangular'][0]}").uncertainties[START]
    dumped = dist.model_dump(mode="json")
    assert dumped["low"] == "2021-07-01" and dumped["mode"] == "2021-07-05"


# Mistakes -----------------------------------------------------------------------------------

BAD = [
    # override, key the error names, words in the message
    (f"{START}={{distribution: normal, mean: 2021-07-26, sd: 5}}", START, "not from a normal"),
    (f"{START}={{distribution: lognormal, mu: 1, sigma: 1}}", START, "uniform, triangular, choice"),
    (f"{START}={{distribution: poisson, mean: 3}}", START, "not from a poisson"),
    (f"{START}={{distribution: gamma, low: 2021-07-01}}", START, "'triangular'"),
    (
        f"{START}={{distribution: uniform, low: 4, high: 2021-08-31}}",
        f"{START}.low",
        "not a number",
    ),
    (f"{START}={{distribution: uniform, low: 2021-07-01, high: 9.5}}", f"{START}.high", "number"),
    (f"{START}={{distribution: choice, values: [2021-07-01, 5]}}", f"{START}.values.1", "number"),
    (f"{ATTACKS}={{distribution: uniform, low: 2021-07-01, high: 9}}", f"{ATTACKS}.low", "a date"),
    (
        "unit_types.adviser_team.lead_time_days={distribution: choice, values: [2021-07-01]}",
        "unit_types.adviser_team.lead_time_days.values.0",
        "not a date",
    ),
    (f"{START}={{distribution: uniform, low: 2021-08-31, high: 2021-07-01}}", START, "before"),
    (f"{START}={{distribution: uniform, low: 2021-07-01, high: 2021-07-01}}", START, "before"),
    (
        f"{START}={{distribution: triangular, low: 2021-07-01, mode: 2021-09-01, "
        "high: 2021-08-01}",
        START,
        "mode",
    ),
    (f"{START}={{distribution: uniform, low: 2021-13-01, high: 2021-08-31}}", START, "month"),
    (
        f"{START}={{distribution: uniform, low: '2021-13-01', high: 2021-08-31}}",
        f"{START}.low",
        "expected a date (YYYY-MM-DD)",
    ),
    (
        f"{START}={{distribution: uniform, low: 2021-07-01 10:30:00, high: 2021-08-31}}",
        f"{START}.low",
        "not a date and time",
    ),
    (f"{START}={{distribution: uniform, low: 2021-07-01}}", f"{START}.high", "missing"),
    (
        f"{START}={{distribution: uniform, low: 2021-07-01, high: 2021-08-31, mode: 2021-07-04}}",
        f"{START}.mode",
        "unknown key",
    ),
    (
        f"{START}={{distribution: choice, values: [2021-07-01, 2021-07-26], weights: [1]}}",
        START,
        "weights",
    ),
    (f"{START}={{distribution: choice, values: []}}", f"{START}.values", "at least 1"),
    (
        "start={distribution: uniform, low: 2021-05-01, high: 2021-06-01}",
        "start",
        "cannot be drawn",
    ),
    ("end={distribution: uniform, low: 2022-06-01, high: 2022-07-01}", "end", "cannot be drawn"),
    ("name={distribution: choice, values: [2021-07-01]}", "name", "a number or a date"),
    # extremes: each end of the distribution, the rest at their medians, must be valid
    (f"{START}={{distribution: uniform, low: 2021-07-01, high: 2022-01-31}}", START, "2022-01-31"),
    (
        f"{ANNOUNCED}={{distribution: uniform, low: 2021-07-01, high: 2021-08-15}}",
        ANNOUNCED,
        "can give 2021-08-15, and then a phase cannot be announced after it starts",
    ),
    (
        "policy.phases.2.start={distribution: choice, "
        "values: [2021-07-01, 2021-12-31, 2022-01-15]}",
        "policy.phases.2.start",
        "can give 2021-07-01",
    ),
]


@pytest.mark.parametrize(
    ("override", "key", "words"), BAD, ids=[f"{b[1]}-{i}" for i, b in enumerate(BAD)]
)
def test_a_bad_date_distribution_names_the_set_and_the_key(override, key, words, with_set):
    with pytest.raises(ScenarioError) as err:
        with_set(override)
    assert err.value.file == "--set"
    assert err.value.key == key
    assert words in err.value.message
    assert "\n" not in str(err.value)


def test_a_start_that_can_fall_after_its_deadline_is_refused_at_its_line(tmp_path):
    path = write(
        tmp_path,
        """
        policy:
          phases:
            - name: status quo
              start: 2021-06-01
            - name: drawdown
              start:  # <-
                distribution: uniform
                low: 2021-07-01
                high: 2021-10-15
              deadline: 2021-10-01
              total: 1500
        """,
    )
    with pytest.raises(ScenarioError) as err:
        sim.load_scenario(path)
    assert (err.value.file, err.value.line, err.value.key) == (str(path), line_of(path), START)
    assert "can give 2021-10-15" in err.value.message
    assert "policy.phases.1.deadline" in err.value.message
    assert "before it starts" in err.value.message


@pytest.mark.parametrize(
    ("value", "key", "words"),
    [
        ("{distribution: normal, mean: 5, sd: 1}", START, "not from a normal"),
        ("{distribution: uniform, low: 2021-07-01, high: 30}", f"{START}.high", "not a number"),
    ],
)
def test_a_bad_date_distribution_in_a_file_names_its_line(tmp_path, value, key, words):
    path = write(
        tmp_path,
        f"""
        policy:
          phases:
            - name: status quo
              start: 2021-06-01
            - name: drawdown
              total: 1500
              start: {value}  # <-
        """,
    )
    with pytest.raises(ScenarioError) as err:
        sim.load_scenario(path)
    assert (err.value.file, err.value.line, err.value.key) == (str(path), line_of(path), key)
    assert words in err.value.message
