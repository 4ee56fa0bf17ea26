"""``sim.compare()`` and ``sim.load_results()``: one Comparison of tidy tables and charts.

One short comparison of the three options (6 replications, run to 2022-01-31) is run once
and written to a folder; the tests read its tables, draw its charts, and load the folder
back, which must give the same object without running anything again.
"""

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from matplotlib.text import Text

import sim
from sim.scenario.schema import slug
from sim.workflows.comparison import TABLES, Comparison
from sim.workflows.run import compare

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
NAMES = ["status-quo", "advisory", "withdrawal"]
PATHS = [SCENARIOS / f"{name}.yaml" for name in NAMES]
SHORT = ["end=2022-01-31"]  # a month past the last phase start (2021-12-31)
REPLICATIONS = 6
SEED = 7

# Columns as README.md's output-folder section documents them.
COLUMNS = {
    "timeseries": [
        "scenario",
        "replication",
        "date",
        "role",
        "boots_on_ground",
        "cap_count",
        "arrivals",
        "departures",
    ],
    "outcomes": [
        "scenario",
        "outcome",
        "n",
        "mean",
        "sd",
        "q05",
        "q50",
        "q95",
        "ci_low",
        "ci_high",
    ],
    "differences": [
        "scenario",
        "reference",
        "outcome",
        "n",
        "mean",
        "sd",
        "q05",
        "q50",
        "q95",
        "ci_low",
        "ci_high",
    ],
    "bands": [
        "scenario",
        "date",
        "role",
        "measure",
        "replications",
        "mean",
        "q05",
        "q25",
        "q50",
        "q75",
        "q95",
    ],
    "events": [
        "scenario",
        "replication",
        "date",
        "time",
        "event",
        "unit",
        "unit_type",
        "role",
        "people",
        "detail",
    ],
    "phases": [
        "scenario",
        "phase",
        "name",
        "start",
        "deadline",
        "announced",
        "cap",
        "early_return",
        "deadline_status",
        "superseded_by",
    ],
    "movements": ["scenario", "replication", "date", "role", "arrivals", "departures"],
}
OUTCOMES = [
    "days_over_cap",
    "peak_boots_on_ground",
    "mean_boots_on_ground",
    "peak_cap_count",
    "mean_cap_count",
    "final_cap_count",
    "adviser_days",
    "exposed_person_days",
    "attacks",
    "casualties",
    "troop_cost_usd",
    "base_cost_usd",
    "total_cost_usd",
    "zero_on",
    "shortfalls",
]
INPUTS = ["input.threat.attacks_per_month", "input.airlift.cancel_probability"]


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("compare") / "three-options"


@pytest.fixture(scope="module")
def cmp(folder) -> Comparison:
    """The three options side by side, also written to ``folder`` (charts as SVG only)."""
    return compare(
        PATHS, replications=REPLICATIONS, seed=SEED, overrides=SHORT, out=folder, formats=("svg",)
    )


@pytest.fixture(scope="module")
def loaded(cmp, folder) -> Comparison:
    return sim.load_results(folder)


@pytest.fixture(scope="module")
def single() -> Comparison:
    """One option on its own, not written anywhere."""
    return compare(PATHS[:1], replications=2, seed=SEED, overrides=SHORT)


def _missing(wanted: list[str], have) -> list[str]:
    return [c for c in wanted if c not in set(have)]


def _texts(fig: Figure) -> list[str]:
    """Every piece of text drawn on the figure, whitespace collapsed."""
    return [" ".join(t.get_text().split()) for t in fig.findobj(Text) if t.get_text().strip()]


# --- the object and its tables ------------------------------------------------------------


def test_sim_compare_is_still_the_function_once_its_module_is_imported():
    import sim.workflows.comparison  # as the pipeline and the CLI do

    assert callable(sim.compare), (
        "sim.compare is a module, not the function: importing a submodule of that name "
        "submodule rebinds the package attribute, so sim.compare(...) fails after the "
        "first call (TypeError: 'module' object is not callable)"
    )


def test_compare_returns_a_comparison_of_the_options(cmp, folder):
    assert isinstance(cmp, Comparison)
    assert cmp.scenarios == NAMES
    assert cmp.reference == "status-quo"
    assert cmp.replications == REPLICATIONS
    assert cmp.folder == folder
    assert cmp.manifest["seed"] == SEED
    assert cmp.manifest["status"] == "complete"
    assert cmp.manifest["overrides"] == SHORT


