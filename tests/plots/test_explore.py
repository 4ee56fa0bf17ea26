"""Exploration charts: complete figures whose bars, points, cells and boxes equal the tables.

The tables are small and made by hand (a fixed numpy generator), in the formats that
:mod:`sim.explore` writes, so these tests never run the model.
"""

import datetime as dt

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PathCollection, QuadMesh
from matplotlib.container import BarContainer
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from sim.plots import save
from sim.plots.explore import (
    discovered_boxes,
    outcome_scatter,
    regret_heatmap,
    sensitivity_chart,
    sensitivity_over_time,
    tornado,
)

OPTIONS = ["status-quo", "advisory", "withdrawal"]
OUTCOMES = ["total_cost_usd", "adviser_days", "days_over_cap", "casualties"]
INPUTS = [
    "threat.attacks_per_month",
    "cap",
    "policy.phases.1.start",
    "tour_extension_days",
    "cost.default_per_troop_year_usd",
]
N = 40
RULE = "threat.attacks_per_month > 12.5 and cap <= 1900"


# --- the tables, made by hand ------------------------------------------------------------


def _experiments() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    first = dt.date(2021, 7, 26)
    return pd.DataFrame(
        {
            "sample": np.arange(N),
            "threat.attacks_per_month": rng.uniform(2, 20, N),
            "cap": np.round(rng.uniform(1500, 3000, N)),
            "policy.phases.1.start": [
                first + dt.timedelta(days=int(d)) for d in rng.integers(0, 127, N)
            ],
            "tour_extension_days": rng.choice([0, 30, 60], N),
            "cost.default_per_troop_year_usd": rng.uniform(850_000, 2_100_000, N),
        }
    )


def _means(experiments: pd.DataFrame) -> pd.DataFrame:
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
                    "total_cost_usd": size * per_troop * 1.1 + rng.normal(0, 2e7, N),
                    "adviser_days": (0.2, 1.0, 0.1)[k] * cap * 300 - 2000 * attacks,
                    "days_over_cap": np.where((attacks > 12.5) & (cap <= 1900), 9.0, 0.0) * k,
                    "casualties": attacks * (1.0, 0.5, 0.2)[k] + rng.normal(0, 0.5, N),
                }
            )
        )
    return pd.concat(rows, ignore_index=True)


def _sobol() -> pd.DataFrame:
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


def _morris() -> pd.DataFrame:
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


def _tornado() -> pd.DataFrame:
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


def _over_time(method: str) -> pd.DataFrame:
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


def _regret() -> pd.DataFrame:
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


def _numeric(experiments: pd.DataFrame) -> pd.DataFrame:
    """Inputs as numbers, dates as days after the earliest (as sim.explore passes them)."""
    frame = experiments.drop(columns="sample").copy()
    dates = pd.to_datetime(frame["policy.phases.1.start"])
    frame["policy.phases.1.start"] = (dates - dates.min()).dt.days.astype(float)
    return frame.astype(float)


def _rules() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "scenario": ["advisory", "advisory", "status-quo", "withdrawal"],
            "rule": [RULE, "cap > 2900", "no future fails", "every future fails"],
            "coverage": [0.8, 0.2, 0.0, 1.0],
            "density": [0.9, 0.6, 0.0, 1.0],
            "futures": [10, 3, N, N],
            "failures": [8, 2, 0, N],
        }
    )


@pytest.fixture(scope="module")
def t() -> dict[str, pd.DataFrame]:
    experiments = _experiments()
    means = _means(experiments)
    failed = (means["scenario"] == "withdrawal") | (means["days_over_cap"] > 0)
    return {
        "experiments": experiments,
        "means": means,
        "ok": ~failed,
        "sobol": _sobol(),
        "morris": _morris(),
        "tornado": _tornado(),
        "sobol_time": _over_time("sobol"),
        "morris_time": _over_time("morris"),
        "regret": _regret(),
        "inputs": _numeric(experiments),
        "rules": _rules(),
    }


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
    "regret": lambda t, **kw: regret_heatmap(t["regret"], **kw),
    "boxes": lambda t, **kw: discovered_boxes(
        t["inputs"], t["means"], t["ok"], t["rules"], scenario="advisory", **kw
    ),
}
NO_LEGEND = {"regret"}  # one series: a colour bar instead


