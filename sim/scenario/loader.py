"""Read scenario YAML into a ``Scenario``, remembering where every key was written.

A file may ``extends:`` another (paths relative to itself); mappings merge key by key and
anything else (lists included) is replaced whole. Overrides (``--set a.b.0.c=value``) apply
after that. Every problem becomes one ``ScenarioError`` naming the file, line and key that
caused it. A valid scenario whose phase targets whole units cannot meet loads with a
``ScenarioWarning`` for each, located the same way.
"""

from __future__ import annotations

import copy
import datetime as dt
import difflib
import math
import re
import types
import typing
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.constructor import ConstructorError, RoundTripConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, SequenceNode
from ruamel.yaml.scalarbool import ScalarBoolean

from sim.errors import ScenarioError, ScenarioWarning
from sim.scenario.feasibility import whole_unit_problems
from sim.scenario.keys import Key
from sim.scenario.keys import dotted as _dotted
from sim.scenario.overrides import MAX_VALUES, OVERRIDE, TOO_MANY_VALUES, apply_override
from sim.scenario.policy import add_chance_draws
from sim.scenario.schema import Scenario, check
from sim.scenario.uncertainty import (
    DATE_KIND_MODELS,
    KIND_MODELS,
    KINDS,
    DateDistribution,
    Distribution,
    is_distribution,
    shown,
)

DISTRIBUTION = TypeAdapter(Distribution)
DATE_DISTRIBUTION = TypeAdapter(DateDistribution)

PER_UNIT: Key = ("per_unit",)
# The scenario's first and last days fix the days every replication records.
HORIZON: tuple[Key, ...] = (("start",), ("end",))
POLICY_FORMS = {"phases", "announcements"}
# Files in one chain of ``extends:``, the scenario itself included: far more than any real
# family of scenarios needs, and few enough that a chain cannot exhaust the stack.
MAX_EXTENDS = 50


@dataclass
class Document:
    """Plain data from YAML, with the (file, line) each key path was written at."""

    data: dict[str, Any]
    where: dict[Key, tuple[str, int | None]] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    notes: dict[Key, str] = field(default_factory=dict)  # end-of-line comments by key
    # lists a file shortened by replacing them: key path -> (the file extended, its count)
    replaced: dict[Key, tuple[str, int]] = field(default_factory=dict)

    def locate(self, path: Key) -> tuple[str, int | None]:
        """The file and line of the longest prefix of ``path`` that was written somewhere.

        A problem with a mapping that an override changed is the override's.
        """
        if path and any(
            file == OVERRIDE and key[: len(path)] == path for key, (file, _) in self.where.items()
        ):
            return (OVERRIDE, None)
        for n in range(len(path), -1, -1):
            if path[:n] in self.where:
                return self.where[path[:n]]
        return (self.files[0] if self.files else "<scenario>", None)


def load_scenario(path: str | Path, overrides: list[str] | None = None) -> Scenario:
    """Load, merge (``extends:``), override and validate one scenario file.

    Then warn (``ScenarioWarning``, also kept in ``Scenario.warnings``) of each phase target
    that whole units cannot meet, with uncertain inputs at their central values.
    """
    path = Path(path)
    doc = read_document(path)
    doc.data.pop("extends", None)
    stem = re.sub(r"[^a-z0-9_\-]+", "-", path.stem.lower()).strip("-_")
    if not stem[:1].isalpha():
        stem = f"scenario-{stem}".rstrip("-")
    stem = stem[:60].rstrip("-_")
    if "name" not in doc.data:
        doc.data["name"] = stem
    for text in overrides or []:
        apply_override(doc, text)
    add_chance_draws(doc.data)
    uncertain = _extract_uncertainties(doc)
    scenario = validate(doc)
    if uncertain:
        _check_supports(doc, uncertain)
        scenario._uncertain = uncertain
        scenario._template = copy.deepcopy(doc.data)
    for key, message in whole_unit_problems(scenario):
        file, line = doc.locate(key)
        warning = ScenarioWarning(message, file=file, line=line, key=_dotted(key))
        if any(str(w) == str(warning) for w in scenario._warnings):
            continue  # a target carried into a later phase: said once, where it was written
        scenario._warnings.append(warning)
        warnings.warn(warning, stacklevel=2)
    return scenario


