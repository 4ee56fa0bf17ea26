"""What the app lets a user change in a scenario, and what a change amounts to.

Pure functions, no web framework: the controls a scenario file offers (the settings analysts
change most, each with the value and source the files give it), the changes a user's
entries make, their check by the loader itself (the same rules and messages as ``sim run``)
and the scenario file that keeps them (``extends:`` the original, only the changed keys).
"""

from __future__ import annotations

import datetime as dt
import math
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from sim.errors import ScenarioError
from sim.scenario import Scenario, load_scenario
from sim.scenario.keys import Key, dotted
from sim.scenario.loader import Document, read_document
from sim.scenario.overlay import overlay_yaml

Kind = Literal["number", "date", "share"]
NOTE = "changed in sim app"
REPLICATIONS = (1, 200)  # the most a page should make anyone wait for
SEEDS = (0, 2**32 - 1)


@dataclass(frozen=True)
class Control:
    """One setting: where it lives in the scenario, how it is shown, what the files say."""

    id: str  # the input's id on the page
    testid: str  # its data-testid, a stable hook for tests
    key: Key  # the scenario key it sets
    label: str
    kind: Kind
    value: Any  # as the files give it (None: not set)
    source: str  # where it was written, and its note or source
    group: str  # "scenario", or the announcement (phase) it belongs to
    optional: bool = False  # may be left empty ("as before")


@dataclass(frozen=True)
class Option:
    """A scenario file the app offers, as written."""

    path: Path
    name: str
    title: str
    description: str
    timeline: list[dict[str, Any]]  # the announcements (or phases), in order
    controls: list[Control]
    start: dt.date
    end: dt.date


def read_option(path: Path) -> Option:
    """The scenario at ``path`` as the app shows it (raises ``ScenarioError`` if it does
    not load)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scenario = load_scenario(path)
    doc = read_document(path)
    return Option(
        path=path,
        name=scenario.name,
        title=scenario.title or scenario.name,
        description=" ".join((scenario.description or "").split()),
        timeline=_timeline(doc),
        controls=_controls(scenario, doc),
        start=scenario.start,
        end=scenario.end,
    )


def _items(doc: Document) -> tuple[str, list[dict]]:
    policy = doc.data.get("policy") or {}
    form = "announcements" if "announcements" in policy else "phases"
    return form, [item for item in policy.get(form) or [] if isinstance(item, dict)]


def _timeline(doc: Document) -> list[dict[str, Any]]:
    form, items = _items(doc)
    out = []
    for item in items:
        if form == "phases":
            start = item.get("start")
        else:
            start = item.get("takes_effect") or item.get("announced")
        out.append(
            {
                "name": str(item.get("name", "")),
                "announced": _plain(item.get("announced")),
                "start": _plain(start),
                "deadline": _plain(item.get("deadline")),
                "cap": _plain(item.get("cap")),
                "description": " ".join(str(item.get("description") or "").split()),
            }
        )
    return out


def _plain(value: Any) -> Any:
    """A value as the timeline shows it: a distribution is "uncertain"."""
    return "uncertain" if isinstance(value, dict) else value


def _controls(scenario: Scenario, doc: Document) -> list[Control]:
    def source(key: Key) -> str:
        return describe_source(doc, key)

    airlift = doc.data.get("airlift") or {}
    by_day = airlift.get("seats_per_day") is not None
    top: list[tuple[str, str, Key, str, Any]] = [
        ("cap", "cap-input", ("cap",), "Cap (people)", doc.data.get("cap", scenario.cap)),
        (
            "seats_per_day",
            "seats-per-day-input",
            ("airlift", "seats_per_day"),
            "Airlift seats per day",
            airlift.get("seats_per_day"),
        )
        if by_day
        else (
            "sorties",
            "sorties-input",
            ("airlift", "sorties_per_week"),
            "Airlift sorties per week",
            airlift.get("sorties_per_week"),
        ),
    ]
    out = [
        Control(cid, testid, key, label, "number", value, source(key), "scenario")
        for cid, testid, key, label, value in top
        if not isinstance(value, dict)  # drawn from a distribution: edit it in the file
    ]
    form, items = _items(doc)
    for i, item in enumerate(items):
        group = str(item.get("name") or f"{form[:-1]} {i + 1}")
        base: Key = ("policy", form, i)
        start = (
            "start"
            if form == "phases"
            else ("takes_effect" if item.get("takes_effect") is not None else "announced")
        )
        fields: list[tuple[str, str, str, Kind, bool]] = [
            (start, "start", "Starts" if form == "phases" else "In force from", "date", False),
            ("deadline", "deadline", "Deadline", "date", True),
            ("cap", "cap", "Cap from then (people)", "number", True),
        ]
        for field, short, label, kind, optional in fields:
            value = item.get(field)
            if isinstance(value, dict):
                continue  # drawn from a distribution: edit it in the file
            out.append(
                Control(
                    f"phase_{i}_{short}",
                    f"phase-{i}-{short}-input",
                    (*base, field),
                    label,
                    kind,
                    value,
                    source((*base, field)),
                    group,
                    optional,
                )
            )
        mix = item.get("mix")
        if isinstance(mix, dict):
            for role, share in mix.items():
                if isinstance(share, dict):
                    continue
                key = (*base, "mix", role)
                out.append(
                    Control(
                        f"phase_{i}_mix_{role}",
                        f"phase-{i}-mix-{role}-input",
                        key,
                        f"Share: {role.replace('_', ' ')}",
                        "share",
                        share,
                        source(key),
                        group,
                    )
                )
    return out


def describe_source(doc: Document, key: Key) -> str:
    """``file:line``, with the note on the key's line or the nearest ``source:`` above it."""
    if key not in doc.where:
        return "not set in the files"
    file, line = doc.where[key]
    where = f"{Path(file).name}:{line}" if line else Path(file).name
    note = doc.notes.get(key)
    if not note:
        node: Any = doc.data
        sources = []
        for part in key[:-1]:
            node = node[part] if isinstance(node, list) else node.get(part, {})
            if isinstance(node, dict) and node.get("source"):
                sources.append(str(node["source"]))
        note = sources[-1] if sources else ""
    note = " ".join(note.split())
    return f"{where}: {note}" if note else where


