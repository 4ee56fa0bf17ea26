"""Fan charts: complete figures whose bands and median lines equal the quantile table."""

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure

from sim.plots import composition_fan, save, total_fan
from sim.plots.style import REFERENCE_LINE, ROLE_COLOURS, line_kwargs, role_style

REFERENCE = "status-quo"  # the reference scenario of the tables in conftest.py
MEASURES = ["boots_on_ground", "cap_count"]


# --- reading charts back -----------------------------------------------------------------


def _labelled(ax, label: str) -> list:
    return [a for a in [*ax.collections, *ax.lines] if a.get_label() == label]


def _edges(collection: PolyCollection) -> pd.DataFrame:
    """Lower and upper edge of a ``fill_between`` area by x, read back from its outline."""
    vertices = collection.get_paths()[0].vertices
    frame = pd.DataFrame(vertices, columns=["x", "y"])
    return frame.groupby("x")["y"].agg(["min", "max"])


def _datenums(dates) -> np.ndarray:
    return mdates.date2num(pd.DatetimeIndex(dates).to_numpy(dtype="datetime64[ns]"))


def _rows(bands: pd.DataFrame, scenario: str, role: str, measure: str) -> pd.DataFrame:
    keep = (bands["scenario"] == scenario) & (bands["role"] == role)
    keep &= bands["measure"] == measure
    return bands[keep].set_index("date").sort_index()


