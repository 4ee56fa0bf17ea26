"""Charts of an optimisation: the Pareto set, the trade-offs it makes, how the search went.

The inputs are the tables ``sim optimize`` writes, read back as they are (dates as ISO
text, choices as written):

* ``pareto`` (a row per option of the Pareto set: its levers, its objectives, the same
  objectives re-evaluated with fresh replications as ``fresh_<objective>``, and whether
  the option ``stays`` non-dominated then): :func:`pareto_parallel`;
* ``candidates`` (a row per lever setting evaluated: its objectives, whether it is
  ``feasible`` and in the ``pareto`` set): :func:`tradeoffs`;
* ``convergence`` (``evaluations``, ``hypervolume`` and ``pareto_size`` per generation):
  :func:`convergence_chart`.

``objectives`` is ``{name: "minimize" | "maximize"}`` (the manifest's ``objectives``), or
names whose direction the ``manifest`` or else the outcome registry gives. Levers are
named in words (:mod:`sim.plots.labels`), in the scenario's own words when the
optimisation's ``manifest`` is given; outcomes by the registry (:mod:`sim.scenario.outcomes`).
Each chart raises ``ValueError`` for an empty table or one without the columns it needs.
Charts never write files; ``save`` does.

>>> fig = pareto_parallel(pareto, manifest["levers"], manifest["objectives"], manifest)
>>> save(fig, "charts/pareto")  # .png and .svg
"""

from __future__ import annotations

import itertools
import re
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from sim.plots.frames import (
    amount_text,
    amount_ticks,
    axis_text,
    describe_outcome,
    footer_or,
    input_unit,
    require_columns,
    title_or,
)
from sim.plots.labels import input_labels
from sim.plots.placement import label_points
from sim.plots.style import decorate_wrapped, legend_below, new_panels, style_context, to_datenum
from sim.scenario.outcomes import outcome_info

__all__ = [
    "MEASURE_WORDS",
    "convergence_chart",
    "lever_words",
    "pareto_parallel",
    "score_words",
    "tradeoffs",
]

# How a robust search scores an outcome across futures (sim.analysis.pareto), in words.
MEASURE_WORDS = {
    "mean": "mean over futures",
    "p90": "bad case over futures (90th percentile)",
    "p10": "good case over futures (10th percentile)",
    "regret": "mean regret over futures",
    "satisficing": "mean over futures",
}
SATISFICING = "satisficing"  # the score column of a satisficing search

_DATE_TEXT = re.compile(r"^\d{4}-\d{2}-\d{2}")
_MARKERS = ("o", "s", "D", "^", "v", "P", "X", "h")
_DASHED = (0, (4, 2))  # an option beaten once re-evaluated
_SHADES = (0.0, 0.72)  # of cividis: dark blue to olive, grey levels 0.11 to 0.65
_EDGE = "#222222"
_MOST_NAMED = 12  # Pareto points named on the trade-off panels; beyond, marked only
# Every candidate faint; feasible ones hollow; the Pareto set filled: apart in greyscale.
_ALL = {"s": 9, "marker": "o", "color": "#9A9A9A", "alpha": 0.45, "linewidths": 0}
_FEASIBLE = {"s": 22, "marker": "o", "facecolor": "none", "edgecolor": "#00507D", "linewidth": 0.9}
_PARETO = {"s": 40, "marker": "D", "facecolor": "#D55E00", "edgecolor": _EDGE, "linewidth": 0.6}
_CI = {"fmt": "none", "ecolor": "#444444", "elinewidth": 0.7, "zorder": 3.5}
_HYPERVOLUME = {"color": "#00507D", "marker": "o", "markersize": 3.5, "linewidth": 1.8}
_SIZE = {
    "color": "#D55E00",
    "linestyle": (0, (4, 2)),
    "linewidth": 1.5,
    "marker": "s",
    "markersize": 3.5,
}
_END = {"fontsize": 7.5, "color": "#222222", "zorder": 5}


# --- objectives, levers and words --------------------------------------------------------


def _directions(objectives: Mapping | Sequence[str], manifest: Mapping | None) -> dict[str, str]:
    """``{objective: "minimize" | "maximize"}``, from the argument, the manifest or the
    registry, in that order."""
    declared = (manifest or {}).get("objectives") or {}
    if isinstance(objectives, str):
        objectives = [objectives]
    given = dict(objectives) if isinstance(objectives, Mapping) else {}
    out = {}
    for name in objectives:
        way = given.get(name) or declared.get(name) or _registry_way(name)
        if way not in ("minimize", "maximize"):
            raise ValueError(f"objective '{name}': say 'minimize' or 'maximize' (not {way!r})")
        out[str(name)] = way
    if not out:
        raise ValueError("no objectives to chart")
    return out


