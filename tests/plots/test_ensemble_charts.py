"""Ensemble charts: complete figures whose bands, boxes and points equal the tables."""

from pathlib import Path

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure

import sim
from sim.plots import (
    HEADLINE_OUTCOMES,
    composition_fan,
    difference_chart,
    outcome_distributions,
    save,
    total_fan,
)
from sim.plots.style import REFERENCE_LINE, ROLE_COLOURS, line_kwargs, role_style
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


@pytest.fixture(scope="module")
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


@pytest.fixture(scope="module")
def bands(runs) -> pd.DataFrame:
    return _bands(runs[0])


@pytest.fixture(scope="module")
def phases(runs) -> pd.DataFrame:
    return runs[2]


@pytest.fixture(scope="module")
def summary(runs) -> pd.DataFrame:
    return runs[1]


@pytest.fixture(scope="module")
def differences(summary) -> pd.DataFrame:
    return _differences(summary, REFERENCE)


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
    "total_fan": lambda d: total_fan(d["bands"], d["phases"], scenario="advisory"),
    "composition_fan": lambda d: composition_fan(d["bands"], d["phases"], scenario="advisory"),
    "outcome_distributions": lambda d: outcome_distributions(d["summary"], reference=REFERENCE),
    "difference_chart": lambda d: difference_chart(d["differences"]),
}
UNITS = ("People", "US$ million", "Person-days", "Count", "people", "person-days", "count")


@pytest.fixture(scope="module")
def tables(bands, phases, summary, differences) -> dict[str, pd.DataFrame]:
    return {"bands": bands, "phases": phases, "summary": summary, "differences": differences}


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
        "outcome_distributions": lambda **kw: outcome_distributions(tables["summary"], **kw),
        "difference_chart": lambda **kw: difference_chart(tables["differences"], **kw),
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
def test_save_writes_the_ensemble_charts(chart, tables, tmp_path):
    paths = save(CHARTS[chart](tables), tmp_path / chart, formats=("png", "svg"))
    assert paths == [tmp_path / f"{chart}.png", tmp_path / f"{chart}.svg"]
    png, svg = (p.read_bytes() for p in paths)
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 10_000
    assert svg.startswith(b"<?xml") and b"<svg" in svg[:1000]
