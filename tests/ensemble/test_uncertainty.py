"""Uncertain inputs: distributions written in place of numbers, checked and drawn.

The distributions are checked here through ``--set`` and a file, the way users write them,
and their quantile functions against the textbook: support, order, median and mean.
"""

import contextlib
import itertools
import math
import signal
from pathlib import Path
from statistics import NormalDist

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter

import sim
from sim.analysis.statistics import outcome_columns
from sim.ensemble.sampling import sample_scenario
from sim.errors import ScenarioError
from sim.scenario.uncertainty import Distribution, poisson_quantile

from ..conftest import ADVISORY, SHORT_ADVISORY, UNCERTAIN, load, pins

DIST = TypeAdapter(Distribution)
ATTACKS = "threat.attacks_per_month"
# u at the middle of 200,000 equal slices of (0, 1): the mean of quantile(u) is the mean.
GRID = (np.arange(200_000) + 0.5) / 200_000

KINDS = {
    # spec, support, mean, median
    "uniform": ("{distribution: uniform, low: 4, high: 12}", (4, 12), 8.0, 8.0),
    "triangular": (
        "{distribution: triangular, low: 4, mode: 8, high: 15}",
        (4, 15),
        9.0,
        15 - math.sqrt(0.5 * 11 * 7),
    ),
    "normal": ("{distribution: normal, mean: 8, sd: 1}", (0, math.inf), 8.0, 8.0),
    "lognormal": (
        "{distribution: lognormal, mu: 2, sigma: 0.25}",
        (0, math.inf),
        math.exp(2 + 0.25**2 / 2),
        math.exp(2),
    ),
    "poisson": ("{distribution: poisson, mean: 8}", (0, math.inf), 8.0, 8.0),
    "choice": (
        "{distribution: choice, values: [4, 8, 20], weights: [1, 2, 1]}",
        (4, 20),
        10.0,
        8.0,
    ),
}


def with_set(*overrides: str):
    return sim.load_scenario(ADVISORY, list(overrides))


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_each_kind_loads_and_draws_within_its_support(kind):
    spec, (low, high), _, median = KINDS[kind]
    scenario = with_set(f"{ATTACKS}={spec}")
    dist = scenario.uncertainties[ATTACKS]
    assert dist.distribution == kind
    assert scenario.threat.attacks_per_month == pytest.approx(median)  # the median stands in
    draws = [sample_scenario(scenario, 11, k) for k in range(40)]
    values = [drawn[ATTACKS] for _, drawn in draws]
    assert all(low <= v <= high for v in values), values
    assert all(s.threat.attacks_per_month == d[ATTACKS] for s, d in draws)
    assert len(set(values)) > 1
    assert all(s.cap == scenario.cap for s, _ in draws)  # plain numbers stay fixed


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_quantiles_are_ordered_with_the_right_median_and_mean(kind):
    spec, (low, high), mean, median = KINDS[kind]
    dist = with_set(f"{ATTACKS}={spec}").uncertainties[ATTACKS]
    values = np.array([dist.quantile(u) for u in GRID])
    assert (np.diff(values) >= 0).all()
    assert values.min() >= low and values.max() <= high
    assert dist.central() == pytest.approx(median)
    assert dist.quantile(0.5) == pytest.approx(median)
    assert values.mean() == pytest.approx(mean, rel=2e-3)


def test_the_issue_example_loads():
    spec = "{distribution: triangular, low: 4, mode: 8, high: 15}"
    scenario = with_set(f"{ATTACKS}={spec}")
    assert scenario.uncertainties[ATTACKS].distribution == "triangular"
    assert scenario.uncertainties[ATTACKS].support() == (4, 15)


def test_a_bounded_normal_stays_within_its_bounds():
    spec = "{distribution: normal, mean: 8, sd: 4, low: 5, high: 9}"
    dist = with_set(f"{ATTACKS}={spec}").uncertainties[ATTACKS]
    values = np.array([dist.quantile(u) for u in GRID])
    assert values.min() >= 5 and values.max() <= 9
    # mean of a normal cut to [a, b]: mu + sd (phi(alpha) - phi(beta)) / (Phi(beta) - Phi(alpha))
    z = NormalDist()
    alpha, beta = (5 - 8) / 4, (9 - 8) / 4
    expected = 8 + 4 * (z.pdf(alpha) - z.pdf(beta)) / (z.cdf(beta) - z.cdf(alpha))
    assert values.mean() == pytest.approx(expected, rel=1e-3)


