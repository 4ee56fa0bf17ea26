"""Outcomes across replications, and differences between options in the same worlds.

Pure functions on the summary table (one row per scenario and replication). Differences
pair replication k of each option with replication k of the reference: with common random
numbers both saw the same draws wherever their timelines agree, so the spread of the
difference shows the options' effect, not the luck of the draw. The statistics of one
outcome (:func:`~sim.ensemble.precision.stats_of`) are the ones the ensemble uses to
decide when its means are precise enough.
"""

from __future__ import annotations

import pandas as pd

from sim.ensemble.precision import STAT_COLUMNS, stats_of


def outcome_columns(summary: pd.DataFrame) -> list[str]:
    """Numeric outcome columns (not identifiers, not drawn inputs, which have dotted names)."""
    return [
        c
        for c in summary.columns
        if c not in ("scenario", "replication")
        and "." not in c
        and pd.api.types.is_numeric_dtype(summary[c])
        and not pd.api.types.is_bool_dtype(summary[c])
    ]


def outcome_table(summary: pd.DataFrame) -> pd.DataFrame:
    """Each outcome's mean, 90% interval (q05-q95) and 95% confidence interval of the mean."""
    rows = []
    for name, group in summary.groupby("scenario", sort=False):
        for column in outcome_columns(summary):
            rows.append({"scenario": name, "outcome": column, **stats_of(group[column])})
    return pd.DataFrame(rows, columns=["scenario", "outcome", *STAT_COLUMNS])


def differences(summary: pd.DataFrame, reference: str | None = None) -> pd.DataFrame:
    """Each option minus the reference (default: the first scenario), paired by replication."""
    names = list(dict.fromkeys(summary["scenario"]))
    reference = reference or names[0]
    if reference not in names:
        raise ValueError(f"no scenario {reference!r} to compare with (have {', '.join(names)})")
    columns = outcome_columns(summary)
    base = summary[summary["scenario"] == reference].set_index("replication")[columns]
    rows = []
    for name in names:
        if name == reference:
            continue
        other = summary[summary["scenario"] == name].set_index("replication")[columns]
        paired = other.sub(base).dropna(how="all")
        for column in columns:
            stats = stats_of(paired[column])
            if stats["n"] == 0:  # an outcome only one of the two has (a phase of its own)
                continue
            rows.append({"scenario": name, "reference": reference, "outcome": column, **stats})
    return pd.DataFrame(rows, columns=["scenario", "reference", "outcome", *STAT_COLUMNS])
