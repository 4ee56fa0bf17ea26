"""Fan charts of an ensemble: people per day across replications, as quantile bands.

The input is ``bands``, the per-day quantiles of each measure over the replications:
one row per scenario, date, role (``"total"`` for all roles) and measure, with columns
``replications``, ``mean``, ``q05``, ``q25``, ``q50``, ``q75``, ``q95``.

The median is drawn as a line, with the middle 50% and 90% of replications as bands:
solid for boots on the ground, hatched for the cap count, so that where they overlap
each can be told apart in greyscale. The legend has one entry per fan (both bands and the
median in one key), not one per band. When a reference scenario is named, it is drawn in
grey on the chart: users asked for the reference on every comparison chart. Charts never
write files; ``save`` does.

>>> fig = total_fan(bands, phases, scenario="advisory", reference="status-quo")
>>> save(fig, "charts/advisory-fan")  # charts/advisory-fan.png and .svg
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.legend_handler import HandlerBase
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.ticker import MaxNLocator
from matplotlib.transforms import Transform

from sim.plots.frames import (
    MEASURES,
    check_measure,
    count_text,
    draw_cap,
    footer_or,
    one_scenario,
    phases_of,
    roles_of,
    runs_source,
    title_or,
)
from sim.plots.placement import finish, mark_phases
from sim.plots.style import (
    FEW_TICKS,
    FIGSIZE,
    FOOTER_SPACE,
    LINES,
    REFERENCE_LINE,
    apply_style,
    decorate,
    legend_below,
    line_kwargs,
    new_figure,
    role_label,
    role_styles,
    style_context,
    to_datenum,
)

__all__ = ["composition_fan", "total_fan"]

QUANTILES = ("q05", "q25", "q50", "q75", "q95")
_NAMES = {"boots_on_ground": "Boots on the ground", "cap_count": "Cap count"}
_OUTER, _INNER = 0.14, 0.36  # band opacity: 90% band lighter, 50% band darker
# The cap count's bands are hatched (sparse for 90%, dense for 50%), boots on the ground's
# solid: where the two fans overlap, hatching over a solid shade reads in greyscale too.
_FAN_HATCHES = {"cap_count": ("///", "//////")}


@dataclass
class _FanKey:
    """A legend key for a fan: the 90% band, the 50% band inside it, the median across;
    ``drawn`` are the fan's artists, which it stands for in the legend."""

    outer: dict
    inner: dict
    line: dict
    drawn: list[Artist] = field(default_factory=list)


Entry = tuple[Artist | _FanKey, str]  # a legend entry: what it shows, and its label


class _FanKeyHandler(HandlerBase):
    """Draws a :class:`_FanKey` in the legend: the 50% band nested in the 90% band."""

    def create_artists(
        self,
        legend: Legend,
        orig_handle: _FanKey,
        xdescent: float,
        ydescent: float,
        width: float,
        height: float,
        fontsize: float,
        trans: Transform,
    ) -> list[Artist]:
        x0, y0 = -xdescent, -ydescent
        outer = Rectangle((x0, y0), width, height, **orig_handle.outer)
        inner = Rectangle((x0, y0 + 0.22 * height), width, 0.56 * height, **orig_handle.inner)
        line = Line2D([x0, x0 + width], [y0 + height / 2] * 2, **orig_handle.line)
        for artist in (outer, inner, line):
            artist.set_transform(trans)
        return [outer, inner, line]


_KEY = {"handler_map": {_FanKey: _FanKeyHandler()}, "handlelength": 3.2, "handleheight": 1.6}


def _reference(bands: pd.DataFrame, reference: str | None, name: str) -> pd.DataFrame | None:
    """The reference scenario's rows; ``None`` without one or when it is the charted one."""
    if reference is None:
        return None
    names = [str(n) for n in pd.unique(bands["scenario"])]
    if reference not in names:
        raise ValueError(f"no reference scenario '{reference}' in the bands ({', '.join(names)})")
    return None if reference == name else bands[bands["scenario"] == reference]


def _quantiles(frame: pd.DataFrame, role: str, measure: str) -> pd.DataFrame:
    """The quantile columns of one role and measure, one row per date in date order."""
    rows = frame[(frame["role"] == role) & (frame["measure"] == measure)]
    if rows.empty:
        raise ValueError(f"no rows for role '{role}' and measure '{measure}' in the bands")
    return rows.set_index("date").sort_index()[list(QUANTILES)].astype(float)


def _draw_reference(ax: Axes, ref: pd.DataFrame | None, measure: str, label: str) -> None:
    """The reference scenario's median total of ``measure``, thin, grey and dashed."""
    if ref is not None:
        r = _quantiles(ref, "total", measure)
        ax.plot(to_datenum(r.index), r["q50"], label=label, zorder=3.5, **REFERENCE_LINE)


