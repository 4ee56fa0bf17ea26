"""Uncertain dates drawn per replication: in bounds, paired across options, checked together,
and written to the summary as ``input.`` columns of YYYY-MM-DD text.

How date distributions are written and refused at load is in
tests/scenario/test_uncertain_dates.py.
"""

from __future__ import annotations

import datetime as dt
import io
import textwrap
from pathlib import Path

import pandas as pd
from ruamel.yaml import YAML
from typer.testing import CliRunner

import sim
from sim.cli import app
from sim.ensemble.runner import Plan
from sim.ensemble.sampling import sample_scenario
from sim.errors import ScenarioError

from ..conftest import ADVISORY, STATUS_QUO, load

runner = CliRunner()

BASE = Path(__file__).resolve().parents[2] / "scenarios" / "base.yaml"
START = "policy.phases.1.start"
DEADLINE = "policy.phases.1.deadline"
POLICY = """
    policy:
      phases:
        - name: status quo
          start: 2021-06-01
        - name: drawdown
          start: {distribution: triangular, low: 2021-07-01, mode: 2021-07-26, high: 2021-08-31}
          deadline: 2021-12-31
          total: 1500
    """
# Start and deadline each valid at their extremes with the other at its median, but they
# can cross when both are drawn.
CROSSING = """
    policy:
      phases:
        - name: status quo
          start: 2021-06-01
        - name: drawdown
          start: {distribution: uniform, low: 2021-07-01, high: 2021-08-31}
          deadline: {distribution: uniform, low: 2021-08-01, high: 2021-09-30}  # <-
          total: 1500
    """


def write(folder: Path, policy: str = POLICY) -> tuple[Path, int | None]:
    """base.yaml's world with ``policy`` (YAML text, given as phases whatever form base.yaml
    gives its own in), and the line marked ``# <-`` if any."""
    data = YAML(typ="safe", pure=True).load(BASE.read_text(encoding="utf-8"))
    del data["policy"]
    out = io.StringIO()
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    yaml.dump(data, out)
    text = out.getvalue() + textwrap.dedent(policy).lstrip("\n")
    path = folder / "dated.yaml"
    path.write_text(text, encoding="utf-8")
    marked = [n for n, line in enumerate(text.split("\n"), 1) if "# <-" in line]
    return path, (marked[0] if marked else None)


def first_announced(*paths: str) -> str:
    """The date the options' first phase (or announcement) was announced: a path both have."""
    forms = {
        "announcements" if getattr(load(p).policy, "announcements", None) else "phases"
        for p in paths
    }
    assert len(forms) == 1, "the options give their policies in different forms"
    return f"policy.{forms.pop()}.0.announced"


def test_each_replication_draws_a_whole_day_within_bounds(tmp_path):
    scenario = sim.load_scenario(write(tmp_path)[0])
    drawn = []
    for k in range(30):
        concrete, values = sample_scenario(scenario, 3, k)
        day = concrete.policy.phases[1].start
        assert type(day) is dt.date
        assert values[START] == day.isoformat()  # as the summary shows it
        assert dt.date(2021, 7, 1) <= day <= dt.date(2021, 8, 31)
        drawn.append(day)
    assert len(set(drawn)) > 10


def test_the_same_date_is_drawn_in_every_option_run_with_the_same_seed():
    """Common random numbers: the stream is named after the path, so another option, or
    another input added beside it, does not change the date drawn."""
    key = first_announced(STATUS_QUO, ADVISORY)
    dist = f"{key}={{distribution: uniform, low: 2021-05-01, high: 2021-06-01}}"
    quo = load(STATUS_QUO, dist)
    extra = "threat.exposure.combat={distribution: uniform, low: 1, high: 2}"
    advisory = load(ADVISORY, dist, extra)
    assert set(advisory.uncertainties) - set(quo.uncertainties) == {"threat.exposure.combat"}
    for seed, k in [(0, 0), (0, 1), (5, 7), (11, 2)]:
        a = sim.simulate(quo, seed=seed, replication=k).summary[f"input.{key}"]
        b = sim.simulate(advisory, seed=seed, replication=k).summary[f"input.{key}"]
        assert a.tolist() == b.tolist()
        assert dt.date(2021, 5, 1) <= dt.date.fromisoformat(a[0]) <= dt.date(2021, 6, 1)
    assert len({sample_scenario(quo, 0, k)[1][key] for k in range(10)}) > 1


def test_an_ensemble_pairs_the_drawn_dates_replication_by_replication(ensemble):
    key = first_announced(STATUS_QUO, ADVISORY)
    dist = f"{key}={{distribution: uniform, low: 2021-05-01, high: 2021-06-01}}"
    scenarios = [load(STATUS_QUO, dist), load(ADVISORY, dist)]
    summary = ensemble(scenarios, Plan(seed=2, replications=6, batch_size=3)).summary
    wide = summary.pivot(index="replication", columns="scenario", values=f"input.{key}")
    assert wide["status-quo"].tolist() == wide["advisory"].tolist()
    assert wide["advisory"].nunique() > 1


def test_dates_that_cross_when_drawn_fail_that_replication_at_the_file_and_line(tmp_path):
    path, line = write(tmp_path, CROSSING)
    scenario = sim.load_scenario(path)  # each extreme alone is fine
    failed = valid = 0
    for k in range(40):
        try:
            concrete, _ = sample_scenario(scenario, 0, k)
        except ScenarioError as err:
            failed += 1
            assert (err.file, err.line, err.key) == (str(path), line, DEADLINE)
            assert f"replication {k} draws" in err.message
            assert "before it starts" in err.message
            assert "\n" not in str(err)
        else:
            valid += 1
            assert concrete.policy.phases[1].deadline >= concrete.policy.phases[1].start
    assert failed and valid


def test_sim_run_reports_dates_that_cross_in_one_line_and_exits_2(tmp_path):
    path, line = write(tmp_path, CROSSING)
    out = tmp_path / "run"
    args = ["run", str(path), "-n", "10", "--seed", "0", "--workers", "1", "--out", str(out)]
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = [text for text in result.output.splitlines() if text.strip()]
    assert lines[-1].startswith(f"error: {path}:{line}: {DEADLINE}: replication ")
    assert not out.exists()


def test_summary_csv_has_the_drawn_date_of_each_replication(tmp_path):
    path, _ = write(tmp_path)
    out = tmp_path / "run"
    args = ["run", str(path), "-n", "3", "--seed", "4", "--out", str(out), "--format", "svg"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    summary = pd.read_csv(out / "summary.csv")
    expected = [sample_scenario(sim.load_scenario(path), 4, k)[1][START] for k in range(3)]
    assert summary[f"input.{START}"].tolist() == expected
    assert all(dt.date.fromisoformat(d) for d in expected)


def test_drawn_dates_survive_csv_parquet_and_load_results(tmp_path, no_charts):
    """One option draws a date and one does not: the column is text, empty where the option
    has no such input, and reads back the same."""
    path, _ = write(tmp_path)
    out = tmp_path / "both"
    compared = sim.compare([STATUS_QUO, path], replications=3, seed=4, out=out)
    name = f"input.{START}"
    column = compared.summary.set_index(["scenario", "replication"])[name]
    assert column["status-quo"].isna().all()
    assert all(dt.date.fromisoformat(d) for d in column["dated"])
    pd.testing.assert_frame_equal(sim.load_results(out).summary, compared.summary)
    parquet = tmp_path / "summary.parquet"  # as `sim explore` writes its outcomes
    compared.summary.to_parquet(parquet, index=False)
    pd.testing.assert_series_equal(pd.read_parquet(parquet)[name], compared.summary[name])
