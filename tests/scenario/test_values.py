"""Values set in a loaded scenario (``scenario/values.py``): an invalid result names the
value at fault, also when the rule it breaks compares two keys."""

from __future__ import annotations

import datetime as dt
import warnings
from pathlib import Path

import pytest

from sim import ScenarioError, load_scenario
from sim.scenario.values import apply_values

ADVISORY = Path(__file__).resolve().parents[2] / "scenarios" / "advisory.yaml"


@pytest.fixture(scope="module")
def advisory():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return load_scenario(ADVISORY)


@pytest.mark.parametrize(
    ("values", "key", "message"),
    [
        ({"end": dt.date(2021, 1, 1)}, "end", "the scenario ends (2021-01-01) on or before"),
        (
            {"policy.announcements.2.takes_effect": dt.date(2021, 11, 1)},
            "policy.announcements.2.takes_effect",
            "it cannot take effect before it is announced",
        ),
        (
            {"policy.announcements.1.deadline": dt.date(2021, 7, 1)},
            "policy.announcements.1.deadline",
            "it ends (2021-07-01) before it starts (2021-07-26)",
        ),
    ],
)
def test_a_value_breaking_a_rule_between_keys_is_named(advisory, values, key, message):
    with pytest.raises(ScenarioError) as caught:
        apply_values(advisory, values)
    assert caught.value.key == key
    assert message in caught.value.message
    assert "('" not in str(caught.value)  # no key path shown as a Python tuple
