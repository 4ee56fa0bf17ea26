"""The report's Assumptions: every parameter of the options as they ran, its value, and the
source or note written with it.

A source is credited only to what was written with it:

- the comment on a key's own line is that key's note (``cap: 2500  # [data] ...``);
- a value set with ``--set`` says so, whatever the file said;
- a value written in a mapping with a ``source:`` is credited to that source;
- a comment on a mapping (``union_iii:  # Baghdad``) says what the mapping is, not where
  the values in it come from, so it is not passed on to them;
- a value no file wrote (the schema's default) is marked as the default and credited to
  nothing; an optional setting nobody set is left out.

Which values were written comes from the scenario as written, kept in the manifest's
``written`` when the run recorded it. Without it, a value with no note of its own that
equals the schema's default counts as the default.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from pydantic import BaseModel

from sim.report.text import money, number, table, yes_no
from sim.scenario.loader import leaf_type
from sim.scenario.overrides import parse_override

if TYPE_CHECKING:
    from sim.workflows.comparison import Comparison

Key = tuple[str | int, ...]
NOT_PARAMETERS = {"name", "title", "description", "extends", "source", "sources", "policy"}
DEFAULT = "default"
NO_NOTE = "(no note in the files)"
NOT_SET = "not set"
LOG_SCALE = {"mu", "sigma"}  # parameters of a distribution that are not in the value's unit
_NO_DEFAULT = object()


def assumptions(c: Comparison, labels: dict[str, str]) -> str:
    """The section: a paragraph saying what the table holds, then one row per parameter."""
    names = c.scenarios
    overrides = [parse_override(text) for text in c.manifest.get("overrides") or []]
    values: dict[str, dict[str, str]] = {}
    credits: dict[str, dict[str, str]] = {}
    for name in names:
        record = c.scenario(name)
        for key, value in _leaves(record["resolved"]):
            default = _is_default(key, value, record, overrides)
            if value is None and default:
                continue  # an optional setting nobody set
            path = _dotted(key)
            values.setdefault(path, {})[name] = _shown(key, value, record)
            credit = DEFAULT if default else _credit(key, record, overrides)
            credits.setdefault(path, {})[name] = " ".join(credit.split())  # folded YAML
    rows = [
        [path, _per_option(values[path], names, labels), _per_option(credits[path], names, labels)]
        for path in sorted(values)
    ]
    if all("written" in c.scenario(name) for name in names):
        defaults = (
            "A value that no scenario file sets is the model's default: it is marked “default” "
            "and credited to no source."
        )
    else:
        defaults = (
            "A value equal to the model's default, with no note of its own, is marked "
            "“default” and credited to no source (this run did not record which keys the "
            "files wrote)."
        )
    return (
        "<p>Every parameter of the options as they ran (after <code>extends</code> and any "
        "<code>--set</code>), with the note or source written with it in the scenario files; "
        f"where the options differ, each option's value is given. {defaults} Distributions "
        "are drawn once per replication, those under <code>per_unit</code> by each unit.</p>"
        + table(["Parameter", "Value", "Source or note"], rows)
    )


def _dotted(key: Key) -> str:
    return ".".join(str(part) for part in key)


def _per_option(per: dict[str, str], names: list[str], labels: dict[str, str]) -> str:
    if len(per) == len(names) and len(set(per.values())) == 1:
        return next(iter(per.values()))
    return "; ".join(f"{labels[n]}: {per.get(n, NOT_SET)}" for n in names)


def _leaves(data: object, key: Key = ()) -> Iterator[tuple[Key, object]]:
    """Each parameter's key and value; a distribution is one parameter, not its fields."""
    if isinstance(data, dict) and key and isinstance(data.get("distribution"), str):
        yield key, data
    elif isinstance(data, dict):
        for name, value in data.items():
            if name == "source" or (not key and name in NOT_PARAMETERS):
                continue
            yield from _leaves(value, (*key, name))
    elif isinstance(data, list) and data and isinstance(data[0], dict):
        for i, value in enumerate(data):
            yield from _leaves(value, (*key, i))
    else:
        yield key, data


