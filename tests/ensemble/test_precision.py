"""``replications=None``: rounds are added until every headline mean is precise enough.

First the precision of a small summary worked out by hand, then ensembles that stop.
"""

import math

import numpy as np
import pandas as pd
import pytest

from sim.ensemble.precision import precision_reached
from sim.ensemble.runner import Plan
from sim.scenario.outcomes import PRECISE

from ..conftest import ADVISORY, SHORT_ADVISORY, load, pins

ROUND = 20
TARGET = 0.07
Z = 1.96


def test_precision_reached_by_hand():
    summary = pd.DataFrame(
        {
            "scenario": ["a"] * 5 + ["b"] * 5,
            "replication": [0, 1, 2, 3, 4] * 2,
            "casualties": [1, 2, 3, 4, 5, 8, 2, 10, 6, 4],
            "total_cost_usd": [10.0] * 5 + [13.0, 11.0, 15.0, 12.0, 11.0],
            "threat.attacks_per_month": [4.0, 5.0, 6.0, 7.0, 8.0] * 2,  # a drawn input
        }
    )
    widths = precision_reached(summary)
    assert set(widths) == {"casualties", "total_cost_usd"}  # the outcomes present
    assert set(widths) <= set(PRECISE)
    half_a = Z * math.sqrt(2.5) / math.sqrt(5) / 3  # a: 1..5, mean 3
    half_b = Z * math.sqrt(10) / math.sqrt(5) / 6  # b: 2, 4, 6, 8, 10, mean 6
    assert widths["casualties"] == pytest.approx(max(half_a, half_b), rel=1e-4)
    b_cost = [13.0, 11.0, 15.0, 12.0, 11.0]
    half_cost = Z * np.std(b_cost, ddof=1) / math.sqrt(5) / np.mean(b_cost)
    assert widths["total_cost_usd"] == pytest.approx(half_cost, rel=1e-4)  # a's is 0


def test_precision_of_zero_and_of_a_single_replication():
    zeros = pd.DataFrame({"scenario": "a", "replication": [0, 1, 2], "casualties": [0, 0, 0]})
    assert precision_reached(zeros, ["casualties"]) == {"casualties": 0.0}
    around_zero = zeros.assign(casualties=[-1, 0, 1])
    assert precision_reached(around_zero, ["casualties"]) == {"casualties": math.inf}
    one = zeros.iloc[:1].assign(casualties=[4])
    assert precision_reached(one, ["casualties"]) == {"casualties": math.inf}


@pytest.fixture(scope="module")
def scenario():
    # Inputs fixed, and two casualties per attack: the noisiest headline outcome, casualties,
    # then settles within a few rounds.
    fixed = pins(ADVISORY, *SHORT_ADVISORY)
    return load(ADVISORY, *SHORT_ADVISORY, *fixed, "threat.casualties_per_attack=2")


def auto(precision: float, max_replications: int = 300, round_size: int = ROUND, batch=10):
    return Plan(
        seed=3,
        replications=None,
        precision=precision,
        max_replications=max_replications,
        batch_size=batch,
        round_size=round_size,
    )


@pytest.fixture(scope="module")
def serial(scenario, ensemble):
    return ensemble([scenario], auto(TARGET))


def test_stops_at_the_first_round_that_is_precise_enough(serial):
    n = serial.replications
    assert n % ROUND == 0 and ROUND <= n < 300
    assert len(serial.summary) == n
    assert list(serial.summary["replication"]) == list(range(n))
    assert set(serial.precision) == set(PRECISE)
    assert max(serial.precision.values()) <= TARGET
    assert serial.precision == precision_reached(serial.summary)
    if n > ROUND:  # the round before was not precise enough
        before = serial.summary[serial.summary["replication"] < n - ROUND]
        assert max(precision_reached(before).values()) > TARGET


def test_the_stop_does_not_depend_on_the_workers(scenario, serial, ensemble):
    other = ensemble([scenario], auto(TARGET), workers=2)
    assert other.replications == serial.replications
    pd.testing.assert_frame_equal(other.summary, serial.summary, check_exact=True)
    pd.testing.assert_frame_equal(other.bands, serial.bands, check_exact=True)


def test_an_unreachable_precision_stops_at_the_maximum(scenario, ensemble):
    result = ensemble([scenario], auto(1e-6, max_replications=25, round_size=10, batch=5))
    assert result.replications == 25  # not a whole number of rounds: the maximum wins
    assert list(result.summary["replication"]) == list(range(25))
    assert max(result.precision.values()) > 1e-6


def test_rounds_that_do_not_fall_on_batch_boundaries_run_every_replication(scenario, ensemble):
    # Rounds of 10 in batches of 4: the last batch of a round is short (8, 9) and the next
    # round must still run replications 10 and 11.
    result = ensemble([scenario], auto(1e-6, max_replications=20, round_size=10, batch=4))
    assert list(result.summary["replication"]) == list(range(20))
    assert result.replications == 20
    assert (result.bands["replications"] == 20).all()
