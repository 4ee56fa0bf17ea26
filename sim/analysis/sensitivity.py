"""Designs of experiments and sensitivity indices: pure functions on arrays and DataFrames.

Inputs are placed on the unit interval (a range maps linearly, choices map to equal
slices), so every design is a matrix of points in [0, 1)^d and the indices are those of
uniformly distributed inputs. Sampling and indices come from SALib (Sobol with Saltelli's
scheme, Morris elementary effects) and SciPy (Sobol sequences); what SALib does not do,
failed runs, is handled here: a run that failed or gave no value removes the whole group
its estimator needs (a Saltelli block of d + 2 rows, a Morris trajectory of d + 1 rows),
and how many were removed is reported next to the indices.

SALib and SciPy warn as they go about two things expected here, and those warnings are
silenced: an outcome that is the same in every run (SALib divides by its zero spread, and
gives indices of 0) and a Sobol sample whose size is not a power of 2 (its points are then
less evenly spread). Whoever shows the indices says so in words (``sim sensitivity`` does).
"""

from __future__ import annotations

import contextlib
import itertools
import warnings
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.errors import AnalysisError

DESIGNS = ("lhs", "sobol", "factorial")
METHODS = ("sobol", "morris")


@contextlib.contextmanager
def _quietly() -> Iterator[None]:
    """Without SALib's and SciPy's warnings of a constant outcome or an unbalanced sample."""
    with warnings.catch_warnings(), np.errstate(divide="ignore", invalid="ignore"):
        warnings.filterwarnings("ignore", "The balance properties of Sobol", UserWarning)
        warnings.filterwarnings("ignore", "Constant values encountered", UserWarning)
        yield


def _problem(d: int, names: list[str] | None = None) -> dict:
    names = names or [f"x{i}" for i in range(d)]
    return {"num_vars": d, "names": names, "bounds": [[0.0, 1.0]] * d}


def design(kind: str, d: int, samples: int, seed: int = 0, levels: int = 3) -> np.ndarray:
    """Points in [0, 1)^d for a sweep: Latin hypercube, Sobol sequence, or full factorial.

    A full factorial takes ``levels`` values per input (``samples`` is ignored).
    """
    if kind == "lhs":
        from SALib.sample import latin

        return np.clip(latin.sample(_problem(d), samples, seed=seed), 0.0, 1 - 1e-12)
    if kind == "sobol":
        from scipy.stats import qmc

        with _quietly():
            return qmc.Sobol(d, scramble=True, seed=seed).random(samples)
    if kind == "factorial":
        grid = [(i + 0.5) / levels for i in range(levels)]
        return np.array(list(itertools.product(grid, repeat=d)), dtype=float)
    raise ValueError(f"unknown design {kind!r}; choose from {', '.join(DESIGNS)}")


def method_design(method: str, d: int, samples: int, seed: int = 0, levels: int = 4) -> np.ndarray:
    """The design a sensitivity method needs: Saltelli (N(d+2) rows) or Morris trajectories."""
    if method == "sobol":
        from SALib.sample import sobol

        with _quietly():
            return sobol.sample(_problem(d), samples, calc_second_order=False, seed=seed)
    if method == "morris":
        from SALib.sample import morris

        return morris.sample(_problem(d), samples, num_levels=levels, seed=seed)
    raise ValueError(f"unknown method {method!r}; choose from {', '.join(METHODS)}")


@dataclass
class Indices:
    """Sensitivity indices of one outcome, and what was left out to get them."""

    table: pd.DataFrame
    groups: int  # estimator groups used
    dropped: int  # groups left out because a run in them failed
    failed_rows: list[int]


def _keep_whole_groups(y: np.ndarray, size: int) -> tuple[np.ndarray, list[int], int]:
    """Rows of the groups (of ``size`` consecutive rows) in which every run gave a value,
    the failed rows and the number of groups left out; too few groups left is an error."""
    n = len(y) // size
    ok = np.isfinite(y[: n * size]).reshape(n, size).all(axis=1)
    rows = np.flatnonzero(np.repeat(ok, size))
    failed = np.flatnonzero(~np.isfinite(y)).tolist()
    if len(rows) < 2 * size:
        raise AnalysisError(
            f"too few runs left to estimate indices: {len(failed)} failed, leaving "
            f"{len(rows) // size} whole groups"
        )
    return rows, failed, int((~ok).sum())


def sobol_indices(
    x: np.ndarray, y: np.ndarray, names: list[str], seed: int = 0, conf: float = 0.95
) -> Indices:
    """First-order and total Sobol indices with confidence intervals (Saltelli design)."""
    from SALib.analyze import sobol

    d = len(names)
    rows, failed, dropped = _keep_whole_groups(np.asarray(y, float), d + 2)
    with _quietly():
        res = sobol.analyze(
            _problem(d, names),
            np.asarray(y, float)[rows],
            calc_second_order=False,
            conf_level=conf,
            seed=seed,
        )
    table = pd.DataFrame(
        {
            "input": names,
            "S1": res["S1"],
            "S1_conf": res["S1_conf"],
            "ST": res["ST"],
            "ST_conf": res["ST_conf"],
        }
    )
    return Indices(table, len(rows) // (d + 2), dropped, failed)


def morris_indices(
    x: np.ndarray, y: np.ndarray, names: list[str], seed: int = 0, levels: int = 4
) -> Indices:
    """Morris mu, mu* (with its confidence interval) and sigma."""
    from SALib.analyze import morris

    d = len(names)
    rows, failed, dropped = _keep_whole_groups(np.asarray(y, float), d + 1)
    with _quietly():
        res = morris.analyze(
            _problem(d, names),
            np.asarray(x, float)[rows],
            np.asarray(y, float)[rows],
            num_levels=levels,
            seed=seed,
        )
    table = pd.DataFrame(
        {
            "input": names,
            "mu": res["mu"],
            "mu_star": res["mu_star"],
            "mu_star_conf": res["mu_star_conf"],
            "sigma": res["sigma"],
        }
    )
    return Indices(table, len(rows) // (d + 1), dropped, failed)


def one_at_a_time(d: int) -> np.ndarray:
    """The centre point, then each input at its lowest and highest with the others centred."""
    points = [np.full(d, 0.5)]
    for i in range(d):
        for u in (0.0, 1 - 1e-12):
            p = np.full(d, 0.5)
            p[i] = u
            points.append(p)
    return np.array(points)


def swings(y: np.ndarray, names: list[str]) -> pd.DataFrame:
    """Tornado swings from an ``one_at_a_time`` design's outcomes, largest first."""
    y = np.asarray(y, float)
    low, high = y[1::2], y[2::2]
    table = pd.DataFrame(
        {"input": names, "centre": y[0], "low": low, "high": high, "swing": np.abs(high - low)}
    )
    return table.sort_values("swing", ascending=False, ignore_index=True)
