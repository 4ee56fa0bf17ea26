"""Outcome charts: complete figures whose boxes and points equal the tables."""

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from sim.plots import HEADLINE_OUTCOMES, difference_chart, outcome_distributions, save

REFERENCE = "status-quo"  # the reference scenario of the tables in conftest.py


# --- reading charts back -----------------------------------------------------------------


def _labelled(ax, label: str) -> list:
    return [a for a in [*ax.collections, *ax.lines] if a.get_label() == label]


def _footer(fig: Figure) -> list[str]:
    return [t.get_text() for t in fig.texts if t.get_text() != fig.get_suptitle()]


def _panels(fig: Figure) -> list:
    return [ax for ax in fig.axes if ax.axison]


def _legend_texts(fig: Figure) -> list[str]:
    legends = [*fig.legends, *(ax.get_legend() for ax in fig.axes)]
    return [t.get_text() for legend in legends if legend for t in legend.get_texts()]


def _row_names(ax) -> list[str]:
    """Names of a panel's rows (also where a shared axis shows them on another panel)."""
    return list(ax.yaxis.get_major_formatter().format_ticks(ax.get_yticks()))


def _subtitle(fig: Figure) -> str:
    texts = [ax.get_title(loc="left") for ax in fig.axes]
    texts += [sub.get_suptitle() for sub in fig.subfigs]
    return "\n".join(texts)


# --- every chart -------------------------------------------------------------------------

CHARTS = {
    "outcome_distributions": lambda d: outcome_distributions(d["summary"], reference=REFERENCE),
    "difference_chart": lambda d: difference_chart(d["differences"]),
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
        "outcome_distributions": lambda **kw: outcome_distributions(tables["summary"], **kw),
        "difference_chart": lambda **kw: difference_chart(tables["differences"], **kw),
    }
    fig = charts[chart](title="Option 2", footer="Source: test")
    assert fig.get_suptitle() == "Option 2"
    assert _footer(fig) == ["Source: test"]
    assert _footer(charts[chart](footer="")) == []


# --- outcome_distributions ---------------------------------------------------------------


def test_outcome_distributions_has_a_panel_per_outcome_and_a_box_per_scenario(summary):
    order = ["advisory", "status-quo", "withdrawal"]  # the reference is not first in the frame
    frame = pd.concat([summary[summary["scenario"] == s] for s in order], ignore_index=True)
    fig = outcome_distributions(frame, reference=REFERENCE)
    panels = _panels(fig)
    assert [ax.get_title(loc="left") for ax in panels] == [
        "Total cost",
        "Mean cap count",
        "Peak boots on the ground",
        "Adviser-days delivered",
        "Casualties",
    ]
    assert [ax.get_xlabel() for ax in panels] == [
        "US$ million",
        "People",
        "People",
        "Person-days",
        "Count",
    ]
    wanted = [REFERENCE, "advisory", "withdrawal"]  # reference first, then the frame's order
    for ax, outcome in zip(panels, HEADLINE_OUTCOMES, strict=True):
        assert len(ax.patches) == len(wanted)
        assert [t.split("\n")[0] for t in _row_names(ax)] == wanted
        scale = 1e-6 if outcome == "total_cost_usd" else 1.0
        for box, name in zip(ax.patches, wanted, strict=True):
            values = frame.loc[frame["scenario"] == name, outcome] * scale
            xs = box.get_path().vertices[:, 0]
            assert xs.min() == pytest.approx(values.quantile(0.25))
            assert xs.max() == pytest.approx(values.quantile(0.75))
    assert _row_names(ax)[0] == f"{REFERENCE}\n(reference)"
    assert ax.patches[0].get_hatch() and not ax.patches[1].get_hatch()  # reference marked


def test_outcome_distributions_takes_outcomes(summary):
    fig = outcome_distributions(summary, ["attacks", "exposed_person_days"])
    assert [ax.get_title(loc="left") for ax in _panels(fig)] == [
        "Attacks",
        "Exposure: people in the country",
    ]
    assert len(fig.axes) == 2  # no blank cell: the legend sits beside the panels
    assert len(fig.subfigs[0].legends) == 1
    with pytest.raises(ValueError, match="no outcome zero_on"):
        outcome_distributions(summary, ["zero_on"])  # a date, not a number
    with pytest.raises(ValueError, match="no reference scenario 'base'"):
        outcome_distributions(summary, reference="base")


# --- difference_chart --------------------------------------------------------------------


def test_difference_chart_points_are_the_mean_differences(differences):
    fig = difference_chart(differences)
    panels = _panels(fig)
    assert len(panels) == len(HEADLINE_OUTCOMES)
    for ax, outcome in zip(panels, HEADLINE_OUTCOMES, strict=True):
        rows = differences[differences["outcome"] == outcome]
        scale = 1e-6 if outcome == "total_cost_usd" else 1.0
        (points,) = _labelled(ax, "Mean difference")
        np.testing.assert_allclose(points.get_xdata(), rows["mean"] * scale)
        names = _row_names(ax)
        assert names == ["advisory", "withdrawal"]
        assert [names[int(y)] for y in points.get_ydata()] == list(rows["scenario"])
        zero = [line for line in ax.lines if list(line.get_xdata()) == [0, 0]]
        assert len(zero) == 1
        assert REFERENCE in {t.get_text().strip() for t in ax.texts}
        assert ax.get_xlabel().startswith("Difference (")
    assert f"{REFERENCE} (reference):\nno difference" in _legend_texts(fig)


def test_difference_chart_draws_both_intervals(differences):
    fig = difference_chart(differences, ["casualties"])
    (ax,) = _panels(fig)
    row = differences[
        (differences["outcome"] == "casualties") & (differences["scenario"] == "withdrawal")
    ].iloc[0]
    segments = [seg for c in ax.collections for seg in c.get_segments()]
    spans = {(round(s[0][0], 9), round(s[1][0], 9)) for s in segments}
    assert (round(row["q05"], 9), round(row["q95"], 9)) in spans
    assert (round(row["ci_low"], 9), round(row["ci_high"], 9)) in spans


def test_difference_chart_wants_one_reference(differences):
    other = differences.assign(reference="advisory")
    with pytest.raises(ValueError, match="2 references"):
        difference_chart(pd.concat([differences, other]))
    with pytest.raises(ValueError, match="no outcome nope"):
        difference_chart(differences, ["nope"])


# --- save --------------------------------------------------------------------------------


@pytest.mark.parametrize("chart", CHARTS)
def test_save_writes_the_outcome_charts(chart, tables, tmp_path):
    paths = save(CHARTS[chart](tables), tmp_path / chart, formats=("png", "svg"))
    assert paths == [tmp_path / f"{chart}.png", tmp_path / f"{chart}.svg"]
    png, svg = (p.read_bytes() for p in paths)
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 10_000
    assert svg.startswith(b"<?xml") and b"<svg" in svg[:1000]
