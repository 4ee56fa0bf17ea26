"""Texts on charts never overprint one another, and dated axes always say the year.

The phase labels of every time chart (total against cap, composition, movements, the fan
charts, the backtest) are read back at the resolution the PNG files are written at and
checked pairwise, and against the phase and deadline lines; so are the values at the
ends of bars against the names of the rows.
"""

import datetime as dt
from pathlib import Path

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from matplotlib.text import Annotation, Text

import sim
from sim import plots
from sim.plots.charts import DPI
from sim.plots.style import YearDateFormatter
from sim.results.tables import phases_table

from .conftest import WORDS, data_axes, explore_tables

ROOT = Path(__file__).resolve().parents[2]
HISTORY = ROOT / "scenarios" / "history" / "iraq-2020-2021.yaml"
OBSERVED = ROOT / "seeds" / "data" / "iraq_2020_2025.csv"
DRAWDOWN = ROOT / "scenarios" / "history" / "iraq-2009-2011.yaml"
DRAWDOWN_OBSERVED = ROOT / "seeds" / "data" / "iraq_2009_2011.csv"
DAY = pd.Timedelta(days=1)


# --- reading texts back at the files' resolution ----------------------------------------


def _at_file_dpi(fig: Figure, artists: list) -> list:
    """The artists' extents in pixels, with the figure laid out and drawn at ``DPI`` (of a
    label, the extent of its text: not of the line that may join it to its point)."""
    fig.set_dpi(DPI)
    fig.get_layout_engine().execute(fig)
    fig.draw_without_rendering()
    renderer = fig.canvas.get_renderer()
    return [_extent(artist, renderer) for artist in artists]


def _extent(artist, renderer):
    if isinstance(artist, Annotation):
        artist.update_positions(renderer)
        return Text.get_window_extent(artist, renderer)
    return artist.get_window_extent(renderer)


def _phase_labels(ax) -> list[Annotation]:
    """The labels at the top of a time chart: phase names, deadlines, "▲ Arrivals"."""
    return [t for t in ax.texts if isinstance(t, Annotation) and t.xyann[1] < 0]


def _crowded(phases: pd.DataFrame, scenario: str) -> pd.DataFrame:
    """The scenario's phases and four more, with deadlines on and near the next starts."""
    first = phases.loc[phases["scenario"] == scenario].iloc[0]
    start = pd.Timestamp(first["start"])
    days = [0, 40, 44, 50, 200, 205, 380]
    names = [
        "opening posture",
        "first reduction of the force announced",
        "a short pause",
        "second reduction of the force",
        "end of the combat mission",
        "advise, assist and enable",
        "final withdrawal of every unit",
    ]
    deadlines = [None, 44, 205, 56, 205, None, 395]
    return pd.DataFrame(
        {
            "scenario": scenario,
            "phase": range(len(days)),
            "name": names,
            "start": [start + d * DAY for d in days],
            "deadline": [start + d * DAY if d is not None else pd.NaT for d in deadlines],
            "cap": [2500, 2200, 2200, 1800, 1800, 1500, 0],
            "deadline_status": ["", "judged", "judged", "superseded", "judged", "", "judged"],
        }
    )


def _backtest(path: Path, observed: Path, *, crowded: bool = False) -> Figure:
    """The backtest chart of a history scenario, with a flat band over its dates (and, if
    ``crowded``, four phases more)."""
    scenario = sim.load_scenario(path)
    dates = pd.date_range(scenario.start, scenario.end)
    band = pd.DataFrame({"date": dates, "q05": 2400.0, "q50": 2500.0, "q95": 2600.0})
    phases = phases_table(scenario)
    if crowded:
        phases = _crowded(phases, scenario.name)
    figures = pd.read_csv(observed, parse_dates=["date"])
    return plots.backtest_chart(band, figures, phases, scenario=scenario.name)


@pytest.fixture(scope="module")
def history_chart() -> Figure:
    """The backtest chart of the 2020-2021 episode."""
    return _backtest(HISTORY, OBSERVED)


def _time_charts(runs, bands, phases) -> dict[str, tuple[Figure, object]]:
    """Every time chart of the advisory option with crowded phases, and its labelled axes."""
    ts = runs[0][runs[0]["scenario"] == "advisory"]
    crowded = _crowded(phases, "advisory")
    one = ts[ts["replication"] == 0]
    charts = {
        "total_vs_cap": plots.total_vs_cap(one, crowded),
        "total_vs_cap (20 replications)": plots.total_vs_cap(ts, crowded),
        "composition": plots.composition(one, crowded),
        "movements": plots.movements(one, crowded),
        "total_fan": plots.total_fan(bands, crowded, scenario="advisory"),
        "composition_fan": plots.composition_fan(bands, crowded, scenario="advisory"),
    }
    return {name: (fig, fig.axes[0]) for name, fig in charts.items()}