def _last_set(key: Key, overrides: Iterable[tuple[Key, object]]) -> tuple[Key, object] | None:
    """The last ``--set`` of ``key`` or of a mapping or list holding it (it replaced the rest)."""
    covering = [(path, value) for path, value in overrides if key[: len(path)] == path]
    return covering[-1] if covering else None


def _is_default(key: Key, value: object, record: dict, overrides: list) -> bool:
    """Whether ``value`` is the schema's, not written in a file nor set with ``--set``."""
    written = record.get("written")
    if written is not None:
        return not _holds(written, key)
    last = _last_set(key, overrides)
    if last is not None:  # set on the command line, or dropped by a --set of what holds it
        path, set_to = last
        return not _holds(set_to, key[len(path) :])
    path = _dotted(key)
    if path in (record.get("notes") or {}) or path in (record.get("uncertainties") or {}):
        return False
    return _schema_default(key) == value


def _holds(tree: object, key: Key) -> bool:
    for part in key:
        if isinstance(tree, dict) and str(part) in tree:
            tree = tree[str(part)]
        elif isinstance(tree, list) and isinstance(part, int) and part < len(tree):
            tree = tree[part]
        else:
            return False
    return True


def _schema_default(key: Key) -> object:
    """The default the schema gives the field at ``key``, if it is a field with one."""
    model = leaf_type(key[:-1])
    if not (isinstance(model, type) and issubclass(model, BaseModel)):
        return _NO_DEFAULT  # an entry of a mapping or list: only there if written
    field = model.model_fields.get(str(key[-1]))
    if field is None or field.is_required():
        return _NO_DEFAULT
    return field.get_default(call_default_factory=True)


def _credit(key: Key, record: dict, overrides: list) -> str:
    """The note or source written with the value at ``key`` (which was written)."""
    path = _dotted(key)
    last = _last_set(key, overrides)
    if last is not None:
        notes = record.get("notes") or {}
        return notes.get(_dotted(last[0]), "set on the command line (--set)")
    if path in (record.get("notes") or {}):
        return record["notes"][path]
    drawn = (record.get("uncertainties") or {}).get(path) or {}
    if drawn.get("source"):
        return str(drawn["source"])
    for n in range(len(key), 0, -1):  # the nearest mapping with a source, the key's own first
        node: object = record["resolved"]
        for part in key[:n]:
            node = node[part] if isinstance(node, list) else node.get(part, {})
        if isinstance(node, dict) and node.get("source"):
            return str(node["source"])
    return NO_NOTE


def _shown(key: Key, value: object, record: dict) -> str:
    in_usd = any(str(part).endswith("_usd") for part in key)
    drawn = (record.get("uncertainties") or {}).get(_dotted(key))
    if drawn:
        return _distribution(drawn, in_usd)
    if isinstance(value, dict):
        own = " (each unit draws its own)" if key[0] == "per_unit" else ""
        return _distribution(value, in_usd) + own
    return _value(value, in_usd)


def _distribution(dist: dict, in_usd: bool) -> str:
    """``triangular (low 5; mode 8; high 15)``: the kind, then each parameter."""
    params = "; ".join(
        f"{k} {_value(v, in_usd and k not in LOG_SCALE and k != 'weights')}"
        for k, v in dist.items()
        if k not in ("distribution", "source") and v is not None
    )
    return f"{dist['distribution']} ({params})"


def _value(value: object, in_usd: bool = False) -> str:
    if isinstance(value, bool):
        return yes_no(value)
    if isinstance(value, int | float):
        return money(value) if in_usd else number(value)
    if isinstance(value, list):
        return ", ".join(_value(v, in_usd) for v in value)
    if value is None:
        return "none"
    return str(value)
