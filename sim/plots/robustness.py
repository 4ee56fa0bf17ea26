"""Charts of how robust an exploration's options are: regret, and where each one fails.

The inputs are the tidy tables :mod:`sim.workflows.explore` writes. Options are their ``scenario``
column; each sampled future is a ``sample``.

* ``regret_summary`` (each option's maximum regret per outcome, and the share of futures
  in which it is the best option): :func:`regret_heatmap`;
* the ``rules`` of scenario discovery, with the futures' inputs as numbers, the ``means``
  and whether each met the thresholds: :func:`discovered_boxes`.

Inputs are written in words (:mod:`sim.plots.labels`), in the scenarios' own words when
the exploration's ``manifest`` is given. Sweeps, sensitivity indices and tornadoes are in
:mod:`sim.plots.sensitivity`. Each chart raises ``ValueError`` for an empty table or an
option it does not hold. Charts never write files; ``save`` does.

>>> fig = regret_heatmap(tables["regret_summary"])
>>> save(fig, "charts/regret")  # .png and .svg
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from sim.plots.frames import (
    amount_text,
    amount_ticks,
    axis_text,
    describe_outcome,
    exploration_source,
    footer_or,
    input_unit,
    names_of,
    require_columns,
    select_rows,
    title_or,
)
from sim.plots.labels import input_labels, option_label
from sim.plots.style import decorate_wrapped, legend_below, one_panel, style_context

__all__ = ["discovered_boxes", "regret_heatmap"]

# Futures that meet the thresholds hollow, failures filled: apart in greyscale too.
_MET = {"s": 24, "marker": "o", "facecolor": "white", "edgecolor": "#00507D", "linewidth": 1.0}
_FAILED = {"s": 40, "marker": "X", "facecolor": "#D55E00", "edgecolor": "#222222", "linewidth": 0.5}
_CONDITION = re.compile(r"^\s*(\S+)\s*(<=|>)\s*([-+0-9.eE]+)\s*$")
_CMAP = "cividis_r"  # light to dark, even steps in grey and for colour-blind readers
_NO_BOX = ("no future fails", "every future fails", "everywhere")


# --- regret ------------------------------------------------------------------------------


def _regret_grid(summary: pd.DataFrame) -> tuple[list[str], list[str], pd.DataFrame]:
    names, outcomes = names_of(summary), names_of(summary, "outcome")
    grid = summary.pivot_table(index="scenario", columns="outcome", aggfunc="first", sort=False)
    return names, outcomes, grid.reindex(index=names).reindex(columns=outcomes, level=1)


def regret_heatmap(
    summary: pd.DataFrame, *, title: str | None = None, footer: str | None = None
) -> Figure:
    """Options by outcomes, shaded by each option's maximum regret over the sampled futures.

    The shade is the maximum regret as a share of the largest on that outcome (0: never
    behind the best option, 1: the worst of the options). Each cell gives the maximum
    regret itself and the share of futures in which the option was the best.
    """
    require_columns(summary, ["scenario", "outcome", "max_regret", "share_best"], "regret summary")
    names, outcomes, grid = _regret_grid(summary)
    raw = grid["max_regret"].to_numpy(float)
    worst = np.nanmax(np.where(np.isnan(raw), -np.inf, raw), axis=0)
    shade = np.divide(raw, worst, out=np.zeros_like(raw), where=worst > 0)
    shade[np.isnan(raw)] = np.nan
    with style_context():
        fig, body, ax = one_panel(1.6 * len(names))
        mesh = ax.pcolormesh(
            np.ma.masked_invalid(shade),
            cmap=colormaps[_CMAP],
            vmin=0,
            vmax=1,
            edgecolors="white",
            linewidth=2,
        )
        _annotate_cells(ax, shade, raw, grid["share_best"].to_numpy(float), outcomes)
        _heat_axes(ax, names, outcomes)
        bar = body.colorbar(mesh, ax=ax, shrink=0.9, pad=0.02)
        bar.set_label(
            "Maximum regret, as a share of the\nlargest on the outcome (0 = never behind)"
        )
        bar.outline.set_visible(False)
        return decorate_wrapped(
            fig,
            body,
            title=title_or(title, "Regret: how far each option falls behind the best"),
            subtitle="In each sampled future, an option's regret is how much worse it does than "
            "the best option in that future; the cells show the worst over all futures",
            footer=footer_or(footer, exploration_source("regret over the sampled futures")),
        )


def _annotate_cells(
    ax: Axes, shade: np.ndarray, raw: np.ndarray, best: np.ndarray, outcomes: list[str]
) -> None:
    """Each cell's maximum regret (in the outcome's unit) and how often the option is best,
    in white on dark cells and black on light ones."""
    cmap = colormaps[_CMAP]
    for (i, j), value in np.ndenumerate(shade):
        _, unit, scale = describe_outcome(outcomes[j])
        regret = amount_text(raw[i, j] * scale, unit)
        text = f"{regret}\nbest in {best[i, j]:.0%}" if np.isfinite(value) else "n/a"
        dark = np.isfinite(value) and _grey(cmap(value)) < 0.5
        ax.text(
            j + 0.5,
            i + 0.5,
            text,
            ha="center",
            va="center",
            fontsize=8.5,
            parse_math=False,
            color="white" if dark else "#111111",
        )


def _heat_axes(ax: Axes, names: list[str], outcomes: list[str]) -> None:
    """Outcomes along the bottom, options down the side, no grid, no frame."""
    labels = [axis_text(*describe_outcome(o)[:2]) for o in outcomes]
    ax.set_xticks(np.arange(len(outcomes)) + 0.5, labels)
    ax.set_yticks(np.arange(len(names)) + 0.5, names)
    ax.set_xlim(0, len(outcomes))
    ax.set_ylim(len(names), 0)
    ax.tick_params(length=0)
    ax.grid(False)
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.set_xlabel("Outcome (cell: maximum regret; share of futures where the option is best)")
    ax.set_ylabel("Option")


def _grey(colour: object) -> float:
    r, g, b, _ = to_rgba(colour)
    return 0.299 * r + 0.587 * g + 0.114 * b


# --- scenario discovery ------------------------------------------------------------------


def _parse_rule(rule: str) -> dict[str, list[float]]:
    """``a > 1 and b <= 2`` -> ``{"a": [1, inf], "b": [-inf, 2]}`` (bounds per input)."""
    bounds: dict[str, list[float]] = {}
    if rule.strip() in _NO_BOX:
        return bounds
    for part in rule.split(" and "):
        match = _CONDITION.match(part)
        if match is None:
            raise ValueError(f"cannot read the condition '{part}' of the rule '{rule}'")
        name, op, value = match[1], match[2], float(match[3])
        low, high = bounds.setdefault(name, [-np.inf, np.inf])
        bounds[name] = [low, min(high, value)] if op == "<=" else [max(low, value), high]
    return bounds


def _limits(values: np.ndarray) -> tuple[float, float]:
    low, high = float(np.nanmin(values)), float(np.nanmax(values))
    pad = 0.05 * (high - low) or 1.0
    return low - pad, high + pad


def _futures(
    inputs: pd.DataFrame, means: pd.DataFrame, ok: pd.Series, scenario: str
) -> tuple[pd.DataFrame, np.ndarray]:
    """The option's futures (a row of inputs each) and whether each met the thresholds."""
    if len(ok) != len(means):
        raise ValueError(f"ok has {len(ok)} rows, the means {len(means)}: they must align")
    mine = (means["scenario"].astype(str) == scenario).to_numpy()
    samples = means.loc[mine, "sample"].to_numpy()
    missing = sorted(set(samples) - set(inputs.index))
    if missing:
        raise ValueError(f"samples {missing[:5]} of the means have no row in the inputs")
    return inputs.loc[samples], np.asarray(ok, dtype=bool)[mine]


