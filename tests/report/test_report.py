"""report.html, read as text: its sections, tables and charts, and that it needs nothing else.

The report is the one ``sim compare`` wrote (see conftest.py), parsed with the standard
library's html.parser; no browser is needed here.
"""

import json
import re
import shutil
from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

import sim
from sim.cli import app

runner = CliRunner()
SECTIONS = ["options", "outcomes", "charts", "assumptions", "provenance"]
INTERVAL = re.compile(r"^-?[\d,.]+ \(-?[\d,.]+ to -?[\d,.]+\)")
NOT_PARAMETERS = {"name", "title", "description", "extends", "sources", "policy"}  # top level
URL = re.compile(r"url\(\s*['\"]?([^'\")]*)", re.IGNORECASE)


def _words(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def html(report) -> str:
    return report.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def page(html, read_page):
    return read_page(html)


@pytest.fixture(scope="module")
def cmp(folder):
    return sim.load_results(folder)


def _rows(table: list[list[str]]) -> dict[str, list[str]]:
    """A table's body rows by their first cell."""
    return {row[0]: row[1:] for row in table[1:] if row}


# --- what sim compare wrote ---------------------------------------------------------------


def test_compare_writes_a_comparison_folder_with_its_report(compared, report, settings):
    folder, result = compared
    assert report.stat().st_size > 10_000
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["status"] == "complete"
    assert "report.html" in manifest["files"]
    assert [s["name"] for s in manifest["scenarios"]] == settings.names
    assert (folder / "differences.csv").is_file()
    assert "report.html" in result.output.replace("\n", "")


# --- content ------------------------------------------------------------------------------


def test_the_page_has_a_title_and_states_the_question(page, cmp):
    assert page.title.strip()
    assert page.tags["h1"] == 1
    header = page.words("header")
    assert "?" in header  # the question the comparison answers
    for name in cmp.scenarios:
        assert (cmp.scenario(name)["resolved"]["title"]) in header


def test_the_report_has_its_sections(page):
    headings = [h.lower() for h in page.headings.values()]
    for section in SECTIONS:
        assert any(section in h for h in headings), (section, headings)


def test_every_option_has_its_description_and_phases(page, cmp):
    options = page.words("options")
    tables = page.tables["options"]
    # per option: its announcements as made, then the phases they amount to
    assert len(tables) == 2 * len(cmp.scenarios)
    for name, made, table in zip(cmp.scenarios, tables[::2], tables[1::2], strict=True):
        resolved = cmp.scenario(name)["resolved"]
        assert name in options
        assert _words(resolved["description"]) in options
        assert made[0] == ["Announcement", "Announced", "Takes effect", "Sets", "Condition"]
        assert list(_rows(made)) == [a["name"] for a in resolved["policy"]["announcements"]]
        assert list(_rows(table)) == [p["name"] for p in cmp.scenario(name)["phases"]]


def _title(cmp, name: str) -> str:
    return cmp.scenario(name)["resolved"]["title"]


def test_the_outcome_table_gives_each_option_with_its_interval(page, cmp):
    outcomes, diffs = page.tables["results"][:2]
    assert outcomes[0] == ["Outcome", *(_title(cmp, n) for n in cmp.scenarios)]
    rows = _rows(outcomes)
    assert len(rows) >= 5
    for label, cells in rows.items():
        assert all(INTERVAL.match(cell) for cell in cells), (label, cells)
    # the right numbers in the right column
    stats = cmp.outcomes.set_index(["scenario", "outcome"])
    for name, cell in zip(cmp.scenarios, rows["Mean cap count (people)"], strict=True):
        s = stats.loc[(name, "mean_cap_count")]
        assert cell == f"{s['mean']:,.0f} ({s['q05']:,.0f} to {s['q95']:,.0f})"
    reference = _title(cmp, cmp.reference)
    others = [_title(cmp, n) for n in cmp.scenarios[1:]]
    assert diffs[0] == ["Outcome", *(f"{title} − {reference}" for title in others)]
    assert all("CI" in cell for cells in _rows(diffs).values() for cell in cells)


def test_options_are_called_by_their_titles_with_the_name_the_charts_use(page, cmp):
    titles = [_title(cmp, n) for n in cmp.scenarios]
    results = page.words("results")
    assert f"Difference from {titles[0]}" in results
    untitled = re.sub("|".join(map(re.escape, titles)), "", results)
    assert [n for n in cmp.scenarios if re.search(rf"\b{n}\b", untitled)] == []
    options = page.words("options").replace("( ", "(").replace(" )", ")")  # around <code>
    for name, title in zip(cmp.scenarios, titles, strict=True):
        assert f"{title} ({name})" in options  # the heading: the title, then the name
        assert f"per week: {title} ({name})" in page.words("charts")


def test_one_svg_per_chart(page, html, folder):
    charts = sorted(p.stem for p in (folder / "charts").glob("*.svg"))  # as cmp.charts() drew
    assert len(charts) == 11
    assert sorted(page.figure_svgs) == sorted(f"chart-{stem}" for stem in charts)
    assert page.tags["figure"] == len(charts)
    assert html.count("<svg") == len(charts)


def _leaves(data, path=""):
    """Every parameter's dotted path, as ``--set`` writes it (a distribution is one)."""
    if isinstance(data, dict) and path and "distribution" in data:
        yield path
    elif isinstance(data, dict):
        for key, value in data.items():
            if key == "source" or (not path and key in NOT_PARAMETERS):
                continue
            yield from _leaves(value, f"{path}.{key}" if path else key)
    elif isinstance(data, list) and data and isinstance(data[0], dict):
        for i, value in enumerate(data):
            yield from _leaves(value, f"{path}.{i}")
    else:
        yield path


def _value(data, path: str):
    for part in path.split("."):
        data = data[int(part)] if isinstance(data, list) else data[part]
    return data


def test_the_assumptions_list_every_parameter_that_is_set(page, cmp):
    (table,) = page.tables["assumptions"]
    assert table[0] == ["Parameter", "Value", "Source or note"]
    rows = _rows(table)
    for name in cmp.scenarios:
        resolved = cmp.scenario(name)["resolved"]
        set_ = [p for p in _leaves(resolved) if _value(resolved, p) is not None]
        assert [p for p in set_ if p not in rows] == [], name
    assert all(len(cells) == 2 and cells[0] for cells in rows.values())


def test_the_assumptions_give_values_and_sources(page, settings):
    rows = _rows(page.tables["assumptions"][0])
    assert rows["cap"][0] == "2,500"
    assert "iraq_2020_2025.csv" in rows["cap"][1]  # the note next to it in base.yaml
    assert rows["airlift.seats_per_sortie"][0] == "110"
    assert rows["airlift.seats_per_sortie"][1]
    value, source = rows["threat.attacks_per_month"]
    assert value == "triangular (low 5; mode 8; high 15)"
    assert source
    assert rows["end"][0] == settings.override.split("=")[1]  # as it ran, after --set


def test_provenance_gives_hashes_seed_version_and_date(page, cmp, settings):
    provenance = page.words("provenance")
    for s in cmp.manifest["scenarios"]:
        assert s["hash"][:16] in provenance, s["name"]
    facts = _rows(page.tables["provenance"][1])
    assert facts["Seed"] == [str(settings.seed)]
    assert facts["Replications per option"] == [str(settings.replications)]
    assert facts["sim version"] == [sim.__version__]
    assert cmp.manifest["started_at"][:10] in facts["Run started"][0]
    assert settings.override in facts["Overrides"][0]


# --- self-contained -----------------------------------------------------------------------


def test_nothing_is_loaded_from_outside_the_file(page, html):
    assert page.tags["script"] == 0
    assert page.tags["link"] == 0
    assert page.tags["iframe"] == page.tags["object"] == page.tags["embed"] == 0
    outside = [(t, a, v[:80]) for t, a, v in page.links if not v.startswith(("#", "data:"))]
    assert outside == []
    urls = [u for style in page.styles for u in URL.findall(style)]
    assert [u for u in urls if not u.startswith(("#", "data:"))] == []
    assert "@import" not in html


def test_ids_are_unique_and_every_reference_resolves(page):
    duplicates = sorted(i for i, n in Counter(page.ids).items() if n > 1)
    assert duplicates == []
    ids = set(page.ids)
    internal = [v[1:] for _, _, v in page.links if v.startswith("#")]
    internal += [u[1:] for style in page.styles for u in URL.findall(style) if u[:1] == "#"]
    assert internal
    assert sorted({i for i in internal if i not in ids}) == []


def test_the_page_declares_its_encoding(html):
    assert html.lower().startswith("<!doctype html>")
    assert '<meta charset="utf-8">' in html.lower()


# --- the command line ---------------------------------------------------------------------


def _copy(folder: Path, to: Path) -> Path:
    """The run folder without its report."""
    return Path(shutil.copytree(folder, to, ignore=shutil.ignore_patterns("report.html")))


def _without_charts(text: str) -> str:
    return re.sub(r"<svg.*?</svg>", "<svg/>", text, flags=re.DOTALL)


def test_sim_report_writes_the_report_of_a_folder(folder, html, tmp_path, read_page):
    copy = _copy(folder, tmp_path / "copy")
    result = runner.invoke(app, ["report", str(copy)])
    assert result.exit_code == 0, (result.output, result.exception)
    written = copy / "report.html"
    assert str(written) in result.output.replace("\n", "")
    text = written.read_text(encoding="utf-8")
    assert read_page(text).figure_svgs == read_page(html).figure_svgs
    # read back from the folder, the same comparison gives the same report
    assert _without_charts(text) == _without_charts(html)


@pytest.fixture(scope="module")
def one_option(tmp_path_factory, settings) -> tuple[Path, object]:
    """A run folder of one option and one replication (``sim run``), and ``sim report`` on it."""
    run = tmp_path_factory.mktemp("one-option") / "run"
    args = [
        "run",
        str(settings.scenarios / "status-quo.yaml"),
        "--out",
        str(run),
        "--format",
        "svg",
        "--set",
        "end=2021-08-31",
    ]
    assert runner.invoke(app, args).exit_code == 0
    assert not (run / "report.html").exists()  # sim run writes none unless asked
    return run, runner.invoke(app, ["report", str(run)])


def test_sim_report_turns_a_run_of_one_option_into_a_report(one_option, read_page):
    run, result = one_option
    assert result.exit_code == 0, (result.output, result.exception)
    page = read_page((run / "report.html").read_text(encoding="utf-8"))
    assert sorted(page.figure_svgs) == [
        "chart-composition",
        "chart-movements",
        "chart-total-vs-cap",
    ]
    assert all(section in page.text for section in ("options", "results", "provenance"))
    assert len(page.tables["results"]) == 1  # no differences without a second option


def test_a_report_of_one_replication_says_so_in_the_singular(one_option, read_page):
    run, _ = one_option
    page = read_page((run / "report.html").read_text(encoding="utf-8"))
    assert "1 replication " in page.words("header")
    assert "1 replications" not in page.words("results")


def test_a_report_of_one_replication_gives_values_not_intervals(one_option, read_page):
    run, _ = one_option
    page = read_page((run / "report.html").read_text(encoding="utf-8"))
    cells = [cell for cells in _rows(page.tables["results"][0]).values() for cell in cells]
    assert cells and all(re.fullmatch(r"-?[\d,.]+", cell) for cell in cells), cells
    assert "interval" not in page.words("results").replace("no intervals", "")


def _bad_folder(kind: str, folder: Path, tmp_path: Path) -> Path:
    """A folder ``sim report`` cannot use: ``kind`` says what is wrong with it."""
    bad = tmp_path / kind.replace(" ", "-")
    if kind == "empty":
        bad.mkdir()
    elif kind == "interrupted":
        manifest = json.loads((_copy(folder, bad) / "manifest.json").read_text())
        (bad / "manifest.json").write_text(json.dumps({**manifest, "status": "interrupted"}))
    elif kind == "damaged manifest":
        (_copy(folder, bad) / "manifest.json").write_text('{"status": "compl')
    return bad  # "missing": not there at all


@pytest.mark.parametrize("kind", ["empty", "missing", "interrupted", "damaged manifest"])
def test_sim_report_on_a_bad_folder_is_one_line_and_exit_2(folder, tmp_path, kind):
    bad = _bad_folder(kind, folder, tmp_path)
    result = runner.invoke(app, ["report", str(bad)])
    assert result.exit_code == 2, (result.output, result.exception)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:"), result.stderr
    assert "Traceback" not in result.output
    assert not (bad / "report.html").exists()


def test_sim_compare_needs_two_scenarios(tmp_path, settings):
    out = tmp_path / "one"
    result = runner.invoke(
        app, ["compare", str(settings.scenarios / "advisory.yaml"), "--out", str(out)]
    )
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "two or more" in lines[0], result.stderr
    assert not out.exists()


def test_sim_compare_refuses_an_unknown_reference(tmp_path, settings):
    out = tmp_path / "run"
    scenarios = [str(settings.scenarios / f"{n}.yaml") for n in ("advisory", "withdrawal")]
    args = [
        "compare",
        *scenarios,
        "--reference",
        "nope",
        "--out",
        str(out),
        "--set",
        settings.override,
    ]
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "nope" in lines[0], result.stderr
    assert not out.exists()
