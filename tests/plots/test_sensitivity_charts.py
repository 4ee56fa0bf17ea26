"""Sweep and sensitivity charts: complete figures whose points, bars and lines equal the tables.

The tables are made by hand in ``conftest`` (a fixed numpy generator), in the formats that
:mod:`sim.workflows.explore` writes, so these tests never run the model.
"""

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PathCollection
from matplotlib.container import BarContainer

from sim.plots.sensitivity import outcome_scatter, sensitivity_chart, sensitivity_over_time, tornado

from .conftest import (
    INPUTS,
    OPTIONS,
    WORDS,
    assert_chart_complete,
    assert_nothing_clipped,
    assert_saves_as_png_and_svg,
    assert_takes_title_and_footer,
    data_axes,
    explore_tables,
    legend_texts,
    ytick_texts,
)


@pytest.fixture(scope="module")
def t() -> dict[str, pd.DataFrame]:
    return explore_tables()


CHARTS = {
    "scatter": lambda t, **kw: outcome_scatter(
        t["experiments"], t["means"], "total_cost_usd", inputs=INPUTS, **kw
    ),
    "sobol": lambda t, **kw: sensitivity_chart(
        t["sobol"], scenario="advisory", outcome="total_cost_usd", method="sobol", **kw
    ),
    "morris": lambda t, **kw: sensitivity_chart(
        t["morris"], scenario="advisory", outcome="adviser_days", method="morris", **kw
    ),
    "tornado": lambda t, **kw: tornado(
        t["tornado"], scenario="advisory", outcome="total_cost_usd", **kw
    ),
    "sobol_over_time": lambda t, **kw: sensitivity_over_time(
        t["sobol_time"], scenario="advisory", method="sobol", **kw
    ),
    "morris_over_time": lambda t, **kw: sensitivity_over_time(
        t["morris_time"], scenario="advisory", method="morris", **kw
    ),
}


# --- reading charts back -----------------------------------------------------------------


def _bars(ax, label: str) -> list:
    (container,) = [c for c in ax.containers if c.get_label() == label]
    assert isinstance(container, BarContainer)
    return list(container)


def _extent(bar) -> tuple[float, float]:
    return tuple(sorted((bar.get_x(), bar.get_x() + bar.get_width())))


def _points(ax, label: str) -> np.ndarray:
    (points,) = [c for c in ax.collections if c.get_label() == label]
    assert isinstance(points, PathCollection)
    return np.asarray(points.get_offsets(), float)


# --- every chart -------------------------------------------------------------------------


@pytest.mark.parametrize("chart", CHARTS)
def test_chart_is_complete(chart, t):
    assert_chart_complete(CHARTS[chart], t)


@pytest.mark.parametrize("chart", CHARTS)
def test_chart_takes_title_and_footer(chart, t):
    assert_takes_title_and_footer(CHARTS[chart], t)


@pytest.mark.parametrize("chart", CHARTS)
def test_chart_saves_as_png_and_svg(chart, t, tmp_path):
    assert_saves_as_png_and_svg(CHARTS[chart](t), tmp_path / chart)


@pytest.mark.parametrize("chart", CHARTS)
def test_nothing_falls_off_the_figure(chart, t):
    fig = CHARTS[chart](t)
    fig.draw_without_rendering()
    assert_nothing_clipped(fig)


# --- numbers on the charts equal the tables ----------------------------------------------


def test_scatter_points_are_the_means(t):
    fig = CHARTS["scatter"](t)
    panels = {ax.get_title(loc="left"): ax for ax in data_axes(fig)}
    assert list(panels) == [WORDS[name] for name in INPUTS]  # inputs in words
    means, experiments = t["means"], t["experiments"].set_index("sample")
    advisory = means[means["scenario"] == "advisory"]
    x = experiments.loc[advisory["sample"]]
    cost = advisory["total_cost_usd"].to_numpy() * 1e-6
    points = _points(panels["Cap (people)"], "advisory")
    np.testing.assert_allclose(points, np.column_stack([x["cap"], cost]))
    dated = _points(panels["Announcement 1: announced"], "advisory")
    days = mdates.date2num(pd.to_datetime(x["policy.announcements.1.announced"]).to_numpy())
    np.testing.assert_allclose(dated[:, 0], days)
    assert "US$ million" in panels["Attacks per month"].get_ylabel()
    assert panels["Attacks per month"].get_xlabel() == "Attacks per month"


def test_scatter_puts_choices_side_by_side(t):
    fig = CHARTS["scatter"](t)
    (ax,) = [ax for ax in data_axes(fig) if ax.get_title(loc="left") == "Tour extension (days)"]
    assert [label.get_text() for label in ax.get_xticklabels()] == ["0", "30", "60"]
    codes = t["experiments"]["tour_extension_days"].map({0: 0, 30: 1, 60: 2}).to_numpy()
    offsets = [_points(ax, name)[:, 0] - codes for name in OPTIONS]
    shifts = [np.unique(np.round(o, 9)) for o in offsets]
    assert all(len(s) == 1 for s in shifts)  # each option a fixed step off its choice
    assert shifts[0][0] < shifts[1][0] == 0 < shifts[2][0]


