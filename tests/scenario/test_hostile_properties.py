"""Property tests for hostile values: YAML alias bombs, numbers past any limit or not
finite, distributions whose draws overflow or pass a limit, and dates centuries apart,
written in place of a number (or date) in a file that extends advisory.yaml or given with
``--set``. Each loads (and draws) as a ``Scenario`` within sim's limits or gives one
``ScenarioError`` that says where; never another exception, and never the minutes and
gigabytes an unbounded alias expansion, horizon or force would take."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from sim import ScenarioError, load_scenario
from sim.ensemble.sampling import sample_scenario
from sim.scenario import limits
from sim.scenario.overrides import OVERRIDE
from sim.scenario.schema import Scenario

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
FILES = ("base.yaml", "advisory.yaml")
SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def numbers(node: Any, prefix: tuple = (), kind: Any = int | float) -> list[tuple]:
    """Key paths of every number (or other ``kind``) in ``node`` (booleans are not numbers)."""
    if isinstance(node, dict):
        items = list(node.items())
    elif isinstance(node, list):
        items = list(enumerate(node))
    else:
        found = isinstance(node, kind) and not isinstance(node, bool)
        return [prefix] if found else []
    return [p for key, value in items for p in numbers(value, (*prefix, key), kind)]


DATA = {n: YAML(typ="safe", pure=True).load((SCENARIOS / n).read_text()) for n in FILES}
NUMBERS = sorted({".".join(map(str, p)) for name in FILES for p in numbers(DATA[name])})
MAPPED = [k for k in NUMBERS if not any(part.isdigit() for part in k.split("."))]
DATES = sorted({".".join(map(str, p)) for n in FILES for p in numbers(DATA[n], (), dt.date)})


@st.composite
def alias_bombs(draw: st.DrawFn) -> str:
    """Flow lists of aliases of aliases: fanout ** (depth + 1) values in a few bytes."""
    depth, fanout = draw(st.integers(1, 12)), draw(st.integers(2, 9))
    text = f"&a0 [{', '.join(['1'] * fanout)}]"
    for n in range(1, depth + 1):
        text = f"&a{n} [{text}, {', '.join([f'*a{n - 1}'] * (fanout - 1))}]"
    return text


# Just past (and at) each of sim's limits, and a people count past 32 bits.
past_limits = st.sampled_from(
    [str(n) for limit in limits.LIMITS for n in (limit.most, limit.most + 1)]
    + ["3000000000", "1e9", "1e7"]
)
huge = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(-(10**400), 10**400),
    st.sampled_from(["1e308", "-1e308", "1e309", ".inf", "-.inf", ".nan", "4.9e-324"]),
    past_limits,
).map(str)
# Where exp() and sums overflow (exp(710), 1e308 + 1e308), besides anything at all.
edges = st.sampled_from(["710", "1000", "1e200", "1e308", "-1e308", "0.5", "1"])
parameters = st.one_of(edges, edges, edges, huge, past_limits, st.floats(-1e4, 1e4).map(str))


@st.composite
def overflowing(draw: st.DrawFn) -> str:
    kind = draw(
        st.sampled_from(
            ["lognormal", "lognormal", "normal", "uniform", "triangular", "choice", "poisson"]
        )
    )
    fields = {
        "lognormal": ["mu", "sigma"],
        "normal": ["mean", "sd"],
        "uniform": ["low", "high"],
        "triangular": ["low", "mode", "high"],
        "poisson": ["mean"],
    }.get(kind, [])
    spec = [f"distribution: {kind}"] + [f"{f}: {draw(parameters)}" for f in fields]
    if kind == "choice":
        values = draw(st.lists(parameters, min_size=1, max_size=3))
        weights = draw(st.lists(parameters, min_size=len(values), max_size=len(values)))
        spec += [f"values: [{', '.join(values)}]", f"weights: [{', '.join(weights)}]"]
    return "{" + ", ".join(spec) + "}"


hostile = st.one_of(alias_bombs(), huge, overflowing(), overflowing())
# Dates from the first year to the last a date can hold, and ranges of them to draw from.
dates = st.dates(dt.date(1, 1, 1), dt.date(9999, 12, 31)).map(dt.date.isoformat)
hostile_dates = st.one_of(
    dates,
    st.sampled_from(["9999-12-31", "0001-01-01", "2071-06-01", "2071-06-02", "2999-12-31"]),
    st.tuples(dates, dates).map(lambda d: f"{{distribution: uniform, low: {d[0]}, high: {d[1]}}}"),
)


def within_limits(scenario: Scenario) -> None:
    """A scenario that loads asks for nothing past sim's limits."""
    scale = limits.estimate(scenario)
    assert scale.days <= 50 * 366 + 1
    assert scale.people <= limits.PEOPLE.most
    assert scale.units <= limits.UNITS.most
    assert scale.unit_tours <= limits.UNIT_TOURS.most
    assert scale.attacks <= limits.ATTACKS.most
    rates = [scenario.threat.attacks_per_month]
    rates += [p.attacks_per_month for p in scenario.policy.phases if p.attacks_per_month]
    assert max(rates) <= limits.ATTACKS_PER_MONTH.most
    assert scenario.threat.casualties_per_attack <= limits.CASUALTIES_PER_ATTACK.most
    assert max(ut.size for ut in scenario.unit_types.values()) <= limits.UNIT_SIZE.most
    assert len(scenario.policy.phases) <= limits.PHASES.most


def check(load: Any, files: tuple[str, ...]) -> None:
    try:
        scenario = load()
    except ScenarioError as err:
        assert type(err) is ScenarioError
        assert err.file in files and "\n" not in str(err), str(err)
        event("refused")
        return
    assert isinstance(scenario, Scenario)
    within_limits(scenario)
    event("loaded")
    try:
        drawn, _ = sample_scenario(scenario, 0, 0)
    except ScenarioError as err:
        assert "replication 0" in err.message
    else:
        within_limits(drawn)


@SETTINGS
@given(key=st.sampled_from(NUMBERS), value=hostile)
@example(key="initial_force.3.count", value="50")  # more than the supply: blamed on --set
def test_a_hostile_set_value_loads_or_raises_one_scenario_error(key: str, value: str) -> None:
    check(lambda: load_scenario(SCENARIOS / "advisory.yaml", [f"{key}={value}"]), (OVERRIDE,))


@SETTINGS
@given(key=st.sampled_from(MAPPED), value=hostile)
def test_a_hostile_value_in_a_file_loads_or_raises_one_scenario_error(key, value) -> None:
    parts = key.split(".")
    lines = ["extends: advisory.yaml"]
    lines += [f"{'  ' * n}{part}:" for n, part in enumerate(parts[:-1])]
    lines.append(f"{'  ' * (len(parts) - 1)}{parts[-1]}: {value}")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for name in FILES:
            (folder / name).write_text((SCENARIOS / name).read_text(), encoding="utf-8")
        (folder / "hostile.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
        files = tuple(str(folder / name) for name in (*FILES, "hostile.yaml"))
        check(lambda: load_scenario(folder / "hostile.yaml"), files)


@SETTINGS
@given(key=st.sampled_from(DATES), value=hostile_dates)
def test_a_hostile_date_loads_or_raises_one_scenario_error(key: str, value: str) -> None:
    """A date moved far enough breaks rules between dates, named where the other date is."""
    files = (OVERRIDE, *(str(SCENARIOS / name) for name in FILES))
    check(lambda: load_scenario(SCENARIOS / "advisory.yaml", [f"{key}={value}"]), files)