def _extract_uncertainties(doc: Document) -> dict[Key, Any]:
    """Take each distribution out of the data, leaving its median in its place."""
    found: dict[Key, Any] = {}
    stack: list[tuple[Any, Key]] = [(doc.data, ())]
    while stack:
        node, path = stack.pop()
        items = node.items() if isinstance(node, dict) else enumerate(node)
        for key, value in list(items):
            here = (*path, key)
            if here == PER_UNIT:
                continue  # drawn for each unit by the model, not once per replication
            if is_distribution(value):
                found[here] = value
            elif isinstance(value, dict | list):
                stack.append((value, here))
    out = {}
    for path, raw in sorted(found.items(), key=lambda kv: _dotted(kv[0])):
        kind = leaf_type(path)
        mismatched = _kind_problems(path, raw, kind)
        if mismatched:
            _raise_first(mismatched, doc)
        adapter, models = (
            (DATE_DISTRIBUTION, DATE_KIND_MODELS)
            if kind is dt.date
            else (DISTRIBUTION, KIND_MODELS)
        )
        try:
            dist = adapter.validate_python(raw)
        except ValidationError as exc:
            errors = [  # drop the distribution's name pydantic puts first in the location
                {**e, "loc": e["loc"][1:]} if e["loc"][:1] and e["loc"][0] in KINDS else e
                for e in exc.errors()
            ]
            model = models.get(str(raw.get("distribution")))
            fields = list(model.model_fields) if model else ["distribution"]
            problems = [_describe(err, raw, fields) for err in errors]
            problems = [((*path, *p), m) for p, m in problems]
            _raise_first(problems, doc)
        dist._written_at = doc.locate(path)
        _get(doc.data, path[:-1])[path[-1]] = _as(kind, dist.central())
        out[path] = dist
    return out


def _kind_problems(path: Key, raw: dict, kind: Any) -> list[tuple[Key, str]]:
    """A distribution that cannot stand for the field it is written in: a date drawn from
    numbers, a number drawn from dates, anything else drawn at all."""
    name = raw.get("distribution")
    if kind is dt.date:
        if path in HORIZON:
            message = (
                "the scenario's start and end fix the days every replication records, "
                "so they cannot be drawn; draw the policy's dates instead"
            )
            return [(path, message)]
        if isinstance(name, str) and name in KIND_MODELS and name not in DATE_KIND_MODELS:
            allowed = ", ".join(DATE_KIND_MODELS)
            return [(path, f"a date can be drawn from {allowed}, not from a {name} distribution")]
        model, wrong, field_is = DATE_KIND_MODELS.get(str(name)), (int, float), "a date"
        want = "a date (YYYY-MM-DD), not a number"
    elif kind in (int, float):
        model, wrong, field_is = KIND_MODELS.get(str(name)), (dt.date,), "a number"
        want = "a number, not a date"
    else:
        return [(path, "a distribution can stand only for a number or a date")]
    problems = []
    for key in model.model_fields if model else ():
        if key in ("distribution", "source", "weights") or key not in raw:
            continue
        value = raw[key]
        items = (
            [((i,), v) for i, v in enumerate(value)] if isinstance(value, list) else [((), value)]
        )
        for index, item in items:
            if isinstance(item, wrong) and not isinstance(item, bool):
                message = (
                    f"{_dotted(path)} is {field_is}, so {key} must be {want}: got {shown(item)}"
                )
                problems.append(((*path, key, *index), message))
    return problems


def _check_supports(doc: Document, uncertain: dict[Key, Any]) -> None:
    """Each distribution's lowest and highest values must make a valid scenario too."""
    for path, dist in uncertain.items():
        kind = leaf_type(path)
        holder = _get(doc.data, path[:-1])
        central = holder[path[-1]]
        for end in dist.extremes():
            holder[path[-1]] = _as(kind, end)
            try:
                validate(doc)
            except ScenarioError as err:
                file, line = doc.locate(path)
                same = err.key in (None, _dotted(path))
                what = err.message if same else f"{err.key}: {err.message}"
                raise ScenarioError(
                    f"the distribution can give {shown(end)}, and then {what}",
                    file=file,
                    line=line,
                    key=_dotted(path),
                ) from None
            finally:
                holder[path[-1]] = central