def _is_reference(name: str, reference: str | None) -> str:
    return "; this is the reference scenario" if name == reference else ""


def _band_styles(measure: str) -> tuple[dict, dict]:
    """Fill styles of a measure's 90% and 50% bands (keyword arguments of a patch)."""
    colour = str(LINES[measure]["color"])
    sparse, dense = _FAN_HATCHES.get(measure, (None, None))
    outer = {
        "facecolor": to_rgba(colour, _OUTER if sparse is None else 0.06),
        "edgecolor": to_rgba(colour, 0.7),
        "hatch": sparse,
        "linestyle": LINES[measure]["linestyle"],
        "linewidth": 0.7,
    }
    inner = {
        "facecolor": to_rgba(colour, _INNER if dense is None else 0.22),
        "edgecolor": to_rgba(colour, 0.8) if dense else "none",
        "hatch": dense,
        "linestyle": "solid",  # dashes of width 0 fail in SVG
        "linewidth": 0.0,
    }
    return outer, inner


def _draw_fan(ax: Axes, q: pd.DataFrame, measure: str) -> _FanKey:
    """Median line with the middle 90% (light, outlined) and 50% (darker) of replications;
    returns the fan's legend key (one entry for the three, not one each)."""
    line, name = LINES[measure], _NAMES[measure]
    x = to_datenum(q.index)
    outer, inner = _band_styles(measure)
    drawn = [
        ax.fill_between(
            x, q["q05"], q["q95"], zorder=2, label=f"{name}, middle 90% (5–95%)", **outer
        ),
        ax.fill_between(
            x, q["q25"], q["q75"], zorder=2.1, label=f"{name}, middle 50% (25–75%)", **inner
        ),
        *ax.plot(x, q["q50"], zorder=3, label=f"{name}, median", **line),
    ]
    return _FanKey(outer, inner, dict(line), drawn)


def _fan_label(measure: str) -> str:
    return f"{_NAMES[measure]}: median,\nmiddle 50% and 90% of replications"


def total_fan(
    bands: pd.DataFrame,
    phases: pd.DataFrame | None = None,
    *,
    scenario: str | None = None,
    reference: str | None = None,
    title: str | None = None,
    footer: str | None = None,
) -> Figure:
    """Total boots on the ground and cap count per day across replications, with the cap.

    Each measure is its median per day, with bands for the middle 50% and 90% of the
    replications. With ``reference`` (another scenario in ``bands``), that scenario's
    median cap count is drawn as a thin grey dashed line.
    """
    name, frame = one_scenario(bands, scenario)
    ref = _reference(bands, reference, name)
    phases = phases_of(phases, name)
    with style_context():
        fig, ax = new_figure()
        keys = []
        for measure in ("boots_on_ground", "cap_count"):
            q = _quantiles(frame, "total", measure)
            keys.append((_draw_fan(ax, q, measure), _fan_label(measure)))
        _draw_reference(ax, ref, "cap_count", f"{reference} (reference), median cap count")
        first, last = q.index[0], q.index[-1]
        draw_cap(ax, phases, first, last)
        ax.set_xlim(*to_datenum([first, last]))
        ax.set_ylim(bottom=0)  # counts of people: from zero, so heights compare
        n = count_text(frame["replications"])
        subtitle = f"People at the end of each day, all roles; medians of {n} replications"
        subtitle += " with the middle 50% (darker) and 90% (lighter) of them shaded"
        default = f"Boots on the ground and the cap count, {n} replications: {name}"
        decorate(
            fig,
            ax,
            title=title_or(title, default),
            subtitle=subtitle + _is_reference(name, reference),
            ylabel="People (all roles)",
            footer=footer_or(footer, runs_source(f"scenario {name}", n)),
        )
        _legend([ax], keys)
        return finish(fig, ax, mark_phases(ax, phases, first, last))


def _legend(axes: list[Axes], first: Sequence[Entry], last: Sequence[Entry] = ()) -> None:
    """One legend below the plots: ``first``, the labelled series of each axes (but those
    a fan's key stands for), ``last``."""
    body = axes[0].get_figure(root=False)
    for legend in body.legends[:]:
        legend.remove()  # decorate's, made before the fans' keys were known
    keyed = [id(a) for key, _ in [*first, *last] if isinstance(key, _FanKey) for a in key.drawn]
    entries = list(first)
    for ax in axes:
        pairs = zip(*ax.get_legend_handles_labels(), strict=True)
        entries += [(handle, label) for handle, label in pairs if id(handle) not in keyed]
    entries += last
    handles, labels = zip(*entries, strict=True)
    legend_below(body, handles, labels, ncols=min(3, len(handles)), **_KEY)