def _registry_way(name: str) -> str | None:
    try:
        better = outcome_info(name).better
    except KeyError:
        return None
    return {"lower": "minimize", "higher": "maximize"}.get(better)


def lever_words(
    levers: Sequence[str], manifest: Mapping | None, *, unit: bool = True
) -> dict[str, str]:
    """Each lever in words (``path -> words``), in the words of the scenario the
    optimisation's ``manifest`` says it searched; without one, from the path alone."""
    option = (manifest or {}).get("scenario")
    return input_labels(levers, manifest, option if isinstance(option, str) else None, unit=unit)


def score_words(name: str, manifest: Mapping | None = None) -> tuple[str, str, float]:
    """(words, unit, factor from the table's unit) of a score column: the outcome's, with
    the measure it was scored by across futures when the search was robust."""
    if name == SATISFICING:
        return "Share of futures meeting every threshold", "", 1.0
    label, unit, scale = describe_outcome(name)
    robust = (manifest or {}).get("robust")
    measure = robust.get("measure") if isinstance(robust, Mapping) else None
    if measure:
        label = f"{label}: {MEASURE_WORDS.get(measure, measure)}"
    return label, unit, scale


def _lever_spec(path: str, manifest: Mapping | None) -> Mapping:
    """The experiment's range or choices for a lever (empty when the manifest has none)."""
    experiment = (manifest or {}).get("experiment")
    levers = experiment.get("levers") if isinstance(experiment, Mapping) else None
    spec = (levers or {}).get(path)
    return spec if isinstance(spec, Mapping) else {}


def _is_dates(values: pd.Series) -> bool:
    present = values.dropna()
    return pd.api.types.is_datetime64_any_dtype(values) or (
        len(present) > 0 and all(_DATE_TEXT.match(str(v)) for v in present)
    )


def _key(value: object) -> object:
    """A choice as compared: numbers as floats (30 and 30.0 are one choice), else text."""
    if isinstance(value, bool | np.bool_):
        return str(value)
    if isinstance(value, int | float | np.number):
        return float(value)
    return str(value)


def _date_text(value: float) -> str:
    """A matplotlib date number as ``26 Jul 2021``."""
    day = mdates.num2date(value)
    return f"{day.day} {day:%b %Y}"


def _choice_text(value: object) -> str:
    """A choice as words (``at_once`` -> ``at once``), a number as a number."""
    if isinstance(value, int | float | np.number) and not isinstance(value, bool | np.bool_):
        return amount_text(float(value))
    return str(value).replace("_", " ")


def _wrap(text: str) -> str:
    """An axis name in lines that fit under its axis (hyphenated words kept whole)."""
    return "\n".join(textwrap.wrap(text, 18, break_on_hyphens=False))


def _flags(table: pd.DataFrame, column: str, default: bool) -> np.ndarray:
    """A yes/no column as booleans (``True``/``False``, ``1``/``0`` or text of them)."""
    if column not in table:
        return np.full(len(table), default)
    text = table[column].astype(str).str.strip().str.lower()
    return text.isin(["true", "1", "1.0", "yes"]).to_numpy()


def _source(manifest: Mapping | None) -> str:
    """The default footer: what was searched, how, and how the objectives were scored."""
    m = manifest or {}
    parts = [f"scenario {m['scenario']}" if m.get("scenario") else ""]
    parts.append(str(m.get("algorithm") or ""))
    parts.append(f"budget {m['budget']:,} evaluations" if isinstance(m.get("budget"), int) else "")
    parts.append(f"seed {m['seed']}" if m.get("seed") is not None else "")
    robust = m.get("robust")
    if isinstance(robust, Mapping):
        parts.append(f"robust: {robust.get('measure')} over {robust.get('futures')} futures")
    text = ", ".join(p for p in parts if p)
    return f"Source: sim optimize; {text}" if text else "Source: sim optimize"


# --- parallel coordinates ----------------------------------------------------------------


@dataclass(frozen=True)
class _Axis:
    """One vertical axis: its name, each option's place on it (0 bottom, 1 top) and the
    values written along it (place, text)."""

    name: str
    places: np.ndarray
    marks: list[tuple[float, str]]


