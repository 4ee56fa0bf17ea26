"""How precise an ensemble's means are: one outcome's statistics over replications.

:func:`stats_of` gives the mean, spread and 95% confidence interval of the mean of one
outcome; :func:`precision_reached` the relative half-width of that interval for each
outcome ``--replications auto`` waits on (:data:`sim.scenario.outcomes.PRECISE`). The
runner stops adding replications once every one is within the requested precision; the
analysis tables (:mod:`sim.analysis.statistics`) use the same statistics.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from sim.scenario.outcomes import PRECISE

Z95 = 1.959963984540054
STAT_COLUMNS = ["n", "mean", "sd", "q05", "q50", "q95", "ci_low", "ci_high"]


def stats_of(values: pd.Series) -> dict[str, float]:
    """Count, mean, sd, 5/50/95% quantiles and the 95% CI of the mean (missing values out)."""
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


def precision_reached(summary: pd.DataFrame, outcomes: Sequence[str] = PRECISE) -> dict[str, float]:
    """Relative half-width of the 95% CI of each outcome's mean, worst over scenarios.

    An outcome that is zero in every replication counts as precise (0.0); one whose mean is
    zero but whose values vary can never be, and gives infinity. Outcomes not in
    ``summary`` are left out.
    """
    widths = {}
    for column in outcomes:
        if column not in summary.columns:
            continue
        worst = 0.0
        for _, group in summary.groupby("scenario", sort=False):
            s = stats_of(group[column])
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
