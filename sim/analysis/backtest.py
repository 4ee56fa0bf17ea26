"""Backtest metrics: the model's cap count against observed figures, at the observed dates.

Pure functions on DataFrames. ``band`` is the model's total cap count per day across
replications (columns date, mean, q05, q50, q95, as in ``bands.csv`` for role ``total``);
``observed`` has columns date and us_troops. Between two observed rows nothing is known, so
only the observed dates are scored; points outside the simulated period are kept but not
scored.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

POINT_COLUMNS = [
    "date",
    "observed",
    "median",
    "mean",
    "q05",
    "q95",
    "error",
    "pct_error",
    "inside",
    "scored",
]


def compare_points(band: pd.DataFrame, observed: pd.DataFrame) -> pd.DataFrame:
    """One row per observed figure: the model there, its error and whether in the 90% band."""
    model = band.set_index(pd.to_datetime(band["date"]).dt.normalize())
    rows = []
    for date, value in zip(pd.to_datetime(observed["date"]), observed["us_troops"], strict=True):
        day = date.normalize()
        scored = day in model.index
        m = model.loc[day] if scored else None
        median = float(m["q50"]) if scored else np.nan
        error = median - value if scored else np.nan
        rows.append(
            {
                "date": day,
                "observed": float(value),
                "median": median,
                "mean": float(m["mean"]) if scored else np.nan,
                "q05": float(m["q05"]) if scored else np.nan,
                "q95": float(m["q95"]) if scored else np.nan,
                "error": error,
                "pct_error": 100 * abs(error) / value if scored and value else np.nan,
                "inside": bool(scored and m["q05"] <= value <= m["q95"]),
                "scored": scored,
            }
        )
    return pd.DataFrame(rows, columns=POINT_COLUMNS)


def metrics(points: pd.DataFrame) -> dict[str, object]:
    """MAPE over non-zero observed points, troops off at zero points, the largest error and
    where, the share of observed points inside the model's 90% band, and how wide that band
    is (mean width as a percentage of the observed figure, over non-zero points): a wide
    enough band contains anything, so coverage is read together with width."""
    scored = points[points["scored"]]
    nonzero = scored[scored["observed"] != 0]
    zero = scored[scored["observed"] == 0]
    worst = scored.loc[scored["error"].abs().idxmax()] if len(scored) else None
    return {
        "points": len(scored),
        "points_outside_run": int((~points["scored"]).sum()),
        "mape_percent": float(nonzero["pct_error"].mean()) if len(nonzero) else float("nan"),
        "zero_point_errors": [float(e) for e in zero["error"]],
        "largest_error": None
        if worst is None
        else {
            "date": worst["date"].date().isoformat(),
            "observed": float(worst["observed"]),
            "model_median": float(worst["median"]),
            "error": float(worst["error"]),
        },
        "share_inside_90": float(scored["inside"].mean()) if len(scored) else float("nan"),
        "band_width_percent": float(
            (100 * (nonzero["q95"] - nonzero["q05"]) / nonzero["observed"]).mean()
        )
        if len(nonzero)
        else float("nan"),
    }


def first_below(dates: pd.Series, values: pd.Series, level: float) -> pd.Timestamp | None:
    """The first date on which ``values`` is below ``level`` (None if never)."""
    below = np.flatnonzero(np.asarray(values, float) < level)
    return pd.Timestamp(np.asarray(dates)[below[0]]) if len(below) else None


def timing(band: pd.DataFrame, observed: pd.DataFrame, levels: list[float]) -> pd.DataFrame:
    """For each level: when the force first fell below it, observed and in the model (median).

    The observed date is the first observed figure below the level (no interpolation
    between figures); ``days_error`` is model minus observed.
    """
    rows = []
    for level in levels:
        seen = first_below(observed["date"], observed["us_troops"], level)
        model = first_below(band["date"], band["q50"], level)
        days = (model - seen).days if seen is not None and model is not None else None
        rows.append(
            {"level": level, "observed_date": seen, "model_date": model, "days_error": days}
        )
    return pd.DataFrame(rows, columns=["level", "observed_date", "model_date", "days_error"])


def default_levels(observed: pd.DataFrame) -> list[float]:
    """Half the starting strength, and zero when the observed force reached it."""
    start = float(observed["us_troops"].iloc[0])
    half = start / 2
    levels = [float(f"{half:.2g}")]  # two significant figures: 72,000; 2,600
    if (observed["us_troops"] == 0).any():
        levels.append(1.0)  # "below 1": the day the last troops left
    return levels
