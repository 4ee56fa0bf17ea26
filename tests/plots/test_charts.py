"""Charts: complete figures, numbers on the chart equal to the table, files that open."""

from pathlib import Path

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PolyCollection
from matplotlib.colors import to_rgb, to_rgba
from matplotlib.figure import Figure

import sim
from sim.plots import (
    ROLE_COLOURS,
    ROLE_HATCHES,
    composition,
    movements,
    role_style,
    role_styles,
    save,
    total_vs_cap,
)
from sim.results.tables import phases_table

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
CHARTS = [composition, total_vs_cap, movements]
N_REPLICATIONS = 5


def _run(name: str, replications: int = 1) -> tuple[pd.DataFrame, pd.DataFrame]:
    scenario = sim.load_scenario(SCENARIOS / f"{name}.yaml")
    runs = [sim.simulate(scenario, seed=0, replication=r) for r in range(replications)]
    return pd.concat([r.timeseries for r in runs], ignore_index=True), phases_table(scenario)


@pytest.fixture(scope="module")
def advisory() -> tuple[pd.DataFrame, pd.DataFrame]:
    return _run("advisory")


@pytest.fixture(scope="module")
def replicated() -> tuple[pd.DataFrame, pd.DataFrame]:
    return _run("advisory", N_REPLICATIONS)


@pytest.fixture(scope="module")
def two_scenarios(advisory) -> tuple[pd.DataFrame, pd.DataFrame]:
    ts, phases = _run("withdrawal")
    return pd.concat([advisory[0], ts], ignore_index=True), pd.concat([advisory[1], phases])


def _footer(fig: Figure) -> list[str]:
    """Texts of the figure itself, other than its title."""
    return [t.get_text() for t in fig.texts if t.get_text() != fig.get_suptitle()]


def _ax(fig: Figure):
    (ax,) = fig.axes
    return ax


def _labelled(ax, label: str) -> list:
    return [a for a in [*ax.collections, *ax.lines] if a.get_label() == label]


def _legends(fig: Figure) -> list:
    """Every legend of the figure: its own, its subfigures' and its axes'."""
    legends = [*fig.legends, *(legend for sub in fig.subfigs for legend in sub.legends)]
    return legends + [ax.get_legend() for ax in fig.axes if ax.get_legend()]


def _boundaries(collection: PolyCollection) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """x, lower and upper edge of a ``fill_between`` area, read back from its outline."""
    vertices = collection.get_paths()[0].vertices
    edges = pd.DataFrame(vertices, columns=["x", "y"]).groupby("x")["y"].agg(["min", "max"])
    return edges.index.to_numpy(), edges["min"].to_numpy(), edges["max"].to_numpy()


def _datenums(dates) -> np.ndarray:
    return mdates.date2num(pd.DatetimeIndex(dates).to_numpy(dtype="datetime64[ns]"))


# --- every chart -----------------------------------------------------------------------


@pytest.mark.parametrize("chart", CHARTS)
@pytest.mark.parametrize("data", ["advisory", "replicated"])
def test_chart_has_title_labels_legend_and_date_axis(chart, data, request):
    ts, phases = request.getfixturevalue(data)
    fig = chart(ts, phases)
    ax = _ax(fig)

    assert isinstance(fig, Figure)
    assert "advisory" in fig.get_suptitle()
    assert ax.get_xlabel() == "Date"
    assert "People" in ax.get_ylabel()
    (legend,) = _legends(fig)
    assert len(legend.get_texts()) >= 2
    assert isinstance(ax.xaxis.get_major_locator(), mdates.DateLocator)
    assert isinstance(ax.xaxis.get_major_formatter(), mdates.ConciseDateFormatter)
    first, last = _datenums([ts["date"].min(), ts["date"].max()])
    left, right = ax.get_xlim()
    assert first - 7 <= left <= first and last <= right <= last + 7  # date numbers, in range
    assert _footer(fig) == ["Source: sim model run; scenario advisory"]


