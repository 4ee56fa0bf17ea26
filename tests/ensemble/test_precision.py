"""``replications=None``: rounds are added until every headline mean is precise enough."""

import pandas as pd
import pytest

from sim.analysis.statistics import HEADLINE, precision_reached
from sim.ensemble.runner import Plan

from ..conftest import ADVISORY, SHORT_ADVISORY, load, pins

ROUND = 20
TARGET = 0.07


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
    assert set(serial.precision) == set(HEADLINE)
    assert max(serial.precision.values()) <= TARGET
    assert serial.precision == precision_reached(serial.summary, TARGET)
    if n > ROUND:  # the round before was not precise enough
        before = serial.summary[serial.summary["replication"] < n - ROUND]
        assert max(precision_reached(before, TARGET).values()) > TARGET


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
