"""Where a chart's texts go, so that none overprints another.

* Phases on time charts (:func:`mark_phases`): a dashed line at each phase's start with
  its name to the right (the phase begins there), a dotted line at each deadline with
  "deadline: <the phase that set it>" to the left (what it closes lies before it).
  :func:`finish` sets these labels in rows at the top of the axes, none over another,
  ends each line at its own label, so that no line runs through a label, and raises the
  y axis so that the rows sit above the data.
* Names of points (:func:`label_points`): each beside its point, moved up or down, then
  to the other side, until it clears the other names, the points and the frame.
* Values at the ends of bars (:func:`fit_texts`): the x axis widened until each lies
  inside the axes, clear of the tick labels and of anything beside the axes.

Positions are offsets in points from an anchor in data coordinates, so what is worked out
here still holds when the figure is drawn at another resolution. Texts are measured at a
fine resolution: at a coarse one, hinting makes them up to 6% narrower or wider than
they come out in the PNG (200 dpi) and SVG files.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from weakref import WeakKeyDictionary

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.text import Annotation, Text
from matplotlib.transforms import Bbox, ScaledTranslation

from sim.plots.style import to_datenum

__all__ = [
    "DEADLINE_LINE",
    "PHASE_LINE",
    "finish",
    "fit_texts",
    "label_points",
    "mark_phases",
    "top_label",
]

PHASE_LINE = {"color": "#555555", "linestyle": (0, (4, 3)), "linewidth": 0.8}
DEADLINE_LINE = {"color": "#555555", "linestyle": (0, (1, 2)), "linewidth": 1.0}
LABEL_FONT = {"fontsize": 7.5, "color": "#333333"}
LABEL_BOX = {"facecolor": "white", "edgecolor": "none", "alpha": 0.85, "pad": 0.8}
GAP = 3.0  # points between a label and its line or point
TOP = 2.0  # points between the top of the axes and the first row of labels
MARGIN = 4.0  # points kept clear between two labels, and between a label and the frame
MOST_HEADROOM = 0.6  # the rows of labels never take more of the axes' height than this
FINE_DPI = 300  # the resolution texts are measured at
# The thin line from a point's name to the point (hidden under the name when beside it).
LEADER = {"arrowstyle": "-", "color": "#999999", "linewidth": 0.6, "shrinkA": 0, "shrinkB": 3}
# The line each label of mark_phases names; finish ends it at the label.
_LINES: WeakKeyDictionary[Annotation, Line2D] = WeakKeyDictionary()
# A label's place beside its anchor: text, alignment and offset across (in points).
Side = tuple[str, str, float]
Row = list[tuple[Annotation, Side, Bbox]]


@contextmanager
def _measuring(fig: Figure) -> Iterator[Figure]:
    """The root figure, at :data:`FINE_DPI` until the block ends."""
    root = fig.get_figure(root=True)
    dpi = root.dpi
    root.dpi = FINE_DPI
    try:
        yield root
    finally:
        root.dpi = dpi


def top_label(ax: Axes, x: float, text: str, *, side: str = "right", **font: object) -> Annotation:
    """A label at the top of the axes by the date (or value) ``x``: right or left of it."""
    right = side == "right"
    label = ax.annotate(
        text,
        xy=(x, 1.0),
        xycoords=ax.get_xaxis_transform(),
        xytext=(GAP if right else -GAP, -TOP),
        textcoords="offset points",
        ha="left" if right else "right",
        va="top",
        zorder=5,
        annotation_clip=False,
        bbox=LABEL_BOX,
        **{**LABEL_FONT, **font},
    )
    label.set_in_layout(False)  # placed inside the axes: the layout need not make room
    return label


def mark_phases(
    ax: Axes, phases: pd.DataFrame | None, first: object, last: object
) -> list[Annotation]:
    """A dashed line at each phase start after ``first``, a dotted one at each deadline.

    A phase is named right of its line; a deadline left of its own, with the phase that
    set it ("deadline: end of the combat mission"), so that a deadline falling on the day
    the next phase starts is never read as that phase's. Returns the labels, which
    :func:`finish` arranges in rows, ending each line at its label.
    """
    if phases is None or phases.empty:
        return []
    lo, hi = to_datenum([first, last])
    labels = []
    for start, name in zip(to_datenum(phases["start"]), phases["name"], strict=True):
        if lo < start <= hi:
            labels.append(_marked(ax, start, str(name), PHASE_LINE))
    # Each deadline once, where it was set; a superseded one is marked as such.
    status = phases.get("deadline_status", pd.Series("", index=phases.index)).fillna("")
    deadlines = phases.get("deadline", pd.Series(pd.NaT, index=phases.index))
    for when, state, name in zip(deadlines, status, phases["name"], strict=True):
        if pd.isna(when) or state == "carried from an earlier phase":
            continue
        (deadline,) = to_datenum([when])
        if lo < deadline <= hi:
            what = "deadline (superseded)" if state == "superseded" else "deadline"
            text = f"{what}: {name}"
            labels.append(
                _marked(ax, deadline, text, DEADLINE_LINE, side="left", fontstyle="italic")
            )
    return labels


def _marked(ax: Axes, x: float, text: str, line: dict, **label: object) -> Annotation:
    """A line up the axes at ``x`` and its label at the top (see :func:`top_label`)."""
    annotation = top_label(ax, x, text, **label)
    _LINES[annotation] = ax.axvline(x, zorder=1.5, **line)
    return annotation


def finish(fig: Figure, ax: Axes, labels: Sequence[Annotation]) -> Figure:
    """Lay the figure out, set ``labels`` (from :func:`top_label`) in rows at the top of
    ``ax`` with room for them above the data, and line the title up with the axes."""
    # The figure's constrained layout alone, not a dry draw (fig.draw_without_rendering()):
    # the same positions without drawing every artist. save lays out again for each file.
    layout = fig.get_layout_engine()
    layout.execute(fig)
    if labels:
        bottom, top = ax.get_ylim()
        data_top = max(ax.dataLim.y1, bottom)
        for _ in range(2):  # again once the axes are laid out with the new limits
            with _measuring(fig):
                share = min(_stack(ax, labels) + 0.02, MOST_HEADROOM)
            ax.set_ylim(bottom, max(top, bottom + (data_top - bottom) / (1 - share)))
            layout.execute(fig)
    title = fig.get_suptitle()
    if title:  # line the title up with the left edge of the axes, like the subtitle
        fig.suptitle(title, x=ax.get_position().x0, ha="left")
    return fig


def _points(fig: Figure, pixels: float) -> float:
    return pixels * 72.0 / fig.dpi


def _pixels(fig: Figure, points: float) -> float:
    return points * fig.dpi / 72.0


def _stack(ax: Axes, labels: Sequence[Annotation]) -> float:
    """Set the labels in rows from the top and end each label's line at it; the share of
    the axes' height the rows take.

    A line runs up from the bottom of the axes to its own label, so a label lying across
    another label's line goes in a row above that label (:func:`_rows`). Where two labels
    lie across each other's lines, no rows will do: labels are turned to the other side
    of their lines (pointing at them) one at a time, the turn that leaves the fewest
    labels crossed first, for as long as a turn leaves fewer.
    """
    fig = ax.figure
    sides = {label: _sides(label, ax.bbox) for label in labels}
    lines = {
        label: ax.transData.transform((label.xy[0], 0.0))[0] if label in _LINES else None
        for label in labels
    }
    order = sorted(labels, key=lambda label: sides[label][0][1].x0)
    turned: set[Annotation] = set()
    rows, crossed = _rows(fig, order, sides, lines, turned)
    while crossed:
        tries = [
            (_rows(fig, order, sides, lines, turned | {label}), label)
            for label in order
            if len(sides[label]) > 1 and label not in turned
        ]
        best = min(tries, key=lambda t: t[0][1], default=None)
        if best is None or best[0][1] >= crossed:
            break
        (rows, crossed), label = best
        turned.add(label)
    step = _points(fig, max(box.height for row in rows for *_, box in row)) + 2.0  # per row
    for k, row in enumerate(rows):
        for label, side, _ in row:
            _set_side(label, side)
            label.xyann = (label.xyann[0], -(TOP + k * step))
            if label in _LINES:
                _end_at(_LINES[label], TOP + k * step)
    return (TOP + len(rows) * step) / _points(fig, ax.bbox.height)


def _rows(
    fig: Figure,
    order: Sequence[Annotation],
    sides: dict[Annotation, list[tuple[Side, Bbox]]],
    lines: dict[Annotation, float | None],
    turned: set[Annotation],
) -> tuple[list[Row], int]:
    """Rows for the labels, each on the first of its ``sides`` (the last if ``turned``),
    and how many times a line crosses a label in them.

    A label goes in the first row below every label lying across its line (``lines``:
    where each is, in pixels) and clear of the labels in it. Labels are taken in
    ``order``, each once those above it are placed; the first, where all that are left
    wait on one another.
    """
    margin = _pixels(fig, MARGIN)
    near = _pixels(fig, 1.0)  # a line this close to a label counts as crossing it
    chosen = {label: sides[label][-1 if label in turned else 0] for label in order}

    def across(box: Bbox, x: float | None) -> bool:
        return x is not None and box.x0 - near < x < box.x1 + near

    above = {a: [b for b in order if b is not a and across(chosen[b][1], lines[a])] for a in order}
    rows: list[Row] = []
    row_of: dict[Annotation, int] = {}
    waiting = list(order)
    while waiting:
        label = next((a for a in waiting if all(b in row_of for b in above[a])), waiting[0])
        waiting.remove(label)
        side, box = chosen[label]
        k = max((row_of[b] for b in above[label] if b in row_of), default=-1) + 1
        while k < len(rows) and any(
            box.x0 <= b.x1 + margin and b.x0 - margin <= box.x1 for *_, b in rows[k]
        ):
            k += 1
        if k == len(rows):
            rows.append([])
        rows[k].append((label, side, box))
        row_of[label] = k
    crossed = sum(row_of[b] >= row_of[a] for a in order for b in above[a])
    return rows, crossed


def _sides(label: Annotation, frame: Bbox) -> list[tuple[Side, Bbox]]:
    """Where a label can go: on its own side of its line, and on the other with a pointer
    to the line, each where it lies inside ``frame`` (fitting on neither, on the other
    shifted inward); with its extent there."""
    text, right = _unturned(label)
    pointing = f"{text} \u25b8" if right else f"\u25c2 {text}"  # at the line, from the other side
    sides = []
    for side in (right, not right):
        place = (
            text if side == right else pointing,
            "left" if side else "right",
            GAP if side else -GAP,
        )
        box = _set_side(label, place)
        if frame.x0 <= box.x0 and box.x1 <= frame.x1:
            sides.append((place, box))
    if not sides:
        shift = max(frame.x0 - box.x0, 0.0) - max(box.x1 - frame.x1, 0.0)
        words, ha, dx = place
        place = (words, ha, dx + _points(label.get_figure(root=True), shift))
        sides.append((place, _set_side(label, place)))
    return sides


def _set_side(label: Annotation, side: Side) -> Bbox:
    """Put a label on a side of its anchor; its extent there."""
    text, ha, dx = side
    label.set_text(text)
    label.set_horizontalalignment(ha)
    label.xyann = (dx, label.xyann[1])
    return label.get_window_extent(label.get_figure(root=True).canvas.get_renderer())


def _unturned(label: Annotation) -> tuple[str, bool]:
    """A label's text without a pointer to its line, and whether its own side is right."""
    text = label.get_text()
    if text.endswith(" \u25b8"):
        return text.removesuffix(" \u25b8"), True
    if text.startswith("\u25c2 "):
        return text.removeprefix("\u25c2 "), False
    return text, label.get_horizontalalignment() == "left"


