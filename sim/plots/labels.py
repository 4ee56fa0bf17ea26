"""Inputs in words: what a chart writes for an input's dotted path into a scenario.

An exploration's inputs are dotted paths (``policy.announcements.1.announced``), which
mean little to a reader. :func:`input_label` writes one in words, in the scenario's own
words where it has them: an item of a list by its ``name`` (an announcement, a phase),
a unit type or a role by its key; sections that add nothing (``policy``, ``threat``) are
left out, and the unit follows in brackets.

>>> input_label("threat.attacks_per_month")
'Attacks per month'
>>> input_label("unit_types.adviser_team.lead_time_days")
'Adviser team: lead time (days)'
>>> input_label("cap")
'Cap (people)'
>>> input_label("policy.announcements.1.announced")  # without the scenario: its place
'Announcement 1: announced'
>>> input_label("policy.announcements.1.announced", advisory)  # a resolved scenario
'End of the combat mission: announced'

:func:`input_labels` does it for every input of an exploration, from its manifest: each
input in the words of a scenario it applies to.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from sim.plots.frames import input_unit

__all__ = ["input_label", "input_labels", "option_label"]

# Sections whose name adds nothing to what follows (threat.attacks_per_month).
_SILENT = frozenset({"policy", "threat", "cost", "unit_types", "services", "bases"})
# Sections whose name qualifies the setting after it (airlift.sorties_per_week).
_SECTIONS = {
    "airlift": "airlift",
    "relief_in_place": "relief in place",
    "per_unit": "per-unit",
    "force_protection": "force protection",
}
# Maps keyed by a name of the scenario's own: the key names the thing (adviser_team).
_NAMED_KEYS = frozenset({"unit_types", "services", "bases"})
# Maps keyed by a role (or unit type): "<key> <words>" (policy...mix.advisory: advisory share).
_KEYED = {
    "mix": "share",
    "targets": "target",
    "replace": "replaced",
    "exposure": "exposure",
    "per_troop_year_usd": "cost per troop-year",
    "role_factor": "cost factor",
    "detachments": "detachments",
    "converts_to": "conversion after",
}
# Lists whose items have no name (or none in the scenario at hand): "<word> <index>".
_ITEMS = {
    "announcements": "announcement",
    "phases": "phase",
    "alternatives": "alternative",
    "temporary": "temporary deployment",
    "convert": "conversion",
    "initial_force": "initial units",
}
# Settings whose name alone reads badly.
_WORDS = {
    "default_per_troop_year_usd": "default cost per troop-year",
    "cancel_probability": "cancellation probability",
    "min_ratio": "minimum ratio",
    "annual_cost_usd": "annual cost",
    "closes_below": "closes below",
}
# Units input_unit cannot tell from the name.
_UNITS = {
    "size": "people",
    "total": "people",
    "targets": "people",
    "closes_below": "people",
    "supply": "units",
    "count": "units",
    "units": "units",
    "people": "people",
}


def _words(key: str) -> str:
    """``lead_time_days`` -> ``lead time`` (the unit goes in brackets, not in the words)."""
    if key in _WORDS:
        return _WORDS[key]
    for suffix in ("_usd", "_days"):
        if key.endswith(suffix) and key != suffix[1:]:
            key = key.removesuffix(suffix)
            break
    return key.replace("_", " ")


def _unit(setting: str) -> str:
    """The unit to write after a setting, or ``""`` when its words already say it."""
    unit = _UNITS.get(setting) or input_unit(setting)
    return "" if unit in ("probability", setting.replace("_", " ")) else unit


def _resolved(scenario: Mapping | None) -> Mapping | None:
    """A resolved scenario, also from a manifest's entry (``{"name", "resolved", ...}``)."""
    if scenario is not None and isinstance(scenario.get("resolved"), Mapping):
        return scenario["resolved"]
    return scenario


