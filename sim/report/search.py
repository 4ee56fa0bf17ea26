"""What an optimisation searched and what it found: the sections of its report that say so.

The scenario and levers searched, the objectives and thresholds, how the search ran, the
Pareto set (its levers, and its scores beside the same objectives re-evaluated with fresh
replications) and what the results do not tell you; :mod:`sim.report.optimize` puts them
on the page with the charts. Values are written for people (``26 July 2021``, ``2,500``,
``US$1.5 million``, a choice in words); everything from the folder is escaped.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING

import pandas as pd

from sim.report.text import count, fixed, join, money, number, places, plural, table, words, yes_no
from sim.report.text import escape as _e
from sim.scenario.outcomes import outcome_info

if TYPE_CHECKING:
    from sim.report.optimize import OptimizationFolder

__all__ = [
    "limits_section",
    "objectives_section",
    "pareto_section",
    "question",
    "search_section",
    "searched_section",
]

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def question(opt: OptimizationFolder) -> str:
    """The question the search answers: the experiment's description, or one in words."""
    return opt.experiment.get("description") or (
        f"Which setting of {join(list(_lever_names(opt).values()) or ['the levers'])} "
        f"gives the best trade-off between {join([_heading(o) for o in opt.objectives])}?"
    )


# --- values for people -------------------------------------------------------------------


def _heading(name: str) -> str:
    """An outcome as a heading: ``Total cost (US$ million)``; one of the user's own in words."""
    try:
        return outcome_info(name).heading
    except KeyError:
        return words(name)


def _score_heading(name: str) -> str:
    """A score column as a heading: its outcome's, or the share of futures a satisficing
    search maximises."""
    from sim.plots.optimize import SATISFICING

    return "Share of futures meeting every threshold" if name == SATISFICING else _heading(name)


def _measure(opt: OptimizationFolder) -> str | None:
    """The measure a robust search scored each outcome by, in words (``None``: not robust)."""
    from sim.plots.optimize import MEASURE_WORDS

    robust = opt.manifest.get("robust")
    measure = robust.get("measure") if isinstance(robust, Mapping) else None
    return MEASURE_WORDS.get(measure, measure) if measure else None


def _scale(name: str) -> tuple[float, str]:
    try:
        info = outcome_info(name)
    except KeyError:
        return 1.0, ""
    return info.scale, info.unit


def _lever_names(opt: OptimizationFolder, paths: list[str] | None = None) -> dict[str, str]:
    """Levers (or other inputs: ``paths``) in words, in the scenario's own words."""
    from sim.plots.optimize import lever_words

    return lever_words(opt.levers if paths is None else paths, opt.manifest)


def _value(value: object, path: str = "") -> str:
    """A lever's value for people: ``26 July 2021``, ``2,500``, ``US$1.5 million``, words."""
    if hasattr(value, "item") and not isinstance(value, str):
        value = value.item()  # a numpy scalar, as pandas reads a table
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "not set"
    if isinstance(value, bool):
        return yes_no(value)
    if isinstance(value, int | float):
        return money(value) if path.endswith("_usd") else number(value)
    text = str(value)
    if _ISO_DATE.match(text):
        day = dt.date.fromisoformat(text)
        return f"{day.day} {day:%B %Y}"
    return words(text)


def _at(resolved: Mapping, path: str) -> object:
    """The value at a key path in a resolved scenario (``None`` where there is none)."""
    node: object = resolved
    for part in path.split("."):
        if isinstance(node, Mapping):
            node = node.get(part)
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return None
    return node


def _scores(opt: OptimizationFolder, name: str) -> tuple[list[str], list[str]]:
    """An objective's scores in the Pareto set (``± CI`` where ``candidates.csv`` gives
    one) and the same re-evaluated, in its unit and all to one precision."""
    p, c = opt.pareto, opt.candidates
    scale, _ = _scale(name)
    score = pd.to_numeric(p[name], errors="coerce") * scale
    fresh = pd.to_numeric(
        p.get(f"fresh_{name}", pd.Series(math.nan, index=p.index)), errors="coerce"
    )
    fresh = fresh * scale
    half = pd.Series(math.nan, index=p.index)
    if f"{name}_ci" in c and {"candidate"} <= set(c) & set(p):
        halves = pd.to_numeric(c.set_index("candidate")[f"{name}_ci"], errors="coerce")
        half = pd.Series(halves.reindex(p["candidate"]).to_numpy() * scale, index=p.index)
    decimals = places([*score, *fresh])

    def text(x: float) -> str:  # a share of futures as a percentage
        return (
            fixed(100 * x, 0) + "%" if name == "satisficing" and pd.notna(x) else fixed(x, decimals)
        )

    shown = [
        text(v) + (f" ± {text(h)}" if pd.notna(h) else "") for v, h in zip(score, half, strict=True)
    ]
    return shown, [text(v) for v in fresh]


def _flags(values: pd.Series) -> list[bool]:
    return [str(v).strip().lower() in ("true", "1", "1.0", "yes") for v in values]


# --- sections ----------------------------------------------------------------------------


