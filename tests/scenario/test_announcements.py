"""Policy written as announcements: merged in order, deadlines superseded or carried,
conditional announcements drawn per replication."""

from __future__ import annotations

import datetime as dt
import json
import math
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import sim
from sim.ensemble.worker import replicate
from sim.scenario.timeline import Timeline

BASE = Path("scenarios/base.yaml").resolve()


def write(tmp_path: Path, body: str, name: str = "option.yaml") -> Path:
    path = tmp_path / name
    path.write_text(f"extends: {BASE}\n" + textwrap.dedent(body))
    return path


def announcements(tmp_path: Path, items: str, name: str = "option.yaml") -> sim.Scenario:
    return sim.load_scenario(write(tmp_path, "policy:\n  announcements:\n" + items, name))


HOLD = """\
    - name: hold
      announced: 2021-06-01
"""


def test_an_announcement_changes_only_what_it_restates(tmp_path):
    s = announcements(
        tmp_path,
        HOLD
        + """\
    - name: end of the combat mission
      announced: 2021-07-26
      deadline: 2021-12-31
      mix:
        {combat: 0.0, advisory: 0.37, logistics: 0.24, force_protection: 0.23, headquarters: 0.16}
      replace: {combat: false}
      early_return: as_needed
    - name: no more recalls
      announced: 2021-09-01
      early_return: none
      replace: {logistics: false}
    - name: smaller total
      announced: 2021-10-01
      total: 2000
""",
    )
    p = s.policy.phases
    assert [x.name for x in p] == [
        "hold",
        "end of the combat mission",
        "no more recalls",
        "smaller total",
    ]
    assert p[2].mix == p[1].mix and p[2].deadline == p[1].deadline  # kept
    assert p[2].early_return == "none"
    assert p[2].replace == {"combat": False, "logistics": False}  # merged role by role
    assert p[3].total == 2000 and p[3].mix == p[1].mix  # a total of the announced mix
    assert p[3].deadline is None  # a new goal without a deadline drops the old one
    assert s.policy.origin == [0, 1, 2, 3]


def test_a_deadline_overtaken_by_a_new_goal_is_superseded_not_missed(tmp_path):
    s = announcements(
        tmp_path,
        HOLD
        + """\
    - name: down to 1000
      announced: 2021-07-01
      deadline: 2022-03-31
      total: 1000
      early_return: as_needed
    - name: down to 2000 instead
      announced: 2021-09-01
      deadline: 2021-12-31
      total: 2000
      early_return: as_needed
""",
    )
    tl = Timeline(s)
    assert tl.superseded == {1: 2} and tl.due(1) is None
    run = sim.simulate(s, seed=0)
    ev = run.events
    sup = ev[ev.event == "deadline_superseded"]
    assert len(sup) == 1 and sup.date.iloc[0] == pd.Timestamp("2021-09-01")
    assert (
        sup.detail.iloc[0] == "down to 1000: deadline 2022-03-31 superseded by down to 2000 instead"
    )
    judged = ev[ev.event.isin(["deadline_met", "deadline_missed"])].detail
    assert not judged.str.startswith("down to 1000").any()
    assert pd.isna(run.summary.iloc[0]["down_to_1000_days_late"])


def test_a_deadline_restated_alone_moves_and_is_judged_once(tmp_path):
    s = announcements(
        tmp_path,
        HOLD
        + """\
    - name: all out
      announced: 2021-07-01
      deadline: 2021-09-30
      total: 0
      early_return: as_needed
    - name: later
      announced: 2021-08-01
      deadline: 2021-12-31
""",
    )
    p = s.policy.phases
    assert p[2].total == 0 and p[2].deadline.isoformat() == "2021-12-31"
    assert Timeline(s).superseded == {1: 2}  # the date changed: the old one no longer binds
    ev = sim.simulate(s, seed=0).events
    judged = ev[ev.event.isin(["deadline_met", "deadline_missed"])]
    assert len(judged) == 1 and judged.detail.iloc[0].startswith("later")


def test_a_deadline_kept_through_a_later_announcement_is_carried_and_judged_once(tmp_path):
    s = announcements(
        tmp_path,
        HOLD
        + """\
    - name: all out
      announced: 2021-07-01
      deadline: 2021-12-31
      total: 0
      early_return: as_needed
    - name: faster
      announced: 2021-09-01
      early_return: immediate
""",
    )
    tl = Timeline(s)
    assert tl.carried == {2} and tl.superseded == {} and tl.last[1] == 2
    run = sim.simulate(s, seed=0)
    ev = run.events
    judged = ev[ev.event.isin(["deadline_met", "deadline_missed"])]
    assert judged.detail.str.startswith("all out").tolist() == [True]  # under who set it
    assert run.summary.iloc[0]["all_out_days_late"] >= 0
    assert pd.isna(run.summary.iloc[0]["faster_days_late"])


CONDITIONAL = (
    HOLD
    + """\
    - name: withdrawal
      announced: 2021-08-01
      probability: 0.3
      deadline: 2021-12-31
      total: 0
      early_return: as_needed
"""
)


def test_a_conditional_announcement_holds_in_about_its_share_of_replications(tmp_path):
    s = announcements(tmp_path, CONDITIONAL)
    assert "policy.announcements.1.holds" in s.uncertainties
    n, p = 400, 0.3
    drawn = [replicate(s, 5, k)[0] for k in range(n)]
    held = np.mean([[x.name for x in d.policy.phases] == ["hold", "withdrawal"] for d in drawn])
    assert abs(held - p) <= 3 * math.sqrt(p * (1 - p) / n)