def _spread(x: np.ndarray, low: float, high: float) -> np.ndarray:
    return (x - low) / (high - low) if high > low else np.full(len(x), 0.5)


def _lever_axis(values: pd.Series, path: str, spec: Mapping, name: str) -> _Axis:
    """A lever's axis: over the range searched (the options' own where none is known);
    choices evenly spaced, each written beside its place."""
    numeric = pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)
    if spec.get("choices") is not None or not (_is_dates(values) or numeric):
        choices = list(spec.get("choices") or sorted(values.dropna().unique(), key=_key))
        keys = [_key(c) for c in choices]
        where = np.array([keys.index(_key(v)) if _key(v) in keys else np.nan for v in values])
        step = max(len(choices) - 1, 1)
        places = where / step if len(choices) > 1 else np.full(len(values), 0.5)
        marks = [
            (i / step if len(choices) > 1 else 1.0, _choice_text(c)) for i, c in enumerate(choices)
        ]
        return _Axis(name, places, marks)
    dated = _is_dates(values)
    x = to_datenum(values) if dated else values.to_numpy(float)
    bounds = [spec[k] for k in ("low", "high") if spec.get(k) is not None]
    bounds = list(to_datenum(bounds)) if dated and bounds else bounds
    low, high = np.nanmin([*x, *map(float, bounds)]), np.nanmax([*x, *map(float, bounds)])
    text = _date_text if dated else _money_text if input_unit(path) == "US$" else amount_text
    marks = [(0.0, text(low)), (1.0, text(high))] if high > low else [(1.0, f"all {text(low)}")]
    return _Axis(name, _spread(x, low, high), marks)


def _money_text(usd: float) -> str:
    """Dollars as ``$1.5M``."""
    return amount_text(usd * 1e-6, "US$ million")


def _objective_axis(values: pd.Series, name: str, way: str, manifest: Mapping | None) -> _Axis:
    """An objective's axis over the options' values, turned so that better is up."""
    label, unit, scale = score_words(name, manifest)
    x = values.to_numpy(float) * scale
    low, high = np.nanmin(x), np.nanmax(x)
    places = _spread(x, low, high)
    better = "lower" if way == "minimize" else "higher"
    words = f"{axis_text(label, unit)}\n({better} is better)"
    if high <= low:  # every option alike: its value at the top, the lines mid-way
        return _Axis(words, places, [(1.0, f"all {amount_text(low, unit)}")])
    if way == "minimize":
        places = 1.0 - places
        low, high = high, low  # the top of the axis is the lowest value
    return _Axis(words, places, [(0.0, amount_text(low, unit)), (1.0, amount_text(high, unit))])


def _option_styles(order: np.ndarray) -> list[tuple[tuple, str]]:
    """(colour, marker) per option: shades of cividis by ``order`` (0 darkest), markers in
    turn, so that options differ in grey level and marker shape."""
    n = len(order)
    shades = np.linspace(*_SHADES, max(n, 2))[: max(n, 1)] if n > 1 else [_SHADES[0]]
    cmap = colormaps["cividis"]
    return [(cmap(shades[rank]), _MARKERS[i % len(_MARKERS)]) for i, rank in enumerate(order)]


def _draw_axes(ax: Axes, axes: list[_Axis], n_levers: int) -> None:
    """The vertical axes, their names below and their values at the ends (or beside)."""
    n = len(axes)
    ax.vlines(range(n), 0, 1, colors="#444444", linewidth=1.0, zorder=2)
    if n_levers < n:  # the objectives stand on a shaded ground
        ax.axvspan(n_levers - 0.5, n - 0.5, facecolor="#EFEFEF", edgecolor="none", zorder=0)
    for i, axis in enumerate(axes):
        for place, text in axis.marks:
            top, bottom = place >= 1.0, place <= 0.0
            ax.annotate(
                text,
                (i, place),
                xytext=(0, 4) if top else (0, -4) if bottom else (4, 0),
                textcoords="offset points",
                ha="center" if top or bottom else "left",
                va="bottom" if top else "top" if bottom else "center",
                **_END,
            )
    names = ["\n".join(_wrap(line) for line in a.name.split("\n")) for a in axes]
    ax.set_xticks(range(n), names, fontsize=7.5)
    ax.set_xlim(-0.5, n - 0.5)
    ax.set_ylim(-0.16, 1.16)
    ax.set_yticks([])
    ax.tick_params(axis="x", length=0)
    ax.grid(False)
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.set_xlabel("Levers the search sets, then objectives (shaded), each on its own scale")
    ax.set_ylabel("Place in each axis's range\n(objectives: worst to best)")