def _as(kind: type, value: Any) -> Any:
    """A draw as the field takes it: whole numbers rounded; floats as floats; dates as are."""
    if kind is int:
        return math.floor(value + 0.5)
    return float(value) if kind is float else value


def leaf_type(path: Key, root: type[BaseModel] = Scenario) -> Any:
    """The type of the schema field at ``path`` (``None`` if there is no such field)."""
    model: Any = root
    for part in path:
        if isinstance(model, type) and issubclass(model, BaseModel):
            info = model.model_fields.get(str(part))
            model = _unwrap(info.annotation) if info else None
        elif typing.get_origin(model) is list:
            model = _unwrap(typing.get_args(model)[0])
        elif typing.get_origin(model) is dict:
            model = _unwrap(typing.get_args(model)[1])
        else:
            return None
    return model


def validate(doc: Document) -> Scenario:
    """Validate merged data; raise the first problem (in file order) as a ScenarioError."""
    scenario = validate_model(doc, Scenario, check)
    scenario._files = list(doc.files)
    scenario._notes = {_dotted(path): note for path, note in doc.notes.items()}
    return scenario


def validate_model(doc: Document, model: type[BaseModel], rules: Any = None) -> Any:
    """Validate ``doc`` as ``model`` (and its cross-field ``rules``, a function returning
    (path, message) problems); raise the first problem in file order as a ScenarioError."""
    try:
        value = model.model_validate(doc.data)
    except ValidationError as exc:
        found = [_describe(err, doc.data, root=model) for err in exc.errors()]
        _raise_first(_without_typo_twins(found), doc)
    except RecursionError:
        raise ScenarioError("values are nested too deeply", file=doc.files[0]) from None
    problems = rules(value) if rules else []
    if problems:
        _raise_first(problems, doc)
    return value


def read_document(path: Path, _chain: tuple[Path, ...] = ()) -> Document:
    """Parse one file and, recursively, the files it extends."""
    shown = str(path)
    resolved = path.resolve()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError("no such file", file=shown) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"cannot read the file ({exc})", file=shown) from None
    root = _parse(text, shown)
    try:
        return _document(root, path, shown, (*_chain, resolved))
    except RecursionError:
        raise ScenarioError("values are nested too deeply", file=shown) from None


def _document(root: Any, path: Path, shown: str, chain: tuple[Path, ...]) -> Document:
    if root is None:
        raise ScenarioError("the file is empty; a scenario is a mapping of keys", file=shown)
    if not isinstance(root, CommentedMap):
        raise ScenarioError("a scenario must be a mapping of keys", file=shown, line=1)
    doc = Document(data={}, files=[shown])
    doc.data = _plain(root, (), shown, doc.where, doc.notes, _Expansion())
    parent = doc.data.get("extends")
    if parent is None:
        return doc
    if not isinstance(parent, str) or not parent.strip():
        line = doc.where.get(("extends",), (shown, None))[1]
        raise ScenarioError(
            "must be the path of another scenario file", file=shown, line=line, key="extends"
        )
    base_path = path.parent / parent
    line = doc.where[("extends",)][1]
    if len(chain) >= MAX_EXTENDS:
        raise ScenarioError(
            f"a chain of `extends` may hold at most {MAX_EXTENDS} files; this "
            f"one goes on past {chain[0].name}",
            file=shown,
            line=line,
            key="extends",
        )
    if not base_path.is_file():
        raise ScenarioError(
            f"cannot find '{parent}' (looked for {base_path})", file=shown, line=line, key="extends"
        )
    if base_path.resolve() in chain:
        raise ScenarioError(
            f"'{parent}' is already in the chain of `extends`: a circle",
            file=shown,
            line=line,
            key="extends",
        )
    base = read_document(base_path, chain)
    _merge(base, doc, ())
    base.files = [shown, *base.files]
    return base


class _Constructor(RoundTripConstructor):
    """Round-trip constructor that says where a value it cannot build was written."""

    def construct_object(self, node: Any, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep=deep)
        except (ValueError, TypeError, OverflowError) as exc:
            raise ConstructorError(
                None, None, f"cannot read this value ({exc})", node.start_mark
            ) from None