@pytest.mark.parametrize("name", sorted(COLUMNS))
def test_tables_have_the_documented_columns(cmp, name):
    frame = getattr(cmp, name)
    assert isinstance(frame, pd.DataFrame)
    assert list(frame.columns) == COLUMNS[name]
    assert len(frame) > 0
    assert list(pd.unique(frame["scenario"])) == (NAMES if name != "differences" else NAMES[1:])


def test_summary_has_a_row_per_replication_and_a_column_per_outcome_and_input(cmp):
    s = cmp.summary
    assert list(s.columns[:2]) == ["scenario", "replication"]
    assert _missing(OUTCOMES + INPUTS, s.columns) == []
    counts = s.groupby("scenario").size()
    assert counts.to_dict() == dict.fromkeys(NAMES, REPLICATIONS)
    for name in NAMES:
        assert sorted(s.loc[s["scenario"] == name, "replication"]) == list(range(REPLICATIONS))
    # each phase with a deadline has its two columns
    for phase in cmp.phases.dropna(subset=["deadline"])["name"]:
        column = slug(phase)
        assert {f"{column}_met_on", f"{column}_days_late"} <= set(s.columns), phase


def test_common_random_numbers_draw_the_same_inputs_for_every_option(cmp):
    s = cmp.summary.set_index(["scenario", "replication"])
    drawn = s["input.threat.attacks_per_month"].unstack("scenario")
    for name in NAMES[1:]:
        np.testing.assert_array_equal(drawn[name], drawn["status-quo"])
    assert drawn["status-quo"].nunique() > 1  # drawn per replication, not fixed


def test_outcomes_and_bands_are_ordered_statistics(cmp):
    o = cmp.outcomes.dropna(subset=["mean"])
    # days late is empty in a replication that never meets the phase's goal
    late = o["outcome"].str.endswith("_days_late")
    assert (o.loc[~late, "n"] == REPLICATIONS).all() and (o.loc[late, "n"] <= REPLICATIONS).all()
    assert (o["q05"] <= o["q50"] + 1e-9).all() and (o["q50"] <= o["q95"] + 1e-9).all()
    assert (o["ci_low"] <= o["mean"] + 1e-9).all() and (o["mean"] <= o["ci_high"] + 1e-9).all()
    b = cmp.bands
    assert set(b["measure"]) == {"boots_on_ground", "cap_count"}
    assert "total" in set(b["role"])
    assert (b["replications"] == REPLICATIONS).all()
    q = b[["q05", "q25", "q50", "q75", "q95"]].to_numpy()
    assert (np.diff(q, axis=1) >= 0).all()
    assert (q >= 0).all()


def test_differences_pair_each_option_with_the_reference_by_replication(cmp):
    s = cmp.summary.set_index(["scenario", "replication"])["mean_cap_count"].unstack("scenario")
    d = cmp.differences.set_index(["scenario", "outcome"])
    assert set(cmp.differences["reference"]) == {"status-quo"}
    for name in NAMES[1:]:
        paired = s[name] - s["status-quo"]
        assert d.loc[(name, "mean_cap_count"), "mean"] == pytest.approx(paired.mean())
        assert d.loc[(name, "mean_cap_count"), "n"] == REPLICATIONS


def test_timeseries_and_events_are_replication_zero(cmp):
    assert set(cmp.timeseries["replication"]) == {0}
    assert set(cmp.events["replication"]) == {0}


def test_phases_are_each_options_policy(cmp):
    for name in NAMES:
        policy = cmp.scenario(name)["phases"]
        rows = cmp.phases[cmp.phases["scenario"] == name]
        assert list(rows["name"]) == [p["name"] for p in policy]


# --- charts -------------------------------------------------------------------------------

METHODS = ["plot_total", "plot_composition", "plot_movements", "plot_outcomes", "plot_differences"]


@pytest.fixture(scope="module", params=METHODS)
def chart(request, cmp, folder) -> tuple[str, Figure, list[Path]]:
    """A chart of the comparison (of advisory, for a chart of one option) and any file it wrote."""
    method = request.param
    before = set(folder.rglob("*"))
    args = ("advisory",) if method in METHODS[:3] else ()
    fig = getattr(cmp, method)(*args)
    return method, fig, sorted(set(folder.rglob("*")) - before)


def test_chart_methods_return_titled_figures(chart):
    method, fig, written = chart
    assert isinstance(fig, Figure), method
    assert fig.get_suptitle().strip(), method
    assert fig.axes
    assert written == []  # a chart method never writes a file


