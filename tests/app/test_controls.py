"""The app's controls without a browser: what a scenario file offers, what an entry
changes, the loader's check of it and the scenario file that keeps it."""

from __future__ import annotations

import datetime as dt
import shutil
import textwrap
import warnings
from pathlib import Path

import pytest

from sim import ScenarioError, load_scenario
from sim.app.controls import NOTE, changes, check, export_yaml, overrides, read_option

ROOT = Path(__file__).resolve().parents[2]
ADVISORY = ROOT / "scenarios" / "advisory.yaml"
DEADLINE_1 = ("policy", "announcements", 1, "deadline")
ADVISERS_1 = ("policy", "announcements", 1, "mix", "advisory")


@pytest.fixture(scope="module")
def advisory():
    return read_option(ADVISORY)


def by_testid(option) -> dict:
    return {c.testid: c for c in option.controls}


def base_with(folder: Path, policy: str, name: str = "phased.yaml") -> Path:
    """A scenario in ``folder`` extending a copy of base.yaml with ``policy`` (YAML)."""
    shutil.copy(ROOT / "scenarios" / "base.yaml", folder / "base.yaml")
    path = folder / name
    path.write_text("extends: base.yaml\n" + textwrap.dedent(policy).lstrip("\n"), "utf-8")
    return path


PHASES = """
    policy:
      phases:
        - name: status quo
          start: 2021-06-01
        - name: drawdown
          start: 2021-07-26
          deadline: 2021-12-31
          cap: 1500
        - name: hold
          start: {distribution: uniform, low: 2022-01-01, high: 2022-02-01}
          deadline: 2022-03-31
    """


# read_option ----------------------------------------------------------------------------------
def test_the_scenario_controls_give_value_and_source(advisory):
    controls = by_testid(advisory)
    cap = controls["cap-input"]
    assert (cap.key, cap.value, cap.kind, cap.group) == (("cap",), 2500, "number", "scenario")
    assert cap.source.startswith("base.yaml:15")
    assert "iraq_2020_2025.csv: reduction to 2,500 complete 2021-01-15" in cap.source
    sorties = controls["sorties-input"]
    assert (sorties.key, sorties.value) == (("airlift", "sorties_per_week"), 3)
    assert sorties.source.startswith("base.yaml:115")
    assert advisory.name == "advisory" and advisory.title == "Shift to an advisory role"
    assert (advisory.start, advisory.end) == (dt.date(2021, 6, 1), dt.date(2022, 6, 30))


def test_each_announcement_is_started_by_the_date_that_puts_it_in_force(advisory):
    controls = by_testid(advisory)
    first = controls["phase-0-start-input"]
    assert first.key == ("policy", "announcements", 0, "announced")
    assert (first.value, first.group, first.optional) == (dt.date(2021, 6, 1), "status quo", False)
    # the third is announced on 2021-12-09 but in force from 2021-12-31: that date is edited
    third = controls["phase-2-start-input"]
    assert third.key == ("policy", "announcements", 2, "takes_effect")
    assert third.value == dt.date(2021, 12, 31)
    assert third.source.startswith("advisory.yaml:28")
    deadline = controls["phase-1-deadline-input"]
    assert (deadline.key, deadline.value, deadline.optional) == (
        DEADLINE_1,
        dt.date(2021, 12, 31),
        True,
    )
    unset = controls["phase-1-cap-input"]
    assert (unset.value, unset.optional, unset.source) == (None, True, "not set in the files")


def test_the_mix_of_an_announcement_is_one_control_per_role(advisory):
    mix = {
        c.key[-1]: c.value
        for c in advisory.controls
        if c.key[:4] == ("policy", "announcements", 1, "mix")
    }
    assert mix == {
        "combat": 0.0,
        "advisory": 0.37,
        "logistics": 0.24,
        "force_protection": 0.23,
        "headquarters": 0.16,
    }
    share = by_testid(advisory)["phase-1-mix-advisory-input"]
    assert (share.kind, share.group) == ("share", "end of the combat mission")
    # no line note on the share: the announcement's own source
    assert share.source.startswith("advisory.yaml:19: seed article")
    # the scenario's controls first, then each announcement's in order
    groups = list(dict.fromkeys(c.group for c in advisory.controls))
    assert groups == [
        "scenario",
        "status quo",
        "end of the combat mission",
        "advise, assist and enable",
    ]


def test_the_timeline_is_the_announcements_in_order(advisory):
    got = [(t["name"], t["announced"], t["start"], t["deadline"]) for t in advisory.timeline]
    assert got == [
        ("status quo", dt.date(2021, 6, 1), dt.date(2021, 6, 1), None),
        (
            "end of the combat mission",
            dt.date(2021, 7, 26),
            dt.date(2021, 7, 26),
            dt.date(2021, 12, 31),
        ),
        ("advise, assist and enable", dt.date(2021, 12, 9), dt.date(2021, 12, 31), None),
    ]


