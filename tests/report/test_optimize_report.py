"""The report of an optimisation folder: what was searched and found, in numbers for people,
with its charts, and everything from the folder kept as text.

The folder is written here from the hand-made tables of the chart tests (a fixed numpy
generator, the columns ``sim optimize`` writes), so these tests never run the model or
the search.
"""

import copy
import json
import pickle

import pandas as pd
import pytest

from sim.errors import OutputError
from sim.report import render_optimization, write_optimization_report
from sim.report.optimize import read_optimization
from sim.results.layout import write_csv

from ..plots.test_optimize_charts import LEVERS, optimisation_manifest, optimisation_tables

HOSTILE = "<script>alert('x')</script> & <b>bold</b>"


def write_folder(folder, tables=None, manifest=None):
    """An optimisation folder: the three tables and the manifest."""
    tables = tables or optimisation_tables()
    manifest = manifest or optimisation_manifest(tables)
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in tables.items():
        write_csv(frame, folder / f"{name}.csv")
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def tables():
    return optimisation_tables()


@pytest.fixture(scope="module")
def folder(tables, tmp_path_factory):
    return write_folder(tmp_path_factory.mktemp("optimize") / "search", tables)


@pytest.fixture(scope="module")
def html(folder):
    return write_optimization_report(folder).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def page(html, read_page):
    return read_page(html)


def _text_page(folder, read_page, change=None):
    """The page without its charts, after ``change`` to the manifest and tables."""
    opt = read_optimization(folder)
    if change is not None:
        manifest, pareto = copy.deepcopy(opt.manifest), opt.pareto.copy()
        change(manifest, pareto)
        opt = type(opt)(opt.folder, manifest, opt.candidates, pareto, opt.convergence)
    html = render_optimization(opt, charts=False)
    return html, read_page(html)


def _rows(page, section: str, index: int = 0) -> list[list[str]]:
    return page.tables[section][index]


# --- the page ----------------------------------------------------------------------------


def test_the_report_is_written_in_the_folder_or_where_asked(folder, html, tmp_path):
    assert (folder / "report.html").is_file()
    assert html.startswith("<!doctype html>")
    out = write_optimization_report(folder, tmp_path / "elsewhere.html")
    assert out == tmp_path / "elsewhere.html"
    assert out.read_text(encoding="utf-8").count("<svg") == html.count("<svg")


def test_the_page_has_its_sections_and_states_the_question(page):
    assert list(page.headings) == [
        "searched",
        "objectives",
        "search",
        "pareto",
        "charts",
        "convergence",
        "limits",
        "provenance",
    ]
    assert page.title == "Designing an option: Shift to an advisory role"
    assert "Which cap, start and pace for the advisory shift?" in page.words("header")
    assert page.headings["limits"] == "What this does not tell you"


def test_the_three_charts_are_embedded_as_svg(page, html):
    assert page.figure_svgs == ["chart-pareto", "chart-tradeoffs", "chart-convergence"]
    assert "could not be drawn" not in html
    assert page.tags["img"] == page.tags["script"] == 0
    assert not [v for _, _, v in page.links if not v.startswith("#")]  # nothing from outside
    assert len(page.ids) == len(set(page.ids))  # each chart's ids made its own


def test_a_chart_that_fails_costs_only_itself(folder, read_page, monkeypatch):
    import sim.plots.optimize

    def broken(*args, **kwargs):
        raise ValueError("no <tradeoffs> today")

    monkeypatch.setattr(sim.plots.optimize, "tradeoffs", broken)
    page = read_page(render_optimization(read_optimization(folder)))
    assert page.figure_svgs == ["chart-pareto", "chart-convergence"]
    assert "This chart could not be drawn: no <tradeoffs> today" in page.words("charts")


# --- numbers for people ------------------------------------------------------------------


def test_the_pareto_tables_have_a_row_per_option(page, tables):
    pareto = tables["pareto"]
    levers, scores = page.tables["pareto"]
    assert [row[0] for row in levers[1:]] == list(pareto["option"])
    assert [row[0] for row in scores[1:]] == list(pareto["option"])
    assert [row[-1] for row in scores[1:]] == ["yes" if s else "no" for s in pareto["stays"]]
    assert [row[-1] for row in levers[1:]] == list(pareto["file"])


