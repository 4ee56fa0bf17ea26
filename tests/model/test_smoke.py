"""The three option scenarios run and give the shapes the public interface promises."""

import pytest

import sim
from sim.results.tables import EVENT_COLUMNS, TIMESERIES_COLUMNS


@pytest.mark.parametrize("name", ["status-quo", "advisory", "withdrawal"])
def test_scenario_runs(name):
    run = sim.simulate(sim.load_scenario(f"scenarios/{name}.yaml"), seed=0)
    assert list(run.timeseries.columns) == TIMESERIES_COLUMNS
    assert list(run.events.columns) == EVENT_COLUMNS
    assert len(run.summary) == 1
    assert (run.timeseries[["boots_on_ground", "cap_count"]] >= 0).all().all()
