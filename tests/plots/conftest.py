"""The ensemble tables the fan and outcome charts are tested on, built once per session.

Three scenarios, 20 replications each at a fixed seed: the daily ``bands`` of each
measure, the ``phases``, the ``summary`` of outcomes and the ``differences`` from
status-quo, built here the way the ensemble code builds them.
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import sim
from sim.results.tables import phases_table

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
NAMES = ["status-quo", "advisory", "withdrawal"]
REFERENCE = "status-quo"
N_REPLICATIONS = 20
QUANTILES = {"q05": 0.05, "q25": 0.25, "q50": 0.5, "q75": 0.75, "q95": 0.95}
MEASURES = ["boots_on_ground", "cap_count"]


# --- the tables, built here the way the ensemble code builds them ------------------------


def _bands(ts: pd.DataFrame) -> pd.DataFrame:
    """Per-day quantiles over replications by scenario, role (and "total") and measure."""
    keys = ["scenario", "replication", "date"]
    long = ts.melt(id_vars=[*keys, "role"], value_vars=MEASURES, var_name="measure")
    long["role"] = long["role"].astype(str)
    total = long.groupby([*keys, "measure"], as_index=False)["value"].sum()
    long = pd.concat([long, total.assign(role="total")], ignore_index=True)
    groups = long.groupby(["scenario", "date", "role", "measure"], sort=False)["value"]
    bands = groups.agg(replications="count", mean="mean")
    for column, q in QUANTILES.items():
        bands[column] = groups.quantile(q)
    return bands.reset_index()


def _differences(summary: pd.DataFrame, reference: str) -> pd.DataFrame:
    """Each outcome minus the reference's in the same replication, summarised."""
    outcomes = [
        c
        for c in summary.columns
        if c not in ("scenario", "replication") and pd.api.types.is_numeric_dtype(summary[c])
    ]
    base = summary[summary["scenario"] == reference].set_index("replication")[outcomes]
    rows = []
    for name, group in summary.groupby("scenario", sort=False):
        if name == reference:
            continue
        paired = group.set_index("replication")[outcomes] - base
        for outcome in outcomes:
            d = paired[outcome].dropna()
            half = 1.96 * d.std() / np.sqrt(len(d)) if len(d) > 1 else np.nan  # normal approx.
            rows.append(
                {
                    "scenario": name,
                    "reference": reference,
                    "outcome": outcome,
                    "mean": d.mean(),
                    **{q: d.quantile(QUANTILES[q]) for q in ("q05", "q50", "q95")},
                    "ci_low": d.mean() - half,
                    "ci_high": d.mean() + half,
                    "n": len(d),
                }
            )
    return pd.DataFrame(rows)


@pytest.fixture(scope="session")
def runs() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Time series, summary and phases of three scenarios, 20 replications each."""
    series, summaries, phases = [], [], []
    for name in NAMES:
        scenario = sim.load_scenario(SCENARIOS / f"{name}.yaml")
        for k in range(N_REPLICATIONS):
            run = sim.simulate(scenario, seed=7, replication=k)
            series.append(run.timeseries)
            summaries.append(run.summary)
        phases.append(phases_table(scenario))
    return (
        pd.concat(series, ignore_index=True),
        pd.concat(summaries, ignore_index=True),
        pd.concat(phases, ignore_index=True),
    )


@pytest.fixture(scope="session")
def bands(runs) -> pd.DataFrame:
    return _bands(runs[0])


@pytest.fixture(scope="session")
def phases(runs) -> pd.DataFrame:
    return runs[2]


@pytest.fixture(scope="session")
def summary(runs) -> pd.DataFrame:
    return runs[1]


@pytest.fixture(scope="session")
def differences(summary) -> pd.DataFrame:
    return _differences(summary, REFERENCE)


@pytest.fixture(scope="session")
def tables(bands, phases, summary, differences) -> dict[str, pd.DataFrame]:
    return {"bands": bands, "phases": phases, "summary": summary, "differences": differences}