# --- reading charts back -----------------------------------------------------------------


def _panels(fig: Figure) -> list:
    """Axes with data: not blank cells, not colour bars."""
    return [ax for ax in fig.axes if ax.axison and ax.get_label() != "<colorbar>"]


def _footer(fig: Figure) -> list[str]:
    return [t.get_text() for t in fig.texts if t.get_text() != fig.get_suptitle()]


def _subtitle(fig: Figure) -> str:
    texts = [ax.get_title(loc="left") for ax in fig.axes]
    return "\n".join(texts + [sub.get_suptitle() for sub in fig.subfigs])


def _legend_texts(fig: Figure) -> list[str]:
    legends = [*fig.legends, *(s for f in fig.subfigs for s in f.legends)]
    legends += [ax.get_legend() for ax in fig.axes]
    return [t.get_text() for legend in legends if legend for t in legend.get_texts()]


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


def _yticks(ax) -> list[str]:
    return [t.get_text() for t in ax.get_yticklabels()]


# --- every chart -------------------------------------------------------------------------


@pytest.mark.parametrize("chart", CHARTS)
def test_chart_is_complete(chart, t):
    before = plt.get_fignums()
    fig = CHARTS[chart](t)
    assert plt.get_fignums() == before  # detached: pyplot never sees it
    assert isinstance(fig, Figure)
    assert fig.get_suptitle()
    assert _subtitle(fig).strip()
    for ax in _panels(fig):
        assert ax.get_xlabel(), ax
    assert any(ax.get_ylabel() for ax in _panels(fig))
    if chart not in NO_LEGEND:
        assert len(_legend_texts(fig)) > 1
    assert _footer(fig) and _footer(fig)[0].startswith("Source: sim exploration")


@pytest.mark.parametrize("chart", CHARTS)
def test_chart_takes_title_and_footer(chart, t):
    fig = CHARTS[chart](t, title="Option 2", footer="Source: test")
    assert fig.get_suptitle() == "Option 2"
    assert _footer(fig) == ["Source: test"]
    assert _footer(CHARTS[chart](t, footer="")) == []


@pytest.mark.parametrize("chart", CHARTS)
def test_chart_saves_as_png_and_svg(chart, t, tmp_path):
    paths = save(CHARTS[chart](t), tmp_path / chart)
    assert [p.suffix for p in paths] == [".png", ".svg"]
    assert paths[0].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert b"<svg" in paths[1].read_bytes()[:500]


def _nothing_clipped(fig: Figure) -> None:
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


@pytest.mark.parametrize("chart", CHARTS)
def test_nothing_falls_off_the_figure(chart, t):
    fig = CHARTS[chart](t)
    fig.draw_without_rendering()
    _nothing_clipped(fig)


# --- numbers on the charts equal the tables ----------------------------------------------


def test_scatter_points_are_the_means(t):
    fig = CHARTS["scatter"](t)
    panels = {ax.get_title(loc="left"): ax for ax in _panels(fig)}
    assert list(panels) == INPUTS
    means, experiments = t["means"], t["experiments"].set_index("sample")
    advisory = means[means["scenario"] == "advisory"]
    x = experiments.loc[advisory["sample"]]
    cost = advisory["total_cost_usd"].to_numpy() * 1e-6
    points = _points(panels["cap"], "advisory")
    np.testing.assert_allclose(points, np.column_stack([x["cap"], cost]))
    dated = _points(panels["policy.phases.1.start"], "advisory")
    days = mdates.date2num(pd.to_datetime(x["policy.phases.1.start"]).to_numpy())
    np.testing.assert_allclose(dated[:, 0], days)
    assert "US$ million" in panels["threat.attacks_per_month"].get_ylabel()
    assert panels["threat.attacks_per_month"].get_xlabel() == "Attacks per month"