def _rule_text(
    rule: pd.Series | None, bounds: dict, shown: Sequence[str], words: Mapping[str, str]
) -> str:
    """The rule in words: ``cap <= 2482`` -> ``Cap (people) ≤ 2,482``."""
    if rule is None:
        return "no rule found: the failures are scattered"
    text = str(rule["rule"])
    if text in _NO_BOX:
        return (
            f"{text}, so there is no rule box"
            if text != "everywhere"
            else "most futures fail everywhere"
        )
    conditions = []
    for part in text.split(" and "):
        name, op, value = _CONDITION.match(part).groups()  # _parse_rule has read it
        conditions.append(f"{words[name]} {'≤' if op == '<=' else '>'} {amount_text(float(value))}")
    others = [words[n] for n in bounds if n not in shown]
    more = f"; the rule also bounds {', '.join(others)}" if others else ""
    share = f"coverage {rule['coverage']:.0%}, density {rule['density']:.0%}"
    return f"where failures concentrate: {' and '.join(conditions)} ({share}){more}"


def _input_words(names: Sequence[str], manifest: Mapping | None, scenario: str) -> dict:
    """Each input in words with its unit; dates (days after the earliest) say so."""
    full = input_labels(names, manifest, scenario)
    bare = input_labels(names, manifest, scenario, unit=False)
    return {
        n: axis_text(bare[n], input_unit(n, "days since")) if _dated(n) else full[n] for n in names
    }