def test_levers_are_written_for_people(page, tables):
    levers = _rows(page, "pareto")
    assert levers[0][1:4] == [
        "End of the combat mission: cap (people)",
        "End of the combat mission: announced",
        "End of the combat mission: pace",
    ]
    first = tables["pareto"].iloc[0]
    day = pd.Timestamp(first[LEVERS[1]])
    assert levers[1][1] == f"{first[LEVERS[0]]:,.0f}"  # 2,278
    assert levers[1][2] == f"{day.day} {day:%B %Y}"  # 2 August 2021
    assert levers[1][3] == first[LEVERS[2]].replace("_", " ")
    searched = {row[1]: row[2] for row in _rows(page, "searched")[1:]}
    assert searched[LEVERS[0]] == "2,000 to 3,000"
    assert searched[LEVERS[1]] == "26 July 2021 to 30 November 2021"
    assert searched[LEVERS[2]] == "one of at once, steady"


def test_scores_are_in_their_units_with_their_intervals_and_fresh_values(page, tables):
    header, *rows = _rows(page, "pareto", 1)
    assert header[1:3] == ["Total cost (US$ million): search", "re-evaluated"]
    assert header[3] == "Adviser-days delivered: search"
    first = tables["pareto"].iloc[0]
    half = tables["candidates"].set_index("candidate").loc[first["candidate"]]
    cost = first["total_cost_usd"] * 1e-6
    assert rows[0][1] == f"{cost:,.0f} ± {half['total_cost_usd_ci'] * 1e-6:,.0f}"
    assert rows[0][2] == f"{first['fresh_total_cost_usd'] * 1e-6:,.0f}"
    assert rows[0][3] == f"{first['adviser_days']:,.0f} ± {half['adviser_days_ci']:,.0f}"
    assert rows[0][5] == f"{first['casualties']:,.0f}"  # no interval in the file: none shown
    assert "e+" not in " ".join(cell for row in rows for cell in row)


def test_objectives_thresholds_and_search_are_stated(page):
    objectives = {row[0]: row[1:] for row in _rows(page, "objectives")[1:]}
    assert objectives["Total cost (US$ million)"] == ["lower", "none"]
    assert objectives["Adviser-days delivered"] == ["higher", "at least 150,000 person-days"]
    assert objectives["Days over the cap"] == ["lower", "at most 0 days"]
    search = dict(_rows(page, "search")[1:])
    assert search["Algorithm"] == "NSGA-II"
    assert search["Budget"] == "80 evaluations"
    assert search["Uncertain inputs"] == "held at their reference values (one future)"
    assert search["Replications per candidate"] == "10 to 20"
    assert search["Still unbeaten when re-evaluated"] == "6"


def test_the_limits_say_what_was_held_fixed_and_the_noise(page):
    limits = page.words("limits")
    assert "held at their reference values" in limits
    assert "3 of the 9 options were beaten once re-evaluated" in limits
    assert "weighing the objectives" in limits


def test_the_search_says_what_it_held_fixed_and_what_it_noted(page):
    held = {row[1]: row[2] for row in _rows(page, "search", 1)[1:]}
    assert held == {"threat.attacks_per_month": "8", "tour_extension_days": "30"}
    assert _rows(page, "search", 1)[1][0] == "Attacks per month"
    said = page.words("search")
    assert "drawn in each replication as the scenario has them: Airlift sorties per week" in said
    assert "1 candidate(s) failed to run; see failures.csv" in said
    search = dict(_rows(page, "search")[1:])
    assert search["Replications"] == (
        "doubled until each objective's 95% confidence interval is within 5% of its mean, up to 80"
    )
    assert search["Candidates that failed to run"] == "1"
    assert search["Executor"] == "processes (4 workers)"


def test_a_robust_search_says_how_it_scored_futures(folder, read_page):
    def robust(manifest, pareto):
        manifest["robust"] = {"futures": 50, "measure": "p90"}

    _, page = _text_page(folder, read_page, robust)
    search = dict(_rows(page, "search")[1:])
    assert search["Uncertain inputs"] == (
        "sampled: 50 futures, the same for every candidate; each objective scored by its "
        "bad case over futures (90th percentile)"
    )
    assert "each outcome is scored by its bad case over futures" in page.words("objectives")
    assert "over the same 50 sampled futures" in page.words("limits")


def test_a_regret_search_keeps_the_outcomes_directions_and_says_regret(folder, read_page):
    def regret(manifest, pareto):
        manifest["robust"] = {"futures": 50, "measure": "regret"}
        manifest["objectives"] = dict.fromkeys(manifest["objectives"], "minimize")

    _, page = _text_page(folder, read_page, regret)
    better = {row[0]: row[1] for row in _rows(page, "objectives")[1:]}
    assert better["Adviser-days delivered"] == "higher"  # the outcome; its regret is lowered
    assert "how far it falls behind the best candidate" in page.words("objectives")


