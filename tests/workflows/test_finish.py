"""``workflows.finish``: how ``sim run``, the explorations and ``sim optimize`` end a folder.

Tables first and the manifest saying complete; a failure before that leaves no table
behind; a chart that fails costs nothing but itself and is named once, in the manifest
and in one warning.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pytest

import sim.workflows.finish
from sim.errors import ChartWarning
from sim.results.layout import RunFolder, atomic
from sim.workflows.finish import finish


def _write_tables(folder: RunFolder):
    def write(files: list[Path]) -> None:
        for name in ("summary", "outcomes"):
            files.append(atomic(folder.path / f"{name}.csv", lambda p: p.write_text("a\n1\n")))

    return write


def _manifest(folder: RunFolder) -> dict:
    return json.loads((folder.path / "manifest.json").read_text(encoding="utf-8"))


@pytest.fixture
def folder(tmp_path):
    claimed = RunFolder.claim(tmp_path / "run")
    yield claimed
    claimed.release()


def test_tables_then_manifest_then_charts(folder, monkeypatch):
    drawn = []

    def save_all(charts, target, formats, failed):
        drawn.append(sorted(charts))
        assert _manifest(folder)["status"] == "complete"  # the tables are safe first
        return [target / "a.png"]

    monkeypatch.setattr(sim.workflows.finish.plots, "save_all", save_all)
    (folder.path / "work").mkdir()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        files = finish(folder, {}, _write_tables(folder), {"a": object}, ["png"], scratch="work")
    assert drawn == [["a"]] and folder.complete
    assert not (folder.path / "work").exists()
    assert [f.name for f in files] == ["summary.csv", "outcomes.csv", "a.png", "manifest.json"]
    assert _manifest(folder)["files"] == ["charts/a.png", "outcomes.csv", "summary.csv"]


def test_a_failure_while_writing_leaves_no_table(folder):
    def write(files: list[Path]) -> None:
        _write_tables(folder)(files)
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        finish(folder, {}, write, None, ["png"])
    assert sorted(p.name for p in folder.path.iterdir() if p.suffix == ".csv") == []
    assert not folder.complete


@pytest.mark.parametrize("redraw", [False, True])
def test_a_chart_that_fails_is_named_once(folder, monkeypatch, redraw):
    def save_all(charts, target, formats, failed):
        failed.append({"chart": "movements", "error": "RuntimeError: broken"})
        return []

    monkeypatch.setattr(sim.workflows.finish.plots, "save_all", save_all)
    with pytest.warns(ChartWarning) as caught:
        finish(folder, {}, _write_tables(folder), {"movements": object}, ["svg"], redraw=redraw)
    assert len(caught) == 1
    message = str(caught[0].message)
    assert message.startswith("chart not drawn: movements (RuntimeError: broken)")
    assert ("sim report" in message) is redraw
    manifest = _manifest(folder)
    assert manifest["status"] == "complete"
    assert manifest["charts_failed"] == [{"chart": "movements", "error": "RuntimeError: broken"}]


def test_charts_left_by_a_stop_are_listed_but_not_warned_of(folder, monkeypatch):
    def save_all(charts, target, formats, failed):
        failed.append({"chart": "total", "error": "interrupted"})
        raise KeyboardInterrupt

    monkeypatch.setattr(sim.workflows.finish.plots, "save_all", save_all)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(KeyboardInterrupt):
            finish(folder, {}, _write_tables(folder), {"total": object}, ["png"])
    assert _manifest(folder)["charts_failed"] == [{"chart": "total", "error": "interrupted"}]


def test_no_formats_draws_nothing(folder, monkeypatch):
    monkeypatch.setattr(sim.workflows.finish.plots, "save_all", pytest.fail)
    after = []
    finish(folder, {}, _write_tables(folder), {"a": object}, [], after=after.append)
    assert after and _manifest(folder)["status"] == "complete"
