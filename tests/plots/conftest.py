"""The tables the charts are tested on, and ways of reading the exploration charts back.

Three scenarios, 20 replications each at a fixed seed: the daily ``bands`` of each
measure, the ``phases``, the ``summary`` of outcomes and the ``differences`` from
status-quo, built here the way the ensemble code builds them, once per session.

For the exploration charts (``test_sensitivity_charts``, ``test_robustness_charts``):
small tables made by hand (a fixed numpy generator) in the formats that
:mod:`sim.workflows.explore` writes, so those tests never run the model; helpers that read a chart
back; and the checks every exploration chart must pass.
"""

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

import sim
from sim.plots import save
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


# --- the exploration tables, made by hand ------------------------------------------------

OPTIONS = ["status-quo", "advisory", "withdrawal"]
OUTCOMES = ["total_cost_usd", "adviser_days", "days_over_cap", "casualties"]
INPUTS = [
    "threat.attacks_per_month",
    "cap",
    "policy.announcements.1.announced",
    "tour_extension_days",
    "cost.default_per_troop_year_usd",
]
# The inputs in words, as the charts write them without a manifest (sim.plots.labels).
WORDS = {
    "threat.attacks_per_month": "Attacks per month",
    "cap": "Cap (people)",
    "policy.announcements.1.announced": "Announcement 1: announced",
    "tour_extension_days": "Tour extension (days)",
    "cost.default_per_troop_year_usd": "Default cost per troop-year (US$)",
}
N_SAMPLES = 40
RULE = "threat.attacks_per_month > 12.5 and cap <= 1900"


def make_experiments() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    first = dt.date(2021, 7, 26)
    return pd.DataFrame(
        {
            "sample": np.arange(N_SAMPLES),
            "threat.attacks_per_month": rng.uniform(2, 20, N_SAMPLES),
            "cap": np.round(rng.uniform(1500, 3000, N_SAMPLES)),
            "policy.announcements.1.announced": [
                first + dt.timedelta(days=int(d)) for d in rng.integers(0, 127, N_SAMPLES)
            ],
            "tour_extension_days": rng.choice([0, 30, 60], N_SAMPLES),
            "cost.default_per_troop_year_usd": rng.uniform(850_000, 2_100_000, N_SAMPLES),
        }
    )


def make_means(experiments: pd.DataFrame) -> pd.DataFrame:
    rng = np.random.default_rng(4)
    attacks, cap = experiments["threat.attacks_per_month"], experiments["cap"]
    per_troop = experiments["cost.default_per_troop_year_usd"]
    rows = []
    for k, option in enumerate(OPTIONS):
        size = cap * (1.0, 0.6, 0.15)[k]
        rows.append(
            pd.DataFrame(
                {
                    "sample": experiments["sample"],
                    "scenario": option,
                    "total_cost_usd": size * per_troop * 1.1 + rng.normal(0, 2e7, N_SAMPLES),
                    "adviser_days": (0.2, 1.0, 0.1)[k] * cap * 300 - 2000 * attacks,
                    "days_over_cap": np.where((attacks > 12.5) & (cap <= 1900), 9.0, 0.0) * k,
                    "casualties": attacks * (1.0, 0.5, 0.2)[k] + rng.normal(0, 0.5, N_SAMPLES),
                }
            )
        )
    return pd.concat(rows, ignore_index=True)


def make_sobol() -> pd.DataFrame:
    rng = np.random.default_rng(5)
    rows = []
    for option in OPTIONS:
        for outcome in OUTCOMES:
            s1 = rng.dirichlet(np.ones(len(INPUTS))) * 0.8
            s1[-1] = -0.03  # estimates can be slightly negative
            rows.append(
                pd.DataFrame(
                    {
                        "scenario": option,
                        "outcome": outcome,
                        "input": INPUTS,
                        "S1": s1,
                        "S1_conf": rng.uniform(0.02, 0.1, len(INPUTS)),
                        "ST": s1 + rng.uniform(0.04, 0.2, len(INPUTS)),
                        "ST_conf": rng.uniform(0.02, 0.12, len(INPUTS)),
                        "groups": 64,
                        "dropped": 0,
                    }
                )
            )
    return pd.concat(rows, ignore_index=True)