def test_a_satisficing_score_is_a_percentage(folder, read_page):
    def satisficing(manifest, pareto):
        manifest["robust"] = {"futures": 50, "measure": "satisficing"}
        manifest["objectives"]["satisficing"] = "maximize"
        pareto["satisficing"] = 0.8
        pareto["fresh_satisficing"] = 0.75

    _, page = _text_page(folder, read_page, satisficing)
    header, first, *_ = _rows(page, "pareto", 1)
    column = header.index("Share of futures meeting every threshold: search")
    assert first[column : column + 2] == ["80%", "75%"]


def test_an_empty_pareto_set_is_said_in_words(folder, read_page):
    opt = read_optimization(folder)
    empty = type(opt)(
        opt.folder, opt.manifest, opt.candidates, opt.pareto.iloc[:0], opt.convergence
    )
    page = read_page(render_optimization(empty))
    assert "The Pareto set is empty: no candidate met every threshold" in page.words("pareto")
    assert "pareto" not in page.tables
    assert page.figure_svgs == ["chart-tradeoffs", "chart-convergence"]
    assert "No chart of the Pareto set: it is empty." in page.words("charts")


def test_the_convergence_gives_its_first_and_last_hypervolume(page, tables):
    conv = tables["convergence"]
    said = page.words("convergence")
    assert f"went from {conv['hypervolume'].iloc[0]:.3f} after 10 evaluations" in said
    assert f"to {conv['hypervolume'].iloc[-1]:.3f} after 80" in said
    assert len(_rows(page, "convergence")) == len(conv) + 1


# --- text from the folder stays text -----------------------------------------------------


def test_titles_descriptions_and_names_stay_text(folder, read_page):
    def hostile(manifest, pareto):
        manifest["experiment"]["description"] = HOSTILE
        manifest["scenarios"][0]["resolved"]["title"] = HOSTILE
        manifest["scenarios"][0]["resolved"]["description"] = HOSTILE
        manifest["algorithm"] = HOSTILE
        pareto.loc[0, "option"] = HOSTILE
        pareto.loc[0, LEVERS[2]] = HOSTILE

    html, page = _text_page(folder, read_page, hostile)
    assert page.tags["script"] == page.tags["b"] == 0
    assert "<script>" not in html and "<b>bold" not in html
    assert page.title == f"Designing an option: {HOSTILE}"
    assert HOSTILE in page.words("header")
    assert HOSTILE in page.words("searched")
    levers, scores = page.tables["pareto"]
    assert levers[1][0] == scores[1][0] == HOSTILE
    assert levers[1][3] == HOSTILE
    assert dict(_rows(page, "search")[1:])["Algorithm"] == HOSTILE


def test_nothing_is_unpickled(folder, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the report unpickled something")

    (folder / "candidates.pkl").write_bytes(pickle.dumps({"not": "read"}))
    monkeypatch.setattr(pickle, "load", refuse)
    monkeypatch.setattr(pickle, "loads", refuse)
    monkeypatch.setattr(pd, "read_pickle", refuse)
    assert render_optimization(read_optimization(folder), charts=False)


# --- folders that are not an optimisation ------------------------------------------------


def _broken(folder, tables, what):
    manifest = optimisation_manifest(tables)
    if what == "kind":
        manifest["kind"] = "sweep"
    elif what == "status":
        manifest["status"] = "running"
    write_folder(folder, tables, manifest)
    if what == "table":
        (folder / "pareto.csv").unlink()
    elif what == "csv":
        (folder / "convergence.csv").write_text('a,b\n"1,2\n', encoding="utf-8")
    elif what == "manifest":
        (folder / "manifest.json").unlink()


@pytest.mark.parametrize(
    ("what", "said"),
    [
        ("kind", "not an optimisation folder (its manifest says kind 'sweep'"),
        ("status", "the optimisation is running, not complete"),
        ("table", "pareto.csv is missing"),
        ("csv", "not a readable CSV table"),
        ("manifest", "not a run folder (no manifest.json)"),
    ],
)
def test_a_folder_that_is_not_a_complete_optimisation_is_one_error(tables, tmp_path, what, said):
    _broken(tmp_path / what, tables, what)
    with pytest.raises(OutputError, match=r"^[^\n]+$") as error:
        write_optimization_report(tmp_path / what)
    assert said in str(error.value)
    assert not (tmp_path / what / "report.html").exists()
