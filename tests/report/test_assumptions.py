"""The Assumptions table credits a source only to values written with it.

Most tests read the table of the comparison ``sim compare`` wrote (see conftest.py), or of
that comparison with its manifest changed, rendered without charts.
"""

import copy
import dataclasses
import json
import re

import pytest
from typer.testing import CliRunner

import sim
from sim.cli import app
from sim.report import render
from sim.workflows.comparison import Comparison

runner = CliRunner()
COST_SOURCE = (
    "seeds/data/README.md (cost per troop-year; costs fall more slowly than troop numbers); "
    "base costs and closing thresholds are assumptions"
)


@pytest.fixture(scope="module")
def cmp(folder) -> Comparison:
    return sim.load_results(folder)


@pytest.fixture
def no_charts(monkeypatch):
    """Render without drawing charts: these tests read the tables."""
    monkeypatch.setattr(Comparison, "chart_makers", lambda self: {})


def _assumptions(c: Comparison, read_page) -> dict[str, list[str]]:
    (table,) = read_page(render(c)).tables["assumptions"]
    return {row[0]: row[1:] for row in table[1:]}


@pytest.fixture(scope="module")
def rows(report, read_page) -> dict[str, list[str]]:
    (table,) = read_page(report.read_text(encoding="utf-8")).tables["assumptions"]
    return {row[0]: row[1:] for row in table[1:]}


def test_a_default_is_credited_to_no_source(rows):
    # tdy_team has a source: in base.yaml but no lead_time_days: the schema's 0 is no one's
    assert rows["unit_types.tdy_team.lead_time_days"] == ["0", "default"]
    assert rows["allow_over_cap"] == ["no", "default"]
    assert rows["unit_types.infantry_company.counts_toward_cap"] == ["yes", "default"]
    # what the files wrote keeps its note, or the source of the mapping it was written in
    assert rows["unit_types.tdy_team.counts_toward_cap"][0] == "no"
    assert "official counts leave out" in rows["unit_types.tdy_team.counts_toward_cap"][1]
    assert rows["unit_types.tdy_team.role"] == [
        "logistics",
        "seeds/data/README.md (what official counts leave out)",
    ]
    assert "iraq_2020_2025.csv" in rows["cap"][1]


def test_a_setting_nobody_made_is_left_out(rows):
    for path in ("airlift.seats_per_day", "unit_types.tdy_team.supply", "force_protection"):
        assert path not in rows
    assert not [path for path, (value, _) in rows.items() if value == "none"]


def test_a_comment_on_a_mapping_is_not_a_source_for_its_values(rows):
    # base.yaml: `union_iii:  # Baghdad`, a place, under `cost:` with its own source
    assert rows["cost.bases.union_iii.annual_cost_usd"] == ["US$60 million", COST_SOURCE]
    assert not [path for path, (_, credit) in rows.items() if "Baghdad" in credit]


def test_the_keys_a_run_recorded_as_written_decide_what_is_a_default(cmp, read_page, no_charts):
    changed = copy.deepcopy(cmp.manifest)
    for record in changed["scenarios"]:
        scenario = sim.load_scenario(record["files"][0], changed["overrides"])
        record["written"] = scenario.model_dump(mode="json", exclude_unset=True)
    del changed["scenarios"][0]["written"]["cap"]  # as if status-quo had not written it
    rows = _assumptions(dataclasses.replace(cmp, manifest=changed), read_page)
    # written in base.yaml and equal to the schema's default: the file's source, no default
    assert rows["force_protection.role"] == ["force_protection", "assumption"]
    assert rows["unit_types.tdy_team.lead_time_days"] == ["0", "default"]
    assert rows["cap"][1].startswith("Status quo: default; Shift to an advisory role: [data]")


def test_per_unit_distributions_are_one_parameter_each_unit_draws(rows):
    value, credit = rows["per_unit.readiness_slip_days"]
    assert value == "triangular (low 0; mode 0; high 21) (each unit draws its own)"
    assert credit.startswith("assumption: most units fly when due")
    assert not [path for path in rows if path.startswith("per_unit.readiness_slip_days.")]


def test_values_are_written_for_people(rows, page_text):
    assert rows["cost.bases.al_asad.annual_cost_usd"][0] == "US$120 million"
    assert rows["cost.default_per_troop_year_usd"][0] == (
        "triangular (low US$0.85 million; mode US$1 million; high US$2.1 million)"
    )
    assert rows["airlift.cancel_probability"][0] == "uniform (low 0.02; high 0.1)"
    assert rows["per_unit.tour_extension_days"][0].startswith(
        "choice (values 0, 30, 60; weights 0.6, 0.3, 0.1)"
    )
    assert not re.search(r"\de[+-]?\d", page_text)  # no 1.2e+08
    assert "True" not in page_text.split() and "False" not in page_text.split()


@pytest.fixture(scope="module")
def page_text(report, read_page) -> str:
    page = read_page(report.read_text(encoding="utf-8"))
    # the provenance's hashes and versions are not values (a hash may hold "3e5")
    return " ".join(page.words(section) for section in page.text if section != "provenance")


@pytest.fixture(scope="module")
def overridden(tmp_path_factory, settings, read_page) -> dict[str, list[str]]:
    """The table of a one-day run whose hq_element is replaced whole on the command line."""
    run = tmp_path_factory.mktemp("overridden") / "run"
    unit = "unit_types.hq_element={role: headquarters, service: army, size: 250}"
    args = [
        "run",
        str(settings.scenarios / "status-quo.yaml"),
        "--out",
        str(run),
        "--format",
        "svg",
        "--set",
        "end=2021-06-02",
        "--set",
        unit,
        "--set",
        "unit_types.tdy_team.size=25",
    ]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, (result.output, result.exception)
    assert json.loads((run / "manifest.json").read_text())["overrides"][1] == unit
    return _assumptions(sim.load_results(run), read_page)


def test_a_value_set_on_the_command_line_is_credited_to_it(overridden):
    replaced = "set on the command line: --set unit_types.hq_element={role: headquarters"
    assert overridden["unit_types.hq_element.size"][0] == "250"
    assert overridden["unit_types.hq_element.size"][1].startswith(replaced)
    assert overridden["unit_types.tdy_team.size"] == [
        "25",
        "set on the command line: --set unit_types.tdy_team.size=25",
    ]
    # the file's 365-day tour went with the mapping it was in; the rest is the default
    assert "unit_types.hq_element.tour_days" not in overridden
    assert overridden["unit_types.hq_element.lead_time_days"] == ["0", "default"]