def test_scatter_units_follow_the_outcome(t):
    fig = outcome_scatter(t["experiments"], t["means"], "adviser_days", inputs=["cap"])
    assert data_axes(fig)[0].get_ylabel() == "Adviser-days delivered (person-days)"


def test_sobol_bars_are_the_indices_sorted_by_total(t):
    fig = CHARTS["sobol"](t)
    (ax,) = data_axes(fig)
    rows = t["sobol"].query("scenario == 'advisory' and outcome == 'total_cost_usd'")
    rows = rows.sort_values("ST", ascending=False)
    assert ytick_texts(ax) == list(rows["input"].map(WORDS))
    first = _bars(ax, "First-order index: the input alone")
    total = _bars(ax, "Total index: with its interactions")
    np.testing.assert_allclose([b.get_width() for b in first], rows["S1"])
    np.testing.assert_allclose([b.get_width() for b in total], rows["ST"])
    low, high = ax.get_xlim()
    assert low < -0.03 and high >= 1.0  # room for the negative estimate, and the full 0-1
    assert ax.get_xlabel() == "Share of the outcome's variance"


def test_sobol_error_bars_are_the_confidence_intervals(t):
    fig = CHARTS["sobol"](t)
    (ax,) = data_axes(fig)
    rows = t["sobol"].query("scenario == 'advisory' and outcome == 'total_cost_usd'")
    rows = rows.sort_values("ST", ascending=False)
    (bars,) = [c for c in ax.containers if c.get_label() == "95% confidence interval"]
    segments = bars.lines[2][0].get_segments()
    widths = [abs(s[1][0] - s[0][0]) / 2 for s in segments]
    np.testing.assert_allclose(widths, rows["ST_conf"])


def test_morris_bars_and_points_are_the_indices(t):
    fig = CHARTS["morris"](t)
    bars, points = data_axes(fig)
    rows = t["morris"].query("scenario == 'advisory' and outcome == 'adviser_days'")
    rows = rows.sort_values("mu_star", ascending=False)
    assert ytick_texts(bars) == list(rows["input"].map(WORDS))
    widths = [b.get_width() for b in _bars(bars, "μ*: mean absolute elementary effect")]
    np.testing.assert_allclose(widths, rows["mu_star"])
    (scatter,) = [c for c in points.collections if isinstance(c, PathCollection)]
    np.testing.assert_allclose(scatter.get_offsets(), rows[["mu_star", "sigma"]])
    assert sorted(t.get_text() for t in points.texts) == sorted(rows["input"].map(WORDS))
    assert "person-days" in bars.get_xlabel()


def test_morris_cost_is_in_millions(t):
    fig = sensitivity_chart(
        t["morris"], scenario="advisory", outcome="total_cost_usd", method="morris"
    )
    bars, _ = data_axes(fig)
    rows = t["morris"].query("scenario == 'advisory' and outcome == 'total_cost_usd'")
    widths = sorted(b.get_width() for b in _bars(bars, "μ*: mean absolute elementary effect"))
    np.testing.assert_allclose(widths, np.sort(rows["mu_star"].to_numpy()) * 1e-6)
    assert "US$ million" in bars.get_xlabel()


def test_tornado_bars_run_from_the_centre_to_each_end(t):
    fig = CHARTS["tornado"](t)
    (ax,) = data_axes(fig)
    rows = t["tornado"].query("scenario == 'advisory' and outcome == 'total_cost_usd'")
    rows = rows.sort_values("swing", ascending=False)
    assert ytick_texts(ax) == list(rows["input"].map(WORDS))  # largest swing at the top
    low = _bars_by_row(ax, "Input at the lowest end of its range")
    high = _bars_by_row(ax, "Input at the highest end of its range")
    for y, row in enumerate(rows.itertuples()):
        centre = row.centre * 1e-6
        np.testing.assert_allclose(_extent(low[y]), sorted((centre, row.low * 1e-6)))
        np.testing.assert_allclose(_extent(high[y]), sorted((centre, row.high * 1e-6)))
    assert low[0].get_hatch() and not high[0].get_hatch()  # apart in greyscale
    centre_line = [line for line in ax.lines if line.get_label().startswith("Every input")]
    np.testing.assert_allclose(centre_line[0].get_xdata(), rows["centre"].iloc[0] * 1e-6)
    labels = {text.get_text() for text in ax.texts}
    assert f"${rows['high'].iloc[0] * 1e-6:,.0f}M" in labels