@pytest.fixture(scope="module")
def time_charts(runs, bands, phases, history_chart) -> dict[str, tuple[Figure, object]]:
    charts = _time_charts(runs, bands, phases)
    charts["backtest"] = (history_chart, history_chart.axes[0])
    for name, fig in {
        "backtest, crowded": _backtest(HISTORY, OBSERVED, crowded=True),
        "backtest 2009-2011": _backtest(DRAWDOWN, DRAWDOWN_OBSERVED),
        "backtest 2009-2011, crowded": _backtest(DRAWDOWN, DRAWDOWN_OBSERVED, crowded=True),
    }.items():
        charts[name] = (fig, fig.axes[0])
    return charts


CHART_NAMES = [
    "total_vs_cap",
    "total_vs_cap (20 replications)",
    "composition",
    "movements",
    "total_fan",
    "composition_fan",
    "backtest",
    "backtest, crowded",
    "backtest 2009-2011, crowded",
]


# --- 1, 7: phase labels --------------------------------------------------------------------


@pytest.mark.parametrize("name", CHART_NAMES)
def test_phase_labels_never_overlap_and_stay_in_the_axes(name, time_charts):
    fig, ax = time_charts[name]
    labels = _phase_labels(ax)
    assert len(labels) >= 5, [t.get_text() for t in labels]  # crowded: the test can bite
    *boxes, frame = _at_file_dpi(fig, [*labels, ax])
    for i, a in enumerate(boxes):
        assert frame.x0 - 1 <= a.x0 and a.x1 <= frame.x1 + 1, labels[i].get_text()
        assert a.y1 <= frame.y1 + 1, labels[i].get_text()
        for j in range(i + 1, len(boxes)):
            assert not a.overlaps(boxes[j]), (labels[i].get_text(), labels[j].get_text())


def _vertical_lines(ax) -> list:
    """The phase and deadline lines (axvline draws a line whose two x values are equal)."""
    return [line for line in ax.lines if len(set(line.get_xdata())) == 1]


def _drawn(line, frame) -> tuple[float, float, float]:
    """A vertical line's x, bottom and top in pixels, as drawn: cut by the axes."""
    xy = line.get_transform().transform(line.get_xydata())
    return xy[0, 0], max(xy[:, 1].min(), frame.y0), min(xy[:, 1].max(), frame.y1)


@pytest.mark.parametrize("name", [*CHART_NAMES, "backtest 2009-2011"])
def test_no_line_runs_through_a_label(name, time_charts):
    """No phase or deadline line, where it is drawn, passes through a label: its own or
    another's (the issue: on the 2009-2011 backtest, the line of "final withdrawal" ran
    through "deadline: final withdrawal", between "final" and "withdrawal")."""
    fig, ax = time_charts[name]
    labels = _phase_labels(ax)
    lines = _vertical_lines(ax)
    *boxes, frame = _at_file_dpi(fig, [*labels, ax])
    assert len(lines) >= (4 if name.startswith("backtest") else 8)
    for line in lines:
        x, bottom, top = _drawn(line, frame)
        for label, box in zip(labels, boxes, strict=True):
            across = box.x0 < x < box.x1 and bottom < box.y1 and box.y0 < top
            assert not across, (label.get_text(), mdates.num2date(line.get_xdata()[0]))


@pytest.mark.parametrize("name", CHART_NAMES)
def test_each_line_reaches_its_label(name, time_charts):
    """Kept clear of the labels, the lines are not merely cut short: each goes up beside
    its own label."""
    fig, ax = time_charts[name]
    labels = [t for t in _phase_labels(ax) if "Arrivals" not in t.get_text()]
    *boxes, frame = _at_file_dpi(fig, [*labels, ax])
    drawn = [_drawn(line, frame) for line in _vertical_lines(ax)]
    for label, box in zip(labels, boxes, strict=True):
        x = ax.transData.transform((label.xy[0], 0))[0]
        tops = [top for at, _, top in drawn if abs(at - x) < 0.5]
        assert any(top > box.y0 for top in tops), label.get_text()


@pytest.mark.parametrize("name", CHART_NAMES)
def test_phase_labels_sit_above_the_data(name, time_charts):
    fig, ax = time_charts[name]
    labels = _phase_labels(ax)
    *boxes, _ = _at_file_dpi(fig, [*labels, ax])
    lowest = min(box.y0 for box in boxes)
    top_of_data = ax.transData.transform((0, ax.dataLim.y1))[1]
    assert top_of_data <= lowest + 1