@pytest.mark.parametrize("chart", CHARTS)
def test_chart_takes_title_and_footer(chart, advisory):
    fig = chart(*advisory, title="Option 2", footer="Source: test")
    assert fig.get_suptitle() == "Option 2"
    assert _footer(fig) == ["Source: test"]
    assert _footer(chart(*advisory, footer="")) == []


@pytest.mark.parametrize("chart", CHARTS)
def test_chart_leaves_pyplot_alone(chart, advisory):
    before = plt.get_fignums()
    chart(*advisory)
    assert plt.get_fignums() == before


@pytest.mark.parametrize("chart", CHARTS)
def test_phase_starts_and_deadlines_are_marked_without_overlap(chart, advisory):
    ts, phases = advisory
    fig = chart(ts, phases)
    ax = _ax(fig)
    # axvline draws a line whose two x values are equal
    vertical = {line.get_xdata()[0] for line in ax.lines if len(set(line.get_xdata())) == 1}
    later = phases.iloc[1:]  # the first phase starts with the run: no marker
    wanted = set(_datenums(later["start"])) | set(_datenums(phases["deadline"].dropna()))
    assert wanted <= vertical
    # a deadline is named with the phase that set it, never alone
    deadlines = {f"deadline: {name}" for name in phases.dropna(subset="deadline")["name"]}
    deadlines -= {"deadline: advise, assist and enable"}  # carried from the phase before
    texts = [t for t in ax.texts if t.get_text().strip() in {*later["name"], *deadlines}]
    assert {t.get_text().strip() for t in texts} == {*later["name"], *deadlines}
    # the second phase starts on the first one's deadline: their labels must not collide
    renderer = fig.canvas.get_renderer()
    boxes = [t.get_window_extent(renderer) for t in texts]
    for i, a in enumerate(boxes):
        assert ax.bbox.x0 <= a.x0 and a.x1 <= ax.bbox.x1
        for b in boxes[i + 1 :]:
            assert not a.overlaps(b)


@pytest.mark.parametrize("chart", CHARTS)
def test_several_scenarios_need_one_chosen(chart, two_scenarios):
    ts, phases = two_scenarios
    with pytest.raises(ValueError, match=r"advisory.*withdrawal"):
        chart(ts, phases)
    with pytest.raises(ValueError, match="no scenario 'base'"):
        chart(ts, phases, scenario="base")
    fig = chart(ts, phases, scenario="withdrawal")
    assert "withdrawal" in fig.get_suptitle()
    names = {t.get_text().strip() for t in _ax(fig).texts}
    assert "withdrawal" in names and "end of the combat mission" not in names


# --- composition -----------------------------------------------------------------------


@pytest.mark.parametrize("measure", ["cap_count", "boots_on_ground"])
def test_composition_stack_is_the_measure_by_role(measure, advisory):
    ts, phases = advisory
    ax = _ax(composition(ts, phases, measure=measure))
    wide = ts.pivot_table(index="date", columns="role", values=measure, observed=True)
    x = _datenums(wide.index)
    below = np.zeros(len(wide))
    for role in ts["role"].cat.categories:
        (area,) = _labelled(ax, role.replace("_", " ").capitalize())
        xs, lower, upper = _boundaries(area)
        np.testing.assert_array_equal(xs, x)
        np.testing.assert_allclose(lower, below)
        np.testing.assert_allclose(upper - lower, wide[role])
        below = upper
    np.testing.assert_allclose(below, ts.groupby("date")[measure].sum())  # top = total
    assert ax.get_ylabel() == {"cap_count": "People (cap count)"}.get(
        measure, "People (boots on the ground)"
    )


def test_composition_of_replications_stacks_the_mean(replicated):
    ts, phases = replicated
    ax = _ax(composition(ts, phases))
    (top,) = _labelled(ax, "Headquarters")  # last role: the top of the stack
    total = ts.groupby("date")["cap_count"].sum() / N_REPLICATIONS
    np.testing.assert_allclose(_boundaries(top)[2], total)
    assert f"mean of {N_REPLICATIONS} replications" in ax.get_title(loc="left")