def input_label(path: str, scenario: Mapping | None = None, *, unit: bool = True) -> str:
    """An input's dotted path in words, in ``scenario``'s own words where it has them.

    ``scenario`` is a resolved scenario as a dict (``Scenario.model_dump(mode="json")``,
    or a run manifest's entry for it); an item of a list it has is named by its ``name``
    (whether or not the item sets the key after it), one it lacks or any item without a
    scenario by its place. ``unit=False`` leaves the unit out (for an axis that gives its
    own).
    """
    node: object = _resolved(scenario)
    things: list[str] = []  # named things along the path: "End of the combat mission"
    words: list[str] = []  # the setting: "airlift", "sorties per week"
    setting, parent = path, ""
    for part in path.split("."):
        node = _child(node, part)
        if part.isdigit():
            name = node.get("name") if isinstance(node, Mapping) else None
            things.append(str(name) if name else f"{_ITEMS.get(parent, parent)} {part}")
        elif parent in _NAMED_KEYS:
            things.append(part.replace("_", " "))
        elif parent in _KEYED:
            words[-1:] = [f"{part.replace('_', ' ')} {_KEYED[parent]}"]
        elif part in _SECTIONS:
            words.append(_SECTIONS[part])
        elif part not in _SILENT and part not in _ITEMS:
            words.append(_words(part) if part not in _KEYED else "")
            setting = part
        parent = part
    text = " ".join(w for w in words if w) or _words(setting)
    wanted = _unit(setting) if unit else ""
    text = f"{text} ({wanted})" if wanted else text
    text = ": ".join([*things, text]) if things else text
    return text[:1].upper() + text[1:]


def _child(node: object, part: str) -> object:
    """``node[part]`` for a dict or list (``None`` when it has none)."""
    if isinstance(node, Mapping):
        return node.get(part)
    if isinstance(node, list) and part.isdigit() and int(part) < len(node):
        return node[int(part)]
    return None


def _has_items(scenario: Mapping, path: str) -> bool:
    """Whether the scenario has every item of a list along ``path`` (the announcement of
    ``policy.announcements.1.cap``). The setting after the last need not be set there:
    an announcement that leaves its cap unset is still the one the input changes."""
    parts = path.split(".")
    last = max((k for k, part in enumerate(parts) if part.isdigit()), default=-1)
    node: object = _resolved(scenario)
    for part in parts[: last + 1]:
        node = _child(node, part)
        if node is None:
            return False
    return True


def input_labels(
    paths: Iterable[str],
    manifest: Mapping | None = None,
    option: str | None = None,
    *,
    unit: bool = True,
) -> dict[str, str]:
    """Each input in words (``path -> words``), from an exploration's manifest.

    An input takes the words of the first scenario it applies to (the experiment may
    limit it to some) and that has the items of lists along its path (an announcement
    is named whether or not it sets the key), ``option``'s own first; without a
    manifest, or where none has them, the words come from the path alone.
    """
    manifest = manifest or {}
    entries = sorted(manifest.get("scenarios") or [], key=lambda e: e.get("name") != option)
    experiment = manifest.get("experiment") or {}
    specs = {**(experiment.get("uncertainties") or {}), **(experiment.get("levers") or {})}
    labels = {}
    for path in paths:
        spec = specs.get(path)
        applies = spec.get("scenarios") if isinstance(spec, Mapping) else None
        fits = [e for e in entries if applies is None or e.get("name") in applies]
        fits = [e for e in fits if _has_items(e, path)]
        labels[path] = input_label(path, fits[0] if fits else None, unit=unit)
    return labels


def option_label(name: str, manifest: Mapping | None = None) -> str:
    """An option as a chart names it: ``advisory (Shift to an advisory role)``, or its name
    alone when the manifest gives no title (or none other than the name)."""
    for entry in (manifest or {}).get("scenarios") or []:
        if entry.get("name") == name:
            title = (_resolved(entry) or {}).get("title")
            return f"{name} ({title})" if title and title != name else name
    return name
