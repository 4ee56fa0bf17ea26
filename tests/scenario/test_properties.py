"""Property tests for the loader: whatever is done to a valid scenario, loading it gives a
``Scenario`` or one ``ScenarioError`` that says where, never any other exception.

Mutations work on copies of base.yaml and advisory.yaml (advisory extends base) in a fresh
temporary folder per example: keys deleted or misspelt, values replaced by other types or
garbage or by distributions (mostly over dates, in place of a date; the file then rewritten
from the data), or the text itself cut short or salted with random characters. A scenario
that loads with uncertain inputs must also draw its first replications or fail with one
located ``ScenarioError``.
"""

from __future__ import annotations

import copy
import datetime as dt
import io
import json
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
FILES = ("base.yaml", "advisory.yaml")  # advisory.yaml extends base.yaml
TEXTS = {name: (SCENARIOS / name).read_text(encoding="utf-8") for name in FILES}
DATA = {name: YAML(typ="safe", pure=True).load(text) for name, text in TEXTS.items()}

Key = tuple[str | int, ...]

SETTINGS = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def key_paths(node: Any, prefix: Key = ()) -> list[Key]:
    """Every mapping key and list index under ``node``, as paths, parents first."""
    if isinstance(node, dict):
        items = list(node.items())
    elif isinstance(node, list):
        items = list(enumerate(node))
    else:
        return []
    out: list[Key] = []
    for key, value in items:
        out.append((*prefix, key))
        out.extend(key_paths(value, (*prefix, key)))
    return out


def parent_of(data: Any, path: Key) -> Any:
    for part in path[:-1]:
        data = data[part]
    return data


def dump(data: Any) -> str:
    out = io.StringIO()
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    yaml.dump(data, out)
    return out.getvalue()


# Strategies ------------------------------------------------------------------------------

# Key names a user might type: letters and underscores, never a word YAML reads as non-text.
names = st.text("abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=12).filter(
    lambda s: s not in {"true", "false", "null"}
)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-1000, 1000),
    st.integers(-(10**400), 10**400),  # past any limit, and past float range
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.sampled_from(["12", "2021-06-01", "yes", "combat", "army", "", "1e3"]),
    st.dates(),
)
garbage = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(names, inner, max_size=4),
    max_leaves=12,
)


# Distributions in place of a date: over dates near the one they replace, as YAML dates or
# ISO text, or with one flaw: out of order, a bound that is not a date, a kind a date cannot
# take, a key missing or unknown.
FIELDS = {
    "uniform": ["low", "high"],
    "triangular": ["low", "mode", "high"],
    "choice": ["values"],
    "normal": ["mean", "sd"],
    "poisson": ["mean"],
    "gamma": ["shape"],
}
FLAWS = [None] * 6 + ["order", "bound", "kind", "missing", "unknown"]


@st.composite
def date_distributions(draw: st.DrawFn, near: dt.date = dt.date(2021, 7, 26)) -> dict[str, Any]:
    days = st.integers(-20, 20).map(lambda n: near + dt.timedelta(days=n))
    dates = days | days.map(dt.date.isoformat)
    flaw = draw(st.sampled_from(FLAWS))
    kind = draw(st.sampled_from(["uniform", "triangular", "choice"]))
    if flaw == "kind":
        kind = draw(st.sampled_from(["normal", "poisson", "gamma"]))
    fields = FIELDS[kind]
    spec: dict[str, Any] = {"distribution": kind}
    if kind == "choice":
        spec["values"] = draw(st.lists(dates, min_size=1, max_size=4))
        if draw(st.booleans()):
            n = len(spec["values"])
            spec["weights"] = draw(st.lists(st.integers(0, 3), min_size=n, max_size=n))
    else:
        n = len(fields)
        ordered = sorted(draw(st.lists(days, min_size=n, max_size=n)), reverse=flaw == "order")
        spec.update(zip(fields, ordered, strict=True))
    if flaw == "bound":
        spec[draw(st.sampled_from(fields))] = draw(scalars)
    elif flaw == "missing":
        del spec[draw(st.sampled_from(fields))]
    elif flaw == "unknown":
        spec[draw(names)] = draw(scalars)
    return spec


def value_at(data: Any, path: Key) -> Any:
    for part in path:
        data = data[part]
    return data