def test_cap_line_steps_at_each_phase_start(advisory):
    ts, phases = advisory
    phases = phases.assign(cap=[2500, 2200, 1800])  # distinct caps, so steps show
    # a phase before the run is superseded by the one starting on the run's first day
    earlier = phases.iloc[[0]].assign(name="earlier", start=pd.Timestamp("2021-01-01"), cap=900)
    phases = pd.concat([earlier, phases], ignore_index=True)
    (cap,) = _labelled(_ax(composition(ts, phases)), "Cap")
    x, y = cap.get_xdata(), cap.get_ydata()
    assert cap.get_drawstyle() == "steps-post"
    assert x[0] == _datenums([ts["date"].min()])[0] and x[-1] == _datenums([ts["date"].max()])[0]
    for day in pd.date_range(ts["date"].min(), ts["date"].max(), freq="7D"):
        in_force = phases.loc[phases["start"] <= day, "cap"].iloc[-1]
        assert y[np.searchsorted(x, _datenums([day])[0], side="right") - 1] == in_force


def test_composition_rejects_unknown_measure(advisory):
    with pytest.raises(ValueError, match="unknown measure"):
        composition(*advisory, measure="arrivals")


# --- total_vs_cap ----------------------------------------------------------------------


def test_total_vs_cap_lines_are_the_daily_totals(advisory):
    ts, phases = advisory
    ax = _ax(total_vs_cap(ts, phases))
    totals = ts.groupby("date")[["boots_on_ground", "cap_count"]].sum()
    (boots,) = _labelled(ax, "Boots on the ground")
    (counted,) = _labelled(ax, "Cap count (official figure)")
    np.testing.assert_array_equal(boots.get_ydata(), totals["boots_on_ground"])
    np.testing.assert_array_equal(counted.get_ydata(), totals["cap_count"])
    assert boots.get_linestyle() != counted.get_linestyle()  # tell apart in greyscale
    (gap,) = [c for c in ax.collections if c.get_label().startswith("Gap")]
    _, lower, upper = _boundaries(gap)
    np.testing.assert_allclose(upper - lower, totals["boots_on_ground"] - totals["cap_count"])


def test_total_vs_cap_of_replications_draws_median_and_band(replicated):
    ts, phases = replicated
    ax = _ax(total_vs_cap(ts, phases))
    bands = [c for c in ax.collections if "5–95%" in c.get_label()]
    assert len(bands) == 2
    per_rep = ts.groupby(["date", "replication"])["boots_on_ground"].sum().unstack()
    (band,) = [b for b in bands if b.get_label().startswith("Boots")]
    (median,) = _labelled(ax, "Boots on the ground, median")
    _, lower, upper = _boundaries(band)
    np.testing.assert_allclose(lower, per_rep.quantile(0.05, axis=1))
    np.testing.assert_allclose(upper, per_rep.quantile(0.95, axis=1))
    np.testing.assert_allclose(median.get_ydata(), per_rep.median(axis=1))
    assert per_rep.std(axis=1).max() > 0  # the band is not trivially flat


# --- movements -------------------------------------------------------------------------


def test_movements_bars_are_weekly_arrivals_and_departures(replicated):
    ts, phases = replicated
    ax = _ax(movements(ts, phases))
    bars = pd.DataFrame(
        [(p.get_x(), p.get_height()) for p in ax.patches if p.get_height() != 0],
        columns=["x", "height"],
    )
    week_start = mdates.num2date(bars["x"] - 0.5)
    assert {d.weekday() for d in week_start} == {0}  # each bar starts on a Monday
    weekly = ts.set_index("date").groupby(pd.Grouper(freq="W-SUN"))[["arrivals", "departures"]]
    expected = weekly.sum() / N_REPLICATIONS
    up = bars[bars["height"] > 0].groupby("x")["height"].sum()
    down = -bars[bars["height"] < 0].groupby("x")["height"].sum()
    nonzero = expected[expected["arrivals"] > 0]["arrivals"]
    np.testing.assert_allclose(up.to_numpy(), nonzero.to_numpy())
    nonzero = expected[expected["departures"] > 0]["departures"]
    np.testing.assert_allclose(down.to_numpy(), nonzero.to_numpy())
    assert ax.get_ylabel() == "People per week"


# --- style -----------------------------------------------------------------------------