# Errors about a construct left open are best shown where the construct starts.
_OPENED = ("while parsing a flow", "while scanning a quoted", "while scanning a block")


def _parse(text: str, shown: str) -> Any:
    yaml = YAML(typ="rt")
    yaml.Constructor = _Constructor
    yaml.allow_duplicate_keys = False
    n_lines = max(text.count("\n") + (0 if text.endswith("\n") else 1), 1)
    try:
        return yaml.load(text)
    except MarkedYAMLError as exc:
        opened = str(exc.context or "").startswith(_OPENED)
        mark = (exc.context_mark if opened else None) or exc.problem_mark or exc.context_mark
        line = min(mark.line + 1, n_lines) if mark is not None else None
        what = " ".join(str(p) for p in (exc.context, exc.problem) if p) or "not valid YAML"
        key = _key_at(yaml, text, line) if isinstance(exc, ConstructorError) else None
        raise ScenarioError(f"bad YAML: {what}", file=shown, line=line, key=key) from None
    except RecursionError:
        raise ScenarioError("bad YAML: nested too deeply", file=shown) from None
    except (YAMLError, ValueError, TypeError, OverflowError) as exc:
        raise ScenarioError(f"bad YAML: {exc}", file=shown) from None


def _key_at(yaml: YAML, text: str, line: int | None) -> str | None:
    """The dotted key whose value starts on ``line`` (the text already parses as YAML)."""
    if line is None:
        return None
    try:
        node = yaml.compose(text)
    except (YAMLError, RecursionError):
        return None
    stack: list[tuple[Any, Key]] = [(node, ())]
    seen: set[int] = set()  # an alias is the node it names: walk it once, not per alias
    while stack:
        node, path = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, MappingNode):
            for k, v in node.value:
                stack.append((v, (*path, getattr(k, "value", "?"))))
        elif isinstance(node, SequenceNode):
            stack.extend((v, (*path, i)) for i, v in enumerate(node.value))
        elif node.start_mark.line + 1 == line and path:
            return _dotted(path)
    return None


@dataclass
class _Expansion:
    """How many values ``_plain`` may still make, and the alias it is inside, if any.

    An alias is the very object its anchor names, so a few hundred bytes of aliases of
    aliases stand for billions of values; turning them into plain data must stop early.
    """

    left: int = MAX_VALUES
    seen: set[int] = field(default_factory=set)  # ids of the containers met so far
    alias: Key | None = None  # where the outermost alias being expanded was written
    aliases: bool = False  # whether any alias of a mapping or list was met


def _plain(node: Any, path: Key, shown: str, where: dict, notes: dict, budget: _Expansion) -> Any:
    """Turn ruamel's round-trip nodes into plain Python, recording each key's line and
    the comment at the end of it; refuse to make more than ``MAX_VALUES`` values."""
    budget.left -= 1
    if budget.left < 0:
        at = budget.alias or path[:1]
        # A list item's recorded line is that of the value it names, so an alias in a list
        # is shown at the line of the key that holds the list.
        keyed = at[: max((n for n, part in enumerate(at, 1) if isinstance(part, str)), default=0)]
        message = TOO_MANY_VALUES if budget.aliases else f"more than {MAX_VALUES:,} values"
        raise ScenarioError(
            message, file=shown, line=where.get(keyed, (shown, None))[1], key=_dotted(at) or None
        )
    if not isinstance(node, CommentedMap | CommentedSeq):
        return _convert(node, path, shown, where, notes, budget)
    outermost = id(node) in budget.seen and budget.alias is None
    budget.seen.add(id(node))
    if outermost:
        budget.alias, budget.aliases = path, True
    try:
        return _convert(node, path, shown, where, notes, budget)
    finally:
        if outermost:
            budget.alias = None