@pytest.mark.parametrize("name", CHART_NAMES)
def test_a_deadline_is_named_with_its_phase_left_of_its_line(name, time_charts):
    """A deadline closes what lies before it: its label ends at its line and names the
    phase that set it, so a deadline on the day the next phase starts is never read as
    that phase's (the label of the phase starting there begins at the line)."""
    fig, ax = time_charts[name]
    labels = _phase_labels(ax)
    *boxes, _ = _at_file_dpi(fig, [*labels, ax])
    deadlines = 0
    for label, box in zip(labels, boxes, strict=True):
        text = label.get_text()
        line = ax.transData.transform((label.xy[0], 0))[0]
        if "deadline" in text:
            deadlines += 1
            assert text != "deadline" and ": " in text  # "deadline: <phase>"
            if not text.startswith("◂"):  # turned round only where there is no room
                assert box.x1 <= line + 1, text
        elif not text.endswith("▸") and "Arrivals" not in text:
            assert box.x0 >= line - 1, text
    assert deadlines >= (2 if name == "backtest" else 3)


# --- 2: dated axes say the year ------------------------------------------------------------


def _ticks(fig: Figure, ax) -> tuple[list[dt.datetime], list[str]]:
    fig.draw_without_rendering()
    low, high = ax.get_xlim()
    ticks = [t for t in ax.xaxis.get_major_ticks() if low <= t.get_loc() <= high]
    return [mdates.num2date(t.get_loc()) for t in ticks], [t.label1.get_text() for t in ticks]


def _assert_years_named(dates: list[dt.datetime], texts: list[str]) -> None:
    assert texts, "no ticks"
    assert str(dates[0].year) in texts[0], texts  # the first tick names its year
    for before, (date, text) in zip(dates, zip(dates[1:], texts[1:], strict=True), strict=False):
        if date.year != before.year:
            assert str(date.year) in text, texts  # and so does each first tick of a year


@pytest.mark.parametrize(
    ("first", "days"),
    [
        ("2021-06-01", 394),
        ("2021-07-10", 40),
        ("2021-12-20", 25),
        ("2009-01-01", 1095),
        ("2001-03-01", 20 * 365),
        ("2021-06-01", 3),
    ],
)
def test_a_dated_axis_names_the_year_at_the_first_tick_and_each_change(first, days):
    fig = plots.total_vs_cap(_flat_series(first, days))
    (ax,) = fig.axes
    assert isinstance(ax.xaxis.get_major_formatter(), YearDateFormatter)
    _assert_years_named(*_ticks(fig, ax))


def test_the_year_a_run_starts_in_is_on_its_charts(runs, bands, phases, time_charts):
    """The issue: a run from June 2021 showed 2022 on its axis but never 2021."""
    for name in CHART_NAMES:
        fig, _ = time_charts[name]
        for ax in fig.axes:
            dates, texts = _ticks(fig, ax)
            if any(texts):  # the fan's upper panel shares the lower one's labels
                _assert_years_named(dates, texts)
    fig, _ = time_charts["total_vs_cap"]
    assert any("2021" in text for text in _ticks(fig, fig.axes[0])[1])


def test_day_ticks_that_name_a_year_also_name_the_month():
    formatter = YearDateFormatter(mdates.AutoDateLocator())
    values = mdates.date2num(pd.to_datetime(["2021-12-27", "2021-12-30", "2022-01-02"]))
    assert formatter.format_ticks(values) == ["Dec 27\n2021", "30", "Jan 2\n2022"]


def _flat_series(first: str, days: int) -> pd.DataFrame:
    dates = pd.date_range(first, periods=days)
    return pd.DataFrame(
        {
            "scenario": "flat",
            "replication": 0,
            "date": dates,
            "role": "combat",
            "boots_on_ground": 100.0,
            "cap_count": 90.0,
        }
    )


# --- 3: counts of people from zero, legends below the plot -------------------------------


def test_total_vs_cap_counts_people_from_zero(time_charts):
    for name in ("total_vs_cap", "total_vs_cap (20 replications)", "total_fan"):
        _, ax = time_charts[name]
        assert ax.get_ylim()[0] == 0, name
        assert ax.get_ylim()[1] > 2500
    top, _ = time_charts["composition_fan"][0].axes
    assert top.get_ylim()[0] == 0


@pytest.mark.parametrize("name", ["total_vs_cap", "total_fan", "composition", "movements"])
def test_the_legend_leaves_the_plot_its_width(name, time_charts):
    """The legend goes below the plot, so the axes span (nearly) the figure's width."""
    fig, ax = time_charts[name]
    legend, frame = _at_file_dpi(fig, [_the_legend(fig), ax])
    assert legend.y1 <= frame.y0  # below the axes
    assert frame.width > 0.85 * fig.bbox.width


def _the_legend(fig: Figure):
    (legend,) = [*fig.legends, *(legend for sub in fig.subfigs for legend in sub.legends)]
    return legend


# --- 4: the fan chart's legend ---------------------------------------------------------------