def _assert_band(ax, label: str, expected: pd.DataFrame, low: str, high: str) -> None:
    """The area labelled ``label`` spans ``low`` to ``high`` of ``expected`` on every date."""
    (area,) = _labelled(ax, label)
    edges = _edges(area)
    np.testing.assert_array_equal(edges.index, _datenums(expected.index))
    np.testing.assert_allclose(edges["min"], expected[low])
    np.testing.assert_allclose(edges["max"], expected[high])
    # and, spelled out, at a few dates where the replications disagree
    wide = expected.index[(expected[high] - expected[low]) > 0]
    assert len(wide) > 0, f"{label}: the band is flat, the test would prove nothing"
    for day in wide[:: max(1, len(wide) // 4)]:
        x = _datenums([day])[0]
        assert edges.loc[x, "min"] == pytest.approx(expected.loc[day, low])
        assert edges.loc[x, "max"] == pytest.approx(expected.loc[day, high])


def _footer(fig: Figure) -> list[str]:
    return [t.get_text() for t in fig.texts if t.get_text() != fig.get_suptitle()]


def _panels(fig: Figure) -> list:
    return [ax for ax in fig.axes if ax.axison]


def _legend_texts(fig: Figure) -> list[str]:
    legends = [*fig.legends, *(legend for sub in fig.subfigs for legend in sub.legends)]
    legends += [ax.get_legend() for ax in fig.axes]
    return [t.get_text() for legend in legends if legend for t in legend.get_texts()]


def _subtitle(fig: Figure) -> str:
    texts = [ax.get_title(loc="left") for ax in fig.axes]
    texts += [sub.get_suptitle() for sub in fig.subfigs]
    return "\n".join(texts)


# --- every chart -------------------------------------------------------------------------

CHARTS = {
    "total_fan": lambda d: total_fan(d["bands"], d["phases"], scenario="advisory"),
    "composition_fan": lambda d: composition_fan(d["bands"], d["phases"], scenario="advisory"),
}
UNITS = ("People", "US$ million", "Person-days", "Count", "people", "person-days", "count")


@pytest.mark.parametrize("chart", CHARTS)
def test_chart_is_complete(chart, tables):
    before = plt.get_fignums()
    fig = CHARTS[chart](tables)
    assert plt.get_fignums() == before  # detached: pyplot never sees it
    assert isinstance(fig, Figure)
    assert fig.get_suptitle()
    assert _subtitle(fig).strip()
    for ax in _panels(fig):
        labels = [ax.get_xlabel(), ax.get_ylabel()]
        assert any(unit in label for label in labels for unit in UNITS), labels
    assert len(_legend_texts(fig)) > 1
    assert _footer(fig) and _footer(fig)[0].startswith("Source: sim model runs, 20 replications")


@pytest.mark.parametrize("chart", CHARTS)
def test_chart_takes_title_and_footer(chart, tables):
    charts = {
        "total_fan": lambda **kw: total_fan(tables["bands"], scenario="advisory", **kw),
        "composition_fan": lambda **kw: composition_fan(tables["bands"], scenario="advisory", **kw),
    }
    fig = charts[chart](title="Option 2", footer="Source: test")
    assert fig.get_suptitle() == "Option 2"
    assert _footer(fig) == ["Source: test"]
    assert _footer(charts[chart](footer="")) == []


@pytest.mark.parametrize("chart", [total_fan, composition_fan])
def test_fans_have_a_date_axis_over_the_run(chart, bands, phases):
    fig = chart(bands, phases, scenario="withdrawal")
    dates = bands.loc[bands["scenario"] == "withdrawal", "date"]
    first, last = _datenums([dates.min(), dates.max()])
    for ax in fig.axes:
        assert isinstance(ax.xaxis.get_major_formatter(), mdates.ConciseDateFormatter)
        assert ax.get_xlim() == pytest.approx((first, last))
    assert fig.axes[-1].get_xlabel() == "Date"
    # the withdrawal phase starts after the first day: marked with a line and named once
    start = _datenums(phases.loc[phases["name"] == "withdrawal", "start"])[0]
    for ax in fig.axes:
        assert start in {
            line.get_xdata()[0] for line in ax.lines if len(set(line.get_xdata())) == 1
        }
    named = [t for ax in fig.axes for t in ax.texts if t.get_text().strip() == "withdrawal"]
    assert len(named) == 1


@pytest.mark.parametrize("chart", [total_fan, composition_fan])
def test_fans_need_one_scenario_chosen(chart, bands, phases):
    with pytest.raises(ValueError, match=r"status-quo, advisory, withdrawal"):
        chart(bands, phases)
    with pytest.raises(ValueError, match="no scenario 'base'"):
        chart(bands, phases, scenario="base")
    with pytest.raises(ValueError, match="no reference scenario 'base'"):
        chart(bands, phases, scenario="advisory", reference="base")
    one = bands[bands["scenario"] == "advisory"]
    assert "advisory" in chart(one, phases).get_suptitle()  # one scenario: no need to choose


# --- total_fan ---------------------------------------------------------------------------


@pytest.mark.parametrize("measure", MEASURES)
def test_total_fan_bands_and_median_are_the_quantiles(measure, bands, phases):
    (ax,) = total_fan(bands, phases, scenario="withdrawal").axes
    expected = _rows(bands, "withdrawal", "total", measure)
    name = {"boots_on_ground": "Boots on the ground", "cap_count": "Cap count"}[measure]
    _assert_band(ax, f"{name}, middle 90% (5–95%)", expected, "q05", "q95")
    _assert_band(ax, f"{name}, middle 50% (25–75%)", expected, "q25", "q75")
    (median,) = _labelled(ax, f"{name}, median")
    np.testing.assert_array_equal(median.get_xdata(), _datenums(expected.index))
    np.testing.assert_allclose(median.get_ydata(), expected["q50"])
    assert ax.get_ylabel() == "People (all roles)"


def test_total_fan_measures_differ_in_greyscale(bands):
    (ax,) = total_fan(bands, scenario="advisory").axes
    (boots,) = _labelled(ax, "Boots on the ground, middle 90% (5–95%)")
    (counted,) = _labelled(ax, "Cap count, middle 90% (5–95%)")
    assert boots.get_hatch() != counted.get_hatch()
    lines = [_labelled(ax, f"{n}, median")[0] for n in ("Boots on the ground", "Cap count")]
    assert lines[0].get_linestyle() != lines[1].get_linestyle()


def test_total_fan_draws_the_reference_only_when_asked(bands, phases):
    label = f"{REFERENCE} (reference), median cap count"
    (ax,) = total_fan(bands, phases, scenario="advisory", reference=REFERENCE).axes
    (line,) = _labelled(ax, label)
    expected = _rows(bands, REFERENCE, "total", "cap_count")
    np.testing.assert_allclose(line.get_ydata(), expected["q50"])
    assert line.get_color() == REFERENCE_LINE["color"]
    assert line.get_linewidth() < 1.8  # thinner than the scenario's own lines
    assert label in _legend_texts(ax.figure)

    (ax,) = total_fan(bands, phases, scenario="advisory").axes
    assert _labelled(ax, label) == []
    assert not any("reference" in t for t in _legend_texts(ax.figure))


def test_total_fan_of_the_reference_says_so(bands):
    fig = total_fan(bands, scenario=REFERENCE, reference=REFERENCE)
    assert not any("reference" in t for t in _legend_texts(fig))  # not drawn twice
    assert "this is the reference scenario" in _subtitle(fig)


def test_total_fan_draws_the_cap_of_the_phases(bands, phases):
    (ax,) = total_fan(bands, phases, scenario="advisory").axes
    (cap,) = _labelled(ax, "Cap")
    assert cap.get_drawstyle() == "steps-post"
    assert set(cap.get_ydata()) == set(phases.loc[phases["scenario"] == "advisory", "cap"])


# --- composition_fan ---------------------------------------------------------------------


@pytest.mark.parametrize("measure", MEASURES)
def test_composition_fan_draws_each_role_and_the_total(measure, bands, phases):
    top, bottom = composition_fan(bands, phases, scenario="advisory", measure=measure).axes
    roles = [r for r in pd.unique(bands["role"]) if r != "total"]
    for role in roles:
        expected = _rows(bands, "advisory", role, measure)
        (median,) = _labelled(bottom, role.replace("_", " ").capitalize())
        np.testing.assert_allclose(median.get_ydata(), expected["q50"])
    # every role's band, in the role's order: read back against q05 and q95
    areas = [c for c in bottom.collections if isinstance(c, PolyCollection)]
    assert len(areas) == len(roles)
    for area, role in zip(areas, roles, strict=True):
        expected = _rows(bands, "advisory", role, measure)
        edges = _edges(area)
        np.testing.assert_allclose(edges["min"], expected["q05"])
        np.testing.assert_allclose(edges["max"], expected["q95"])
    name = {"boots_on_ground": "Boots on the ground", "cap_count": "Cap count"}[measure]
    total = _rows(bands, "advisory", "total", measure)
    _assert_band(top, f"{name}, middle 90% (5–95%)", total, "q05", "q95")
    assert _labelled(top, "Cap")
    assert measure.replace("_", " ").replace("boots on ground", "boots on the ground") in (
        bottom.get_ylabel()
    )


def test_role_lines_differ_in_line_style_and_light_ones_are_outlined(bands):
    styles = {role: line_kwargs(role_style(role)) for role in ROLE_COLOURS}
    assert len({str(s["linestyle"]) for s in styles.values()}) == len(ROLE_COLOURS)
    assert "path_effects" not in styles["combat"]  # dark blue reads on white
    assert "path_effects" in styles["headquarters"]  # yellow does not, without an outline
    _, bottom = composition_fan(bands, scenario="advisory").axes
    (line,) = _labelled(bottom, "Headquarters")
    assert line.get_path_effects() and line.get_color() == ROLE_COLOURS["headquarters"]


def test_composition_fan_draws_the_reference_total(bands, phases):
    label = f"{REFERENCE} (reference), median"
    fig = composition_fan(bands, phases, scenario="withdrawal", reference=REFERENCE)
    top, _ = fig.axes
    (line,) = _labelled(top, label)
    np.testing.assert_allclose(line.get_ydata(), _rows(bands, REFERENCE, "total", "cap_count").q50)
    assert f"the reference, {REFERENCE}, is drawn for all roles only" in _subtitle(fig)
    top, _ = composition_fan(bands, phases, scenario="withdrawal").axes
    assert _labelled(top, label) == []


def test_composition_fan_rejects_unknown_measure(bands):
    with pytest.raises(ValueError, match="unknown measure"):
        composition_fan(bands, scenario="advisory", measure="arrivals")


# --- save --------------------------------------------------------------------------------


@pytest.mark.parametrize("chart", CHARTS)
def test_save_writes_the_fan_charts(chart, tables, tmp_path):
    paths = save(CHARTS[chart](tables), tmp_path / chart, formats=("png", "svg"))
    assert paths == [tmp_path / f"{chart}.png", tmp_path / f"{chart}.svg"]
    png, svg = (p.read_bytes() for p in paths)
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 10_000
    assert svg.startswith(b"<?xml") and b"<svg" in svg[:1000]
