"""What the chart modules share: picking the rows to draw out of the tidy tables.

One scenario out of a time series or bands table, its phases, its roles in order, the
number of replications and means over them; the default title and footer texts; and the
cap line, drawn from the phases table on single-run and fan charts alike. The chart
modules (:mod:`sim.plots.charts`, :mod:`sim.plots.fans`, :mod:`sim.plots.outcomes`) use
these; the house look itself lives in :mod:`sim.plots.style`.

The exploration charts (:mod:`sim.plots.sensitivity`, :mod:`sim.plots.robustness`) also
share the names and units of outcomes (from the registry, :mod:`sim.scenario.outcomes`)
and inputs, numbers written for labels and ticks, and checks that a table holds the rows
and columns asked for.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.ticker import FuncFormatter, MaxNLocator

from sim.plots.style import FEW_TICKS, LINES, role_label, to_datenum
from sim.scenario.outcomes import outcome_info

__all__ = [
    "MEASURES",
    "amount_text",
    "amount_ticks",
    "axis_text",
    "check_measure",
    "count_text",
    "describe_outcome",
    "draw_cap",
    "exploration_source",
    "footer_or",
    "input_unit",
    "mean_wide",
    "names_of",
    "one_scenario",
    "phases_of",
    "replications",
    "require_columns",
    "roles_of",
    "run_source",
    "runs_source",
    "select_rows",
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


def exploration_source(what: str) -> str:
    """The default footer of an exploration chart: ``Source: sim exploration, {what}``."""
    return f"Source: sim exploration, {what}"


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


# --- exploration tables: names, units, numbers and picking rows ---------------------------


def describe_outcome(column: str) -> tuple[str, str, float]:
    """(name on the chart, unit, factor from the table's unit to the chart's).

    From the registry of outcomes; a column it does not know (one of the user's own) is
    named in words, without a unit.
    """
    try:
        outcome = outcome_info(column)
    except KeyError:
        return role_label(column), "", 1.0
    return outcome.label, outcome.unit, outcome.scale


def axis_text(label: str, unit: str) -> str:
    """An axis label: ``Total cost (US$ million)``, or the label alone without a unit."""
    return f"{label} ({unit})" if unit else label


def amount_text(value: float, unit: str = "") -> str:
    """A number for a label: a few significant digits, ``$412M`` for money, a true minus."""
    if not np.isfinite(value):
        return "n/a"
    if value == 0:
        return "0"
    size = abs(value)
    if 0 < size < 0.01:
        text = f"{value:.2g}"
    else:
        text = f"{value:,.{0 if size >= 100 else 1 if size >= 10 else 2}f}"
        text = text.rstrip("0").rstrip(".") if "." in text else text
    if unit == "US$ million":
        text = f"-${text[1:]}M" if text.startswith("-") else f"${text}M"
    return text.replace("-", "\u2212")


def amount_ticks(ax: Axes, axis: str = "x", unit: str = "") -> None:
    """Few ticks with readable numbers (``$1.5M`` for an input in dollars)."""
    scale = 1e-6 if unit == "US$" else 1.0
    money = "US$ million" if unit == "US$" else ""
    which = ax.xaxis if axis == "x" else ax.yaxis
    which.set_major_locator(MaxNLocator(**FEW_TICKS))
    which.set_major_formatter(FuncFormatter(lambda v, _: amount_text(v * scale, money)))


def input_unit(name: str, kind: str = "number") -> str:
    """The unit of an input, guessed from its name (``threat.attacks_per_month``)."""
    last = name.rsplit(".", 1)[-1]
    if kind == "date":
        return "date"
    if kind == "days since":
        return "days after the earliest date sampled"
    for test, unit in (
        (last.endswith("_usd"), "US$"),
        (last.endswith("_days") or last == "days", "days"),
        (last.endswith("probability"), "probability"),
        (last == "cap" or last.endswith("_cap"), "people"),
        ("_per_" in last, last.replace("_", " ")),  # attacks_per_month: a unit of its own
    ):
        if test:
            return unit
    return ""


def require_columns(table: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    """``ValueError`` for an empty table or one without ``columns``."""
    if table is None or table.empty:
        raise ValueError(f"the {what} table is empty: nothing to chart")
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise ValueError(f"the {what} table has no column {', '.join(missing)}")


def names_of(table: pd.DataFrame, column: str = "scenario") -> list[str]:
    """The distinct values of ``column`` as text, in the order they first appear."""
    return [str(n) for n in pd.unique(table[column])]


def select_rows(table: pd.DataFrame, what: str, **keys: str) -> pd.DataFrame:
    """The rows whose columns equal ``keys`` (``scenario=``, ``outcome=``), or ``ValueError``."""
    for column, value in keys.items():
        names = names_of(table, column)
        if value not in names:
            raise ValueError(
                f"no {column} '{value}' in the {what} table (there are {', '.join(names)})"
            )
        table = table[table[column].astype(str) == value]
    return table