def test_phases_are_started_by_their_start_and_a_drawn_date_has_no_control(tmp_path):
    option = read_option(base_with(tmp_path, PHASES))
    controls = by_testid(option)
    assert controls["phase-0-start-input"].key == ("policy", "phases", 0, "start")
    start = controls["phase-1-start-input"]
    assert (start.key, start.value, start.label) == (
        ("policy", "phases", 1, "start"),
        dt.date(2021, 7, 26),
        "Starts",
    )
    assert controls["phase-1-cap-input"].value == 1500
    # the third phase starts on a drawn date: no control for it, its deadline still has one
    assert "phase-2-start-input" not in controls
    assert controls["phase-2-deadline-input"].key == ("policy", "phases", 2, "deadline")
    assert [t["name"] for t in option.timeline] == ["status quo", "drawdown", "hold"]
    assert all(t["announced"] is None for t in option.timeline)


def test_a_phase_announced_before_it_starts_is_shown_from_its_start(tmp_path):
    path = base_with(
        tmp_path,
        """
        policy:
          phases:
            - name: status quo
              start: 2021-06-01
            - name: lower cap
              start: 2022-01-01
              announced: 2021-10-01
              cap: 2000
        """,
    )
    option = read_option(path)
    assert option.timeline[1]["start"] == dt.date(2022, 1, 1)
    assert option.timeline[1]["announced"] == dt.date(2021, 10, 1)
    assert by_testid(option)["phase-1-start-input"].value == dt.date(2022, 1, 1)


def test_a_number_drawn_from_a_distribution_has_no_control(tmp_path):
    path = base_with(
        tmp_path,
        "airlift:\n  sorties_per_week: {distribution: uniform, low: 2, high: 4}\n",
        name="drawn.yaml",
    )
    controls = by_testid(read_option(path))
    assert not isinstance(getattr(controls.get("sorties-input"), "value", None), dict)


# changes --------------------------------------------------------------------------------------
def test_entries_as_in_the_files_change_nothing(advisory):
    as_written = {
        "cap": 2500,
        "sorties": "3",
        "phase_1_start": "2021-07-26",
        "phase_1_deadline": dt.date(2021, 12, 31),
        "phase_1_cap": None,
        "phase_1_mix_advisory": "0.37",
        "phase_1_mix_combat": 0,
    }
    assert changes(advisory.controls, as_written) == {}
    assert changes(advisory.controls, {}) == {}


@pytest.mark.parametrize("typed", [2500, 2500.0, "2500", " 2500.0 ", "2.5e3"])
def test_a_number_typed_any_way_is_the_same_number(advisory, typed):
    assert changes(advisory.controls, {"cap": typed}) == {}


def test_a_changed_entry_is_a_change_of_its_key(advisory):
    got = changes(
        advisory.controls,
        {"cap": "2000", "phase_1_deadline": "2021-11-30", "phase_1_mix_advisory": 0.4},
    )
    assert got == {("cap",): 2000, DEADLINE_1: dt.date(2021, 11, 30), ADVISERS_1: 0.4}
    assert type(got[("cap",)]) is int  # a whole number stays whole for the loader


def test_an_emptied_control_is_none_only_if_it_had_a_value(advisory):
    assert changes(advisory.controls, {"phase_1_deadline": ""}) == {DEADLINE_1: None}
    assert changes(advisory.controls, {"phase_1_deadline": None}) == {DEADLINE_1: None}
    assert changes(advisory.controls, {"phase_1_cap": "", "phase_0_deadline": "  "}) == {}


def test_a_date_that_does_not_parse_is_kept_as_typed(advisory):
    assert changes(advisory.controls, {"phase_1_deadline": " 2021-13-45 "}) == {
        DEADLINE_1: "2021-13-45"
    }


# overrides and check --------------------------------------------------------------------------
def test_overrides_are_set_options_with_text_quoted():
    got = overrides(
        {
            ("cap",): 2000,
            ADVISERS_1: 0.4,
            DEADLINE_1: dt.date(2021, 11, 30),
            ("policy", "announcements", 1, "cap"): None,
            ("title",): "it's [1, 2]",
        }
    )
    assert got == [
        "cap=2000",
        "policy.announcements.1.mix.advisory=0.4",
        "policy.announcements.1.deadline=2021-11-30",
        "policy.announcements.1.cap=null",
        "title='it''s [1, 2]'",
    ]