def typo(draw: st.DrawFn, key: str) -> str:
    """A misspelling of ``key``: one character dropped, doubled, swapped or replaced."""
    i = draw(st.integers(0, len(key) - 1))
    how = draw(st.sampled_from(["drop", "double", "swap", "replace", "anything"]))
    if how == "drop" and len(key) > 1:
        return key[:i] + key[i + 1 :]
    if how == "double":
        return key[:i] + key[i] + key[i:]
    if how == "swap" and i + 1 < len(key):
        return key[:i] + key[i + 1] + key[i] + key[i + 2 :]
    if how == "replace":
        return key[:i] + draw(st.sampled_from("abcdefghijklmnopqrstuvwxyz_")) + key[i + 1 :]
    return draw(names)


def mutate_data(draw: st.DrawFn, data: dict) -> None:
    """Apply one structural mutation to ``data`` in place."""
    paths = key_paths(data)
    path = draw(st.sampled_from(paths))
    parent = parent_of(data, path)
    what = draw(st.sampled_from(["delete", "rename", "retype", "uncertain"]))
    if what == "delete":
        del parent[path[-1]]
    elif what == "rename" and isinstance(parent, dict):
        new = typo(draw, path[-1])
        if new not in parent:
            parent[new] = parent.pop(path[-1])
    elif what == "uncertain":
        parent[path[-1]] = draw(date_distributions())
    else:
        parent[path[-1]] = draw(garbage)


def make_a_date_uncertain(draw: st.DrawFn, data: dict) -> None:
    """Replace one date in ``data`` by a distribution over dates near it."""
    dates = [p for p in key_paths(data) if isinstance(value_at(data, p), dt.date)]
    if dates:
        path = draw(st.sampled_from(dates))
        parent = parent_of(data, path)
        parent[path[-1]] = draw(date_distributions(parent[path[-1]]))


def mutate_text(draw: st.DrawFn, text: str) -> str:
    """Cut the text short, or insert random characters somewhere in it."""
    at = draw(st.integers(0, len(text)))
    if draw(st.booleans()):
        return text[:at]
    noise = draw(
        st.text(min_size=1, max_size=8)
        | st.sampled_from(["\t", ":", "- ", "[", "{", '"', "&a", "*a", "\n  x: 1"])
    )
    return text[:at] + noise + text[at:]


@st.composite
def mutated(draw: st.DrawFn) -> tuple[dict[str, str], dict[str, Any] | None]:
    """Texts of both files, one of them mutated, and the data each was written from
    (``None`` when the text itself was mutated and there is no such data)."""
    target = draw(st.sampled_from(FILES))
    texts = dict(TEXTS)
    if draw(st.integers(0, 2)) == 0:
        texts[target] = mutate_text(draw, texts[target])
        return texts, None
    data = copy.deepcopy(DATA)
    uncertain = draw(st.booleans())
    if uncertain:  # mostly in advisory.yaml, whose dates are the policy's
        target = draw(st.sampled_from(FILES[::-1]))
        make_a_date_uncertain(draw, data[target])
    for _ in range(int(draw(st.booleans())) if uncertain else draw(st.integers(1, 3))):
        if data[target]:
            mutate_data(draw, data[target])
    texts[target] = dump(data[target])
    return texts, data


# Checks ----------------------------------------------------------------------------------


def split_key(dotted: str) -> Key:
    return tuple(int(p) if p.isdigit() else p for p in dotted.split("."))


def longest_written_prefix(data: Any, path: Key) -> Key:
    """The longest prefix of ``path`` that is a key path in ``data``."""
    node, found = data, ()
    for part in path:
        in_dict = isinstance(node, dict) and part in node
        in_list = isinstance(node, list) and isinstance(part, int) and part < len(node)
        if not (in_dict or in_list):
            break
        node = node[part]
        found = (*found, part)
    return found


