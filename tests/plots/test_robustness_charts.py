"""Regret and scenario-discovery charts: complete figures whose cells and boxes equal the tables.

The tables are made by hand in ``conftest`` (a fixed numpy generator), in the formats that
:mod:`sim.workflows.explore` writes, so these tests never run the model.
"""

import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import QuadMesh
from matplotlib.patches import Rectangle

from sim.plots.robustness import discovered_boxes, regret_heatmap

from .conftest import (
    INPUTS,
    OPTIONS,
    OUTCOMES,
    RULE,
    WORDS,
    assert_chart_complete,
    assert_nothing_clipped,
    assert_saves_as_png_and_svg,
    assert_takes_title_and_footer,
    data_axes,
    explore_tables,
    make_rules,
    subtitle_text,
    ytick_texts,
)


@pytest.fixture(scope="module")
def t() -> dict[str, pd.DataFrame]:
    return explore_tables()


CHARTS = {
    "regret": lambda t, **kw: regret_heatmap(t["regret"], **kw),
    "boxes": lambda t, **kw: discovered_boxes(
        t["inputs"], t["means"], t["ok"], t["rules"], scenario="advisory", **kw
    ),
}
NO_LEGEND = {"regret"}  # one series: a colour bar instead


# --- every chart -------------------------------------------------------------------------


@pytest.mark.parametrize("chart", CHARTS)
def test_chart_is_complete(chart, t):
    assert_chart_complete(CHARTS[chart], t, legend=chart not in NO_LEGEND)


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


def test_regret_cells_are_the_normalised_max_regret(t):
    fig = CHARTS["regret"](t)
    (ax,) = data_axes(fig)
    (mesh,) = [c for c in ax.collections if isinstance(c, QuadMesh)]
    wide = t["regret"].pivot(index="scenario", columns="outcome", values="max_regret")
    wide = wide.loc[OPTIONS, OUTCOMES]
    expected = (wide / wide.max()).to_numpy()
    np.testing.assert_allclose(np.asarray(mesh.get_array()).reshape(expected.shape), expected)
    assert ytick_texts(ax) == OPTIONS
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
    (ax,) = data_axes(fig)
    (mesh,) = [c for c in ax.collections if isinstance(c, QuadMesh)]
    shades = np.asarray(mesh.get_array()).ravel()
    colours = [text.get_color() for text in ax.texts]
    assert colours[int(np.argmax(shades))] == "white"  # the darkest cell
    assert colours[int(np.argmin(shades))] != "white"  # the lightest


def test_regret_cell_without_data_says_so(t):
    summary = t["regret"].copy()
    summary.loc[0, "max_regret"] = np.nan
    fig = regret_heatmap(summary)
    (ax,) = data_axes(fig)
    assert "n/a" in [text.get_text() for text in ax.texts]


def _box(ax) -> Rectangle:
    (box,) = [p for p in ax.patches if isinstance(p, Rectangle) and p.get_label() != ""]
    return box


def test_box_edges_are_the_rule_cut_points(t):
    fig = CHARTS["boxes"](t)
    (ax,) = data_axes(fig)
    assert ax.get_xlabel() == "Attacks per month"
    assert ax.get_ylabel() == "Cap (people)"
    box = _box(ax)
    assert box.get_x() == pytest.approx(12.5)  # attacks > 12.5
    assert box.get_x() + box.get_width() > ax.get_xlim()[1]  # open sides: off the axes
    assert box.get_y() < ax.get_ylim()[0]
    assert box.get_clip_on()  # so their edges are not drawn
    assert box.get_y() + box.get_height() == pytest.approx(1900)  # cap <= 1900
    assert "80% of the failures inside (coverage)" in box.get_label()
    assert "90% of the futures inside fail (density)" in box.get_label()
    rule = "Attacks per month > 12.5 and Cap (people) ≤ 1,900"  # RULE in words
    assert f"{rule} (coverage 80%, density 90%)" in subtitle_text(fig).replace("\n", " ")


def test_box_points_are_the_futures(t):
    fig = CHARTS["boxes"](t)
    (ax,) = data_axes(fig)
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
    (ax,) = data_axes(fig)
    assert ax.get_xlabel() == "Cap (people)"
    box = _box(ax)
    assert (box.get_x(), box.get_x() + box.get_width()) == pytest.approx((1600, 2400))
    assert box.get_y() == pytest.approx(4)


@pytest.mark.parametrize(("option", "text"), [("status-quo", "no"), ("withdrawal", "every")])
def test_no_box_when_no_or_every_future_fails(t, option, text):
    fig = discovered_boxes(t["inputs"], t["means"], t["ok"], t["rules"], scenario=option)
    (ax,) = data_axes(fig)
    assert f"{text} future fails" in subtitle_text(fig)
    assert not [p for p in ax.patches if isinstance(p, Rectangle) and p.get_label() != ""]
    assert (ax.get_xlabel(), ax.get_ylabel()) == (WORDS[INPUTS[0]], WORDS[INPUTS[1]])


def test_dates_as_days_are_labelled(t):
    date = "policy.announcements.1.announced"
    rules = make_rules().assign(rule=lambda r: r["rule"].replace(RULE, f"{date} > 30"))
    fig = discovered_boxes(t["inputs"], t["means"], t["ok"], rules, scenario="advisory")
    (ax,) = data_axes(fig)
    assert ax.get_xlabel() == "Announcement 1: announced (days after the earliest date sampled)"


# --- mistakes ----------------------------------------------------------------------------

EMPTY = pd.DataFrame()
MISTAKES = {
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