def test_the_fan_legend_has_one_entry_per_fan(bands, phases):
    fig = plots.total_fan(bands, phases, scenario="advisory", reference="status-quo")
    texts = [t.get_text() for t in _the_legend(fig).get_texts()]
    assert len(texts) <= 4, texts  # two fans, the cap and the reference; not eight
    assert sum("middle 50% and 90%" in t for t in texts) == 2


def test_the_fan_bands_differ_in_greyscale(bands):
    (ax,) = plots.total_fan(bands, scenario="advisory").axes
    bands_drawn = {c.get_label(): c for c in ax.collections if "middle" in c.get_label()}
    boots = [c for label, c in bands_drawn.items() if label.startswith("Boots")]
    counted = [c for label, c in bands_drawn.items() if label.startswith("Cap count")]
    assert len(boots) == len(counted) == 2
    # one measure hatched, the other solid; the 50% band darker than the 90% band
    assert not any(c.get_hatch() for c in boots) and all(c.get_hatch() for c in counted)
    for outer, inner in (boots, counted):
        assert _grey(inner) < _grey(outer)


def _grey(collection) -> float:
    """How dark a band prints: its fill over white, in grey (0 black, 1 white)."""
    r, g, b, a = collection.get_facecolor()[0]
    return 1 - a * (1 - (0.299 * r + 0.587 * g + 0.114 * b))


# --- 5: values at the ends of bars stay inside the axes --------------------------------------


def _far_left_tornado() -> pd.DataFrame:
    """A tornado whose longest bars both end far left of the centre, with long labels."""
    rows = [
        ("threat.attacks_per_month", 1e9, 2e8, 1.5e8),
        ("cap", 1e9, 9e8, 1.05e9),
        ("tour_extension_days", 1e9, 9.6e8, 1.02e9),
    ]
    frame = pd.DataFrame(rows, columns=["input", "centre", "low", "high"])
    frame["swing"] = (frame["high"] - frame["low"]).abs()
    return frame.assign(scenario="advisory", outcome="total_cost_usd")


BAR_CHARTS = {
    "tornado": lambda t: plots.tornado(t["tornado"], scenario="advisory", outcome="total_cost_usd"),
    "tornado, far left": lambda t: plots.tornado(
        _far_left_tornado(), scenario="advisory", outcome="total_cost_usd"
    ),
    "sobol": lambda t: plots.sensitivity_chart(
        t["sobol"], scenario="advisory", outcome="total_cost_usd", method="sobol"
    ),
    "morris": lambda t: plots.sensitivity_chart(
        t["morris"], scenario="advisory", outcome="adviser_days", method="morris"
    ),
}


@pytest.mark.parametrize("chart", BAR_CHARTS)
def test_bar_labels_stay_inside_the_axes_clear_of_the_row_names(chart):
    fig = BAR_CHARTS[chart](explore_tables())
    for ax in data_axes(fig):
        texts = [t for t in ax.texts if t.get_text()]
        names = [t for t in ax.get_yticklabels() if t.get_text()]
        *boxes, frame = _at_file_dpi(fig, [*texts, ax])
        name_boxes = _at_file_dpi(fig, names)
        for text, box in zip(texts, boxes, strict=True):
            assert frame.x0 <= box.x0 and box.x1 <= frame.x1, text.get_text()
            assert not any(box.overlaps(name) for name in name_boxes), text.get_text()


def test_morris_point_names_do_not_overlap():
    t = explore_tables()
    fig = plots.sensitivity_chart(
        t["morris"], scenario="advisory", outcome="adviser_days", method="morris"
    )
    _, points = data_axes(fig)
    names = [text for text in points.texts if text.get_text() in WORDS.values()]
    assert len(names) == len(WORDS)
    boxes = _at_file_dpi(fig, names)
    for i, a in enumerate(boxes):
        assert not any(a.overlaps(b) for b in boxes[i + 1 :]), names[i].get_text()


def test_a_crowded_morris_plot_still_names_each_point_apart():
    rows = pd.DataFrame(
        {
            "scenario": "advisory",
            "outcome": "casualties",
            "input": list(WORDS),
            "mu": 1.0,
            "mu_star": [5.0, 5.1, 5.2, 4.9, 5.05],
            "mu_star_conf": 0.5,
            "sigma": [3.0, 3.05, 2.95, 3.1, 3.0],
        }
    )
    fig = plots.sensitivity_chart(rows, scenario="advisory", outcome="casualties", method="morris")
    _, points = data_axes(fig)
    names = [text for text in points.texts if text.get_text()]
    boxes = _at_file_dpi(fig, names)
    overlaps = [
        (i, j)
        for i in range(len(boxes))
        for j in range(i + 1, len(boxes))
        if boxes[i].overlaps(boxes[j])
    ]
    assert overlaps == []
    assert np.isfinite([b.x0 for b in boxes]).all()