def test_poisson_quantile_is_the_inverse_of_the_cdf():
    for mean in (0.2, 3.0, 30.0):
        for u in np.linspace(0.001, 0.999, 57):
            k = poisson_quantile(float(u), mean)
            cdf = sum(math.exp(-mean) * mean**i / math.factorial(i) for i in range(k + 1))
            below = cdf - math.exp(-mean) * mean**k / math.factorial(k)
            assert below < u <= cdf + 1e-12, (mean, u, k)


@contextlib.contextmanager
def time_limit(seconds: float):
    """Turn a call that never returns into a failure (a loop that cannot end is a bug)."""

    def stop(*_):
        raise TimeoutError(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@pytest.mark.parametrize("mean", [0.2, 8.0, 30.0])
def test_poisson_quantile_ends_for_the_largest_uniform(mean):
    """``Generator.random()`` can return the largest double below 1, where the sum of the
    probabilities, added up in floating point, may never reach u."""
    u = float(np.nextafter(1.0, 0.0))
    with time_limit(2):
        k = poisson_quantile(u, mean)
    assert k >= mean


def test_integer_fields_take_whole_numbers():
    key = "unit_types.adviser_team.lead_time_days"
    scenario = with_set(f"{key}={{distribution: uniform, low: 45.5, high: 135.5}}")
    assert isinstance(scenario.unit_types["adviser_team"].lead_time_days, int)
    for k in range(20):
        concrete, drawn = sample_scenario(scenario, 0, k)
        assert isinstance(drawn[key], int)
        assert drawn[key] == concrete.unit_types["adviser_team"].lead_time_days
        assert 45 <= drawn[key] <= 136


def test_a_scenario_without_distributions_is_left_alone():
    scenario = with_set(*pins(ADVISORY))
    assert scenario.uncertainties == {}
    assert sample_scenario(scenario, 0, 3) == (scenario, {})


def test_draws_depend_on_seed_and_replication_only():
    a = load(ADVISORY, *SHORT_ADVISORY, *UNCERTAIN)
    b = load(ADVISORY, *SHORT_ADVISORY, *UNCERTAIN)
    assert sample_scenario(a, 4, 9)[1] == sample_scenario(b, 4, 9)[1]
    assert sample_scenario(a, 4, 9)[1] != sample_scenario(a, 5, 9)[1]
    assert sample_scenario(a, 4, 9)[1] != sample_scenario(a, 4, 10)[1]


def test_drawn_inputs_are_columns_but_not_outcomes():
    """Drawn inputs go in the summary beside the outcomes; comparisons leave them out,
    top-level ones (``cap``, ``tour_extension_days``) included."""
    scenario = with_set(
        "tour_extension_days={distribution: choice, values: [0, 30]}",
        "cap={distribution: uniform, low: 2450, high: 2600}",
        f"{ATTACKS}={{distribution: uniform, low: 4, high: 12}}",
    )
    summary = sim.simulate(scenario, seed=0, replication=1).summary
    drawn = {f"input.{path}" for path in scenario.uncertainties}
    assert drawn <= set(summary.columns)
    assert not drawn & set(outcome_columns(summary))


BAD = [
    # override, key the error names, words in the message
    (f"{ATTACKS}={{distribution: uniform, low: 10, high: 4}}", ATTACKS, "below"),
    (f"{ATTACKS}={{distribution: uniform, low: 4, high: 4}}", ATTACKS, "below"),
    (f"{ATTACKS}={{distribution: triangular, low: 4, mode: 20, high: 15}}", ATTACKS, "mode"),
    (f"{ATTACKS}={{distribution: normal, mean: 8, sd: 0}}", f"{ATTACKS}.sd", "greater than 0"),
    (f"{ATTACKS}={{distribution: normal, mean: 8, sd: -2}}", f"{ATTACKS}.sd", "greater than 0"),
    (f"{ATTACKS}={{distribution: lognormal, mu: 2, sigma: 0}}", f"{ATTACKS}.sigma", "greater"),
    (f"{ATTACKS}={{distribution: poisson, mean: -1}}", f"{ATTACKS}.mean", "greater"),
    (f"{ATTACKS}={{distribution: choice, values: [4, 8], weights: [1]}}", ATTACKS, "weights"),
    (f"{ATTACKS}={{distribution: choice, values: [4, 8], weights: [0, 0]}}", ATTACKS, "zero"),
    (f"{ATTACKS}={{distribution: gamma, shape: 2}}", ATTACKS, "gamma"),
    (f"{ATTACKS}={{distribution: uniform, low: 4}}", f"{ATTACKS}.high", "missing"),
    (f"{ATTACKS}={{distribution: uniform, low: '4', high: 9}}", f"{ATTACKS}.low", "number"),
    ("name={distribution: uniform, low: 4, high: 9}", "name", "number"),
    ("start={distribution: uniform, low: 4, high: 9}", "start", "cannot be drawn"),
    (
        "policy.announcements.1.announced={distribution: uniform, low: 4, high: 9}",
        "policy.announcements.1.announced.low",
        "not a number",
    ),
    ("allow_over_cap={distribution: choice, values: [0, 1]}", "allow_over_cap", "number"),
    (f"{ATTACKS}={{distribution: uniform, low: -2, high: 5}}", ATTACKS, "-2"),
    (
        "airlift.cancel_probability={distribution: uniform, low: 0, high: 1.5}",
        "airlift.cancel_probability",
        "1.5",
    ),
    (
        "unit_types.adviser_team.size={distribution: poisson, mean: 12}",
        "unit_types.adviser_team.size",
        "0",
    ),
]


@pytest.mark.parametrize(
    ("override", "key", "words"), BAD, ids=[b[0].split("=")[0] + f"-{i}" for i, b in enumerate(BAD)]
)
def test_bad_distributions_name_the_set_and_the_key(override, key, words):
    with pytest.raises(ScenarioError) as err:
        with_set(override)
    assert err.value.file == "--set"
    assert err.value.key == key
    assert words in err.value.message
    assert "\n" not in str(err.value)


def test_a_bad_distribution_in_a_file_names_its_line(tmp_path):
    path = tmp_path / "uncertain.yaml"
    base = Path(ADVISORY).resolve()
    path.write_text(
        f"extends: {base}\n"
        "threat:\n"
        "  attacks_per_month: {distribution: triangular, low: 4, mode: 8, high: 15}\n"
        "  casualties_per_attack: {distribution: normal, mean: 0.2, sd: 0}\n"
    )
    with pytest.raises(ScenarioError) as err:
        sim.load_scenario(path)
    assert err.value.file == str(path)
    assert err.value.line == 4
    assert err.value.key == "threat.casualties_per_attack.sd"


def write_chain(folder: Path, value: str) -> Path:
    """A file with a distribution, and one extending it that gives ``value`` instead."""
    (folder / "uncertain.yaml").write_text(
        f"extends: {Path(ADVISORY).resolve()}\n"
        "threat:\n"
        "  attacks_per_month: {distribution: normal, mean: 8, sd: 1}\n"
    )
    child = folder / "child.yaml"
    child.write_text(f"extends: uncertain.yaml\nthreat:\n  attacks_per_month: {value}\n")
    return child


def test_a_number_in_a_file_replaces_the_distribution_it_extends(tmp_path):
    scenario = sim.load_scenario(write_chain(tmp_path, "9"))
    assert ATTACKS not in scenario.uncertainties
    assert scenario.threat.attacks_per_month == 9


def test_a_distribution_in_a_file_replaces_the_one_it_extends(tmp_path):
    """A distribution stands for one number: it replaces the parent's whole, not key by key."""
    child = write_chain(tmp_path, "{distribution: uniform, low: 4, high: 12}")
    scenario = sim.load_scenario(child)
    dist = scenario.uncertainties[ATTACKS]
    assert (dist.distribution, dist.low, dist.high) == ("uniform", 4, 12)


def test_a_distribution_may_name_its_source():
    spec = "{distribution: uniform, low: 4, high: 12, source: expert judgement}"
    assert with_set(f"{ATTACKS}={spec}").uncertainties[ATTACKS].source == "expert judgement"


def test_an_unknown_key_lists_the_distributions_keys():
    with pytest.raises(ScenarioError) as err:
        with_set(f"{ATTACKS}={{distribution: uniform, low: 4, high: 9, mode: 6}}")
    assert err.value.key == f"{ATTACKS}.mode"
    assert "high" in err.value.message  # the keys a uniform takes, not the scenario's
    assert "extends" not in err.value.message


@pytest.mark.parametrize(
    "override",
    [
        # below zero for one draw in five
        f"{ATTACKS}={{distribution: normal, mean: 8, sd: 10}}",
        # above one for one draw in fifteen
        "airlift.cancel_probability={distribution: lognormal, mu: -3, sigma: 2}",
    ],
)
def test_an_unbounded_distribution_must_stay_within_the_field(override):
    """The contract: the distribution's extreme values must give a valid scenario."""
    with pytest.raises(ScenarioError) as err:
        with_set(override)
    assert err.value.file == "--set"
    assert err.value.key == override.split("=")[0]


def test_a_draw_that_breaks_a_rule_between_fields_is_a_scenario_error():
    # Each end is fine with the other at its median; together they can put the total of the
    # last announcement above the cap, which only a draw can show.
    scenario = with_set(
        "cap={distribution: uniform, low: 2430, high: 2700}",
        "policy.announcements.2.total={distribution: uniform, low: 2300, high: 2560}",
    )
    failures = 0
    for k in range(60):
        try:
            sample_scenario(scenario, 0, k)
        except ScenarioError as err:
            assert "replication" in err.message
            failures += 1
    assert failures > 0


FINITE = st.floats(-1e3, 1e3, allow_nan=False)


@st.composite
def distributions(draw):
    kind = draw(st.sampled_from(sorted(KINDS)))
    if kind == "uniform":
        low, high = sorted(draw(st.lists(FINITE, min_size=2, max_size=2, unique=True)))
        spec = {"low": low, "high": high}
    elif kind == "triangular":
        low, mode, high = sorted(draw(st.lists(FINITE, min_size=3, max_size=3)))
        if low == high:
            high = low + 1
        spec = {"low": low, "mode": mode, "high": high}
    elif kind == "normal":
        spec = {"mean": draw(FINITE), "sd": draw(st.floats(0.01, 100))}
    elif kind == "lognormal":
        spec = {"mu": draw(st.floats(-3, 3)), "sigma": draw(st.floats(0.01, 2))}
    elif kind == "poisson":
        spec = {"mean": draw(st.floats(0, 200))}
    else:
        # in increasing order: a choice's quantile follows the order the values are written in
        spec = {"values": sorted(draw(st.lists(FINITE, min_size=1, max_size=5)))}
    return DIST.validate_python({"distribution": kind, **spec})


@settings(max_examples=200, deadline=None)
# u stops short of 1: see test_poisson_quantile_ends_for_the_largest_uniform for the very end.
@given(distributions(), st.lists(st.floats(0, 1 - 1e-9), min_size=2, max_size=10))
@example(  # a mode next to low: rounding took the upper branch below the lower one
    DIST.validate_python(
        {"distribution": "triangular", "low": 0.0, "mode": 1.988149817372781e-138, "high": 45.0}
    ),
    [2.220446049250313e-16, 1.1640572942624338e-210],
)
def test_any_quantile_function_is_ordered_and_within_support(dist, us):
    low, high = dist.support()
    values = [dist.quantile(u) for u in sorted(us)]
    assert all(math.isfinite(v) for v in values)
    # A triangle's quantile near its ends is a difference of nearly equal numbers, which may
    # fall a few units in the last place outside the support.
    slack = 1e-12 * max(abs(v) for v in (low, high, 1.0) if math.isfinite(v))
    assert all(low - slack <= v <= high + slack for v in values)
    assert all(a <= b for a, b in itertools.pairwise(values))
