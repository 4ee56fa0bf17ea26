"""``sim report FOLDER``: the report of an earlier run, against the reference asked for."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from sim.cli import app

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("report") / "cmp"
    options = [str(ROOT / "scenarios" / f"{name}.yaml") for name in ("status-quo", "advisory")]
    done = runner.invoke(
        app, ["compare", *options, "-n", "2", "--format", "none", "--out", str(out)]
    )
    assert done.exit_code == 0, done.output
    return out


def test_report_takes_another_reference(folder):
    page = folder / "advisory-first.html"
    done = runner.invoke(
        app, ["report", str(folder), "--reference", "advisory", "--out", str(page)]
    )
    assert done.exit_code == 0, done.output
    text = page.read_text(encoding="utf-8")
    assert "<h3>Difference from Shift to an advisory role</h3>" in text
    assert "<h3>Difference from Status quo</h3>" not in text


def test_report_refuses_an_unknown_reference_in_one_line(folder):
    done = runner.invoke(app, ["report", str(folder), "--reference", "nope"])
    assert done.exit_code == 2
    assert "nope" in done.output and "Traceback" not in done.output