def test_scatter_puts_choices_side_by_side(t):
    fig = CHARTS["scatter"](t)
    (ax,) = [ax for ax in _panels(fig) if ax.get_title(loc="left") == "tour_extension_days"]
    assert [label.get_text() for label in ax.get_xticklabels()] == ["0", "30", "60"]
    codes = t["experiments"]["tour_extension_days"].map({0: 0, 30: 1, 60: 2}).to_numpy()
    offsets = [_points(ax, name)[:, 0] - codes for name in OPTIONS]
    shifts = [np.unique(np.round(o, 9)) for o in offsets]
    assert all(len(s) == 1 for s in shifts)  # each option a fixed step off its choice
    assert shifts[0][0] < shifts[1][0] == 0 < shifts[2][0]


def test_scatter_units_follow_the_outcome(t):
    fig = outcome_scatter(t["experiments"], t["means"], "adviser_days", inputs=["cap"])
    assert _panels(fig)[0].get_ylabel() == "Adviser-days delivered (person-days)"


def test_sobol_bars_are_the_indices_sorted_by_total(t):
    fig = CHARTS["sobol"](t)
    (ax,) = _panels(fig)
    rows = t["sobol"].query("scenario == 'advisory' and outcome == 'total_cost_usd'")
    rows = rows.sort_values("ST", ascending=False)
    assert _yticks(ax) == list(rows["input"])
    first = _bars(ax, "First-order index: the input alone")
    total = _bars(ax, "Total index: with its interactions")
    np.testing.assert_allclose([b.get_width() for b in first], rows["S1"])
    np.testing.assert_allclose([b.get_width() for b in total], rows["ST"])
    low, high = ax.get_xlim()
    assert low < -0.03 and high >= 1.0  # room for the negative estimate, and the full 0-1
    assert ax.get_xlabel() == "Share of the outcome's variance"


def test_sobol_error_bars_are_the_confidence_intervals(t):
    fig = CHARTS["sobol"](t)
    (ax,) = _panels(fig)
    rows = t["sobol"].query("scenario == 'advisory' and outcome == 'total_cost_usd'")
    rows = rows.sort_values("ST", ascending=False)
    (bars,) = [c for c in ax.containers if c.get_label() == "95% confidence interval"]
    segments = bars.lines[2][0].get_segments()
    widths = [abs(s[1][0] - s[0][0]) / 2 for s in segments]
    np.testing.assert_allclose(widths, rows["ST_conf"])


def test_morris_bars_and_points_are_the_indices(t):
    fig = CHARTS["morris"](t)
    bars, points = _panels(fig)
    rows = t["morris"].query("scenario == 'advisory' and outcome == 'adviser_days'")
    rows = rows.sort_values("mu_star", ascending=False)
    assert _yticks(bars) == list(rows["input"])
    widths = [b.get_width() for b in _bars(bars, "μ*: mean absolute elementary effect")]
    np.testing.assert_allclose(widths, rows["mu_star"])
    (scatter,) = [c for c in points.collections if isinstance(c, PathCollection)]
    np.testing.assert_allclose(scatter.get_offsets(), rows[["mu_star", "sigma"]])
    assert [t.get_text() for t in points.texts] == list(rows["input"])
    assert "person-days" in bars.get_xlabel()


def test_morris_cost_is_in_millions(t):
    fig = sensitivity_chart(
        t["morris"], scenario="advisory", outcome="total_cost_usd", method="morris"
    )
    bars, _ = _panels(fig)
    rows = t["morris"].query("scenario == 'advisory' and outcome == 'total_cost_usd'")
    widths = sorted(b.get_width() for b in _bars(bars, "μ*: mean absolute elementary effect"))
    np.testing.assert_allclose(widths, np.sort(rows["mu_star"].to_numpy()) * 1e-6)
    assert "US$ million" in bars.get_xlabel()


def test_tornado_bars_run_from_the_centre_to_each_end(t):
    fig = CHARTS["tornado"](t)
    (ax,) = _panels(fig)
    rows = t["tornado"].query("scenario == 'advisory' and outcome == 'total_cost_usd'")
    rows = rows.sort_values("swing", ascending=False)
    assert _yticks(ax) == list(rows["input"])  # largest swing at the top
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
    (ax,) = _panels(fig)
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
    (ax,) = _panels(fig)
    assert _yticks(ax)[-1] == "cap"
    assert [text.get_text() for text in ax.texts].count("no change") == 1