def make_morris() -> pd.DataFrame:
    rng = np.random.default_rng(6)
    rows = []
    for option in OPTIONS:
        for outcome, size in zip(OUTCOMES, (4e8, 2e5, 20.0, 15.0), strict=True):
            mu_star = rng.uniform(0.05, 1.0, len(INPUTS)) * size
            rows.append(
                pd.DataFrame(
                    {
                        "scenario": option,
                        "outcome": outcome,
                        "input": INPUTS,
                        "mu": mu_star * rng.choice([-1, 1], len(INPUTS)),
                        "mu_star": mu_star,
                        "mu_star_conf": mu_star * rng.uniform(0.1, 0.3, len(INPUTS)),
                        "sigma": mu_star * rng.uniform(0.1, 1.5, len(INPUTS)),
                    }
                )
            )
    return pd.concat(rows, ignore_index=True)


def make_tornado() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    rows = []
    for option in OPTIONS:
        for outcome, centre in zip(OUTCOMES, (1.2e9, 3e5, 10.0, 30.0), strict=True):
            low = centre * (1 + rng.uniform(-0.4, 0.3, len(INPUTS)))
            high = centre * (1 + rng.uniform(-0.3, 0.4, len(INPUTS)))
            high[2] = low[2] + 0.05 * centre if low[2] > centre else centre * 1.3  # same side
            low[2] = centre * 1.1
            rows.append(
                pd.DataFrame(
                    {
                        "scenario": option,
                        "outcome": outcome,
                        "input": INPUTS,
                        "centre": centre,
                        "low": low,
                        "high": high,
                        "swing": np.abs(high - low),
                    }
                )
            )
    return pd.concat(rows, ignore_index=True).sample(frac=1.0, random_state=1)


def make_over_time(method: str) -> pd.DataFrame:
    months = [p.strftime("%Y-%m") for p in pd.period_range("2021-07", "2022-07", freq="M")]
    t = np.linspace(0, 1, len(months))
    shapes = [0.6 - 0.4 * t, 0.1 + 0.5 * t, 0.2 * np.sin(6 * t) ** 2, 0.05 + 0 * t, 0.1 * t]
    rows = []
    for option in OPTIONS:
        for name, shape in zip(INPUTS, shapes, strict=True):
            value = shape if method == "sobol" else shape * 400
            column = "S1" if method == "sobol" else "mu_star"
            rows.append(
                pd.DataFrame({"scenario": option, "month": months, "input": name, column: value})
            )
    return pd.concat(rows, ignore_index=True)


def make_regret() -> pd.DataFrame:
    rng = np.random.default_rng(8)
    rows = []
    for outcome, size in zip(OUTCOMES, (3e8, 1e5, 12.0, 8.0), strict=True):
        raw = rng.uniform(0, 1, len(OPTIONS)) * size
        raw[rng.integers(len(OPTIONS))] = 0.0  # one option never behind
        for option, value in zip(OPTIONS, raw, strict=True):
            rows.append(
                {
                    "scenario": option,
                    "outcome": outcome,
                    "max_regret": value,
                    "p90_regret": 0.8 * value,
                    "mean_regret": 0.4 * value,
                    "share_best": float(rng.uniform(0, 1)),
                }
            )
    return pd.DataFrame(rows)


def make_numeric_inputs(experiments: pd.DataFrame) -> pd.DataFrame:
    """Inputs as numbers, dates as days after the earliest (as the sweep workflow passes
    them)."""
    frame = experiments.drop(columns="sample").copy()
    dates = pd.to_datetime(frame["policy.announcements.1.announced"])
    frame["policy.announcements.1.announced"] = (dates - dates.min()).dt.days.astype(float)
    return frame.astype(float)


