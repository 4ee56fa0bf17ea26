"""Robustness across futures: regret, satisficing, and scenario discovery.

Pure functions on the table of outcome means per (sample, scenario) that a sweep gives.

* Regret: in each sampled future, how much worse an option does on an outcome than the best
  option in that same future (0 for the best), given whether more or less is better.
* Satisficing: the share of futures in which an option meets every stated threshold.
* Scenario discovery: which ranges of the inputs make an option fail, as readable rules
  found by a decision tree (each rule a box in input space), with its coverage (share of
  all failures that fall in the box) and density (share of futures in the box that fail).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd


def regret(means: pd.DataFrame, directions: Mapping[str, str]) -> pd.DataFrame:
    """Tidy regret: sample, scenario, outcome, value, best, regret (>= 0)."""
    rows = []
    for outcome, direction in directions.items():
        if outcome not in means:
            continue
        wide = means.pivot(index="sample", columns="scenario", values=outcome)
        best = wide.max(axis=1) if direction == "maximize" else wide.min(axis=1)
        gap = best.to_numpy()[:, None] - wide.to_numpy()
        gap = np.maximum(gap if direction == "maximize" else -gap, 0.0)
        frame = pd.DataFrame(gap, index=wide.index, columns=wide.columns)
        for scenario in wide.columns:
            rows.append(
                pd.DataFrame(
                    {
                        "sample": wide.index,
                        "scenario": scenario,
                        "outcome": outcome,
                        "value": wide[scenario].to_numpy(),
                        "best": best.to_numpy(),
                        "regret": frame[scenario].to_numpy(),
                    }
                )
            )
    return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()


def regret_summary(table: pd.DataFrame) -> pd.DataFrame:
    """Per scenario and outcome: maximum, 90th percentile and mean regret, and how often best."""
    grouped = table.groupby(["scenario", "outcome"], sort=False)["regret"]
    return pd.DataFrame(
        {
            "max_regret": grouped.max(),
            "p90_regret": grouped.quantile(0.9),
            "mean_regret": grouped.mean(),
            "share_best": grouped.apply(lambda r: float((r <= 1e-12).mean())),
        }
    ).reset_index()


def meets(means: pd.DataFrame, thresholds: Mapping[str, object]) -> pd.Series:
    """Whether each (sample, scenario) row meets every threshold (``min``/``max``)."""
    ok = pd.Series(True, index=means.index)
    for outcome, t in thresholds.items():
        low, high = getattr(t, "min", None), getattr(t, "max", None)
        values = means[outcome]
        ok &= values.notna()
        if low is not None:
            ok &= values >= low
        if high is not None:
            ok &= values <= high
    return ok


def satisficing(means: pd.DataFrame, thresholds: Mapping[str, object]) -> pd.DataFrame:
    """Per scenario: futures, and the share meeting all thresholds and each one."""
    frame = means.assign(all=meets(means, thresholds))
    for outcome, t in thresholds.items():
        frame[f"meets_{outcome}"] = meets(means, {outcome: t})
    shares = frame.groupby("scenario", sort=False)[
        [c for c in frame if c.startswith("meets_")] + ["all"]
    ].mean()
    shares = shares.rename(columns={"all": "share_meeting_all"})
    shares.insert(0, "futures", frame.groupby("scenario", sort=False).size())
    return shares.reset_index()


def discover(
    inputs: pd.DataFrame, failed: pd.Series, max_depth: int = 3, min_share: float = 0.05
) -> pd.DataFrame:
    """Boxes of the input space where failures concentrate, as readable rules.

    ``inputs``: one row per future, one numeric column per input (dates as days);
    ``failed``: True where the option failed. Each leaf of a shallow decision tree where
    most futures fail becomes a rule, with its coverage, density and number of futures.
    """
    from sklearn.tree import DecisionTreeClassifier

    x = inputs.to_numpy(dtype=float)
    y = np.asarray(failed, dtype=bool)
    columns = ["rule", "coverage", "density", "futures", "failures"]
    if y.sum() == 0 or y.all():
        text = "no future fails" if y.sum() == 0 else "every future fails"
        return pd.DataFrame(
            [[text, float(y.all()), float(y.all()), len(y), int(y.sum())]], columns=columns
        )
    tree = DecisionTreeClassifier(
        max_depth=max_depth, min_samples_leaf=max(2, int(min_share * len(y))), random_state=0
    ).fit(x, y)
    t = tree.tree_
    rows = []

    def walk(node: int, conditions: list[str], mask: np.ndarray) -> None:
        if t.children_left[node] == -1:
            n, bad = int(mask.sum()), int(y[mask].sum())
            if n and bad / n > 0.5:
                rule = " and ".join(conditions) or "everywhere"
                rows.append([rule, bad / y.sum(), bad / n, n, bad])
            return
        name, cut = inputs.columns[t.feature[node]], t.threshold[node]
        left = mask & (x[:, t.feature[node]] <= cut)
        walk(t.children_left[node], [*conditions, f"{name} <= {cut:.4g}"], left)
        walk(t.children_right[node], [*conditions, f"{name} > {cut:.4g}"], mask & ~left)

    walk(0, [], np.ones(len(y), dtype=bool))
    table = pd.DataFrame(rows, columns=columns)
    return table.sort_values(["coverage", "density"], ascending=False, ignore_index=True)
