"""Outcomes across replications, and differences between options in the same worlds.

Pure functions on the summary table (one row per scenario and replication). Differences
pair replication k of each option with replication k of the reference: with common random
numbers both saw the same draws wherever their timelines agree, so the spread of the
difference shows the options' effect, not the luck of the draw.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

Z95 = 1.959963984540054
STAT_COLUMNS = ["n", "mean", "sd", "q05", "q50", "q95", "ci_low", "ci_high"]
# Outcomes whose mean must reach the requested precision in ``--replications auto``.
HEADLINE = [
    "mean_cap_count",
    "mean_boots_on_ground",
    "adviser_days",
    "total_cost_usd",
    "casualties",
]


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


def _stats(values: pd.Series) -> dict[str, float]:
    x = pd.to_numeric(values, errors="coerce").dropna().to_numpy(dtype=float)
    n = len(x)
    if n == 0:
        return dict.fromkeys(STAT_COLUMNS, np.nan) | {"n": 0}
    mean = float(x.mean())
    sd = float(x.std(ddof=1)) if n > 1 else np.nan
    half = Z95 * sd / np.sqrt(n) if n > 1 else np.nan
    q05, q50, q95 = np.quantile(x, [0.05, 0.5, 0.95])
    return {
        "n": n,
        "mean": mean,
        "sd": sd,
        "q05": q05,
        "q50": q50,
        "q95": q95,
        "ci_low": mean - half,
        "ci_high": mean + half,
    }


def outcome_table(summary: pd.DataFrame) -> pd.DataFrame:
    """Each outcome's mean, 90% interval (q05-q95) and 95% confidence interval of the mean."""
    rows = []
    for name, group in summary.groupby("scenario", sort=False):
        for column in outcome_columns(summary):
            rows.append({"scenario": name, "outcome": column, **_stats(group[column])})
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
            stats = _stats(paired[column])
            if stats["n"] == 0:  # an outcome only one of the two has (a phase of its own)
                continue
            rows.append({"scenario": name, "reference": reference, "outcome": column, **stats})
    return pd.DataFrame(rows, columns=["scenario", "reference", "outcome", *STAT_COLUMNS])


def precision_reached(
    summary: pd.DataFrame, precision: float, outcomes: list[str] = HEADLINE
) -> dict[str, float]:
    """Relative half-width of the 95% CI of each headline outcome's mean, worst per outcome.

    An outcome that is zero in every replication counts as precise (0.0); one whose mean is
    zero but whose values vary can never be, and gives infinity.
    """
    widths = {}
    for column in outcomes:
        if column not in summary.columns:
            continue
        worst = 0.0
        for _, group in summary.groupby("scenario", sort=False):
            s = _stats(group[column])
            if s["n"] < 2:
                worst = np.inf
            elif s["sd"] == 0:
                continue
            elif s["mean"] == 0:
                worst = np.inf
            else:
                worst = max(worst, (s["ci_high"] - s["mean"]) / abs(s["mean"]))
        widths[column] = worst
    return widths