def check_error(err: ScenarioError, folder: Path, texts: dict[str, str], data: dict | None) -> None:
    assert type(err) is ScenarioError
    by_path = {str(folder / name): name for name in texts}
    assert err.file in by_path, err
    name = by_path[err.file]
    if err.line is not None:
        # Never past the end: one line after the last is where YAML reports "end of file".
        assert 1 <= err.line <= len(texts[name].splitlines()) + 1, err
    if data is None or err.key is None:
        return
    written = longest_written_prefix(data[name], split_key(err.key))
    if written:
        assert err.line is not None, f"{err} ({'.'.join(map(str, written))} is written)"
        if isinstance(written[-1], str):
            line = texts[name].split("\n")[err.line - 1]
            assert written[-1] in line, f"{err}: line {err.line} is {line!r}"


@SETTINGS
@given(case=mutated())
def test_mutated_scenario_loads_or_raises_scenario_error(case) -> None:
    texts, data = case
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for name, text in texts.items():
            (folder / name).write_text(text, encoding="utf-8")
        try:
            scenario = load_scenario(folder / "advisory.yaml")
        except ScenarioError as err:
            check_error(err, folder, texts, data)
        else:
            assert isinstance(scenario, Scenario)
            assert scenario.files == [str(folder / "advisory.yaml"), str(folder / "base.yaml")]
            for k in range(2):  # drawn together, inputs valid alone may break a rule
                try:
                    sample_scenario(scenario, 0, k)
                except ScenarioError as err:
                    assert f"replication {k}" in err.message
                    check_error(err, folder, texts, data)


# Overrides -------------------------------------------------------------------------------

OVERRIDE_KEYS = sorted(
    {".".join(map(str, p)) for name in FILES for p in key_paths(DATA[name])} - {"extends"}
)


@st.composite
def override_texts(draw: st.DrawFn) -> str:
    key = draw(st.sampled_from(OVERRIDE_KEYS) | names)
    if draw(st.booleans()):
        key += "." + draw(names | st.integers(-1, 5).map(str))
    value = draw(
        garbage.map(lambda v: json.dumps(v, default=str))  # JSON is YAML
        | date_distributions().map(lambda v: json.dumps(v, default=str))  # dates as ISO text
        | st.text(max_size=12)
        | st.sampled_from(["", "null", "[", "{a: 1", "2021-13-01", "!!binary x", "&a 1", "*a"])
    )
    sep = draw(st.sampled_from(["=", "=", " = ", ""]))
    return f"{key}{sep}{value}"


@settings(SETTINGS, max_examples=100)
@given(overrides=st.lists(override_texts(), min_size=1, max_size=3))
def test_any_override_loads_or_raises_scenario_error(overrides: list[str]) -> None:
    try:
        scenario = load_scenario(SCENARIOS / "advisory.yaml", overrides)
    except ScenarioError as err:
        assert type(err) is ScenarioError
        assert err.file is not None
        if err.file == OVERRIDE:
            assert err.line is None
    else:
        assert isinstance(scenario, Scenario)


# Uncertain dates through --set ----------------------------------------------------------

# Each date of advisory.yaml (as written there, or in base.yaml) and its value.
DATES = {
    ".".join(map(str, path)): value_at(DATA[name], path)
    for name in reversed(FILES)
    for path in key_paths(DATA[name])
    if isinstance(value_at(DATA[name], path), dt.date)
}


@settings(SETTINGS, max_examples=100)
@given(key=st.sampled_from(sorted(DATES)), data=st.data())
def test_any_date_distribution_loads_and_draws_or_raises_scenario_error(key, data) -> None:
    """Loaded, its draws are whole days within its extremes, or the replication fails with
    one ``ScenarioError`` at the ``--set`` that gave it; refused, it is one ScenarioError."""
    spec = data.draw(date_distributions(DATES[key]))
    try:
        scenario = load_scenario(
            SCENARIOS / "advisory.yaml", [f"{key}={json.dumps(spec, default=str)}"]
        )
    except ScenarioError as err:
        assert type(err) is ScenarioError
        assert err.file is not None and "\n" not in str(err)
        event("refused")
        return
    low, high = scenario.uncertainties[key].extremes()
    for k in range(3):
        try:
            _, drawn = sample_scenario(scenario, 0, k)
        except ScenarioError as err:
            event("a replication failed")
            assert f"replication {k}" in err.message
            assert err.key in scenario.uncertainties
            if err.key == key:
                assert (err.file, err.line) == (OVERRIDE, None)
        else:
            event("drawn")
            assert low <= dt.date.fromisoformat(drawn[key]) <= high
