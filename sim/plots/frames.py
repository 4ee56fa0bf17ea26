"""What the chart modules share: picking the rows to draw out of the tidy tables.

One scenario out of a time series or bands table, its phases, its roles in order, the
number of replications and means over them; the default title and footer texts; and the
cap line, drawn from the phases table on single-run and fan charts alike. The chart
modules (:mod:`sim.plots.charts`, :mod:`sim.plots.fans`, :mod:`sim.plots.outcomes`) use
these; the house look itself lives in :mod:`sim.plots.style`.
"""

from __future__ import annotations

import pandas as pd
from matplotlib.axes import Axes

from sim.plots.style import LINES, to_datenum

__all__ = [
    "MEASURES",
    "check_measure",
    "count_text",
    "draw_cap",
    "footer_or",
    "mean_wide",
    "one_scenario",
    "phases_of",
    "replications",
    "roles_of",
    "run_source",
    "runs_source",
    "title_or",
]

MEASURES = {"cap_count": "cap count", "boots_on_ground": "boots on the ground"}


def check_measure(measure: str) -> None:
    """Raise ``ValueError`` unless ``measure`` is one of :data:`MEASURES`."""
    if measure not in MEASURES:
        raise ValueError(f"unknown measure '{measure}'; use one of {', '.join(MEASURES)}")


def one_scenario(ts: pd.DataFrame, scenario: str | None) -> tuple[str, pd.DataFrame]:
    """The name and rows of ``scenario``; without a name, of the only scenario in ``ts``."""
    names = [str(n) for n in pd.unique(ts["scenario"])]
    if not names:
        raise ValueError("the time series is empty: nothing to chart")
    if scenario is None:
        if len(names) > 1:
            raise ValueError(
                f"the time series holds {len(names)} scenarios ({', '.join(names)}); "
                "choose one with scenario="
            )
        scenario = names[0]
    elif scenario not in names:
        raise ValueError(f"no scenario '{scenario}' in the time series ({', '.join(names)})")
    return scenario, ts[ts["scenario"] == scenario]


def phases_of(phases: pd.DataFrame | None, scenario: str) -> pd.DataFrame | None:
    """The phases of ``scenario`` (all rows when there is no scenario column), by start."""
    if phases is None:
        return None
    if "scenario" in phases:
        phases = phases[phases["scenario"] == scenario]
    return phases.sort_values("start")


def roles_of(frame: pd.DataFrame) -> list[str]:
    """Roles in the scenario's order (the categories) when the column is categorical."""
    present = set(frame["role"])
    if isinstance(frame["role"].dtype, pd.CategoricalDtype):
        return [r for r in frame["role"].cat.categories if r in present]
    return list(pd.unique(frame["role"]))


def replications(frame: pd.DataFrame) -> int:
    """The number of replications in a time series."""
    return int(frame["replication"].nunique())


def mean_wide(frame: pd.DataFrame, index: str, column: str, roles: list[str]) -> pd.DataFrame:
    """Mean over replications of ``column``, one row per ``index`` value, a column per role."""
    per_rep = frame.groupby([index, "role", "replication"], observed=True)[column].sum()
    wide = per_rep.groupby(level=[index, "role"], observed=True).mean().unstack("role")
    return wide.reindex(columns=roles).fillna(0.0)


def count_text(values: pd.Series) -> str:
    """A number of replications for a subtitle: ``20``, or ``18–20`` where it varies."""
    low, high = int(values.min()), int(values.max())
    return str(high) if low == high else f"{low}–{high}"


def title_or(title: str | None, default: str) -> str:
    """The title given, or ``default`` when it is ``None`` (``""`` stays empty)."""
    return default if title is None else title


def footer_or(footer: str | None, default: str) -> str:
    """The footer given, or ``default`` when it is ``None`` (``""`` leaves it out)."""
    return default if footer is None else footer


def run_source(scenario: str) -> str:
    """The default footer of a chart of one scenario's run(s)."""
    return f"Source: sim model run; scenario {scenario}"


def runs_source(what: str, n: int | str) -> str:
    """The default footer of a chart over ``n`` replications of each scenario."""
    return f"Source: sim model runs, {n} replications per scenario; {what}"


def draw_cap(ax: Axes, phases: pd.DataFrame | None, first: object, last: object) -> None:
    """The cap as a step line: each phase's cap from its start until the next phase's."""
    if phases is None or phases.empty or "cap" not in phases:
        return
    first, last = pd.Timestamp(first), pd.Timestamp(last)
    starts = pd.to_datetime(phases["start"])
    keep = (starts <= last).to_numpy() & phases["cap"].notna().to_numpy()
    if not keep.any():
        return
    # A phase that began before the chart does so at its first date; of several, the last.
    caps = pd.Series(phases["cap"].to_numpy(float)[keep], index=starts[keep].clip(lower=first))
    caps = caps.groupby(level=0).last()
    x = to_datenum([*caps.index, last])
    y = [*caps.to_numpy(), caps.iloc[-1]]
    ax.step(x, y, where="post", label="Cap", zorder=4, **LINES["cap"])