def test_check_gives_the_loaders_own_error():
    with pytest.raises(ScenarioError) as expected:
        load_scenario(ADVISORY, ["cap=-5"])
    got = check(ADVISORY, {("cap",): -5})
    assert got.scenario is None and got.warnings == []
    assert (got.error.file, got.error.key) == ("--set", "cap")
    assert str(got.error) == str(expected.value)
    assert got.error.message == expected.value.message


def test_a_bad_date_is_an_error_of_its_deadline(advisory):
    changed = changes(advisory.controls, {"phase_1_deadline": "2021-13-45"})
    got = check(ADVISORY, changed)
    assert got.scenario is None
    assert (got.error.file, got.error.key) == ("--set", "policy.announcements.1.deadline")
    assert "2021-13-45" in got.error.message


def test_a_deadline_before_its_start_is_an_error(advisory):
    got = check(ADVISORY, changes(advisory.controls, {"phase_1_deadline": "2021-07-01"}))
    assert got.scenario is None
    assert got.error.key == "policy.announcements.1.deadline"
    assert "before it starts" in got.error.message


def test_a_valid_change_gives_the_scenario_and_the_loaders_warnings():
    got = check(ADVISORY, {("cap",): 2000})
    assert got.error is None and got.scenario.cap == 2000
    (warning,) = got.warnings
    assert "whole units cannot meet this mix under the cap" in warning
    assert "policy.announcements.1.mix.headquarters" in warning
    unchanged = check(ADVISORY, {})
    assert unchanged.error is None and unchanged.warnings == []


@pytest.mark.parametrize("text", ["2000 # x", "[1, 2]", "2000, 3000", "{low: 1}"])
def test_text_is_not_read_as_something_else(text):
    got = check(ADVISORY, {("cap",): text})
    assert got.scenario is None, f"{text!r} was taken for a number"
    assert got.error.key == "cap"
    assert repr(text) in got.error.message  # the loader saw the text as typed


def test_a_title_with_yaml_in_it_stays_text():
    text = "2000 # not a comment: [1, 2]"
    got = check(ADVISORY, {("title",): text})
    assert got.error is None and got.scenario.title == text


# export_yaml ----------------------------------------------------------------------------------
@pytest.fixture
def copied(tmp_path):
    shutil.copytree(ROOT / "scenarios", tmp_path / "scenarios")
    return read_option(tmp_path / "scenarios" / "advisory.yaml")


def test_the_exported_file_extends_the_original_and_marks_what_changed(copied, tmp_path):
    changed = changes(
        copied.controls,
        {"cap": "2000", "phase_1_deadline": "2021-11-30", "phase_1_mix_advisory": "0.4"},
    )
    target = tmp_path / "advisory-edited.yaml"
    text = export_yaml(copied, changed, target, seed=3, replications=4, today=dt.date(2024, 1, 2))
    assert "extends: scenarios/advisory.yaml\n" in text
    assert text.startswith("# Made with sim app on 2024-01-02 from advisory.yaml.")
    assert "sim run advisory-edited.yaml --seed 3 -n 4" in text
    marked = [line.split(":")[0].strip() for line in text.splitlines() if f"# {NOTE}" in line]
    assert sorted(marked) == ["advisory", "cap", "deadline", "title"]
    assert "title: Shift to an advisory role (edited in the app)" in text


def test_the_exported_file_loads_as_the_checked_changes(copied, tmp_path):
    changed = changes(
        copied.controls,
        {
            "cap": 2000,
            "phase_1_deadline": "2021-11-30",
            "phase_1_mix_advisory": 0.4,
            "phase_1_mix_logistics": "0.21",  # the shares still add up to 1
        },
    )
    target = tmp_path / "advisory-edited.yaml"
    target.write_text(
        export_yaml(copied, changed, target, seed=1, replications=2), encoding="utf-8"
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        exported = load_scenario(target)
        checked = load_scenario(copied.path, overrides(changed))
    assert exported.cap == 2000
    assert exported.policy.phases[1].deadline == dt.date(2021, 11, 30)
    assert exported.policy.phases[1].mix["advisory"] == 0.4
    assert exported.policy.phases[1].mix["logistics"] == 0.21
    skip = {"name", "title"}
    assert exported.model_dump(exclude=skip) == checked.model_dump(exclude=skip)
    assert exported.name == "advisory-edited"


def test_an_export_without_changes_sets_only_the_title(copied, tmp_path):
    target = tmp_path / "same.yaml"
    text = export_yaml(copied, {}, target, seed=1, replications=2)
    body = [line for line in text.splitlines() if not line.startswith("#")]
    assert body == [
        "extends: scenarios/advisory.yaml",
        f"title: Shift to an advisory role (edited in the app)  # {NOTE}",
    ]