@pytest.mark.parametrize(("method", "column"), [("sobol", "S1"), ("morris", "mu_star")])
def test_lines_over_time_are_the_monthly_indices(t, method, column):
    fig = CHARTS[f"{method}_over_time"](t)
    (ax,) = _panels(fig)
    table = t[f"{method}_time"].query("scenario == 'advisory'")
    for name in INPUTS:
        (line,) = [line for line in ax.lines if line.get_label() == name]
        rows = table[table["input"] == name].sort_values("month")
        np.testing.assert_allclose(line.get_ydata(), rows[column])
        months = mdates.date2num(pd.to_datetime(rows["month"]).to_numpy())
        np.testing.assert_allclose(line.get_xdata(), months)
    expected = "First-order index" if method == "sobol" else "μ* (people)"
    assert ax.get_ylabel().startswith(expected)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend[0] == INPUTS[0]  # most influential on average first


def test_regret_cells_are_the_normalised_max_regret(t):
    fig = CHARTS["regret"](t)
    (ax,) = _panels(fig)
    (mesh,) = [c for c in ax.collections if isinstance(c, QuadMesh)]
    wide = t["regret"].pivot(index="scenario", columns="outcome", values="max_regret")
    wide = wide.loc[OPTIONS, OUTCOMES]
    expected = (wide / wide.max()).to_numpy()
    np.testing.assert_allclose(np.asarray(mesh.get_array()).reshape(expected.shape), expected)
    assert _yticks(ax) == OPTIONS
    texts = [text.get_text() for text in ax.texts]
    cost = t["regret"].query("outcome == 'total_cost_usd'").set_index("scenario")
    worst, never = cost["max_regret"].idxmax(), cost["max_regret"].idxmin()
    millions = cost.loc[worst, "max_regret"] * 1e-6
    assert 10 <= millions < 100  # shown to one decimal
    assert f"${millions:.1f}M\nbest in {cost.loc[worst, 'share_best']:.0%}" in texts
    assert f"0\nbest in {cost.loc[never, 'share_best']:.0%}" in texts
    assert any(ax.get_label() == "<colorbar>" for ax in fig.axes)


def test_regret_text_stands_out_from_its_cell(t):
    fig = CHARTS["regret"](t)
    (ax,) = _panels(fig)
    (mesh,) = [c for c in ax.collections if isinstance(c, QuadMesh)]
    shades = np.asarray(mesh.get_array()).ravel()
    colours = [text.get_color() for text in ax.texts]
    assert colours[int(np.argmax(shades))] == "white"  # the darkest cell
    assert colours[int(np.argmin(shades))] != "white"  # the lightest


def test_regret_cell_without_data_says_so(t):
    summary = t["regret"].copy()
    summary.loc[0, "max_regret"] = np.nan
    fig = regret_heatmap(summary)
    (ax,) = _panels(fig)
    assert "n/a" in [text.get_text() for text in ax.texts]


def _box(ax) -> Rectangle:
    (box,) = [p for p in ax.patches if isinstance(p, Rectangle) and p.get_label() != ""]
    return box


def test_box_edges_are_the_rule_cut_points(t):
    fig = CHARTS["boxes"](t)
    (ax,) = _panels(fig)
    assert ax.get_xlabel().startswith("threat.attacks_per_month")
    assert ax.get_ylabel().startswith("cap")
    box = _box(ax)
    assert box.get_x() == pytest.approx(12.5)  # attacks > 12.5
    assert box.get_x() + box.get_width() > ax.get_xlim()[1]  # open sides: off the axes
    assert box.get_y() < ax.get_ylim()[0]
    assert box.get_clip_on()  # so their edges are not drawn
    assert box.get_y() + box.get_height() == pytest.approx(1900)  # cap <= 1900
    assert "80% of the failures inside (coverage)" in box.get_label()
    assert "90% of the futures inside fail (density)" in box.get_label()
    assert f"{RULE} (coverage 80%, density 90%)" in _subtitle(fig).replace("\n", " ")