def _end_at(line: Line2D, points: float) -> None:
    """End a line up the axes ``points`` below their top (the axes cut it at the bottom)."""
    ax = line.axes
    down = ScaledTranslation(0.0, -points / 72.0, ax.figure.dpi_scale_trans)
    line.set_transform(ax.get_xaxis_transform() + down)


def label_points(
    ax: Axes, x: Iterable[float], y: Iterable[float], texts: Iterable[str], **font: object
) -> list[Annotation]:
    """Name each point beside it, clear of the other names, the points and the frame.

    Call it once the figure is laid out. Each name is tried right of its point, then left
    of it, then a line higher or lower on either side, and so on; a thin line joins a
    name moved away to its point. A name that fits nowhere keeps its first place. Names
    are placed from the largest y down.
    """
    xy = np.column_stack([np.asarray(list(x), float), np.asarray(list(y), float)])
    names = [str(text) for text in texts]
    order = np.argsort(-xy[:, 1], kind="stable")
    labels = []
    for i in order:
        label = ax.annotate(
            names[i],
            xy=tuple(xy[i]),
            xytext=(GAP + 1, 0),
            textcoords="offset points",
            ha="left",
            va="center",
            zorder=5,
            annotation_clip=False,
            parse_math=False,
            arrowprops=LEADER,
            bbox=LABEL_BOX,
            **{**LABEL_FONT, **font},
        )
        label.set_in_layout(False)
        labels.append(label)
    with _measuring(ax.figure) as fig:
        half = _pixels(fig, 3.0)  # the points themselves are not to be covered
        points = [
            Bbox.from_extents(cx - half, cy - half, cx + half, cy + half)
            for cx, cy in ax.transData.transform(xy)
        ]
        frame = ax.bbox.padded(-_pixels(fig, 1.0))
        placed: list[Bbox] = []
        for i, label in zip(order, labels, strict=True):
            others = [box for j, box in enumerate(points) if j != i]  # its own point is fine
            placed.append(_clear_spot(label, frame, others + placed))
    return labels