def pareto_parallel(
    pareto: pd.DataFrame,
    levers: Sequence[str],
    objectives: Mapping | Sequence[str],
    manifest: Mapping | None = None,
    *,
    title: str | None = None,
    footer: str | None = None,
) -> Figure:
    """The Pareto set in parallel coordinates: an axis per lever and per objective.

    Each option is a line (labelled by its ``option``) through its value on every axis.
    Each axis runs from its lowest to its highest value, written at its ends: a lever's
    over the range searched (from ``manifest``), an objective's over the options, turned
    so that better is up. Options that are beaten once re-evaluated with fresh
    replications (``stays`` false) are dashed. Shades follow the first objective: the
    darkest line does best on it.
    """
    levers = [levers] if isinstance(levers, str) else list(levers)
    ways = _directions(objectives, manifest)
    require_columns(pareto, ["option", *levers, *ways], "Pareto")
    words = lever_words(levers, manifest)
    axes = [_lever_axis(pareto[p], p, _lever_spec(p, manifest), words[p]) for p in levers]
    axes += [_objective_axis(pareto[o], o, w, manifest) for o, w in ways.items()]
    places = np.column_stack([a.places for a in axes])
    first = axes[len(levers)].places  # the first objective, better up
    order = np.argsort(np.argsort(-np.nan_to_num(first, nan=-1.0), kind="stable"))
    stays = _flags(pareto, "stays", True)
    names = [str(n) for n in pareto["option"]]
    with style_context():
        fig, body, (ax,) = new_panels(1, ncols=1, row_height=4.4)
        _draw_axes(ax, axes, len(levers))
        for y, name, stay, (colour, marker) in zip(
            places, names, stays, _option_styles(order), strict=True
        ):
            ax.plot(
                range(len(axes)),
                y,
                label=name,
                color=colour,
                marker=marker,
                markersize=5,
                markeredgecolor=_EDGE,
                markeredgewidth=0.5,
                linewidth=1.6,
                linestyle="-" if stay else _DASHED,
                zorder=3,
            )
        if len(names) <= _MOST_NAMED:  # beyond, a legend would crowd out the chart (the
            # subtitle says the shading follows the first objective; pareto.csv names each)
            legend_below(body, *ax.get_legend_handles_labels(), ncols=min(6, len(names)))
        beaten = int((~stays).sum())
        dashed = (
            f"dashed: the {beaten} of {len(names)} beaten once re-evaluated with fresh replications"
            if beaten
            else "every option stays unbeaten when re-evaluated with fresh replications"
        )
        first_words = _lower(score_words(next(iter(ways)), manifest)[0])
        return decorate_wrapped(
            fig,
            body,
            title=title_or(title, _pareto_title(len(names), manifest)),
            subtitle="One line per option, through its value on each axis; objectives are "
            f"turned so that better is up; darker lines do better on {first_words}; {dashed}",
            footer=footer_or(footer, _source(manifest)),
        )


def _pareto_title(n: int, manifest: Mapping | None) -> str:
    where = f" for {manifest['scenario']}" if (manifest or {}).get("scenario") else ""
    one = "option that nothing beats" if n == 1 else "options that no other beats"
    return f"The Pareto set{where}: {n} {one} on every objective at once"


def _lower(text: str) -> str:
    """``Total cost`` -> ``total cost``, but ``US$`` stays."""
    return text[:1].lower() + text[1:] if text[1:2].islower() else text


# --- trade-offs between pairs of objectives ----------------------------------------------


def _better_corner(ax: Axes, x_way: str, y_way: str) -> None:
    """Above the panel, right: an arrow to the corner where both objectives are better."""
    left, low = x_way == "minimize", y_way == "minimize"
    arrow = {(True, True): "\u2199", (True, False): "\u2196"}.get((left, low))
    arrow = arrow or {(False, True): "\u2198", (False, False): "\u2197"}[(left, low)]
    ax.set_title(f"better {arrow}", loc="right", fontsize=7.5, color="#333333", pad=3)


def _scores(candidates: pd.DataFrame, name: str) -> tuple[np.ndarray, np.ndarray]:
    """An objective's scores and their 95% CI half-widths, in the chart's unit."""
    scale = score_words(name)[2]
    half = f"{name}_ci"
    ci = pd.to_numeric(candidates[half], errors="coerce") if half in candidates else np.nan
    score = candidates[name].to_numpy(float) * scale
    return score, np.broadcast_to(np.asarray(ci, float) * scale, score.shape)