def test_the_reference_is_on_every_comparison_chart(chart, cmp):
    method, fig, _ = chart
    texts = _texts(fig)
    assert any(f"{cmp.reference} (reference)" in t for t in texts), (
        f"{method}: the reference {cmp.reference} is not drawn; texts: {texts[:6]}"
    )


def test_a_chart_of_one_option_names_it(cmp):
    fig = cmp.plot_total("withdrawal")
    assert "withdrawal" in fig.get_suptitle()
    assert any("seed 7" in t for t in _texts(fig))  # the footer
    fig = cmp.plot_total()
    assert "status-quo" in fig.get_suptitle()  # the first option by default


def test_the_reference_can_be_chosen():
    other = compare(PATHS[:2], replications=2, seed=SEED, overrides=SHORT, reference="advisory")
    assert other.reference == "advisory"
    assert other.manifest["reference"] == "advisory"  # as the run folder records it
    assert set(other.differences["reference"]) == {"advisory"}
    assert set(other.differences["scenario"]) == {"status-quo"}
    texts = _texts(other.plot_total("status-quo"))
    assert any("advisory (reference)" in t for t in texts)


def test_an_unknown_reference_is_refused_before_running(tmp_path):
    with pytest.raises(sim.SimError, match="nope"):
        compare(PATHS[:2], replications=2, overrides=SHORT, reference="nope", out=tmp_path / "run")
    assert not (tmp_path / "run").exists()


# --- one option ---------------------------------------------------------------------------


def test_one_scenario_compares_with_itself_only(single):
    assert single.scenarios == ["status-quo"]
    assert single.reference == "status-quo"
    assert single.differences.empty
    assert len(single.outcomes) > 0
    assert set(single.charts()) == {"total-vs-cap", "composition", "movements", "outcomes"}


def test_plot_differences_needs_two_options(single):
    with pytest.raises(ValueError, match="two or more"):
        single.plot_differences()


# --- loading a run folder -----------------------------------------------------------------


def test_the_folder_holds_the_tables_and_the_standard_charts(folder):
    for name in TABLES:
        assert (folder / f"{name}.csv").stat().st_size > 0, name
    stems = {
        f"{kind}-{name}" for name in NAMES for kind in ("total-vs-cap", "composition", "movements")
    }
    svgs = {p.stem for p in (folder / "charts").glob("*.svg")}
    assert svgs == stems | {"outcomes", "differences"}
    assert not list((folder / "charts").glob("*.png"))  # formats=("svg",) was passed on


def test_load_results_gives_a_comparison_without_running(loaded, cmp, folder):
    assert isinstance(loaded, Comparison)
    assert loaded.folder == folder
    assert loaded.scenarios == cmp.scenarios
    assert loaded.reference == cmp.reference
    assert loaded.replications == cmp.replications
    assert loaded.manifest == cmp.manifest


@pytest.mark.parametrize("name", TABLES)
def test_load_results_gives_the_same_table(loaded, cmp, name):
    pd.testing.assert_frame_equal(getattr(loaded, name), getattr(cmp, name))


def test_a_loaded_comparison_draws_the_same_charts(loaded, cmp):
    texts = _texts(loaded.plot_total("advisory"))
    assert any("status-quo (reference)" in t for t in texts)
    assert texts == _texts(cmp.plot_total("advisory"))


def _copy(folder: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(folder, tmp_path / "copy"))


def test_load_results_refuses_a_folder_that_is_not_a_run(tmp_path):
    (tmp_path / "notes.txt").write_text("not a run")
    with pytest.raises(sim.OutputError, match="not a run folder"):
        sim.load_results(tmp_path)
    with pytest.raises(sim.OutputError):
        sim.load_results(tmp_path / "missing")


def test_load_results_refuses_an_interrupted_run(folder, tmp_path):
    copy = _copy(folder, tmp_path)
    manifest = json.loads((copy / "manifest.json").read_text())
    manifest["status"] = "interrupted"
    (copy / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(sim.OutputError, match="interrupted"):
        sim.load_results(copy)


def test_load_results_refuses_a_run_with_a_table_missing(folder, tmp_path):
    copy = _copy(folder, tmp_path)
    (copy / "summary.csv").unlink()
    with pytest.raises(sim.OutputError, match=r"summary\.csv"):
        sim.load_results(copy)


def test_load_results_refuses_a_damaged_manifest(folder, tmp_path):
    copy = _copy(folder, tmp_path)
    (copy / "manifest.json").write_text('{"status": "compl')
    with pytest.raises(sim.OutputError, match=r"manifest\.json"):
        sim.load_results(copy)
