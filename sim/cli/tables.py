"""The tables the ``sim`` commands print: DataFrames in, rich tables and plain notes out.

Their gist, as a reader wants it: numbers with thousands separated and a sensible number of
digits, money in millions of US dollars, shares as percentages, each outcome under its
heading from the outcome registry, and each title naming the CSV with the full table.
Nothing is printed here (``sim.cli`` prints), and pandas is not imported: the frames come
in already made.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping

from rich.table import Table

TOP = 3  # inputs shown per outcome in the table of sensitivity indices
WIDE = 0.1  # a Sobol index known only to within more than +/- this: the sample is too small
SOBOL = {"S1": "S1_conf", "ST": "ST_conf"}
MORRIS = {"mu_star": "mu_star_conf"}


def number(value: float | None, scale: float = 1.0) -> str:
    """``3,902,745,000`` at scale 1e-6 is ``3,903``; ``7.833`` is ``7.8``; ``0.0456`` ``0.046``;
    a whole number stays whole."""
    if value is None or math.isnan(value):
        return "n/a"
    x = value * scale
    if x == 0 or abs(x) >= 100 or (scale == 1 and isinstance(value, numbers.Integral)):
        return f"{x:,.0f}"
    if abs(x) >= 1:
        return f"{x:,.1f}"
    return f"{x:.2g}"


def share(value: float) -> str:
    return "n/a" if math.isnan(value) else f"{value:.0%}"


def outcome(name: str) -> tuple[str, float]:
    """An outcome's heading (with its unit) and the scale that turns its numbers into it."""
    from sim.scenario.outcomes import outcome_info

    try:
        info = outcome_info(name)
    except KeyError:  # not in the registry: shown as named, unscaled
        return name, 1.0
    return info.heading, info.scale


def _table(title: str, *columns: str) -> Table:
    table = Table(title=title, title_justify="left")
    for i, column in enumerate(columns):
        table.add_column(column, justify="left" if i == 0 else "right")
    return table


def text_table(title: str, cells) -> Table:
    """A table of ready-made text: one row per index label, one column per column."""
    table = _table(title, "Outcome", *(str(c) for c in cells.columns))
    for label, row in cells.iterrows():
        table.add_row(str(label), *(str(v) for v in row))
    return table


# --- sensitivity -------------------------------------------------------------------------------


def indices_table(indices, method: str) -> Table:
    """The ``TOP`` inputs that move each outcome of each option most, with their intervals:
    under a line naming the option and the outcome, one line per input (narrow enough for
    80 columns with the longest dotted names)."""
    if method == "sobol":
        title = (
            "Sobol indices: the share of each outcome's variance due to each input alone "
            f"(S1) and with its interactions (ST); the top {TOP} inputs, with their 95% "
            "confidence intervals"
        )
        table, rank = _table(title, "Option: outcome, and input", "S1", "ST"), "ST"
    else:
        title = (
            "Morris elementary effects: mu* is the mean size of the change in the "
            "outcome when the input moves, sigma how much that depends on the other "
            f"inputs; the top {TOP} inputs, mu* with its 95% confidence interval"
        )
        table, rank = _table(title, "Option: outcome, and input", "mu*", "sigma"), "mu_star"
    table.columns[0].overflow = "fold"  # a dotted name has no spaces to wrap at
    for column in table.columns[1:]:
        column.no_wrap = True
    for (scenario, name), group in indices.groupby(["scenario", "outcome"], sort=False):
        top = group[group[rank] > 0].sort_values(rank, ascending=False).head(TOP)
        if top.empty:  # the outcome never varies: said in a note
            continue
        heading, scale = outcome(name)
        table.add_row(f"[bold]{scenario}[/bold]: {heading}")
        for i, (_, row) in enumerate(top.iterrows()):
            if method == "sobol":
                cells = [_interval(row["S1"], row["S1_conf"]), _interval(row["ST"], row["ST_conf"])]
            else:
                cells = [
                    _interval(row["mu_star"], row["mu_star_conf"], scale),
                    number(row["sigma"], scale),
                ]
            table.add_row(f"  {row['input']}", *cells, end_section=i == len(top) - 1)
    return table


def _interval(value: float, half_width: float, scale: float | None = None) -> str:
    if scale is None:  # an index: a share of variance
        return f"{value:.2f} ± {half_width:.2f}"
    return f"{number(value, scale)} ± {number(half_width, scale)}"


def indices_notes(indices, method: str, samples: int) -> list[str]:
    """What the indices cannot say, in words: outcomes that never vary, a sample too small."""
    notes = []
    columns = [*SOBOL, *SOBOL.values()] if method == "sobol" else ["mu_star", "sigma"]
    for scenario, group in indices.groupby("scenario", sort=False):
        still = [
            name
            for name, rows in group.groupby("outcome", sort=False)
            if (rows[columns] == 0).all().all()
        ]
        if len(still) == 1:
            notes.append(
                f"{scenario}: {still[0]} is the same in every sample, so no input "
                "moves it and its indices are 0."
            )
        elif still:
            names = f"{', '.join(still[:-1])} and {still[-1]}"
            notes.append(
                f"{scenario}: {names} are the same in every sample, so no input moves "
                "them and their indices are 0."
            )
    larger = f"run again with a larger sample, e.g. --samples {_larger(samples)}"
    if method == "sobol":
        outside, wide = [], 0
        for _, row in indices.iterrows():
            for index, conf in SOBOL.items():
                if row[index] - row[conf] > 1 or row[index] + row[conf] < 0:
                    outside.append((row, index, conf))
            wide += max(row["S1_conf"], row["ST_conf"]) > WIDE
        if outside or wide:
            text = "The sample is too small for these indices:"
            if outside:
                row, index, conf = outside[0]
                text += (
                    f" {len(outside)} lie outside 0 to 1, where a share of variance must be, "
                    f"by more than their confidence interval ({index} of {row['input']} on "
                    f"{row['scenario']}/{row['outcome']} is "
                    f"{_interval(row[index], row[conf])});"
                )
            if wide:
                text += f" {wide} of {len(indices)} are known only to within more than ±{WIDE};"
            notes.append(f"{text} {larger}.")
    else:
        vague = indices[
            (indices["mu_star"] > 0) & (indices["mu_star_conf"] > indices["mu_star"] / 2)
        ]
        if len(vague):
            notes.append(
                f"The sample is too small for these effects: {len(vague)} of "
                f"{len(indices)} mu* are known only to within more than half their "
                f"size; {larger}."
            )
    return notes


