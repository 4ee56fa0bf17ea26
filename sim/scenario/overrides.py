"""Dotted overrides: ``--set policy.announcements.1.announced=2021-10-01`` sets one value.

The value is parsed as YAML, so ``2000`` is a number, ``2021-10-01`` a date, ``false`` a
boolean, ``[a, b]`` a list and ``null`` removes a setting back to its default.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from sim.errors import ScenarioError
from sim.scenario.keys import as_key

if TYPE_CHECKING:
    from sim.scenario.loader import Document

OVERRIDE = "--set"
# Values one file, or one ``--set`` value, may hold once its YAML aliases are expanded. A
# real scenario holds a few hundred; nine levels of nine-fold aliases, in under 400 bytes,
# would hold billions and exhaust memory on the way.
MAX_VALUES = 100_000
TOO_MANY_VALUES = f"YAML aliases expand to more than {MAX_VALUES:,} values (an alias bomb?)"


def parse_override(text: str) -> tuple[tuple[str | int, ...], Any]:
    """Split ``a.b.0=value`` into a key path and a YAML-parsed value."""
    key, sep, raw = text.partition("=")
    key = key.strip()
    if not sep or not key:
        raise ScenarioError(f"expected KEY=VALUE, got {text!r}", file=OVERRIDE, key=key or None)
    if key == "extends":
        raise ScenarioError("cannot be overridden; write it in the file", file=OVERRIDE, key=key)
    parts = key.split(".")
    if any(not p for p in parts):
        raise ScenarioError("empty part in the key", file=OVERRIDE, key=key)
    path = as_key(key)
    try:
        value = YAML(typ="safe", pure=True).load(raw) if raw.strip() else None
    except (YAMLError, ValueError, TypeError, OverflowError) as exc:
        raise ScenarioError(f"value is not valid YAML ({exc})", file=OVERRIDE, key=key) from None
    except RecursionError:
        raise ScenarioError("value is nested too deeply", file=OVERRIDE, key=key) from None
    if _expanded_size(value) > MAX_VALUES:
        raise ScenarioError(TOO_MANY_VALUES, file=OVERRIDE, key=key)
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        value = value.date()
    return path, value


def _expanded_size(value: Any) -> int:
    """How many values ``value`` holds with its aliases expanded, counting no further than
    just past ``MAX_VALUES`` (each alias is the object it names, met once per alias)."""
    count, stack = 0, [value]
    while stack and count <= MAX_VALUES:
        item = stack.pop()
        count += 1
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return count


def apply_override(doc: Document, text: str) -> None:
    """Set one value in ``doc`` (in place) and mark its position as coming from ``--set``."""
    path, value = parse_override(text)
    dotted = ".".join(str(p) for p in path)
    policy = doc.data.get("policy")
    if (
        path[:2] == ("policy", "phases")
        and len(path) > 2
        and isinstance(policy, dict)
        and "announcements" in policy
        and "phases" not in policy
    ):
        message = (
            "this scenario's policy is written as announcements: set "
            "policy.announcements.N.KEY (a phase starts on its announcement's takes_effect, "
            "or its announced date)"
        )
        raise ScenarioError(message, file=OVERRIDE, key=dotted)
    if len(path) == 2 and path[0] == "policy" and isinstance(policy, dict):
        other = {"phases": "announcements", "announcements": "phases"}.get(str(path[1]))
        if other:  # a whole policy in one form replaces the other form
            policy.pop(other, None)
    node: Any = doc.data
    for depth, part in enumerate(path[:-1]):
        here = ".".join(str(p) for p in path[: depth + 1])
        if isinstance(node, list):
            if not isinstance(part, int) or not 0 <= part < len(node):
                holder = ".".join(str(p) for p in path[:depth]) or "the scenario"
                message = f"'{holder}' has no item {part} (it has {len(node)})"
                raise ScenarioError(message, file=OVERRIDE, key=dotted)
            node = node[part]
        elif isinstance(node, dict):
            if part not in node or node[part] is None:
                node[part] = {}
                doc.where[path[: depth + 1]] = (OVERRIDE, None)
            node = node[part]
        else:
            raise ScenarioError(f"'{here}' is not a mapping or list", file=OVERRIDE, key=dotted)
    last = path[-1]
    if isinstance(node, list):
        if not isinstance(last, int) or not 0 <= last < len(node):
            holder = ".".join(str(p) for p in path[:-1])
            message = f"'{holder}' has no item {last} (it has {len(node)})"
            raise ScenarioError(message, file=OVERRIDE, key=dotted)
        node[last] = value
    elif isinstance(node, dict):
        if value is None:
            node.pop(last, None)
        else:
            node[last] = value
    else:
        raise ScenarioError("the key above this one is not a mapping", file=OVERRIDE, key=dotted)
    for mapping in (doc.where, doc.notes):
        for k in [k for k in mapping if k[: len(path)] == path]:
            del mapping[k]
    doc.where[path] = (OVERRIDE, None)
    doc.notes[path] = f"set on the command line: --set {text.strip()}"