def make_rules() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "scenario": ["advisory", "advisory", "status-quo", "withdrawal"],
            "rule": [RULE, "cap > 2900", "no future fails", "every future fails"],
            "coverage": [0.8, 0.2, 0.0, 1.0],
            "density": [0.9, 0.6, 0.0, 1.0],
            "futures": [10, 3, N_SAMPLES, N_SAMPLES],
            "failures": [8, 2, 0, N_SAMPLES],
        }
    )


def explore_tables() -> dict[str, pd.DataFrame]:
    """Every exploration table, by the name the chart tests use."""
    experiments = make_experiments()
    means = make_means(experiments)
    failed = (means["scenario"] == "withdrawal") | (means["days_over_cap"] > 0)
    return {
        "experiments": experiments,
        "means": means,
        "ok": ~failed,
        "sobol": make_sobol(),
        "morris": make_morris(),
        "tornado": make_tornado(),
        "sobol_time": make_over_time("sobol"),
        "morris_time": make_over_time("morris"),
        "regret": make_regret(),
        "inputs": make_numeric_inputs(experiments),
        "rules": make_rules(),
    }


# --- reading charts back -----------------------------------------------------------------


def data_axes(fig: Figure) -> list:
    """Axes with data: not blank cells, not colour bars."""
    return [ax for ax in fig.axes if ax.axison and ax.get_label() != "<colorbar>"]


def footer_texts(fig: Figure) -> list[str]:
    return [t.get_text() for t in fig.texts if t.get_text() != fig.get_suptitle()]


def subtitle_text(fig: Figure) -> str:
    texts = [ax.get_title(loc="left") for ax in fig.axes]
    return "\n".join(texts + [sub.get_suptitle() for sub in fig.subfigs])


def legend_texts(fig: Figure) -> list[str]:
    legends = [*fig.legends, *(s for f in fig.subfigs for s in f.legends)]
    legends += [ax.get_legend() for ax in fig.axes]
    return [t.get_text() for legend in legends if legend for t in legend.get_texts()]


def ytick_texts(ax) -> list[str]:
    return [t.get_text() for t in ax.get_yticklabels()]


# --- what every exploration chart must be ------------------------------------------------


def assert_chart_complete(make: Callable[..., Figure], t: dict, *, legend: bool = True) -> None:
    """A detached figure with title, subtitle, axis labels, legend (if ``legend``) and footer."""
    before = plt.get_fignums()
    fig = make(t)
    assert plt.get_fignums() == before  # detached: pyplot never sees it
    assert isinstance(fig, Figure)
    assert fig.get_suptitle()
    assert subtitle_text(fig).strip()
    for ax in data_axes(fig):
        assert ax.get_xlabel(), ax
    assert any(ax.get_ylabel() for ax in data_axes(fig))
    if legend:
        assert len(legend_texts(fig)) > 1
    assert footer_texts(fig) and footer_texts(fig)[0].startswith("Source: sim exploration")


def assert_takes_title_and_footer(make: Callable[..., Figure], t: dict) -> None:
    fig = make(t, title="Option 2", footer="Source: test")
    assert fig.get_suptitle() == "Option 2"
    assert footer_texts(fig) == ["Source: test"]
    assert footer_texts(make(t, footer="")) == []


def assert_saves_as_png_and_svg(fig: Figure, stem: Path) -> None:
    paths = save(fig, stem)
    assert [p.suffix for p in paths] == [".png", ".svg"]
    assert paths[0].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert b"<svg" in paths[1].read_bytes()[:500]


def assert_nothing_clipped(fig: Figure) -> None:
    """Every text and legend inside the figure."""
    renderer = fig.canvas.get_renderer()
    width, height = fig.bbox.width, fig.bbox.height
    texts = [*fig.texts, *(t for ax in fig.axes for t in ax.texts)]
    texts += [ax.get_legend() for ax in fig.axes if ax.get_legend()]
    texts += [*fig.legends, *(s for f in fig.subfigs for s in f.legends)]
    for artist in texts:
        box = artist.get_window_extent(renderer)
        assert box.x0 >= -1 and box.y0 >= -1, artist
        assert box.x1 <= width + 1 and box.y1 <= height + 1, artist
