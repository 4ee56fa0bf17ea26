"""Write a scenario file that ``extends:`` another and sets a few of its keys.

Used wherever ``sim`` hands a user a scenario to keep: the calibrated parameters of
``sim calibrate``, an option found by a search, a scenario edited in the app. The file
names its base by a path relative to itself and holds only what changed, each changed
value with a comment saying why. ``extends:`` replaces lists whole, so a change inside a
list (``policy.announcements.1.cap``) writes that whole list, taken from the base, with
only the changed items marked.
"""

from __future__ import annotations

import copy
import datetime as dt
import io
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from sim.scenario.keys import Key, as_key


def overlay_yaml(
    base: Path,
    target: Path,
    changes: Mapping[str | Key, Any],
    *,
    note: str,
    header: Sequence[str] = (),
) -> str:
    """The text of a file at ``target`` that extends ``base`` with ``changes`` set.

    ``changes`` maps dotted keys (or key tuples) to plain values (numbers, text, dates,
    lists, mappings); each changed value carries the comment ``note``. ``header`` lines
    open the file as comments.
    """
    from sim.scenario.loader import read_document

    keys = {(as_key(k) if isinstance(k, str) else tuple(k)): v for k, v in changes.items()}
    merged = read_document(base).data if any(_in_list(k) for k in keys) else {}
    root = CommentedMap()
    root["extends"] = os.path.relpath(base.resolve(), target.resolve().parent)
    for key, value in keys.items():
        _set(root, merged, key, _plain(value), note)
    out = io.StringIO()
    yaml = YAML()
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 4096  # long text stays on one line
    yaml.dump(root, out)
    lines = [f"# {line}" if line else "#" for line in header]
    return "\n".join([*lines, out.getvalue().rstrip("\n")]) + "\n"


def _in_list(key: Key) -> bool:
    return any(isinstance(part, int) for part in key)


def _set(root: CommentedMap, merged: dict, key: Key, value: Any, note: str) -> None:
    """Set ``key`` under ``root``; a list on the way is copied whole from ``merged``."""
    node: Any = root
    source: Any = merged
    for depth, part in enumerate(key[:-1]):
        source = source[part] if isinstance(source, list) else (source or {}).get(part)
        following = key[depth + 1]
        child = node[part] if isinstance(node, list) else node.get(part)
        if child is None:
            if isinstance(following, int):
                if not isinstance(source, list):
                    raise KeyError(f"{'.'.join(map(str, key))}: no list at {part!r} to change")
                child = _commented(copy.deepcopy(source))
            else:
                child = CommentedMap()
            node[part] = child
        node = child
    last = key[-1]
    if isinstance(node, list) and not 0 <= last < len(node):
        raise KeyError(f"{'.'.join(map(str, key))}: the list has {len(node)} items")
    node[last] = value
    node.yaml_add_eol_comment(note, last)


def _commented(value: Any) -> Any:
    """Plain dicts and lists as ruamel's commentable containers (to mark changes inside)."""
    if isinstance(value, dict):
        out = CommentedMap()
        for k, v in value.items():
            out[k] = _commented(v)
        return out
    if isinstance(value, list):
        return CommentedSeq(_commented(v) for v in value)
    return value


def _plain(value: Any) -> Any:
    """Numbers as Python numbers (numpy's too), dates as dates, the rest as given."""
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        return value.date()
    if hasattr(value, "item") and callable(value.item):  # a numpy scalar
        return value.item()
    if isinstance(value, dict):
        return _commented({k: _plain(v) for k, v in value.items()})
    if isinstance(value, list | tuple):
        return CommentedSeq(_plain(v) for v in value)
    return value