def _relative_luminance(colour: str) -> float:
    rgb = np.array(to_rgb(colour))
    linear = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    return float(linear @ [0.2126, 0.7152, 0.0722])


def test_role_colours_differ_in_grey_and_hatches_differ():
    colours = list(ROLE_COLOURS.values())
    luminance = [_relative_luminance(c) for c in colours]
    grey = [float(np.dot(to_rgb(c), [0.299, 0.587, 0.114])) for c in colours]
    for i in range(len(colours)):
        for j in range(i + 1, len(colours)):
            assert abs(luminance[i] - luminance[j]) >= 0.05, (colours[i], colours[j])
            assert abs(grey[i] - grey[j]) >= 0.08, (colours[i], colours[j])
    assert len(set(ROLE_HATCHES.values())) == len(ROLE_HATCHES) == len(ROLE_COLOURS)


def test_hatches_are_drawn_in_a_colour_other_than_the_fill(advisory):
    ax = _ax(composition(*advisory))
    for role, hatch in ROLE_HATCHES.items():
        (area,) = _labelled(ax, role.replace("_", " ").capitalize())
        assert area.get_hatch() == hatch
        face = area.get_facecolor()[0]
        # matplotlib >= 3.10 has a hatch colour of its own; before, hatches use the edge
        hatch_colour = area.get_hatchcolor()[0] if hasattr(area, "get_hatchcolor") else None
        if hatch_colour is None:
            hatch_colour = area.get_edgecolor()[0]
        assert not np.allclose(face, hatch_colour)
        assert np.allclose(face, to_rgba(ROLE_COLOURS[role]))


def test_other_roles_get_stable_distinct_styles():
    roles = ["combat", "medical", "aviation", "engineers", "intelligence", "cyber"]
    styles = role_styles(roles)
    assert styles["combat"] == role_style("combat")
    assert styles == role_styles(roles)
    assert role_style("medical") == role_style("medical")
    pairs = {(s["color"], s["hatch"]) for s in styles.values()}
    assert len(pairs) == len(roles)


def test_chart_draws_a_role_outside_the_default_list(advisory):
    ts, phases = advisory
    ts = ts.assign(role=ts["role"].cat.rename_categories({"headquarters": "staff"}))
    ax = _ax(composition(ts, phases))
    (area,) = _labelled(ax, "Staff")
    assert area.get_hatch() == role_style("staff")["hatch"]


# --- save ------------------------------------------------------------------------------

MAGIC = {"png": (b"\x89PNG\r\n\x1a\n",), "svg": (b"<?xml", b"<svg"), "pdf": (b"%PDF",)}


def test_save_writes_each_format(advisory, tmp_path):
    fig = total_vs_cap(*advisory)
    paths = save(fig, tmp_path / "new" / "folder" / "advisory.total", formats=MAGIC)
    assert paths == [tmp_path / "new" / "folder" / f"advisory.total.{f}" for f in MAGIC]
    for path, fmt in zip(paths, MAGIC, strict=True):
        data = path.read_bytes()
        assert len(data) > 1000
        assert data.startswith(MAGIC[fmt])


def test_save_defaults_to_png_and_svg(advisory, tmp_path):
    paths = save(movements(*advisory), tmp_path / "chart")
    assert paths == [tmp_path / "chart.png", tmp_path / "chart.svg"]
    assert all(p.stat().st_size > 1000 for p in paths)


@pytest.mark.parametrize("fmt", ["svg", "pdf"])
def test_save_gives_the_same_bytes_for_the_same_chart(fmt, advisory, tmp_path):
    (a,) = save(total_vs_cap(*advisory), tmp_path / "a", formats=fmt)
    (b,) = save(total_vs_cap(*advisory), tmp_path / "b", formats=(fmt,))
    assert a.read_bytes() == b.read_bytes()  # no dates or random ids in the files


def test_save_rejects_unknown_format_before_writing(advisory, tmp_path):
    fig = composition(*advisory)
    with pytest.raises(ValueError, match="jpeg"):
        save(fig, tmp_path / "out" / "chart", formats=("png", "jpeg"))
    assert not (tmp_path / "out").exists()
