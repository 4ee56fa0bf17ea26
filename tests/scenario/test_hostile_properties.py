"""Property tests for hostile values: YAML alias bombs, numbers past any limit or not
finite, and distributions whose draws overflow, written in place of a number in a file
that extends advisory.yaml or given with ``--set``. Each loads (and draws) as a
``Scenario`` or gives one ``ScenarioError`` that says where; never another exception,
and never the minutes and gigabytes an unbounded alias expansion would take."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from sim import ScenarioError, load_scenario
from sim.ensemble.sampling import sample_scenario
from sim.scenario.overrides import OVERRIDE
from sim.scenario.schema import Scenario

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
FILES = ("base.yaml", "advisory.yaml")
SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def numbers(node: Any, prefix: tuple = ()) -> list[tuple]:
    """Key paths of every number written in ``node`` (booleans are not numbers)."""
    if isinstance(node, dict):
        items = list(node.items())
    elif isinstance(node, list):
        items = list(enumerate(node))
    else:
        number = isinstance(node, int | float) and not isinstance(node, bool)
        return [prefix] if number else []
    return [p for key, value in items for p in numbers(value, (*prefix, key))]


DATA = {n: YAML(typ="safe", pure=True).load((SCENARIOS / n).read_text()) for n in FILES}
NUMBERS = sorted({".".join(map(str, p)) for name in FILES for p in numbers(DATA[name])})
MAPPED = [k for k in NUMBERS if not any(part.isdigit() for part in k.split("."))]


@st.composite
def alias_bombs(draw: st.DrawFn) -> str:
    """Flow lists of aliases of aliases: fanout ** (depth + 1) values in a few bytes."""
    depth, fanout = draw(st.integers(1, 12)), draw(st.integers(2, 9))
    text = f"&a0 [{', '.join(['1'] * fanout)}]"
    for n in range(1, depth + 1):
        text = f"&a{n} [{text}, {', '.join([f'*a{n - 1}'] * (fanout - 1))}]"
    return text


huge = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(-(10**400), 10**400),
    st.sampled_from(["1e308", "-1e308", "1e309", ".inf", "-.inf", ".nan", "4.9e-324"]),
).map(str)
# Where exp() and sums overflow (exp(710), 1e308 + 1e308), besides anything at all.
edges = st.sampled_from(["710", "1000", "1e200", "1e308", "-1e308", "0.5", "1"])
parameters = st.one_of(edges, edges, edges, huge, st.floats(-1e4, 1e4).map(str))


@st.composite
def overflowing(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(["lognormal", "lognormal", "normal", "uniform", "triangular",
                                 "choice", "poisson"]))  # fmt: skip
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


def check(load: Any, files: tuple[str, ...]) -> None:
    try:
        scenario = load()
    except ScenarioError as err:
        assert type(err) is ScenarioError
        assert err.file in files and "\n" not in str(err), str(err)
        event("refused")
        return
    assert isinstance(scenario, Scenario)
    event("loaded")
    try:
        sample_scenario(scenario, 0, 0)
    except ScenarioError as err:
        assert "replication 0" in err.message


@SETTINGS
@given(key=st.sampled_from(NUMBERS), value=hostile)
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
