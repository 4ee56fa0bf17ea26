"""Backtest metrics on observed series made from a known model run: exact, then shifted."""

import numpy as np
import pandas as pd
import pytest

import sim
from sim.analysis.backtest import compare_points, default_levels, metrics, timing
from sim.plots import backtest_chart


@pytest.fixture(scope="module")
def run():
    return sim.simulate(sim.load_scenario("scenarios/history/iraq-2020-2021.yaml"), seed=3)


@pytest.fixture(scope="module")
def band(run):
    total = run.timeseries.groupby("date", as_index=False)["cap_count"].sum()
    values = total["cap_count"].astype(float)
    # One replication: every quantile is the run itself, and the band has no width.
    return pd.DataFrame(
        {"date": total["date"], "mean": values, "q05": values, "q50": values, "q95": values}
    )


def observed_from(band: pd.DataFrame, every: int = 45, scale: float = 1.0) -> pd.DataFrame:
    rows = band.iloc[::every]
    return pd.DataFrame({"date": rows["date"], "us_troops": rows["q50"] * scale})


def test_a_series_taken_from_the_model_scores_zero_error(band):
    points = compare_points(band, observed_from(band))
    m = metrics(points)
    assert m["points"] == len(points) > 5
    assert m["mape_percent"] == 0
    assert m["largest_error"]["error"] == 0
    assert m["share_inside_90"] == 1.0
    assert m["band_width_percent"] == 0  # one replication: a band of no width


def test_band_width_is_the_mean_width_over_the_observed_figure(band):
    observed = observed_from(band)
    wide = band.assign(q05=band["q50"] * 0.9, q95=band["q50"] * 1.2)
    m = metrics(compare_points(wide, observed))
    assert m["band_width_percent"] == pytest.approx(30)
    assert m["share_inside_90"] == 1.0


def test_a_scaled_series_scores_its_known_error(band):
    points = compare_points(band, observed_from(band, scale=1.1))
    m = metrics(points)
    assert m["mape_percent"] == pytest.approx(100 * 0.1 / 1.1)
    assert (points["error"] < 0).all()  # the model is below the observed figures
    assert m["share_inside_90"] == 0.0
    worst = points.loc[points["error"].abs().idxmax()]
    assert m["largest_error"]["date"] == worst["date"].date().isoformat()


def test_zero_points_are_scored_in_troops_and_dates_outside_the_run_are_not(band):
    observed = pd.DataFrame(
        {
            "date": [
                band["date"].iloc[10],
                band["date"].iloc[0] - pd.Timedelta(days=30),
                band["date"].iloc[-1] + pd.Timedelta(days=30),
            ],
            "us_troops": [0.0, 5000.0, 2500.0],
        }
    )
    points = compare_points(band, observed)
    m = metrics(points)
    assert m["points"] == 1 and m["points_outside_run"] == 2
    assert m["zero_point_errors"] == [band["q50"].iloc[10]]
    assert np.isnan(m["mape_percent"])


def test_timing_of_a_shifted_series_is_off_by_the_shift(band):
    shifted = band.assign(date=band["date"] + pd.Timedelta(days=10))
    observed = pd.DataFrame({"date": shifted["date"], "us_troops": shifted["q50"]})
    table = timing(band, observed, [4000.0, 2600.0]).set_index("level")
    assert (table["days_error"] == -10).all()
    assert timing(band, observed, [1.0])["model_date"].isna().all()  # never below one


def test_default_levels_are_half_the_start_and_zero_when_reached():
    observed = pd.DataFrame(
        {"date": pd.date_range("2020-01-01", periods=3), "us_troops": [144000, 50000, 0]}
    )
    assert default_levels(observed) == [72000.0, 1.0]


def test_the_overlay_chart_draws_the_band_the_median_and_the_observed_points(run, band):
    observed = observed_from(band, scale=1.05)
    phases = sim.results.tables.phases_table(run.scenario)
    fig = backtest_chart(band, observed, phases, scenario=run.scenario.name)
    ax = fig.axes[0]
    median = next(line for line in ax.lines if line.get_label().startswith("Model, median"))
    np.testing.assert_allclose(median.get_ydata(), band["q50"])
    points = next(line for line in ax.lines if line.get_label().startswith("Observed"))
    np.testing.assert_allclose(points.get_ydata(), observed["us_troops"])
    assert fig._suptitle.get_text() and ax.get_ylabel().startswith("People")
    legends = [*fig.legends, *(s for f in fig.subfigs for s in f.legends), ax.get_legend()]
    assert sum(len(legend.get_texts()) for legend in legends if legend) == 3
    # An announcement line for every phase after the first, and one per deadline.
    starts = (pd.to_datetime(phases["start"]) > band["date"].min()).sum()
    deadlines = phases["deadline"].notna().sum()
    vertical = [line for line in ax.lines if len(set(line.get_xdata())) == 1]
    assert len(vertical) == starts + deadlines