def _clear_spot(label: Annotation, frame: Bbox, taken: list[Bbox]) -> Bbox:
    """Put ``label`` at the first of its spots inside ``frame`` and clear of ``taken``;
    its extent."""
    fig = label.get_figure(root=True)
    renderer = fig.canvas.get_renderer()
    margin = _pixels(fig, 1.5)
    first = None
    for ha, dx, dy in _spots(_points(fig, _text_extent(label, renderer).height)):
        label.set_horizontalalignment(ha)
        label.xyann = (dx, dy)
        box = _text_extent(label, renderer)
        first = first or (ha, dx, dy, box)
        inside = frame.x0 <= box.x0 and box.x1 <= frame.x1
        inside = inside and frame.y0 <= box.y0 and box.y1 <= frame.y1
        if inside and not any(box.padded(margin).overlaps(t) for t in taken):
            return box
    ha, dx, dy, box = first
    label.set_horizontalalignment(ha)
    label.xyann = (dx, dy)
    return box


def _text_extent(label: Annotation, renderer: object) -> Bbox:
    """The extent of a label's text, without its leader line."""
    label.update_positions(renderer)  # what Annotation.get_window_extent does first
    return Text.get_window_extent(label, renderer)


def _spots(height: float) -> list[tuple[str, float, float]]:
    """Places to try for a point's name, nearest first: right and left of it, then a line
    up or down at a time (alignment, offsets in points)."""
    steps = [0.0]
    for k in range(1, 7):
        steps += [k * (height + 1.0), -k * (height + 1.0)]
    return [(ha, dx, dy) for dy in steps for ha, dx in (("left", GAP + 1), ("right", -GAP - 1))]


def fit_texts(ax: Axes, texts: Sequence[Annotation]) -> None:
    """Widen the x axis until every text (anchored to data, offset in points) lies inside
    the axes with a margin: beyond them it would overprint the tick labels or the legend.

    Call it once the figure is laid out; widening moves the anchors, so it is done a few
    times over.
    """
    if not texts:
        return
    with _measuring(ax.figure) as fig:
        renderer = fig.canvas.get_renderer()
        margin = _pixels(fig, MARGIN)
        for _ in range(8):
            frame = ax.bbox
            boxes = [text.get_window_extent(renderer) for text in texts]
            left = max(0.0, max(frame.x0 + margin - box.x0 for box in boxes))
            right = max(0.0, max(box.x1 - (frame.x1 - margin) for box in boxes))
            if left < 0.5 and right < 0.5:
                return
            low, high = ax.get_xlim()
            per_pixel = (high - low) / frame.width
            ax.set_xlim(low - 1.1 * left * per_pixel, high + 1.1 * right * per_pixel)