def _convert(node: Any, path: Key, shown: str, where: dict, notes: dict, budget: _Expansion) -> Any:
    """One node of ``_plain``."""
    if isinstance(node, CommentedMap):
        out: dict[str, Any] = {}
        for key in node:
            line = _line(node, key)
            if not isinstance(key, str):
                raise ScenarioError(
                    f"keys must be text, not {key!r}",
                    file=shown,
                    line=line,
                    key=_dotted(path) or None,
                )
            where[(*path, key)] = (shown, line)
            _note(notes, (*path, key), node.ca.items.get(key), 2)
            out[key] = _plain(node[key], (*path, key), shown, where, notes, budget)
        return out
    if isinstance(node, CommentedSeq):
        items = []
        for i, item in enumerate(node):
            where[(*path, i)] = (shown, _line(node, i))
            _note(notes, (*path, i), node.ca.items.get(i), 0)
            items.append(_plain(item, (*path, i), shown, where, notes, budget))
        return items
    if isinstance(node, bool) or node is None:
        return node
    if isinstance(node, ScalarBoolean):  # a boolean with an anchor
        return bool(node)
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    if isinstance(node, str):
        return str(node)
    if isinstance(node, dt.datetime):
        return dt.datetime(*node.timetuple()[:6])
    if isinstance(node, dt.date):
        return dt.date(node.year, node.month, node.day)
    line = where.get(path, (shown, None))[1]
    raise ScenarioError(
        f"unsupported value {node!r}", file=shown, line=line, key=_dotted(path) or None
    )


def _note(notes: dict, path: Key, tokens: Any, index: int) -> None:
    """Keep the first line of the comment written after a key (or list item), if any."""
    try:
        token = tokens[index]
    except (TypeError, IndexError):
        return
    text = getattr(token, "value", "") or ""
    first = text.strip().split("\n")[0].lstrip("#").strip()
    if first:
        notes[path] = first


def _line(node: CommentedMap | CommentedSeq, key: Any) -> int | None:
    try:
        pos = node.lc.key(key) if isinstance(node, CommentedMap) else node.lc.item(key)
        return pos[0] + 1
    except (AttributeError, KeyError, IndexError, TypeError):
        return None


def _merge(base: Document, child: Document, path: Key) -> None:
    """Overlay ``child``'s data (at ``path``) onto ``base`` in place, with positions."""
    src = _get(child.data, path)
    dst = _get(base.data, path)
    if path == ("policy",) and POLICY_FORMS & set(src):
        # A policy written in either form replaces the one it extends, in either form.
        for form in POLICY_FORMS - set(src):
            dst.pop(form, None)
            for mine in (base.where, base.notes):
                for k in [k for k in mine if k[:2] == (*path, form)]:
                    del mine[k]
    for key, value in src.items():
        sub = (*path, key)
        mappings = isinstance(value, dict) and isinstance(dst.get(key), dict)
        if mappings and not is_distribution(value) and not is_distribution(dst[key]):
            base.where[sub] = child.where[sub]
            if sub in child.notes:
                base.notes[sub] = child.notes[sub]
            _merge(base, child, sub)
            continue
        if (
            isinstance(value, list)
            and isinstance(dst.get(key), list)
            and len(value) < len(dst[key])
        ):
            base.replaced[sub] = (base.where.get(sub, (base.files[0], None))[0], len(dst[key]))
        for mine, theirs in ((base.where, child.where), (base.notes, child.notes)):
            for k in [k for k in mine if k[: len(sub)] == sub]:
                del mine[k]
            mine.update((k, v) for k, v in theirs.items() if k[: len(sub)] == sub)
        dst[key] = value


def _get(data: Any, path: Key) -> Any:
    for key in path:
        data = data[key]
    return data


def _raise_first(problems: list[tuple[Key | list[Key], str]], doc: Document) -> typing.NoReturn:
    """Raise the first problem: the user's own file before the files it extends, then by line.

    A rule across keys may name several (a list of key paths, e.g. ``start`` and ``end``):
    it is reported at the one written last in the chain of files, the likelier cause.
    """

    def order(path: Key) -> tuple[int, int, int]:
        file, line = doc.locate(path)
        from_override = int(file == OVERRIDE)
        file_rank = doc.files.index(file) if file in doc.files else len(doc.files)
        return (from_override, file_rank, line or 0)

    def latest(path: Key) -> tuple[int, int]:  # an override, then the user's own file
        from_override, file_rank, _ = order(path)
        return (1 - from_override, file_rank)

    located = [(min(p, key=latest) if isinstance(p, list) else p, m) for p, m in problems]
    located.sort(key=lambda item: order(item[0]))
    path, message = located[0]
    file, line = doc.locate(path)
    raise ScenarioError(
        message + _replaced_hint(path, doc),
        file=file,
        line=line,
        key=_dotted(path) or None,
        more=len(problems) - 1,
    )


