"""The numbers of an ensemble do not depend on where or in what batches it runs.

Each replication draws from streams keyed by (seed, replication, name) and the bands are
exact histograms folded in any order, so the summary and the bands must be identical to the
bit for the in-process executor, two worker processes, a Dask cluster and another batch size,
and the bands must equal numpy's quantiles of the replications' own daily series.
"""

import numpy as np
import pandas as pd
import pytest

import sim
import sim.ensemble.runner
from sim.ensemble.executors import Executor, ProcessExecutor, make_executor
from sim.ensemble.runner import BAND_COLUMNS, Ensemble, Plan
from sim.workflows.run import run_scenarios

from ..conftest import ADVISORY, SHORT_ADVISORY, UNCERTAIN

SEED, N = 7, 12
MEASURES = ("boots_on_ground", "cap_count")


@pytest.fixture(scope="module")
def scenarios(short_advisory, short_status_quo):
    return [short_advisory, short_status_quo]


@pytest.fixture(scope="module")
def serial(scenarios, ensemble):
    return ensemble(scenarios, Plan(seed=SEED, replications=N, batch_size=4))


def assert_same(result, other):
    for table in ("summary", "bands", "movements", "timeseries", "events"):
        pd.testing.assert_frame_equal(
            getattr(result, table), getattr(other, table), check_exact=True, obj=table
        )
    assert result.replications == other.replications == N


def test_two_worker_processes_give_the_same_numbers(scenarios, serial):
    plan = Plan(seed=SEED, replications=N, batch_size=4)
    with make_executor("processes", 2) as ex:
        ex.wait_started()  # so that every batch runs in a worker, none here
        assert_same(serial, Ensemble(scenarios, plan, ex).run())


def test_batches_run_here_while_the_workers_start_give_the_same_numbers(
    scenarios, serial, ensemble, monkeypatch
):
    checks = []

    def starting(ex: ProcessExecutor) -> bool:  # the first three batches here, then the workers
        checks.append(ex)
        if len(checks) <= 3:
            return True
        ex.wait_started()
        return False

    monkeypatch.setattr(ProcessExecutor, "starting", property(starting))
    plan = Plan(seed=SEED, replications=N, batch_size=4)
    assert_same(serial, ensemble(scenarios, plan, "processes", workers=2))
    assert len(checks) > 3


def test_the_last_batches_are_smaller_with_several_workers(scenarios, monkeypatch):
    batches = []
    real = sim.ensemble.runner.replicate_batch

    def recording(scenario, index, seed, first, count):
        batches.append((index, first, count))
        return real(scenario, index, seed, first, count)

    monkeypatch.setattr(sim.ensemble.runner, "replicate_batch", recording)
    plan = Plan(seed=SEED, replications=40, batch_size=8)
    Ensemble(scenarios, plan, Executor(workers=2)).run()  # here, as if there were two workers
    sizes = [count for _, _, count in batches]
    assert sizes == [8] * 7 + [6, 5, 4, 3, 2, 2, 2]  # the 80 replications left, over four
    for index in range(len(scenarios)):
        mine = sorted((first, count) for i, first, count in batches if i == index)
        assert [k for first, count in mine for k in range(first, first + count)] == list(range(40))


def test_a_dask_cluster_gives_the_same_numbers(scenarios, serial, ensemble):
    pytest.importorskip("dask.distributed")
    plan = Plan(seed=SEED, replications=N, batch_size=4)
    assert_same(serial, ensemble(scenarios, plan, "dask", workers=2))


def test_another_batch_size_gives_the_same_numbers(scenarios, serial, ensemble):
    # Streams are keyed by replication, not by batch, and the bands are exact.
    assert_same(serial, ensemble(scenarios, Plan(seed=SEED, replications=N, batch_size=5)))


def test_another_seed_gives_other_numbers(scenarios, serial, ensemble):
    other = ensemble(scenarios[:1], Plan(seed=SEED + 1, replications=N, batch_size=N))
    mine = serial.summary[serial.summary["scenario"] == scenarios[0].name]
    assert not np.array_equal(mine["casualties"], other.summary["casualties"])


def test_summary_has_one_row_per_scenario_and_replication(scenarios, serial):
    summary = serial.summary
    assert list(summary["scenario"]) == [s.name for s in scenarios for _ in range(N)]
    assert list(summary["replication"]) == list(range(N)) * len(scenarios)
    drawn = {f"input.{path}" for path in scenarios[0].uncertainties}
    assert drawn <= set(summary.columns)  # the drawn inputs
    lead = summary["input.unit_types.adviser_team.lead_time_days"]
    assert (lead == np.round(lead)).all()  # an integer field takes whole numbers
    assert lead.between(45, 135).all()
    assert lead.nunique() > 1