def searched_section(opt: OptimizationFolder) -> str:
    scenario = opt.scenario
    m = opt.manifest
    name = m.get("scenario") or scenario.get("name") or ""
    experiment = opt.experiment
    specs = experiment.get("levers") or {}
    names = _lever_names(opt)
    rows = []
    for path in opt.levers:
        spec = specs.get(path) if isinstance(specs.get(path), Mapping) else {}
        if spec.get("choices") is not None:
            searched = "one of " + ", ".join(_value(c, path) for c in spec["choices"])
        elif spec.get("low") is not None:
            searched = f"{_value(spec['low'], path)} to {_value(spec.get('high'), path)}"
        else:
            searched = "(not recorded)"
        rows.append([names[path], path, searched, _value(_at(scenario, path), path)])
    experiment_name = experiment.get("name") or m.get("experiment") or ""
    return (
        f"<p>The scenario <strong>{_e(scenario.get('title') or name)}</strong> "
        f"(<code>{_e(name)}</code>), from the experiment <code>{_e(experiment_name)}</code>: "
        f"{_e(scenario.get('description') or '')}</p>"
        f"<p>The search set {plural(len(opt.levers), 'lever')}; everything else is as the "
        "scenario has it.</p>" + table(["Lever", "Key", "Range searched", "In the scenario"], rows)
    )


def _threshold(name: str, spec: object) -> str:
    """``at least 150,000 person-days``, ``at most US$1,200 million``, ``none``."""
    if not isinstance(spec, Mapping):
        return "none"
    scale, unit = _scale(name)
    parts = []
    for key, said in (("min", "at least"), ("max", "at most")):
        if spec.get(key) is None:
            continue
        value = fixed(float(spec[key]) * scale, places([float(spec[key]) * scale]))
        if unit == "US$ million":
            value = f"US${value} million"
        elif unit not in ("", "count"):
            value = f"{value} {unit}"
        parts.append(f"{said} {value}")
    return " and ".join(parts) or "none"


def objectives_section(opt: OptimizationFolder) -> str:
    thresholds = opt.manifest.get("thresholds") or {}
    outcomes = opt.manifest.get("outcomes") or opt.objectives  # as declared, before measures
    rows = [
        [
            _heading(name),
            "lower" if way == "minimize" else "higher",
            _threshold(name, thresholds.get(name)),
        ]
        for name, way in outcomes.items()
    ]
    rows += [
        [_heading(name), "(not an objective)", _threshold(name, spec)]
        for name, spec in thresholds.items()
        if name not in outcomes
    ]
    measure = _measure(opt)
    scored = (
        f" Across the futures, each outcome is scored by its {_e(measure)}"
        + (
            " (how far it falls behind the best candidate; lower is better)"
            if "regret" in measure
            else ""
        )
        + "."
        if measure
        else ""
    )
    return (
        "<p>The search looks for settings no other beats on every objective at once. A "
        "candidate is feasible when it meets every threshold; only feasible candidates can "
        f"be in the Pareto set.{scored}</p>" + table(["Objective", "Better", "Threshold"], rows)
    )


def _replications(opt: OptimizationFolder) -> str:
    if "replications" not in opt.candidates:
        return "not recorded"
    counts = pd.to_numeric(opt.candidates["replications"], errors="coerce").dropna()
    if counts.empty:
        return "not recorded"
    low, high = int(counts.min()), int(counts.max())
    return f"{low:,}" if low == high else f"{low:,} to {high:,}"


def _robust(opt: OptimizationFolder) -> str:
    robust = opt.manifest.get("robust")
    if not isinstance(robust, Mapping):
        return "held at their reference values (one future)"
    return (
        f"sampled: {count(robust.get('futures'))} futures, the same for every candidate; "
        f"each objective scored by its {_measure(opt)}"
    )


def _precision(m: Mapping) -> str:
    if not m.get("precision"):
        return "a fixed number per candidate"
    most = f", up to {count(m['max_replications'])}" if m.get("max_replications") else ""
    return (
        f"doubled until each objective's 95% confidence interval is within "
        f"{float(m['precision']):.0%} of its mean{most}"
    )


def _held(opt: OptimizationFolder) -> str:
    """The uncertain inputs held at reference values, and those left as the scenario has them."""
    held = opt.manifest.get("uncertainties_held") or {}
    drawn = [str(p) for p in opt.manifest.get("uncertainties_as_written") or []]
    text = ""
    if held:
        names = _lever_names(opt, list(held))
        rows = [[names[path], path, _value(value, path)] for path, value in held.items()]
        text += "<h3>Uncertain inputs held at their reference values</h3>" + table(
            ["Uncertain input", "Key", "Value"], rows
        )
    if drawn:
        names = _lever_names(opt, drawn)
        text += (
            "<p>Uncertain inputs with no reference value, drawn in each replication as the "
            f"scenario has them: {_e(join([names[p] for p in drawn]))}.</p>"
        )
    return text