def _draw_pair(
    ax: Axes,
    candidates: pd.DataFrame,
    pair: tuple[str, str],
    masks: dict[str, np.ndarray],
    manifest: Mapping | None,
) -> None:
    """Every candidate faint, the feasible hollow, the Pareto set filled with its CIs."""
    (x, x_ci), (y, y_ci) = (_scores(candidates, name) for name in pair)
    n = {key: int(mask.sum()) for key, mask in masks.items()}
    ax.scatter(x, y, zorder=2, label=f"Every candidate evaluated ({len(x):,})", **_ALL)
    feasible = masks["feasible"]
    label = f"Feasible: meets every threshold ({n['feasible']:,})"
    ax.scatter(x[feasible], y[feasible], zorder=3, label=label, **_FEASIBLE)
    best = masks["pareto"]
    if _draws_bars(best) and (np.isfinite(x_ci[best]).any() or np.isfinite(y_ci[best]).any()):
        ax.errorbar(x[best], y[best], xerr=x_ci[best], yerr=y_ci[best], **_CI)
    ax.scatter(x[best], y[best], zorder=4, label=f"Pareto set ({n['pareto']:,})", **_PARETO)
    ax.grid(True, axis="both")
    for axis, name in zip("xy", pair, strict=True):
        label, unit, _ = score_words(name, manifest)
        (ax.set_xlabel if axis == "x" else ax.set_ylabel)(axis_text(label, unit), fontsize=8)
        amount_ticks(ax, axis)


def _point_names(candidates: pd.DataFrame, pareto: pd.DataFrame | None) -> list[str]:
    """What each candidate is called on the trade-off panels: its option's number in the
    Pareto table (``3`` for ``option-03``), else its own number (``#17``)."""
    named: dict[object, str] = {}
    if pareto is not None and {"candidate", "option"} <= set(pareto.columns):
        options = pareto["option"].astype(str).str.replace(r"^option-0*(?=\d)", "", regex=True)
        named = dict(zip(pareto["candidate"], options, strict=True))
    return [named.get(c, f"#{c}") for c in candidates["candidate"]]


def _joined(words: Sequence[str]) -> str:
    """Inputs in words, those of one thing together: ``A: cap``, ``A: pace`` -> ``A: cap
    and pace``."""
    groups: dict[str, list[str]] = {}
    for text in words:
        thing, _, setting = text.rpartition(": ")
        groups.setdefault(thing, []).append(setting)
    parts = []
    for thing, settings in groups.items():
        listed = settings[0] if len(settings) == 1 else ", ".join(settings[:-1])
        listed += f" and {settings[-1]}" if len(settings) > 1 else ""
        parts.append(f"{thing}: {listed}" if thing else listed)
    return "; ".join(parts)


def tradeoffs(
    candidates: pd.DataFrame,
    objectives: Mapping | Sequence[str],
    manifest: Mapping | None = None,
    *,
    pareto: pd.DataFrame | None = None,
    title: str | None = None,
    footer: str | None = None,
) -> Figure:
    """A panel per pair of objectives: every candidate the search evaluated, the feasible
    ones (meeting every threshold) and the Pareto set, named by option.

    Names come from the ``pareto`` table when given (``option-01``), else are the
    candidates' numbers; up to twelve are written, more are only marked. Each panel
    points to its better corner; Pareto options carry their 95% confidence intervals.
    """
    ways = _directions(objectives, manifest)
    if len(ways) < 2:
        raise ValueError("a trade-off needs two objectives or more")
    require_columns(candidates, ["candidate", *ways], "candidates")
    masks = {
        "feasible": _flags(candidates, "feasible", True),
        "pareto": _flags(candidates, "pareto", False),
    }
    pairs = list(itertools.combinations(ways, 2))
    names = np.array(_point_names(candidates, pareto), dtype=object)
    levers = list((manifest or {}).get("levers") or [])
    searched = _joined(list(lever_words(levers, manifest, unit=False).values()))
    with style_context():
        fig, body, axes = new_panels(
            len(pairs), ncols=min(3, len(pairs)), row_height=3.0, sharey=False
        )
        for ax, (a, b) in zip(axes, pairs, strict=True):
            _draw_pair(ax, candidates, (a, b), masks, manifest)
            _better_corner(ax, ways[a], ways[b])
        legend_below(body, *axes[0].get_legend_handles_labels())
        best = masks["pareto"]
        shown = _shown(best.sum(), pareto)
        fig = decorate_wrapped(
            fig,
            body,
            title=title_or(
                title, f"Trade-offs: {len(candidates):,} candidates, two objectives at a time"
            ),
            subtitle=f"Each point is one setting of the levers ({searched or 'not named'}) "
            f"that the search evaluated. The Pareto set ({shown}) is what no candidate "
            "beats on every objective at once, so on two objectives some of it lies inside "
            f"the front{_bars(candidates, list(ways), best)}",
            footer=footer_or(footer, _source(manifest)),
        )
        if 0 < best.sum() <= _MOST_NAMED:
            for ax, pair in zip(axes, pairs, strict=True):
                (x, _), (y, _) = (_scores(candidates, name) for name in pair)
                label_points(ax, x[best], y[best], names[best], fontsize=7)
        return fig