def _larger(samples: int) -> int:
    """Four times the sample, as a power of 2 (Sobol samples are balanced at those)."""
    return 2 ** math.ceil(math.log2(4 * samples))


# --- robustness --------------------------------------------------------------------------------


def satisficing_table(frame, thresholds: Mapping[str, object]) -> Table:
    """The share of futures in which each option meets each threshold, and all of them."""
    meets = [c.removeprefix("meets_") for c in frame.columns if c.startswith("meets_")]
    table = _table(
        "Share of futures meeting the thresholds (satisficing.csv)",
        "Option",
        "Futures",
        *(_threshold(o, thresholds[o]) for o in meets),
        "All",
    )
    for _, row in frame.iterrows():
        table.add_row(
            row["scenario"],
            f"{row['futures']:,}",
            *(share(row[f"meets_{o}"]) for o in meets),
            share(row["share_meeting_all"]),
        )
    return table


def _threshold(name: str, threshold: object) -> str:
    heading, scale = outcome(name)
    low, high = getattr(threshold, "min", None), getattr(threshold, "max", None)
    bounds = [
        f"≥ {number(low, scale)}" if low is not None else "",
        f"≤ {number(high, scale)}" if high is not None else "",
    ]
    return f"{heading} {' and '.join(b for b in bounds if b)}"


def regret_table(frame) -> Table:
    """Regret of each option per outcome: mean, 90th percentile and maximum, and how often
    it is the best option; under a line naming the outcome and its unit, one per option."""
    title = (
        "Regret: how far each option falls short of the best option in the same future, "
        "in the outcome's unit (regret_summary.csv)"
    )
    table = _table(title, "Outcome, and option", "Mean", "90th percentile", "Maximum", "Best in")
    for name, group in frame.groupby("outcome", sort=False):
        heading, scale = outcome(name)
        table.add_row(f"[bold]{heading}[/bold]")
        for i, (_, row) in enumerate(group.iterrows()):
            table.add_row(
                f"  {row['scenario']}",
                number(row["mean_regret"], scale),
                number(row["p90_regret"], scale),
                number(row["max_regret"], scale),
                share(row["share_best"]),
                end_section=i == len(group) - 1,
            )
    return table


# --- calibration -------------------------------------------------------------------------------


def candidates_table(table, replications: int) -> Table:
    """Each candidate's values and its fit, the best one in bold."""
    values = [
        c
        for c in table.columns
        if c not in ("candidate", "error", "mape_percent", "share_inside_90")
    ]
    errors = "error" in table.columns and table["error"].notna().any()
    title = (
        f"Candidates, each backtested on the fit episode with {replications:,} "
        "replications (candidates.csv)"
    )
    shown = _table(
        title, "Candidate", *values, "MAPE", "Inside the 90% band", *(["Error"] if errors else [])
    )
    for column in shown.columns[1 : 1 + len(values)]:
        column.overflow = "fold"  # a parameter's name has no spaces to wrap at
    best = table["mape_percent"].idxmin()
    for key, row in table.iterrows():
        mape = "n/a" if math.isnan(row["mape_percent"]) else f"{row['mape_percent']:.1f}%"
        cells = [
            str(int(row["candidate"])),
            *(number(table.at[key, v]) for v in values),
            mape,
            share(row["share_inside_90"]),
        ]
        if errors:
            cells.append("" if not isinstance(row["error"], str) else row["error"])
        shown.add_row(*cells, style="bold" if key == best else None)
    return shown


# --- optimisation ------------------------------------------------------------------------------


def pareto_table(frame, objectives: Mapping[str, str], levers: list[str], most: int = 12) -> Table:
    """The Pareto set: each option's levers, its scores, and whether it stays unbeaten when
    run again with fresh replications. Beyond ``most`` options, as many spread evenly from
    the first option to the last (best to worst on the first objective)."""
    n = len(frame)
    shown = sorted({round(i * (n - 1) / (most - 1)) for i in range(most)}) if n > most else range(n)
    title = "The Pareto set: options no other beats on every objective"
    title += (
        f" ({len(shown)} of {n}, spread from best to worst on the first; all in pareto.csv)"
        if n > most
        else " (pareto.csv)"
    )
    table = _table(
        title,
        "Option",
        *levers,
        *(
            f"{outcome(o)[0]} ({'min' if w == 'minimize' else 'max'})"
            for o, w in objectives.items()
        ),
        "Stays",
    )
    table.columns[0].no_wrap = True
    for column in table.columns[1 : 1 + len(levers)]:
        column.overflow = "fold"  # a lever's dotted path has no spaces to wrap at
    for i in shown:
        row = frame.iloc[i]
        table.add_row(
            row["option"],
            *(_value(row[lever]) for lever in levers),
            *(number(float(row[o]), outcome(o)[1]) for o in objectives),
            "yes" if row["stays"] else "no",
        )
    return table


def _value(value: object) -> str:
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return number(float(value))
    return str(value)