def discovered_boxes(
    inputs: pd.DataFrame,
    means: pd.DataFrame,
    ok: pd.Series,
    rules: pd.DataFrame,
    *,
    scenario: str,
    manifest: Mapping | None = None,
    title: str | None = None,
    footer: str | None = None,
) -> Figure:
    """The option's futures over two inputs, met or failed, and the box of its top rule.

    The two inputs are the first two the top rule (highest coverage) names, else the
    first inputs. The box is the rule's ranges for them (open sides reach the axes);
    its coverage is the share of all failures inside it, its density the share of the
    futures inside it that fail. Inputs, on the axes and in the rule, are named in words
    (from ``manifest``'s scenarios when given).
    """
    require_columns(inputs, [], "inputs")
    require_columns(means, ["sample", "scenario"], "means")
    select_rows(means, "means", scenario=scenario)
    futures, met = _futures(inputs, means, ok, scenario)
    mine = rules[rules["scenario"].astype(str) == scenario] if not rules.empty else rules
    top = mine.iloc[0] if len(mine) else None
    bounds = _parse_rule(str(top["rule"])) if top is not None else {}
    unknown = [n for n in bounds if n not in inputs.columns]
    if unknown:
        raise ValueError(f"the rule names {', '.join(unknown)}, which are not among the inputs")
    shown = list(dict.fromkeys([*bounds, *inputs.columns]))[:2]
    words = _input_words(list(dict.fromkeys([*bounds, *shown])), manifest, scenario)
    with style_context():
        fig, body, ax = one_panel(12)
        _draw_futures(ax, futures, met, shown, words)
        if top is not None and bounds:
            _draw_box(ax, bounds, shown, top)
        legend_below(body, *ax.get_legend_handles_labels())
        n = len(futures)
        option = option_label(scenario, manifest)
        return decorate_wrapped(
            fig,
            body,
            title=title_or(title, f"Where {scenario} fails its thresholds"),
            subtitle=f"{n} sampled futures; {_rule_text(top, bounds, shown, words)}",
            footer=footer_or(footer, exploration_source(f"scenario discovery; option {option}")),
        )


def _draw_futures(
    ax: Axes, futures: pd.DataFrame, met: np.ndarray, shown: list[str], words: Mapping[str, str]
) -> None:
    x = futures[shown[0]].to_numpy(float)
    y = (
        futures[shown[1]].to_numpy(float)
        if len(shown) > 1
        else np.arange(len(futures), dtype=float)
    )
    for mask, label, style in (
        (met, "Meets every threshold", _MET),
        (~met, "Fails a threshold", _FAILED),
    ):
        ax.scatter(x[mask], y[mask], zorder=3, label=f"{label} ({int(mask.sum())})", **style)
    ax.set_xlim(*_limits(x))
    ax.set_ylim(*_limits(y))
    ax.grid(True, axis="both")
    for axis, name in zip("xy", [*shown, None][:2], strict=True):
        unit = input_unit(name, "days since" if _dated(name) else "number") if name else ""
        (ax.set_xlabel if axis == "x" else ax.set_ylabel)(words[name] if name else "Sampled future")
        amount_ticks(ax, axis, unit)


def _dated(name: str) -> bool:
    """Whether an input looks like a date (converted to days before it gets here)."""
    last = name.rsplit(".", 1)[-1]
    dates = ("start", "end", "date", "deadline", "announced", "takes_effect")
    return last in dates or last.endswith("_date")


def _draw_box(ax: Axes, bounds: dict, shown: list[str], rule: pd.Series) -> None:
    """The rule's box over the two inputs shown; its open sides run off the axes (clipped),
    so that only the cut points are drawn as edges."""
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    wide, tall = x1 - x0, y1 - y0
    bx = bounds.get(shown[0], [-np.inf, np.inf])
    by = bounds.get(shown[1], [-np.inf, np.inf]) if len(shown) > 1 else [-np.inf, np.inf]
    left, right = max(bx[0], x0 - wide), min(bx[1], x1 + wide)
    bottom, top = max(by[0], y0 - tall), min(by[1], y1 + tall)
    label = f"Rule box: {rule['coverage']:.0%} of the failures inside (coverage),\n"
    label += f"{rule['density']:.0%} of the futures inside fail (density)"
    ax.add_patch(
        Rectangle(
            (left, bottom),
            right - left,
            top - bottom,
            label=label,
            zorder=2,
            facecolor=to_rgba("#D55E00", 0.08),
            edgecolor="#000000",
            linewidth=1.4,
            linestyle=(0, (5, 2)),
        )
    )