def test_a_conditional_draw_is_paired_across_options(tmp_path):
    a = announcements(tmp_path, CONDITIONAL, "a.yaml")
    b = announcements(tmp_path, CONDITIONAL.replace("total: 0", "total: 500"), "b.yaml")
    key = "input.policy.announcements.1.holds"
    for k in range(20):
        assert replicate(a, 2, k)[2][key] == replicate(b, 2, k)[2][key]


def test_alternatives_are_drawn_with_their_weights(tmp_path):
    s = announcements(
        tmp_path,
        HOLD
        + """\
    - name: review
      announced: 2021-08-01
      deadline: 2021-12-31
      early_return: as_needed
      alternatives:
        - {name: all out, weight: 3, total: 0}
        - {name: hold at 2000, weight: 1, total: 2000}
""",
    )
    names = [replicate(s, 1, k)[0].policy.phases[-1].name for k in range(400)]
    share = names.count("review: all out") / len(names)
    assert set(names) == {"review: all out", "review: hold at 2000"}
    assert abs(share - 0.75) <= 3 * math.sqrt(0.75 * 0.25 / 400)


@pytest.mark.parametrize(
    "body, key, words",
    [
        (
            HOLD + "    - {name: x, announced: 2021-08-01, takes_effect: 2021-07-01}\n",
            "policy.announcements.1.takes_effect",
            "before it is announced",
        ),
        (
            HOLD + "    - {name: x, announced: 2021-05-01}\n",
            "policy.announcements.1.announced",
            "in the order made",
        ),
        (
            HOLD + "    - {name: x, announced: 2021-08-01, probability: 1.5}\n",
            "policy.announcements.1.probability",
            "less than or equal to 1",
        ),
        (
            HOLD + "    - {name: x, announced: 2021-08-01, probability: 0.5,"
            " alternatives: [{weight: 1}, {weight: 1}]}\n",
            "policy.announcements.1.probability",
            "not both",
        ),
        (
            HOLD + "    - {name: x, announced: 2021-08-01, deadline: 2021-07-01, total: 0}\n",
            "policy.announcements.1.deadline",
            "before it starts",
        ),
        (
            HOLD + "    - {name: x, announced: 2021-08-01, mix: {combat: 0.5}}\n",
            "policy.announcements.1.mix",
            "add up to 0.500",
        ),
    ],
    ids=[
        "effect-before-announced",
        "out-of-order",
        "probability",
        "both-chances",
        "deadline",
        "mix",
    ],
)
def test_mistakes_name_file_line_and_key(tmp_path, body, key, words):
    path = write(tmp_path, "policy:\n  announcements:\n" + body)
    with pytest.raises(sim.ScenarioError) as err:
        sim.load_scenario(path)
    assert err.value.key == key and err.value.file == str(path) and err.value.line == 6
    assert words in err.value.message


def test_both_forms_in_one_file_is_one_clear_error(tmp_path):
    path = write(
        tmp_path,
        "policy:\n  phases: [{name: a, start: 2021-06-01}]\n"
        "  announcements: [{name: b, announced: 2021-06-01}]\n",
    )
    with pytest.raises(sim.ScenarioError, match="phases or announcements, not both"):
        sim.load_scenario(path)


def test_a_file_written_in_announcements_replaces_a_base_in_phases(tmp_path):
    s = announcements(tmp_path, HOLD)
    assert [p.name for p in s.policy.phases] == ["hold"]
    assert "phases" not in s.model_dump()["policy"]  # worked out, not written back


# Fuzz: any value at any new key gives a scenario or one located ScenarioError -------------

NEW_KEYS = [
    "policy.announcements.1.probability",
    "policy.announcements.1.takes_effect",
    "policy.announcements.1.alternatives",
    "policy.announcements.1.detachments",
    "policy.announcements.1.drift_per_month",
    "policy.announcements.2.airlift",
    "policy.announcements.2.airlift.sorties_per_week",
    "policy.announcements.2.planning_interval_days",
    "policy.announcements.2.temporary",
    "policy.announcements.2.temporary.0.people",
    "policy.announcements.2.temporary.0.arrive_by",
    "policy.announcements.2.temporary.0.leave_by",
    "policy.announcements.2.temporary.0.unit_type",
    "policy.announcements.2.convert",
    "unit_types.rapid_response_battalion.converts_to",
]
VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**7), 10**7),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.text(max_size=12),
    st.dates(dt.date(2020, 1, 1), dt.date(2023, 1, 1)),
    st.lists(st.integers(-5, 5), max_size=3),
    st.dictionaries(
        st.sampled_from(["weight", "total", "unit_type", "to", "x"]),
        st.one_of(st.integers(-5, 5000), st.text(max_size=5)),
        max_size=3,
    ),
)


@settings(max_examples=60, deadline=None, derandomize=True, database=None)
@given(key=st.sampled_from(NEW_KEYS), value=VALUES)
def test_any_value_at_a_new_key_loads_or_is_one_located_error(key, value):
    text = json.dumps(value, default=str)
    try:
        sim.load_scenario("scenarios/examples/evacuation-surge.yaml", [f"{key}={text}"])
    except sim.ScenarioError as err:
        assert err.file and err.key and "\n" not in str(err)