def _replaced_hint(path: Key, doc: Document) -> str:
    """Why a list may hold fewer items than the user expects: ``extends:`` replaced it."""
    for n in range(len(path), 0, -1):
        if path[:n] in doc.replaced:
            file, count = doc.replaced[path[:n]]
            return (
                f" (note: `{_dotted(path[:n])}` here replaces the {count} item"
                f"{'s' if count != 1 else ''} of {file} as a whole: `extends:` merges mappings"
                " but replaces lists, so repeat the items to keep and add yours)"
            )
    return ""


def _without_typo_twins(problems: list[tuple[Key, str]]) -> list[tuple[Key, str]]:
    """Drop "missing 'start'" where the same mapping has an unknown key close to 'start':
    the typo is the problem to show, and it already says "did you mean"."""
    unknown = {
        (path[:-1], str(path[-1])) for path, msg in problems if msg.startswith("unknown key")
    }
    kept = []
    for path, message in problems:
        if message.startswith("missing required key"):
            near = [k for parent, k in unknown if parent == path[:-1]]
            if difflib.get_close_matches(str(path[-1]), near, n=1):
                continue
        kept.append((path, message))
    return kept


def _describe(
    err: Any, data: dict, allowed: list[str] | None = None, root: type[BaseModel] = Scenario
) -> tuple[Key, str]:
    """A pydantic error as (path into the data, plain message).

    ``allowed``: the keys allowed where the data is (default: found from the schema).
    """
    path = _data_path(err["loc"], data)
    kind = err["type"]
    if kind == "extra_forbidden":
        key = path[-1]
        if allowed is None:
            allowed = _allowed_keys(path[:-1], root)
        message = f"unknown key '{key}'"
        close = difflib.get_close_matches(str(key), allowed, n=1)
        if close:
            message += f"; did you mean '{close[0]}'?"
        elif allowed:
            message += f" (allowed: {', '.join(allowed)})"
        return path, message
    if kind == "missing":
        return path, f"missing required key '{path[-1]}'"
    value = err.get("input")
    shown = repr(value)
    if len(shown) > 40:
        shown = shown[:37] + "..."
    message = err["msg"]
    message = message[0].lower() + message[1:]
    needs_value = kind.endswith(("_type", "_parsing")) or kind.startswith("value_error")
    if needs_value and "got " not in message:
        message += f", got {shown}"
    return path, message.replace("Value error, ", "").replace("value error, ", "")


def _data_path(loc: tuple, data: Any) -> Key:
    """Keep the parts of a pydantic location that are keys or indexes of the data."""
    path: list[str | int] = []
    node = data
    for part in loc:
        if (isinstance(node, dict) and part in node) or (
            isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        ):
            node = node[part]
            path.append(part)
        elif is_distribution(node) and part == node["distribution"]:
            continue  # the union member pydantic tried, named after the distribution
        elif isinstance(node, dict) and isinstance(part, str) and not _is_tag(part):
            path.append(part)  # a missing key: point at its parent's line
            node = None
    return tuple(path)


def _is_tag(part: str) -> bool:
    """A name pydantic gives a member of a union ('tagged-union[...]', 'constrained-float',
    'function-after[...]'), not a key: the schema's keys never hold '-' or '['."""
    return "-" in part or "[" in part


def _allowed_keys(path: Key, root: type[BaseModel] = Scenario) -> list[str]:
    """Field names of the schema model found at ``path`` (empty if not a model)."""
    model = leaf_type(path, root)
    if isinstance(model, type) and issubclass(model, BaseModel):
        return list(model.model_fields)
    return []


def _unwrap(annotation: Any) -> Any:
    """Strip Optional[...] and Annotated[...] from a type annotation."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(args) != 1:
                return annotation
            annotation = args[0]
        else:
            return annotation