def test_summary_rows_are_the_single_replications(scenarios, serial):
    """Replication k of the ensemble is what ``sim.simulate(scenario, seed, k)`` gives."""
    for k in (0, 5):
        run = sim.simulate(scenarios[0], seed=SEED, replication=k)
        row = serial.summary[
            (serial.summary["scenario"] == scenarios[0].name) & (serial.summary["replication"] == k)
        ]
        pd.testing.assert_frame_equal(
            row.reset_index(drop=True),
            run.summary[row.columns],
            check_exact=True,
            check_dtype=False,
        )


def test_sample_tables_are_replication_zero(serial):
    assert set(serial.timeseries["replication"]) == {0}
    assert set(serial.events["replication"]) == {0}
    run = sim.simulate(serial.scenarios[0], seed=SEED, replication=0)
    mine = serial.events[serial.events["scenario"] == serial.scenarios[0].name]
    pd.testing.assert_frame_equal(mine.reset_index(drop=True), run.events, check_exact=True)


def test_bands_layout(scenarios, serial):
    bands = serial.bands
    assert list(bands.columns) == BAND_COLUMNS
    assert BAND_COLUMNS == [
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
    ]
    for s in scenarios:
        mine = bands[bands["scenario"] == s.name]
        days = (s.end - s.start).days + 1
        assert set(mine["role"]) == {*s.roles, "total"}
        assert set(mine["measure"]) == set(MEASURES)
        assert len(mine) == days * (len(s.roles) + 1) * len(MEASURES)
    assert (bands["replications"] == N).all()
    q = bands[["q05", "q25", "q50", "q75", "q95"]].to_numpy()
    assert (np.diff(q, axis=1) >= 0).all()
    assert serial.exact


def numpy_bands(series: pd.DataFrame) -> pd.DataFrame:
    """Mean and quantiles per scenario, date, role (and total) and measure, with numpy."""
    totals = series.groupby(["scenario", "replication", "date"], as_index=False)[
        list(MEASURES)
    ].sum()
    frames = []
    for frame in (series, totals.assign(role="total")):
        for (name, role), group in frame.groupby(["scenario", "role"], sort=False, observed=True):
            for measure in MEASURES:
                # (replications, days), as numpy.quantile(..., axis=0) wants them
                wide = group.pivot(index="replication", columns="date", values=measure)
                frames.append(_bands_of(wide, name, str(role), measure))
    return pd.concat(frames, ignore_index=True)


def _bands_of(wide: pd.DataFrame, name: str, role: str, measure: str) -> pd.DataFrame:
    values = wide.to_numpy()
    q = np.quantile(values, [0.05, 0.25, 0.5, 0.75, 0.95], axis=0).T
    frame = pd.DataFrame(q, columns=BAND_COLUMNS[6:])
    frame.insert(0, "mean", values.mean(axis=0))
    frame.insert(0, "replications", len(values))
    frame.insert(0, "measure", measure)
    frame.insert(0, "role", role)
    frame.insert(0, "date", wide.columns.to_numpy())
    frame.insert(0, "scenario", name)
    return frame


def compare_bands(bands: pd.DataFrame, expected: pd.DataFrame) -> None:
    keys = ["scenario", "date", "role", "measure"]
    got = bands.assign(role=bands["role"].astype(str)).sort_values(keys).reset_index(drop=True)
    expected = expected.sort_values(keys).reset_index(drop=True)
    assert len(got) == len(expected)
    pd.testing.assert_frame_equal(got[keys], expected[keys], check_dtype=False)
    np.testing.assert_array_equal(got["replications"], expected["replications"])
    np.testing.assert_array_equal(got["mean"], expected["mean"])
    quantiles = ["q05", "q25", "q50", "q75", "q95"]
    np.testing.assert_allclose(got[quantiles], expected[quantiles], rtol=1e-12, atol=0)


def test_bands_are_numpy_quantiles_of_the_replications(scenarios, serial):
    series = pd.concat(
        [sim.simulate(s, seed=SEED, replication=k).timeseries for s in scenarios for k in range(N)],
        ignore_index=True,
    )
    compare_bands(serial.bands, numpy_bands(series))


def test_kept_series_match_the_bands(tmp_path, no_charts):
    pytest.importorskip("pyarrow")
    out = run_scenarios(
        [ADVISORY],
        overrides=[*SHORT_ADVISORY, *UNCERTAIN],
        plan=Plan(seed=SEED, replications=10, batch_size=4),
        workers=1,
        out=tmp_path / "run",
        keep_series=True,
        formats=("png",),
    )
    series = pd.read_parquet(out.out / "timeseries.parquet")
    assert sorted(series["replication"].unique()) == list(range(10))
    compare_bands(out.result.bands, numpy_bands(series))
    assert not (out.out / "batches").exists()
    assert out.manifest["status"] == "complete"
