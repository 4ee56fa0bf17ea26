"""Pareto sets, hypervolume and robustness measures: pure functions on arrays and tables.

Objectives come with a direction (``minimize`` or ``maximize``); every function here
honours it, so no caller negates a column by hand. A row with a missing value on any
objective is never in a Pareto set, and never counts towards a hypervolume.

*Non-dominated*: a row is dominated when another is at least as good on every objective
and better on one; the rows left are the Pareto set.

*Hypervolume*: objectives are turned to minimisation and normalised to [0, 1] by bounds
(by default those of the rows given; pass the bounds of a larger set to compare sets on
one scale), and the volume dominated by the non-dominated rows up to the reference point
1.1 in each objective is measured (pymoo's indicator, computed by moocore). A point on
the bounds still adds volume, as the reference point lies beyond them.

*Robustness across futures*: ``values`` is a (candidates, futures) array of one outcome's
mean in each future. The measures:

- ``mean``: the mean over futures.
- ``p90`` / ``p10``: a percentile over futures, named as of a minimized outcome: ``p90``
  takes the 90th percentile of a minimized outcome and the 10th of a maximized one, so it
  is the bad case that 90% of futures do at least as well as, whatever the direction;
  ``p10`` is the good case (10th of a minimized outcome, 90th of a maximized one).
- ``regret``: the mean over futures of the shortfall against the best value in that
  future (0 for the best, more for worse), which is minimized whatever the outcome's
  direction. ``sim optimize`` takes the best over the candidates evaluated so far.
- ``satisficing``: the share of futures in which every threshold is met; maximized.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from sim.scenario.experiment import MEASURES

REFERENCE_POINT = 1.1  # of the hypervolume, in each normalised objective

__all__ = [
    "MEASURES",
    "REFERENCE_POINT",
    "bounds",
    "convergence",
    "hypervolume",
    "meets",
    "non_dominated",
    "normalise",
    "regret",
    "robust_measure",
    "satisficing",
    "signs",
    "threshold_gaps",
]


def signs(directions: Sequence[str]) -> np.ndarray:
    """+1 for each minimized objective, -1 for each maximized one: ``values * signs`` is
    to be minimized in every column."""
    bad = [d for d in directions if d not in ("minimize", "maximize")]
    if bad:
        raise ValueError(f"a direction is minimize or maximize, not {bad[0]!r}")
    return np.array([1.0 if d == "minimize" else -1.0 for d in directions])


def _as_array(values: np.ndarray | pd.DataFrame, directions: Sequence[str]) -> np.ndarray:
    x = np.asarray(values, dtype=float)
    if x.ndim != 2 or x.shape[1] != len(directions):
        raise ValueError(f"expected one column per direction ({len(directions)}), got {x.shape}")
    return x


def non_dominated(values: np.ndarray | pd.DataFrame, directions: Sequence[str]) -> np.ndarray:
    """True for each row that no other row dominates (rows with a missing value: False).

    Equal rows do not dominate each other: both are kept.
    """
    x = _as_array(values, directions) * signs(directions)
    ok = np.isfinite(x).all(axis=1)
    keep = ok.copy()
    rows = np.flatnonzero(ok)
    for i in rows:
        others = x[rows]
        beaten = (others <= x[i]).all(axis=1) & (others < x[i]).any(axis=1)
        keep[i] = not beaten.any()
    return keep


def bounds(
    values: np.ndarray | pd.DataFrame, directions: Sequence[str]
) -> tuple[np.ndarray, np.ndarray]:
    """Lowest and highest value of each objective turned to minimisation (missing values
    left out; an objective with no value at all gets 0 and 1)."""
    x = _as_array(values, directions) * signs(directions)
    x = x[np.isfinite(x).all(axis=1)]
    if not len(x):
        return np.zeros(len(directions)), np.ones(len(directions))
    return x.min(axis=0), x.max(axis=0)


def normalise(
    values: np.ndarray | pd.DataFrame,
    directions: Sequence[str],
    low: np.ndarray | None = None,
    high: np.ndarray | None = None,
) -> np.ndarray:
    """Objectives turned to minimisation and scaled so that ``low`` is 0 and ``high`` is 1
    (``bounds`` of these rows by default); an objective that does not vary is 0."""
    if low is None or high is None:
        low, high = bounds(values, directions)
    x = _as_array(values, directions) * signs(directions)
    span = np.where(high > low, high - low, 1.0)
    return (x - low) / span


def hypervolume(
    values: np.ndarray | pd.DataFrame,
    directions: Sequence[str],
    low: np.ndarray | None = None,
    high: np.ndarray | None = None,
    reference: float = REFERENCE_POINT,
) -> float:
    """The hypervolume of the rows' non-dominated set (see the module docstring); 0 for
    no rows. Rows beyond the reference point add nothing."""
    from pymoo.indicators.hv import HV

    x = normalise(values, directions, low, high)
    x = x[non_dominated(x, ["minimize"] * len(directions))]
    x = x[(x < reference).all(axis=1)]
    if not len(x):
        return 0.0
    return float(HV(ref_point=np.full(len(directions), reference))(x))


def convergence(
    candidates: pd.DataFrame,
    objectives: Mapping[str, str],
    reference: float = REFERENCE_POINT,
) -> pd.DataFrame:
    """Per generation: evaluations so far, the hypervolume of the feasible non-dominated
    set so far and its size, normalised by the bounds over every candidate.

    ``candidates`` has ``generation``, ``feasible`` and one column per objective.
    """
    names, ways = list(objectives), list(objectives.values())
    low, high = bounds(candidates[names], ways)
    rows = []
    for generation in sorted(candidates["generation"].unique()):
        so_far = candidates[candidates["generation"] <= generation]
        feasible = so_far[so_far["feasible"].astype(bool)]
        front = non_dominated(feasible[names], ways)
        rows.append(
            {
                "generation": int(generation),
                "evaluations": len(so_far),
                "hypervolume": hypervolume(feasible[names], ways, low, high, reference),
                "pareto_size": int(front.sum()),
            }
        )
    return pd.DataFrame(rows, columns=["generation", "evaluations", "hypervolume", "pareto_size"])


# --- robustness across futures ------------------------------------------------------------


def robust_measure(values: np.ndarray, direction: str, measure: str) -> np.ndarray:
    """``mean``, ``p90`` or ``p10`` of each row of ``values`` (candidates, futures), missing
    values left out (a row with none gives NaN); see the module docstring."""
    x = np.asarray(values, dtype=float)
    if measure not in ("mean", "p90", "p10"):
        raise ValueError(f"not a measure of one outcome: {measure!r}")
    signs([direction])
    present = np.isfinite(x).any(axis=1)
    out = np.full(len(x), np.nan)
    if not present.any():
        return out
    if measure == "mean":
        out[present] = np.nanmean(x[present], axis=1)
        return out
    bad_case = measure == "p90"
    q = 0.9 if bad_case == (direction == "minimize") else 0.1
    out[present] = np.nanquantile(x[present], q, axis=1)
    return out


def best_by_future(values: np.ndarray, direction: str) -> np.ndarray:
    """The best value in each future (column) over the rows; NaN where none has one."""
    x = np.asarray(values, dtype=float) * signs([direction])[0]
    finite = np.isfinite(x).any(axis=0)
    best = np.full(x.shape[1], np.nan)
    best[finite] = np.nanmin(x[:, finite], axis=0)
    return best * signs([direction])[0]


def regret(values: np.ndarray, direction: str, best: np.ndarray | None = None) -> np.ndarray:
    """Mean over futures of each row's shortfall against ``best`` (per future; by default
    the best row in each future). Never negative: a row better than ``best`` has none."""
    x = np.asarray(values, dtype=float)
    best = best_by_future(x, direction) if best is None else np.asarray(best, dtype=float)
    gap = (x - best) * signs([direction])[0]
    gap = np.where(np.isfinite(gap), np.maximum(gap, 0.0), np.nan)
    out = np.full(len(x), np.nan)
    present = np.isfinite(gap).any(axis=1)
    out[present] = np.nanmean(gap[present], axis=1)
    return out


def meets(values: Mapping[str, np.ndarray], thresholds: Mapping[str, object]) -> np.ndarray:
    """Whether each cell meets every threshold: ``values`` maps each outcome with one to an
    array (all the same shape); a missing value never meets one."""
    ok = None
    for outcome, t in thresholds.items():
        x = np.asarray(values[outcome], dtype=float)
        here = np.isfinite(x)
        low, high = getattr(t, "min", None), getattr(t, "max", None)
        with np.errstate(invalid="ignore"):
            if low is not None:
                here &= x >= low
            if high is not None:
                here &= x <= high
        ok = here if ok is None else ok & here
    if ok is None:
        raise ValueError("no thresholds to meet")
    return ok


def satisficing(ok: np.ndarray) -> np.ndarray:
    """The share of futures (columns) in which each row meets every threshold."""
    return np.asarray(ok, dtype=float).mean(axis=1)


def threshold_gaps(
    values: Mapping[str, np.ndarray], thresholds: Mapping[str, object]
) -> np.ndarray:
    """How far each row is from meeting each threshold, as a share of the threshold (or in
    the outcome's own unit for a threshold of 0): one column per bound, ``<= 0`` where it
    is met (pymoo's convention for constraints). A missing value is 1 short."""
    columns = []
    for outcome, t in thresholds.items():
        x = np.asarray(values[outcome], dtype=float)
        for bound, sign in ((getattr(t, "min", None), -1.0), (getattr(t, "max", None), 1.0)):
            if bound is None:
                continue
            gap = sign * (x - bound) / max(abs(bound), 1.0)
            columns.append(np.where(np.isfinite(gap), gap, 1.0))
    if not columns:
        return np.zeros((len(next(iter(values.values()), [])), 0))
    return np.column_stack(columns)