def _bars_by_row(ax, label: str) -> dict[int, object]:
    """The bars with ``label`` (one container per bar), keyed by their row."""
    bars = [b for c in ax.containers if c.get_label() == label for b in c]
    return {round(b.get_y() + b.get_height() / 2): b for b in bars}


def test_tornado_shows_ends_on_the_same_side(t):
    fig = CHARTS["tornado"](t)
    (ax,) = data_axes(fig)
    rows = t["tornado"].query("scenario == 'advisory' and outcome == 'total_cost_usd'")
    rows = rows.sort_values("swing", ascending=False).reset_index(drop=True)
    y = int(rows.index[rows["input"] == INPUTS[2]][0])
    low = _bars_by_row(ax, "Input at the lowest end of its range")[y]
    high = _bars_by_row(ax, "Input at the highest end of its range")[y]
    shorter, longer = sorted((low, high), key=lambda b: abs(b.get_width()))
    assert shorter.get_zorder() >= longer.get_zorder()
    assert ax.get_children().index(shorter) > ax.get_children().index(longer)  # drawn on top
    row = rows.iloc[y]
    merged = f"low ${row.low * 1e-6:,.0f}M · high ${row.high * 1e-6:,.0f}M"
    (label,) = [text for text in ax.texts if text.get_text() == merged]  # one label, not two
    assert not label.get_parse_math()  # dollar signs, not TeX


def test_tornado_says_when_an_input_changes_nothing(t):
    table = t["tornado"].copy()
    still = (table["input"] == "cap") & (table["scenario"] == "advisory")
    table.loc[still, ["low", "high"]] = table.loc[still, "centre"]
    table.loc[still, "swing"] = 0.0
    fig = tornado(table, scenario="advisory", outcome="total_cost_usd")
    (ax,) = data_axes(fig)
    assert ytick_texts(ax)[-1] == "Cap (people)"
    assert [text.get_text() for text in ax.texts].count("no change") == 1


@pytest.mark.parametrize(("method", "column"), [("sobol", "S1"), ("morris", "mu_star")])
def test_lines_over_time_are_the_monthly_indices(t, method, column):
    fig = CHARTS[f"{method}_over_time"](t)
    (ax,) = data_axes(fig)
    table = t[f"{method}_time"].query("scenario == 'advisory'")
    for name in INPUTS:
        (line,) = [line for line in ax.lines if line.get_label() == WORDS[name]]
        rows = table[table["input"] == name].sort_values("month")
        np.testing.assert_allclose(line.get_ydata(), rows[column])
        months = mdates.date2num(pd.to_datetime(rows["month"]).to_numpy())
        np.testing.assert_allclose(line.get_xdata(), months)
    expected = "First-order index" if method == "sobol" else "μ* (people)"
    assert ax.get_ylabel().startswith(expected)
    assert legend_texts(fig)[0] == WORDS[INPUTS[0]]  # most influential on average first


# --- mistakes ----------------------------------------------------------------------------

EMPTY = pd.DataFrame()
MISTAKES = {
    "scatter: unknown outcome": lambda t: outcome_scatter(
        t["experiments"], t["means"], "nope", inputs=INPUTS
    ),
    "scatter: unknown input": lambda t: outcome_scatter(
        t["experiments"], t["means"], "casualties", inputs=["nope"]
    ),
    "scatter: empty": lambda t: outcome_scatter(EMPTY, t["means"], "casualties", inputs=INPUTS),
    "sobol: unknown scenario": lambda t: sensitivity_chart(
        t["sobol"], scenario="nope", outcome="casualties", method="sobol"
    ),
    "sobol: unknown outcome": lambda t: sensitivity_chart(
        t["sobol"], scenario="advisory", outcome="nope", method="sobol"
    ),
    "sobol: unknown method": lambda t: sensitivity_chart(
        t["sobol"], scenario="advisory", outcome="casualties", method="fast"
    ),
    "sobol: morris table": lambda t: sensitivity_chart(
        t["morris"], scenario="advisory", outcome="casualties", method="sobol"
    ),
    "sobol: empty": lambda t: sensitivity_chart(
        EMPTY, scenario="advisory", outcome="casualties", method="sobol"
    ),
    "tornado: unknown scenario": lambda t: tornado(
        t["tornado"], scenario="nope", outcome="casualties"
    ),
    "tornado: unknown outcome": lambda t: tornado(
        t["tornado"], scenario="advisory", outcome="nope"
    ),
    "tornado: empty": lambda t: tornado(EMPTY, scenario="advisory", outcome="casualties"),
    "over time: unknown scenario": lambda t: sensitivity_over_time(
        t["sobol_time"], scenario="nope", method="sobol"
    ),
    "over time: empty": lambda t: sensitivity_over_time(EMPTY, scenario="advisory", method="sobol"),
}


@pytest.mark.parametrize("mistake", MISTAKES)
def test_mistakes_raise_value_error(mistake, t):
    with pytest.raises(ValueError):
        MISTAKES[mistake](t)
