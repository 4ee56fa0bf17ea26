"""Saving a run's charts (issue 14): a forked copy draws every other chart, and the files
are the same as when one process draws them all; a chart that fails, or a copy that dies,
never costs the other charts."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from sim.plots import saving
from sim.workflows.run import run_scenarios

pytestmark = pytest.mark.skipif(not saving._can_fork(2), reason="draws in one process here")


@pytest.fixture(scope="module")
def makers():
    run = run_scenarios(["scenarios/advisory.yaml"], write=False)
    return run.comparison.chart_makers()


def files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_forked_drawing_gives_the_same_files(makers, tmp_path, monkeypatch):
    written = saving.save_all(makers, tmp_path / "forked", ("png", "svg"), [])
    monkeypatch.setattr(saving, "_can_fork", lambda charts: False)
    alone = saving.save_all(makers, tmp_path / "alone", ("png", "svg"), [])
    assert [p.name for p in written] == [p.name for p in alone]
    assert len(written) == 2 * len(makers)
    assert files(tmp_path / "forked") == files(tmp_path / "alone")


def test_a_chart_failing_in_the_copy_is_reported_and_the_rest_written(makers, tmp_path):
    def broken():
        raise ValueError("no data\nat all")

    stems = list(makers)
    charts = {stems[0]: makers[stems[0]], "broken": broken, stems[1]: makers[stems[1]]}
    failed: list[dict[str, str]] = []
    written = saving.save_all(charts, tmp_path / "charts", ("png",), failed)
    assert failed == [{"chart": "broken", "error": "ValueError: no data at all"}]
    assert [p.name for p in written] == [f"{stems[0]}.png", f"{stems[1]}.png"]
    assert sorted(os.listdir(tmp_path / "charts")) == sorted(p.name for p in written)


def test_a_copy_that_dies_has_its_charts_drawn_here(makers, tmp_path, monkeypatch):
    def dying(theirs, staging, formats):
        pid = os.fork()
        if pid == 0:
            os._exit(3)
        return pid

    monkeypatch.setattr(saving, "_fork_drawing", dying)
    written = saving.save_all(makers, tmp_path / "charts", ("svg",), [])
    assert sorted(p.name for p in written) == sorted(f"{stem}.svg" for stem in makers)
    assert sorted(os.listdir(tmp_path / "charts")) == sorted(p.name for p in written)


def test_a_copy_that_hangs_is_ended_and_its_charts_drawn_here(makers, tmp_path, monkeypatch):
    def hanging(theirs, staging, formats):
        pid = os.fork()
        if pid == 0:
            time.sleep(600)
            os._exit(0)
        return pid

    monkeypatch.setattr(saving, "WAIT_SECONDS", 0.1)
    monkeypatch.setattr(saving, "_fork_drawing", hanging)
    one = dict(list(makers.items())[:2])  # the copy's share: the second chart
    written = saving.save_all(one, tmp_path / "charts", ("svg",), [])
    assert sorted(p.name for p in written) == sorted(f"{stem}.svg" for stem in one)
