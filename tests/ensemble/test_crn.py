"""Common random numbers: replication k of every option sees the same world.

Status quo and advisory face the same attack rate throughout, so with the same seed their
attacks must agree replication by replication. "Hot" is the advisory option
with more attacks in its last phase only: paired with advisory under the same seed, the
difference comes from that phase alone, so it varies far less than with independent seeds.
"""

import numpy as np
import pandas as pd
import pytest

from sim.analysis.statistics import differences
from sim.ensemble.runner import Plan
from sim.ensemble.sampling import sample_scenario

from ..conftest import ADVISORY, SHORT_ADVISORY, UNCERTAIN, load, pins

N = 30
SHARED = "threat.casualties_per_attack"


@pytest.fixture(scope="module")
def hot():
    extra = ["name=hot", "policy.announcements.2.attacks_per_month=16"]
    return load(ADVISORY, *SHORT_ADVISORY, *UNCERTAIN, *extra)


@pytest.fixture(scope="module")
def same_seed(short_advisory, hot, short_status_quo, ensemble):
    scenarios = [short_advisory, hot, short_status_quo]
    return ensemble(scenarios, Plan(seed=1, replications=N, batch_size=10), workers=2).summary


@pytest.fixture(scope="module")
def hot_other_seed(hot, ensemble):
    return ensemble([hot], Plan(seed=2, replications=N, batch_size=10), workers=2).summary


def column(summary: pd.DataFrame, scenario: str, name: str) -> np.ndarray:
    rows = summary[summary["scenario"] == scenario].sort_values("replication")
    if name not in rows.columns:  # a drawn input
        name = f"input.{name}"
    return rows[name].to_numpy()


def test_options_with_the_same_threat_see_the_same_attacks(same_seed):
    np.testing.assert_array_equal(
        column(same_seed, "status-quo", "attacks"), column(same_seed, "advisory", "attacks")
    )
    diffs = differences(same_seed, reference="advisory").set_index(["scenario", "outcome"])
    assert diffs.loc[("status-quo", "attacks"), "sd"] == 0
    assert diffs.loc[("hot", "attacks"), "mean"] > 0


def test_common_random_numbers_shrink_the_spread_of_differences(same_seed, hot_other_seed):
    independent = pd.concat([same_seed[same_seed["scenario"] == "advisory"], hot_other_seed])
    common = differences(same_seed, reference="advisory").set_index(["scenario", "outcome"])
    apart = differences(independent, reference="advisory").set_index(["scenario", "outcome"])
    for outcome in ("attacks", "casualties"):
        crn, indep = common.loc[("hot", outcome), "sd"], apart.loc[("hot", outcome), "sd"]
        assert crn < 0.7 * indep, (outcome, crn, indep)
    # Before the last phase both options are the same model in the same world.
    assert (column(same_seed, "hot", "attacks") >= column(same_seed, "advisory", "attacks")).all()


def test_shared_inputs_are_drawn_alike_in_every_option(same_seed, hot_other_seed):
    drawn = {name: column(same_seed, name, SHARED) for name in ("advisory", "hot", "status-quo")}
    np.testing.assert_array_equal(drawn["advisory"], drawn["hot"])
    np.testing.assert_array_equal(drawn["advisory"], drawn["status-quo"])
    assert len(np.unique(drawn["advisory"])) == N  # a new value in every replication
    assert not np.array_equal(drawn["advisory"], column(hot_other_seed, "hot", SHARED))


def test_adding_an_input_does_not_shift_the_others():
    fixed = pins(ADVISORY, *SHORT_ADVISORY)
    some = load(ADVISORY, *SHORT_ADVISORY, *fixed, *UNCERTAIN)
    added = "relief_in_place.overlap_days"
    more = load(
        ADVISORY,
        *SHORT_ADVISORY,
        *fixed,
        *UNCERTAIN,
        f"{added}={{distribution: uniform, low: 7, high: 21}}",
    )
    for k in range(5):
        _, drawn = sample_scenario(some, 3, k)
        _, with_more = sample_scenario(more, 3, k)
        assert set(drawn) == {
            "threat.casualties_per_attack",
            "unit_types.adviser_team.lead_time_days",
        }
        assert set(with_more) == {*drawn, added}
        for name, value in drawn.items():
            assert with_more[name] == value