def changes(controls: list[Control], entered: dict[str, Any]) -> dict[Key, Any]:
    """The keys whose entered values differ from the files' (``None``: emptied)."""
    out: dict[Key, Any] = {}
    for c in controls:
        if c.id not in entered:
            continue
        value = _normal(entered[c.id], c.kind)
        if value != _normal(c.value, c.kind):
            out[c.key] = value
    return out


def _normal(value: Any, kind: Kind) -> Any:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if kind == "date":
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value.strip())
            except ValueError:
                return value.strip()  # the loader says what is wrong with it
        return value
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            return value.strip()
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    return value


def overrides(changed: dict[Key, Any]) -> list[str]:
    """The changes as ``--set`` overrides, so the loader checks them as it checks those."""
    return [f"{dotted(k)}={_yaml(v)}" for k, v in changed.items()]


def _yaml(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"  # text stays text
    return repr(value)


@dataclass(frozen=True)
class Check:
    """What the loader said of the changes: the scenario, or the one error; and warnings."""

    scenario: Scenario | None
    error: ScenarioError | None
    warnings: list[str]


def check(path: Path, changed: dict[Key, Any]) -> Check:
    """Load ``path`` with ``changed`` as the loader would with ``--set``."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            scenario = load_scenario(path, overrides(changed))
        except ScenarioError as err:
            return Check(None, err, [])
    return Check(scenario, None, list(dict.fromkeys(str(w.message) for w in caught)))


def edited_name(option: Option) -> str:
    return f"{option.path.stem}-edited"


def export_yaml(
    option: Option,
    changed: dict[Key, Any],
    target: Path,
    *,
    seed: int,
    replications: int,
    today: dt.date | None = None,
) -> str:
    """The file that keeps the changes: it extends ``option.path`` (by a path relative to
    ``target``), sets only the changed keys and says how to run it again."""
    today = today or dt.date.today()
    title = f"{option.title} (edited in the app)"
    keep = {("title",): title, **changed}
    runs = f"sim run {target.name} --seed {seed} -n {replications}"
    header = [
        f"Made with sim app on {today.isoformat()} from {option.path.name}.",
        f"Keep it in the folder of {option.path.name}: `extends:` names that file by a",
        "path relative to this one. The same outcomes as in the app come from:",
        f"  {runs}",
        "",
    ]
    return overlay_yaml(option.path, target, keep, note=NOTE, header=header)