def search_section(opt: OptimizationFolder) -> str:
    m = opt.manifest
    counts = m.get("counts") or {}
    workers = f" ({count(m['workers'])} workers)" if m.get("workers") else ""
    facts = [
        ["Algorithm", m.get("algorithm")],
        ["Budget", f"{count(m.get('budget'))} evaluations"],
        ["Candidates a generation", count(m.get("population"))],
        ["Seed", m.get("seed")],
        ["Uncertain inputs", _robust(opt)],
        ["Replications per candidate", _replications(opt)],
        ["Replications", _precision(m)],
        ["Candidates evaluated", count(counts.get("evaluated", len(opt.candidates)))],
        ["Distinct lever settings run", count(counts.get("distinct"))],
        ["Candidates that failed to run", count(counts.get("failed", 0))],
        ["Feasible (meet every threshold)", count(counts.get("feasible"))],
        ["In the Pareto set", count(counts.get("pareto", len(opt.pareto)))],
        ["Still unbeaten when re-evaluated", count(counts.get("stays"))],
        ["Executor", f"{m['executor']}{workers}" if m.get("executor") else None],
    ]
    notes = [str(n) for n in m.get("notes") or []]
    said = "".join(f"<li>{_e(n)}</li>" for n in notes)
    return (
        table(["", ""], [[k, count(v)] for k, v in facts])
        + (f"<p>Notes from the search:</p><ul>{said}</ul>" if notes else "")
        + _held(opt)
    )


def pareto_section(opt: OptimizationFolder) -> str:
    p = opt.pareto
    if p.empty:
        return (
            "<p>The Pareto set is empty: no candidate met every threshold. Loosen the "
            "thresholds, widen the levers' ranges, or search with a larger budget.</p>"
        )
    names = _lever_names(opt)
    stays = _flags(p["stays"]) if "stays" in p else [True] * len(p)
    settings = [
        [
            str(row["option"]),
            *(_value(row.get(path), path) for path in opt.levers),
            row.get("file", ""),
        ]
        for _, row in p.iterrows()
    ]
    columns, header = [], ["Option"]
    for name in opt.objectives:
        columns += _scores(opt, name)
        header += [f"{_score_heading(name)}: search", "re-evaluated"]
    scores = [
        [str(option), *(column[i] for column in columns), yes_no(stays[i])]
        for i, option in enumerate(p["option"])
    ]
    kept = sum(stays)
    return (
        f"<p>{plural(len(p), 'option')} that no other feasible candidate beats on every "
        f"objective at once. Each was run again with fresh replications: {kept} of "
        f"{len(p)} {'stays' if kept == 1 else 'stay'} unbeaten then; the others owe their "
        "place to the noise of their replications as much as to their levers. Each option's "
        "scenario file <code>extends:</code> the original with its levers set, so "
        "<code>sim run</code> or <code>sim compare</code> runs it again.</p>"
        + "<h3>The options' levers</h3>"
        + table(["Option", *(names[path] for path in opt.levers), "Scenario file"], settings)
        + "<h3>Their scores</h3><p>The score the search used (± the half-width of its 95% "
        "confidence interval, where known) and the same objective re-evaluated.</p>"
        + table([*header, "Stays unbeaten"], scores, range(1, len(header)))
    )


def limits_section(opt: OptimizationFolder) -> str:
    m = opt.manifest
    robust = m.get("robust")
    if isinstance(robust, Mapping):
        futures = (
            f"Each candidate was scored over the same {count(robust.get('futures'))} sampled "
            f"futures ({robust.get('measure')}): the options hold up across the ranges the "
            "experiment declares for its uncertainties, and say nothing of futures outside them."
        )
    else:
        futures = (
            "The uncertain inputs were held at their reference values throughout the search: "
            "these are the best trade-offs in one future, the reference one. In others the "
            "same options may do worse, or be beaten by ones the search discarded; search "
            "with <code>--robust</code>, or test the chosen options with "
            "<code>sim robustness</code>."
        )
    p = opt.pareto
    beaten = len(p) - sum(_flags(p["stays"])) if "stays" in p else 0
    noise = (
        f"Each score is a mean over {_replications(opt)} replications, so it carries noise: "
        "options whose scores differ by less than their confidence intervals are not told "
        "apart"
        + (
            f", and {beaten} of the {len(p)} options were beaten once re-evaluated with "
            "fresh replications."
            if len(p)
            else "."
        )
    )
    return "".join(
        f"<p>{text}</p>"
        for text in (
            "The model counts people, moves, costs and attacks as the scenario files state "
            "them. What they leave out (politics beyond the announcements, an adversary who "
            "adapts, partner forces, events no file describes) is outside these results, and "
            "every number rests on the assumptions and sources in the scenario files (the "
            "report of a <code>sim run</code> of an option lists them).",
            futures,
            noise,
            f"The search evaluated {count(m.get('budget'))} candidates from one seed; a "
            "larger budget or another seed may find options that beat these (see the "
            "convergence above). Only the levers listed were searched: other settings stay "
            "as the scenario has them.",
            "Choosing among the options means weighing the objectives against one another: "
            "a judgement the search leaves to you.",
        )
    )