def _draws_bars(best: np.ndarray) -> bool:
    """Error bars only for a Pareto set small enough to name: more would hide the points."""
    return 0 < int(best.sum()) <= _MOST_NAMED


def _bars(candidates: pd.DataFrame, names: list[str], best: np.ndarray) -> str:
    """What the subtitle says of the error bars: that they are there, or where they are."""
    known = any(np.isfinite(_scores(candidates, name)[1][best]).any() for name in names)
    if not known:
        return ""
    if _draws_bars(best):
        return ". Bars: 95% confidence intervals of its scores"
    return ". Its 95% confidence intervals are in candidates.csv (too many to draw)"


def _shown(n: int, pareto: pd.DataFrame | None) -> str:
    """How the subtitle says the Pareto points are named."""
    if n > _MOST_NAMED:
        return "marked, too many to name"
    return "numbered as its options: 3 is option-03" if pareto is not None else "by candidate"


# --- convergence -------------------------------------------------------------------------


def _late_gain(evaluations: np.ndarray, hypervolume: np.ndarray) -> str:
    """How much the hypervolume rose over the last quarter of the evaluations, in words."""
    last = evaluations[-1]
    before = hypervolume[evaluations <= 0.75 * last]
    if not len(before) or not np.isfinite(before[-1]) or before[-1] <= 0:
        return ""
    gain = hypervolume[-1] / before[-1] - 1.0
    return f"; over the last quarter of the evaluations it rose {gain:.1%}"


def convergence_chart(
    convergence: pd.DataFrame,
    manifest: Mapping | None = None,
    *,
    title: str | None = None,
    footer: str | None = None,
) -> Figure:
    """The hypervolume of the Pareto set found so far against the candidates evaluated,
    with the size of that set on a second axis (right)."""
    require_columns(convergence, ["evaluations", "hypervolume", "pareto_size"], "convergence")
    rows = convergence.sort_values("evaluations")
    x = rows["evaluations"].to_numpy(float)
    volume = rows["hypervolume"].to_numpy(float)
    size = rows["pareto_size"].to_numpy(float)
    with style_context():
        fig, body, (ax,) = new_panels(1, ncols=1, row_height=3.6)
        ax.plot(x, volume, label="Hypervolume (left axis)", zorder=3, **_HYPERVOLUME)
        twin = ax.twinx()
        twin.plot(x, size, label="Options in the Pareto set (right axis)", **_SIZE)
        twin.set_ylim(0, max(1.0, np.nanmax(size)) * 1.15)
        twin.yaxis.set_major_locator(MaxNLocator(integer=True, nbins=5))
        twin.grid(False)
        twin.spines["right"].set_visible(True)
        twin.set_ylabel("Options in the Pareto set")
        ax.set_ylim(0, np.nanmax(volume) * 1.1 if np.nanmax(volume) > 0 else 1.0)
        ax.set_xlim(0, x[-1] * 1.02)
        ax.grid(True, axis="both")
        amount_ticks(ax, "x")
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: amount_text(v)))
        ax.set_xlabel("Candidates evaluated")
        ax.set_ylabel("Hypervolume (higher is better)")
        handles, labels = (
            a + b for a, b in zip(*(h.get_legend_handles_labels() for h in (ax, twin)), strict=True)
        )
        legend_below(body, handles, labels)
        return decorate_wrapped(
            fig,
            body,
            title=title_or(title, "How the search converged"),
            subtitle="Hypervolume: how much of the space of objectives the Pareto set found "
            "so far dominates, from a fixed reference point; when it levels off, more "
            f"evaluations find little better{_late_gain(x, volume)}",
            footer=footer_or(footer, _source(manifest)),
        )
