"""Dotted overrides (``--set key.path=value``): values are YAML, and every mistake is a
``ScenarioError`` from ``--set`` naming the dotted key."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from sim import ScenarioError, load_scenario
from sim.scenario.overrides import OVERRIDE, parse_override
from sim.scenario.schema import Scenario

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
ADVISORY = SCENARIOS / "advisory.yaml"
ROLES = ["combat", "advisory", "logistics", "force_protection", "headquarters", "medical"]


def load(*overrides: str) -> Scenario:
    return load_scenario(ADVISORY, list(overrides))


def override_error(*overrides: str) -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        load(*overrides)
    err = info.value
    assert type(err) is ScenarioError
    assert "\n" not in str(err), str(err)
    return err


# Valid overrides change the loaded value --------------------------------------------------


def test_cap_is_an_integer_and_advisory_mix_still_fits() -> None:
    scenario = load("cap=2000")
    assert scenario.cap == 2000
    assert type(scenario.cap) is int
    assert scenario.phase_cap(1) == 2000


def test_announcement_date_is_a_date() -> None:
    scenario = load("policy.announcements.1.announced=2021-10-01")
    assert scenario.policy.announcements[1].announced == dt.date(2021, 10, 1)
    assert type(scenario.policy.announcements[1].announced) is dt.date
    assert scenario.policy.phases[1].start == dt.date(2021, 10, 1)  # in force when announced
    assert scenario.policy.phases[0].start == dt.date(2021, 6, 1)  # the others are untouched
    assert scenario.policy.phases[2].start == dt.date(2021, 12, 31)


def value_at(scenario: Scenario, dotted: str) -> Any:
    """The loaded value at a dotted key path: attributes, mapping keys and list indexes."""
    node: Any = scenario
    for part in dotted.strip().split("."):
        if part.isdigit():
            node = node[int(part)]
        elif isinstance(node, dict):
            node = node[part]
        else:
            node = getattr(node, part)
    return node


@pytest.mark.parametrize(
    ("override", "expected"),
    [
        ("fill=0.9", 0.9),
        ("allow_over_cap=true", True),
        ("unit_types.tdy_team.counts_toward_cap=true", True),
        ("end=2022-12-31", dt.date(2022, 12, 31)),
        ("start='2021-06-01'", dt.date(2021, 6, 1)),  # a quoted ISO date is still a date
        ("threat.exposure.combat=2", 2.0),
        ("unit_types.adviser_team.size=10", 10),
        ("policy.announcements.2.name=advise", "advise"),
        ("policy.announcements.1.early_return=immediate", "immediate"),
        ("title='An option: with a colon'", "An option: with a colon"),
        ("roles=[combat, advisory, logistics, force_protection, headquarters, medical]", ROLES),
        ("policy.announcements.1.replace={combat: true}", {"combat": True}),
        ("  cap  =  2100 ", 2100),
    ],
)
def test_override_sets_a_yaml_value(override: str, expected: Any) -> None:
    value = value_at(load(override), override.partition("=")[0])
    assert value == expected
    assert type(value) is type(expected)


@pytest.mark.parametrize(
    ("override", "default"),
    [
        ("unit_types.adviser_team.lead_time_days=null", 0),
        ("unit_types.adviser_team.supply=null", None),
        ("force_protection=null", None),
        ("policy.announcements.1.deadline=null", None),
        ("policy.announcements.1.mix=null", None),
        ("title=~", None),
    ],
)
def test_null_removes_a_key_back_to_its_default(override: str, default: Any) -> None:
    assert value_at(load(), override.partition("=")[0]) != default  # the files set it
    assert value_at(load(override), override.partition("=")[0]) == default


def test_overrides_apply_in_order() -> None:
    assert load("fill=0.5", "fill=null").fill == 0.98  # the schema default: null removes
    assert load("cap=2000", "cap=2200").cap == 2200


def test_override_can_add_a_key_inside_a_new_mapping() -> None:
    scenario = load(
        "unit_types.medics.role=logistics",
        "unit_types.medics.service=army",
        "unit_types.medics.size=8",
    )
    assert scenario.unit_types["medics"].size == 8
    assert len(scenario.unit_types) == 8


def test_override_does_not_change_the_files() -> None:
    scenario = load("cap=2000")
    assert scenario.files == [str(ADVISORY), str(SCENARIOS / "base.yaml")]
    assert load().cap == 2500


def test_parse_override_reads_yaml_values() -> None:
    assert parse_override("policy.phases.1.start=2021-10-01") == (
        ("policy", "phases", 1, "start"),
        dt.date(2021, 10, 1),
    )
    assert parse_override("roles=[a, b]") == (("roles",), ["a", "b"])
    assert parse_override("allow_over_cap=false") == (("allow_over_cap",), False)
    assert parse_override("fill=null") == (("fill",), None)
    assert parse_override("fill=") == (("fill",), None)
    assert parse_override("title=a=b") == (("title",), "a=b")  # only the first = splits


# Override mistakes ------------------------------------------------------------------------

MISTAKES = [
    # (id, overrides, key, message fragment)
    ("no equals sign", ["cap"], "cap", "KEY=VALUE"),
    (
        "index out of range",
        ["policy.announcements.7.announced=2021-10-01"],
        "policy.announcements.7.announced",
        "7",
    ),
    (
        "negative index",
        ["policy.announcements.-1.announced=2021-10-01"],
        "policy.announcements.-1.announced",
        "-1",
    ),
    (
        "name for an index",
        ["policy.announcements.last.announced=2021-10-01"],
        "policy.announcements.last.announced",
        "last",
    ),
    ("unknown key", ["capp=2000"], "capp", "did you mean 'cap'?"),
    (
        "unknown nested key",
        ["unit_types.adviser_team.sise=3"],
        "unit_types.adviser_team.sise",
        "did you mean 'size'?",
    ),
    (
        "unknown announcement key",
        ["policy.announcements.1.dedline=2021-12-01"],
        "policy.announcements.1.dedline",
        "did you mean 'deadline'?",
    ),
    ("text for a number", ["cap=lots"], "cap", "valid integer"),
    ("quoted number", ["cap='2000'"], "cap", "valid integer"),
    (
        "float for an integer",
        ["services.army.tour_days=12.5"],
        "services.army.tour_days",
        "valid integer",
    ),
    ("yes for a boolean", ["allow_over_cap=yes"], "allow_over_cap", "valid boolean"),
    (
        "negative size",
        ["unit_types.adviser_team.size=-1"],
        "unit_types.adviser_team.size",
        "greater than 0",
    ),
    ("not a date", ["start=soon"], "start", "expected a date"),
    ("list for a mapping", ["threat=[1, 2]"], "threat", "valid dictionary"),
    ("through a number", ["cap.limit=3"], "cap.limit", "not a mapping"),
    ("empty part", ["policy..start=2021-10-01"], "policy..start", "empty"),
    ("bad YAML value", ["cap=[1, 2"], "cap", "YAML"),
    ("impossible date", ["start=2021-13-01"], "start", "month"),
    ("required key removed", ["cap=null"], "cap", "missing required key 'cap'"),
    (
        "deadline before start",  # the last announcement: nothing carries it on
        ["policy.announcements.2.deadline=2021-07-01"],
        "policy.announcements.2.deadline",
        "before it starts",
    ),
    (
        "total above the cap",
        ["policy.announcements.2.total=3000"],
        "policy.announcements.2.total",
        "above the cap of 2,500",
    ),
    ("deeply nested value", ["roles=" + "[" * 500 + "]" * 500], "roles", ""),
]


@pytest.mark.parametrize(
    ("overrides", "key", "message"), [m[1:] for m in MISTAKES], ids=[m[0] for m in MISTAKES]
)
def test_override_mistake_is_reported_against_set(
    overrides: list[str], key: str, message: str
) -> None:
    err = override_error(*overrides)
    assert (err.file, err.line, err.key) == (OVERRIDE, None, key)
    assert message in err.message
    assert str(err).startswith(f"--set: {key}: {err.message}")


def test_missing_equals_without_a_key() -> None:
    err = override_error("=2000")
    assert (err.file, err.line) == (OVERRIDE, None)


def test_index_message_names_the_list() -> None:
    err = override_error("policy.announcements.7.announced=2021-10-01")
    assert "'policy.announcements' has no item 7" in err.message, err.message


def test_a_phase_of_a_policy_written_as_announcements_names_the_path_to_use() -> None:
    err = override_error("policy.phases.1.start=2021-10-01")
    assert (err.file, err.key) == (OVERRIDE, "policy.phases.1.start")
    assert "policy.announcements.N.KEY" in err.message, err.message


def test_a_whole_policy_in_phases_replaces_the_announcements() -> None:
    scenario = load("policy.phases=[{name: hold, start: 2021-06-01}]")
    assert scenario.policy.announcements is None
    assert [p.name for p in scenario.policy.phases] == ["hold"]


def test_missing_key_in_a_mapping_made_by_an_override() -> None:
    err = override_error("unit_types.medics.role=logistics", "unit_types.medics.service=army")
    assert (err.file, err.key) == (OVERRIDE, "unit_types.medics.size")
    assert "missing required key 'size'" in err.message


def test_file_problems_come_before_override_problems(tmp_path: Path) -> None:
    (tmp_path / "base.yaml").write_text((SCENARIOS / "base.yaml").read_text(encoding="utf-8"))
    child = tmp_path / "child.yaml"
    child.write_text("extends: base.yaml\nfill: 2\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(child, ["cap=-1"])
    err = info.value
    assert (err.file, err.line, err.key, err.more) == (str(child), 2, "fill", 1)


def test_an_override_can_fix_a_file_problem(tmp_path: Path) -> None:
    (tmp_path / "base.yaml").write_text((SCENARIOS / "base.yaml").read_text(encoding="utf-8"))
    child = tmp_path / "child.yaml"
    child.write_text("extends: base.yaml\nfill: 2\n", encoding="utf-8")
    assert load_scenario(child, ["fill=0.9"]).fill == 0.9