def _fan_figure() -> tuple[Figure, Axes, Axes]:
    """A detached figure of two date axes sharing x: a short one above a tall one."""
    fig = Figure(figsize=(FIGSIZE[0], FIGSIZE[1] + 1.5), layout="constrained")
    FigureCanvasAgg(fig)
    fig.get_layout_engine().set(rect=(0, FOOTER_SPACE, 1, 1 - FOOTER_SPACE))
    body = fig.subfigures()  # kept clear of the footer, with the legend at its foot
    top, bottom = body.subplots(2, 1, sharex=True, height_ratios=(1.3, 2.2))
    for ax in (top, bottom):
        apply_style(ax)
    top.set_xlabel("")
    top.tick_params(labelbottom=False)
    return fig, top, bottom


def _draw_roles(ax: Axes, frame: pd.DataFrame, measure: str) -> tuple[Patch, str]:
    """A median line per role with its 5-95% band in the role's colour and hatch (so that
    overlapping bands can be told apart in greyscale); the legend entry for the bands."""
    roles = roles_of(frame[frame["role"] != "total"])
    styles = role_styles(roles)
    for role in roles:
        q = _quantiles(frame, role, measure)
        x = to_datenum(q.index)
        colour = styles[role]["color"]
        ax.fill_between(
            x,
            q["q05"],
            q["q95"],
            facecolor=to_rgba(colour, 0.18),
            edgecolor=to_rgba(colour, 0.55),
            hatch=styles[role]["hatch"],
            linewidth=0.0,
            zorder=2,
        )
        ax.plot(x, q["q50"], label=role_label(role), zorder=3, **line_kwargs(styles[role]))
    ax.set_ylim(bottom=0)
    ax.set_ylabel(f"People by role ({MEASURES[measure]})")
    band = Patch(facecolor="#E4E4E4", edgecolor="#777777", hatch="//", linewidth=0.0)
    return band, "Middle 90% of replications\n(in the role's colour and hatch)"


def _composition_fan_subtitle(measure: str, n: str, name: str, reference: str | None) -> str:
    subtitle = "\n".join(
        [
            f"People at the end of each day, {MEASURES[measure]}: all roles (top), "
            "each role (bottom)",
            f"Medians of {n} replications with the middle 90% shaded (top: also 50%)",
        ]
    )
    if reference not in (None, name):  # the reference is drawn on the upper panel
        subtitle += f"; the reference, {reference}, is drawn for all roles only"
    return subtitle + _is_reference(name, reference)


def composition_fan(
    bands: pd.DataFrame,
    phases: pd.DataFrame | None = None,
    *,
    scenario: str | None = None,
    measure: str = "cap_count",
    reference: str | None = None,
    title: str | None = None,
    footer: str | None = None,
) -> Figure:
    """People by role per day across replications, below the total for all roles and the cap.

    ``measure`` is ``"cap_count"`` or ``"boots_on_ground"``. The lower panel has a median
    line and a 5-95% band per role; the upper one the total's median with its middle 50%
    and 90%, the cap and, with ``reference``, that scenario's median total as a grey dashed
    line. The reference is not drawn role by role: ten lines would crowd the panel, and
    each role's line starts from the shared opening force anyway.
    """
    check_measure(measure)
    name, frame = one_scenario(bands, scenario)
    ref = _reference(bands, reference, name)
    phases = phases_of(phases, name)
    frame = frame[frame["measure"] == measure]
    total = _quantiles(frame, "total", measure)
    first, last = total.index[0], total.index[-1]
    n = count_text(frame["replications"])
    with style_context():
        fig, top, bottom = _fan_figure()
        key = _draw_fan(top, total, measure)
        _draw_reference(top, ref, measure, f"{reference} (reference), median")
        draw_cap(top, phases, first, last)
        top.set_ylim(bottom=0)  # counts of people: from zero, so heights compare
        top.yaxis.set_major_locator(MaxNLocator(**FEW_TICKS))
        role_bands = _draw_roles(bottom, frame, measure)
        bottom.set_xlim(*to_datenum([first, last]))
        decorate(
            fig,
            top,
            title=title_or(title, f"Force composition by role, {n} replications: {name}"),
            subtitle=_composition_fan_subtitle(measure, n, name, reference),
            ylabel="People (all roles)",
            footer=footer_or(footer, runs_source(f"scenario {name}", n)),
        )
        _legend([top, bottom], [(key, _fan_label(measure))], [role_bands])
        fig.align_ylabels([top, bottom])
        for label in mark_phases(bottom, phases, first, last):
            label.remove()  # named once, on the upper panel
        return finish(fig, top, mark_phases(top, phases, first, last))
