"""Where a chart's texts go, so that none overprints another.

* Phases on time charts (:func:`mark_phases`): a dashed line at each phase's start with
  its name to the right (the phase begins there), a dotted line at each deadline with
  "deadline: <the phase that set it>" to the left (what it closes lies before it).
  :func:`finish` sets these labels in rows at the top of the axes, none over another,
  and raises the y axis so that the rows sit above the data.
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

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.text import Annotation, Text
from matplotlib.transforms import Bbox

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
    :func:`finish` arranges in rows.
    """
    if phases is None or phases.empty:
        return []
    lo, hi = to_datenum([first, last])
    labels = []
    for start, name in zip(to_datenum(phases["start"]), phases["name"], strict=True):
        if lo < start <= hi:
            ax.axvline(start, zorder=1.5, **PHASE_LINE)
            labels.append(top_label(ax, start, str(name)))
    # Each deadline once, where it was set; a superseded one is marked as such.
    status = phases.get("deadline_status", pd.Series("", index=phases.index)).fillna("")
    deadlines = phases.get("deadline", pd.Series(pd.NaT, index=phases.index))
    for when, state, name in zip(deadlines, status, phases["name"], strict=True):
        if pd.isna(when) or state == "carried from an earlier phase":
            continue
        (deadline,) = to_datenum([when])
        if lo < deadline <= hi:
            what = "deadline (superseded)" if state == "superseded" else "deadline"
            ax.axvline(deadline, zorder=1.5, **DEADLINE_LINE)
            labels.append(
                top_label(ax, deadline, f"{what}: {name}", side="left", fontstyle="italic")
            )
    return labels


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


def _keep_inside(label: Annotation, frame: Bbox) -> Bbox:
    """Turn a label to the other side of its line if it runs out of the axes there (with a
    pointer to the line), or shift it inward if it runs out on both; its extent."""
    fig = label.figure
    renderer = fig.canvas.get_renderer()
    box = label.get_window_extent(renderer)
    right = label.get_horizontalalignment() == "left"
    if (right and box.x1 > frame.x1) or (not right and box.x0 < frame.x0):
        text = label.get_text()
        label.set_text(f"{text} \u25b8" if right else f"\u25c2 {text}")
        label.set_horizontalalignment("right" if right else "left")
        label.xyann = (-GAP if right else GAP, label.xyann[1])
        box = label.get_window_extent(renderer)
    shift = max(frame.x0 - box.x0, 0.0) - max(box.x1 - frame.x1, 0.0)
    if shift:
        label.xyann = (label.xyann[0] + _points(fig, shift), label.xyann[1])
        box = label.get_window_extent(renderer)
    return box


def _stack(ax: Axes, labels: Sequence[Annotation]) -> float:
    """Set the labels in rows from the top, none overlapping another in its row; the share
    of the axes' height the rows take."""
    fig = ax.figure
    frame = ax.bbox
    boxes = [_keep_inside(label, frame) for label in labels]
    step = _points(fig, max(box.height for box in boxes)) + 2.0  # points per row
    margin = _pixels(fig, MARGIN)
    rows: list[list[Bbox]] = []
    for label, box in sorted(zip(labels, boxes, strict=True), key=lambda pair: pair[1].x0):
        k = next(
            (
                k
                for k, row in enumerate(rows)
                if all(box.x0 > b.x1 + margin or box.x1 < b.x0 - margin for b in row)
            ),
            len(rows),
        )
        if k == len(rows):
            rows.append([])
        rows[k].append(box)
        label.xyann = (label.xyann[0], -(TOP + k * step))
    return (TOP + len(rows) * step) / _points(fig, frame.height)


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