def test_box_points_are_the_futures(t):
    fig = CHARTS["boxes"](t)
    (ax,) = _panels(fig)
    means, ok = t["means"], t["ok"]
    mine = (means["scenario"] == "advisory").to_numpy()
    samples = means.loc[mine, "sample"].to_numpy()
    good = ok.to_numpy()[mine]
    inputs = t["inputs"].loc[samples, ["threat.attacks_per_month", "cap"]].to_numpy()
    (failed,) = [c for c in ax.collections if c.get_label().startswith("Fails")]
    (met,) = [c for c in ax.collections if c.get_label().startswith("Meets")]
    np.testing.assert_allclose(failed.get_offsets(), inputs[~good])
    np.testing.assert_allclose(met.get_offsets(), inputs[good])
    assert failed.get_label() == f"Fails a threshold ({(~good).sum()})"


def test_box_bounds_combine_conditions_on_one_input(t):
    rules = pd.DataFrame(
        {
            "scenario": ["advisory"],
            "rule": ["cap > 1600 and threat.attacks_per_month > 4 and cap <= 2400"],
            "coverage": [0.5],
            "density": [0.7],
            "futures": [12],
            "failures": [8],
        }
    )
    fig = discovered_boxes(t["inputs"], t["means"], t["ok"], rules, scenario="advisory")
    (ax,) = _panels(fig)
    assert ax.get_xlabel().startswith("cap")
    box = _box(ax)
    assert (box.get_x(), box.get_x() + box.get_width()) == pytest.approx((1600, 2400))
    assert box.get_y() == pytest.approx(4)


@pytest.mark.parametrize(("option", "text"), [("status-quo", "no"), ("withdrawal", "every")])
def test_no_box_when_no_or_every_future_fails(t, option, text):
    fig = discovered_boxes(t["inputs"], t["means"], t["ok"], t["rules"], scenario=option)
    (ax,) = _panels(fig)
    assert f"{text} future fails" in _subtitle(fig)
    assert not [p for p in ax.patches if isinstance(p, Rectangle) and p.get_label() != ""]
    assert ax.get_xlabel().startswith(INPUTS[0]) and ax.get_ylabel().startswith(INPUTS[1])


def test_dates_as_days_are_labelled(t):
    rules = _rules().assign(rule=lambda r: r["rule"].replace(RULE, "policy.phases.1.start > 30"))
    fig = discovered_boxes(t["inputs"], t["means"], t["ok"], rules, scenario="advisory")
    (ax,) = _panels(fig)
    assert ax.get_xlabel() == "policy.phases.1.start (days after the earliest date sampled)"


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
    "regret: empty": lambda t: regret_heatmap(EMPTY),
    "regret: columns": lambda t: regret_heatmap(t["regret"].drop(columns="share_best")),
    "boxes: unknown scenario": lambda t: discovered_boxes(
        t["inputs"], t["means"], t["ok"], t["rules"], scenario="nope"
    ),
    "boxes: empty": lambda t: discovered_boxes(
        EMPTY, t["means"], t["ok"], t["rules"], scenario="advisory"
    ),
    "boxes: misaligned ok": lambda t: discovered_boxes(
        t["inputs"], t["means"], t["ok"].iloc[:5], t["rules"], scenario="advisory"
    ),
    "boxes: unreadable rule": lambda t: discovered_boxes(
        t["inputs"], t["means"], t["ok"], t["rules"].replace(RULE, "cap ~ 3"), scenario="advisory"
    ),
    "boxes: rule on no input": lambda t: discovered_boxes(
        t["inputs"], t["means"], t["ok"], t["rules"].replace(RULE, "x > 3"), scenario="advisory"
    ),
}


@pytest.mark.parametrize("mistake", MISTAKES)
def test_mistakes_raise_value_error(mistake, t):
    with pytest.raises(ValueError):
        MISTAKES[mistake](t)
