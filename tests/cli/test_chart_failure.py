"""The chart step never costs a run its replications (issue 13).

A title with dollar signs used to crash every run at the charts, after all replications,
leaving a folder marked ``running`` that could not be resumed. Now user text is plain text,
and a chart that raises is skipped: the folder is complete, its tables the same as
without the failure, and the manifest says which chart is missing.
"""

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sim import plots
from sim.cli import app
from sim.workflows.comparison import load_results

runner = CliRunner()
TITLE = "Save 10% ($1M) or 20% ($2M)"


def _run(out: Path, *extra: str):
    args = ["run", "scenarios/advisory.yaml", "-n", "1", "--seed", "5", "--out", str(out)]
    return runner.invoke(app, [*args, *extra])


def _manifest(out: Path) -> dict:
    return json.loads((out / "manifest.json").read_text(encoding="utf-8"))


def _tables(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.glob("*.csv"))}


@pytest.fixture(scope="module")
def plain_run(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("plain") / "run"
    result = _run(out)
    assert result.exit_code == 0, result.output
    return out


def test_a_dollar_title_runs_to_a_complete_folder(tmp_path):
    out = tmp_path / "dollars"
    result = _run(out, "--set", f"title={TITLE}", "--report")
    assert result.exit_code == 0, result.output
    manifest = _manifest(out)
    assert manifest["status"] == "complete"
    assert "charts_failed" not in manifest
    svgs = sorted((out / "charts").glob("*.svg"))
    assert [p.stem for p in svgs] == ["composition", "movements", "total-vs-cap"]
    for svg in svgs:
        assert TITLE in svg.read_text(encoding="utf-8"), svg.name  # in the footer
    assert TITLE in (out / "report.html").read_text(encoding="utf-8")


def test_a_failing_chart_leaves_a_complete_folder(tmp_path, plain_run, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("the movements chart is broken\non two lines")

    monkeypatch.setattr(plots, "movements", broken)
    out = tmp_path / "broken"
    result = _run(out, "--report")

    assert result.exit_code == 0, result.output
    manifest = _manifest(out)
    assert manifest["status"] == "complete"
    assert manifest["charts_failed"] == [
        {"chart": "movements", "error": "RuntimeError: the movements chart is broken on two lines"}
    ]
    assert _tables(out) == _tables(plain_run)
    charts = sorted(p.name for p in (out / "charts").iterdir())
    assert charts == ["composition.png", "composition.svg", "total-vs-cap.png", "total-vs-cap.svg"]
    listed = set(manifest["files"])
    assert {f"charts/{c}" for c in charts} | {"summary.csv", "report.html"} <= listed
    assert not any(f.startswith("charts/movements") for f in listed)
    assert not (out / "batches").exists() and not (out / ".charts.tmp").exists()
    # The report keeps its other charts and says which one is missing.
    report = (out / "report.html").read_text(encoding="utf-8")
    assert "This chart could not be drawn: the movements chart is broken" in report
    assert 'id="chart-composition"><svg' in report.replace("\n", "")
    # The user is told, in one line, which chart failed and how to draw it again.
    (line,) = [x for x in result.output.splitlines() if x.startswith("warning: chart")]
    assert line.startswith("warning: chart not drawn: movements (RuntimeError: the movements")
    assert f"`sim report {out}`" in line

    # Once the chart works again, the folder reads back and the report draws it.
    monkeypatch.undo()
    assert load_results(out).summary.equals(load_results(plain_run).summary)
    again = runner.invoke(app, ["report", str(out)])
    assert again.exit_code == 0, again.output
    assert "could not be drawn" not in (out / "report.html").read_text(encoding="utf-8")
