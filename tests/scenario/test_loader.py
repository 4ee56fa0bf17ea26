"""Loading scenario files: the options load, ``extends`` merges, and every mistake becomes
one ``ScenarioError`` pointing at the file, line and key where it was written.

Mistake cases are small files written to a temporary folder beside a copy of
``scenarios/base.yaml``. Each case marks the line it expects the error on with ``# <-``, so
the expected line is read from the text rather than counted by hand.
"""

from __future__ import annotations

import datetime as dt
import shutil
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

import sim
from sim import ScenarioError, load_scenario
from sim.scenario.schema import Scenario

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
HERE = "# <-"


def yaml_text(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def marked_line(text: str) -> int:
    """The 1-based number of the one line carrying the ``# <-`` marker."""
    found = [n for n, line in enumerate(text.split("\n"), 1) if HERE in line]
    assert len(found) == 1, "a case marks exactly one line"
    return found[0]


def line_with(text: str, *steps: str) -> int:
    """The line of the last of ``steps``, each searched for after the one before it.

    ``line_with(base, "adviser_team:", "size:")`` is the ``size`` of the adviser team.
    """
    lines = text.split("\n")
    at = 0
    for step in steps:
        at = next(n for n in range(at, len(lines)) if lines[n].lstrip().startswith(step))
    return at + 1


def assert_one_line(err: ScenarioError) -> None:
    text = str(err)
    assert "\n" not in text and "\r" not in text, text


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    """A temporary folder holding a copy of base.yaml."""
    shutil.copy(SCENARIOS / "base.yaml", tmp_path / "base.yaml")
    return tmp_path


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def load_error(path: Path, overrides: list[str] | None = None) -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        load_scenario(path, overrides)
    assert type(info.value) is ScenarioError
    assert_one_line(info.value)
    return info.value


# The real options -------------------------------------------------------------------------

OPTIONS = {"status-quo": 1, "advisory": 3, "withdrawal": 2}


@pytest.mark.parametrize(("name", "phases"), OPTIONS.items())
def test_option_scenarios_load_through_base(name: str, phases: int) -> None:
    path = SCENARIOS / f"{name}.yaml"
    scenario = load_scenario(path)
    assert isinstance(scenario, Scenario)
    assert scenario.files == [str(path), str(SCENARIOS / "base.yaml")]
    assert scenario.name == name  # defaults to the file name
    assert scenario.extends is None  # consumed by the loader
    assert len(scenario.policy.phases) == phases
    assert scenario.cap == 2500  # from base.yaml
    assert scenario.start == dt.date(2021, 6, 1)
    assert set(scenario.unit_types) == {
        "infantry_company",
        "sof_task_unit",
        "adviser_team",
        "logistics_detachment",
        "security_company",
        "hq_element",
        "tdy_team",
    }


def test_load_scenario_accepts_a_string_path_and_is_exported() -> None:
    path = str(SCENARIOS / "withdrawal.yaml")
    scenario = sim.load_scenario(path)
    assert scenario.files[0] == path
    assert scenario.policy.phases[1].deadline == dt.date(2021, 12, 31)
    assert scenario.policy.phases[1].total == 0


def test_base_alone_is_a_valid_scenario() -> None:
    scenario = load_scenario(SCENARIOS / "base.yaml")
    assert scenario.files == [str(SCENARIOS / "base.yaml")]
    assert scenario.name == "base"


# extends: how files merge -----------------------------------------------------------------


def test_mappings_merge_key_by_key(workdir: Path) -> None:
    child = write(
        workdir,
        "child.yaml",
        yaml_text("""
            extends: base.yaml
            unit_types:
              adviser_team:
                size: 10
            threat:
              attacks_per_month: 3
            """),
    )
    scenario = load_scenario(child)
    adviser = scenario.unit_types["adviser_team"]
    assert adviser.size == 10
    assert (adviser.role, adviser.service, adviser.supply, adviser.lead_time_days) == (
        "advisory",
        "army",
        150,
        90,
    )
    assert len(scenario.unit_types) == 7  # the other unit types are still there
    assert scenario.threat.attacks_per_month == 3
    assert scenario.threat.casualties_per_attack == 0.2
    assert scenario.threat.exposure["combat"] == 1.5


def test_lists_are_replaced_whole(workdir: Path) -> None:
    child = write(
        workdir,
        "child.yaml",
        yaml_text("""
            extends: base.yaml
            initial_force:
              - {unit_type: adviser_team, count: 4}
            policy:
              phases:
                - name: only phase
                  start: 2021-06-01
            """),
    )
    scenario = load_scenario(child)
    assert [(g.unit_type, g.count) for g in scenario.initial_force] == [("adviser_team", 4)]
    assert [p.name for p in scenario.policy.phases] == ["only phase"]
    assert scenario.policy.phases[0].source is None  # nothing left over from base's phase


def test_extends_chains_and_lists_every_file(workdir: Path) -> None:
    write(workdir, "middle.yaml", "extends: base.yaml\ncap: 2000\nfill: 0.9\n")
    top = write(workdir, "top.yaml", "extends: middle.yaml\ncap: 1800\n")
    scenario = load_scenario(top)
    assert scenario.files == [str(top), str(workdir / "middle.yaml"), str(workdir / "base.yaml")]
    assert (scenario.cap, scenario.fill) == (1800, 0.9)


def test_extends_is_relative_to_the_file_not_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "common").mkdir()
    (tmp_path / "options").mkdir()
    (tmp_path / "elsewhere").mkdir()
    shutil.copy(SCENARIOS / "base.yaml", tmp_path / "common" / "base.yaml")
    child = write(tmp_path / "options", "mine.yaml", "extends: ../common/base.yaml\n")
    monkeypatch.chdir(tmp_path / "elsewhere")
    scenario = load_scenario(child)
    assert Path(scenario.files[1]).resolve() == (tmp_path / "common" / "base.yaml").resolve()
    assert scenario.name == "mine"


def test_name_written_in_the_file_wins_over_the_file_name(workdir: Path) -> None:
    child = write(workdir, "child.yaml", "extends: base.yaml\nname: my-option\n")
    assert load_scenario(child).name == "my-option"


def test_every_number_bearing_object_may_cite_a_source(workdir: Path) -> None:
    child = write(
        workdir,
        "child.yaml",
        yaml_text("""
            extends: base.yaml
            relief_in_place: {overlap_days: 10, source: assumption}
            airlift: {source: assumption}
            threat: {source: assumption}
            cost:
              source: assumption
              bases:
                erbil: {annual_cost_usd: 1, source: assumption}
            force_protection: {source: assumption}
            initial_force:
              - {unit_type: adviser_team, count: 1, source: assumption}
            services:
              army: {tour_days: 270, source: assumption}
            unit_types:
              adviser_team: {source: assumption}
            policy:
              source: assumption
              phases:
                - {name: hold, start: 2021-06-01, total: 100, source: assumption}
            """),
    )
    scenario = load_scenario(child)
    assert scenario.cost.bases["erbil"].source == "assumption"
    assert scenario.policy.phases[0].source == "assumption"


def test_an_anchored_boolean_is_still_a_boolean(workdir: Path) -> None:
    # ruamel gives anchored scalars wrapper types; a boolean must stay a boolean.
    child = write(
        workdir,
        "child.yaml",
        yaml_text("""
            extends: base.yaml
            allow_over_cap: &no false
            unit_types:
              tdy_team: {counts_toward_cap: *no}
            """),
    )
    scenario = load_scenario(child)
    assert scenario.allow_over_cap is False
    assert scenario.unit_types["tdy_team"].counts_toward_cap is False


# Mistakes: one table, each case a child of base.yaml with one mistake ---------------------


@dataclass(frozen=True)
class Mistake:
    id: str
    text: str  # the child file; the line with the mistake carries "# <-"
    key: str | None
    message: str  # a fragment of the message
    on_line: str | None = ""  # what the marked line must start with ("" means "<last key>:")

    @property
    def expected_start(self) -> str | None:
        if self.on_line != "":
            return self.on_line
        return f"{self.key.rsplit('.', 1)[-1]}:" if self.key else None


def phases(*extra: str) -> str:
    """A child whose policy has two phases; ``extra`` lines go into the second."""
    body = "\n".join(f"      {line}" for line in extra)
    return (
        "extends: base.yaml\npolicy:\n  phases:\n"
        "    - name: before\n      start: 2021-06-01\n"
        f"    - name: after\n      start: 2021-08-01\n{body}\n"
    )


MISTAKES = [
    Mistake("unknown key", "extends: base.yaml\ncapp: 2000  # <-\n", "capp", "did you mean 'cap'?"),
    Mistake(
        "unknown nested key",
        "extends: base.yaml\nunit_types:\n  adviser_team:\n    sise: 12  # <-\n",
        "unit_types.adviser_team.sise",
        "did you mean 'size'?",
    ),
    Mistake(
        "unknown key in a phase",
        phases("deadlien: 2021-09-01  # <-"),
        "policy.phases.1.deadlien",
        "did you mean 'deadline'?",
    ),
    Mistake(
        "string where a number goes",
        "extends: base.yaml\nunit_types:\n  adviser_team:\n    size: '12'  # <-\n",
        "unit_types.adviser_team.size",
        "valid integer",
    ),
    Mistake("quoted cap", 'extends: base.yaml\ncap: "2000"  # <-\n', "cap", "valid integer"),
    Mistake(
        "float where an integer goes",
        "extends: base.yaml\nservices:\n  army:\n    tour_days: 12.5  # <-\n",
        "services.army.tour_days",
        "valid integer",
    ),
    Mistake(
        "yes is not a boolean",
        "extends: base.yaml\nunit_types:\n  tdy_team:\n    counts_toward_cap: yes  # <-\n",
        "unit_types.tdy_team.counts_toward_cap",
        "valid boolean",
    ),
    Mistake(
        "1 is not a boolean",
        "extends: base.yaml\nallow_over_cap: 1  # <-\n",
        "allow_over_cap",
        "boolean",
    ),
    Mistake(
        "boolean where a number goes",
        "extends: base.yaml\nfill: true  # <-\n",
        "fill",
        "valid number",
    ),
    Mistake(
        "negative size",
        "extends: base.yaml\nunit_types:\n  adviser_team:\n    size: -12  # <-\n",
        "unit_types.adviser_team.size",
        "greater than 0",
    ),
    Mistake(
        "negative count in a list",
        "extends: base.yaml\ninitial_force:\n  - {unit_type: adviser_team, count: -1}  # <-\n",
        "initial_force.0.count",
        "greater than or equal to 0",
        on_line="- {unit_type: adviser_team",
    ),
    Mistake("negative cap", "extends: base.yaml\ncap: -1  # <-\n", "cap", "greater than or equal"),
    Mistake("not a finite number", "extends: base.yaml\nfill: .nan  # <-\n", "fill", "finite"),
    Mistake(
        "list where a mapping goes",
        "extends: base.yaml\nservices: [army, marines]  # <-\n",
        "services",
        "valid dictionary",
    ),
    Mistake(
        "mapping where a list goes",
        "extends: base.yaml\nroles: {combat: 1}  # <-\n",
        "roles",
        "valid list",
    ),
    Mistake(
        "null where a mapping goes",
        "extends: base.yaml\nthreat:  # <-\n",
        "threat",
        "valid dictionary",
    ),
    Mistake("not a date", "extends: base.yaml\nstart: soon  # <-\n", "start", "expected a date"),
    Mistake(
        "date and time",
        "extends: base.yaml\nstart: 2021-06-01 10:30:00  # <-\n",
        "start",
        "not a date and time",
    ),
    Mistake("impossible date", "extends: base.yaml\nstart: 2021-13-45  # <-\n", "start", "month"),
    Mistake(
        "missing key in a new unit type",
        "extends: base.yaml\nunit_types:\n  new_team:  # <-\n    role: advisory\n"
        "    service: army\n",
        "unit_types.new_team.size",
        "missing required key 'size'",
        on_line="new_team:",
    ),
    Mistake(
        "scenario ends before it starts",
        "extends: base.yaml\nend: 2021-05-01  # <-\n",
        "end",
        "on or before it starts",
    ),
    Mistake(
        "deadline before start",
        phases("deadline: 2021-07-15  # <-"),
        "policy.phases.1.deadline",
        "ends (2021-07-15) before it starts (2021-08-01)",
    ),
    Mistake(
        "total above the cap",
        phases("total: 3000  # <-"),
        "policy.phases.1.total",
        "target of 3,000 is above the cap of 2,500",
    ),
    Mistake(
        "targets above the cap",
        phases("targets:  # <-", "  combat: 2000", "  advisory: 1000"),
        "policy.phases.1.targets",
        "targets add up to 3,000, above the cap of 2,500",
    ),
    Mistake(
        "total above the phase's own cap",
        phases("cap: 1000", "total: 1500  # <-"),
        "policy.phases.1.total",
        "above the cap of 1,000",
    ),
    Mistake(
        "unknown role in a mix",
        phases("mix:", "  combat: 0.5", "  infantry: 0.5  # <-"),
        "policy.phases.1.mix.infantry",
        "unknown role 'infantry'",
    ),
    Mistake(
        "unknown unit type",
        "extends: base.yaml\ninitial_force:\n  - unit_type: tank_platoon  # <-\n    count: 1\n",
        "initial_force.0.unit_type",
        "unknown unit type 'tank_platoon'",
        on_line="- unit_type:",
    ),
    Mistake(
        "extends target missing",
        "# an option\nextends: nowhere.yaml  # <-\n",
        "extends",
        "cannot find 'nowhere.yaml'",
    ),
    Mistake("extends is not a path", "cap: 5\nextends: [base.yaml]  # <-\n", "extends", "path"),
    Mistake("extends itself", "cap: 5\nextends: child.yaml  # <-\n", "extends", "circle"),
    Mistake("YAML syntax error", "extends: base.yaml\nfill: : 0.5  # <-\n", None, "bad YAML"),
    Mistake(
        "duplicate key",
        "extends: base.yaml\ncap: 2000\nfill: 0.5\ncap: 2100  # <-\n",
        None,
        "duplicate key",
    ),
    Mistake(
        "duplicate nested key",
        "extends: base.yaml\nunit_types:\n  adviser_team:\n    size: 3\n    size: 4  # <-\n",
        None,
        "duplicate key",
    ),
    Mistake(
        "tab indentation",
        "extends: base.yaml\nunit_types:\n\tadviser_team: {size: 3}  # <-\n",
        None,
        "bad YAML",
    ),
    Mistake(
        "unclosed bracket",
        "extends: base.yaml\nroles: [combat, advisory  # <-\nfill: 0.5\ncap: 2000\n",
        None,
        "bad YAML",
    ),
    Mistake(
        "unclosed bracket at the end",
        "extends: base.yaml\nfill: 0.5\nroles: [combat, advisory  # <-\n",
        None,
        "bad YAML",
    ),
    Mistake(
        "steady pace without a deadline",
        phases("pace: steady  # <-", "total: 1000"),
        "policy.phases.1.pace",
        "needs a deadline",
    ),
    Mistake(
        "halfway share without a steady pace",
        phases("deadline: 2021-12-31", "total: 1000", "halfway_share: 0.3  # <-"),
        "policy.phases.1.halfway_share",
        "add pace: steady",
    ),
    Mistake(
        "halfway share of one",
        phases("deadline: 2021-12-31", "pace: steady", "halfway_share: 1.0  # <-"),
        "policy.phases.1.halfway_share",
        "less than 1",
    ),
    Mistake("top level is a list", "- extends  # <-\n- base.yaml\n", None, "mapping"),
    Mistake("top level is text", "just a sentence  # <-\n", None, "mapping"),
]


@pytest.mark.parametrize("case", MISTAKES, ids=[m.id for m in MISTAKES])
def test_mistake_points_at_file_line_and_key(workdir: Path, case: Mistake) -> None:
    text = yaml_text(case.text)
    child = write(workdir, "child.yaml", text)
    line = marked_line(text)
    if case.expected_start is not None:  # the case itself is right about where the key is
        assert text.split("\n")[line - 1].lstrip().startswith(case.expected_start)

    err = load_error(child)

    assert (err.file, err.line, err.key) == (str(child), line, case.key)
    assert case.message in err.message
    prefix = f"{child}:{line}: " + (f"{case.key}: " if case.key else "")
    assert str(err).startswith(prefix + err.message)


def test_extends_cycle_points_at_an_extends_line(workdir: Path) -> None:
    a = write(workdir, "a.yaml", "cap: 5\nextends: b.yaml\n")
    write(workdir, "b.yaml", "# closes the loop\nextends: a.yaml\n")
    err = load_error(a)
    assert err.key == "extends"
    assert "circle" in err.message
    assert err.file in {str(a), str(workdir / "b.yaml")}
    assert err.line == line_with(Path(err.file).read_text(), "extends:")


@pytest.mark.parametrize(
    "text", ["", "\n\n", "# only a comment\n"], ids=["empty", "blank", "comment"]
)
def test_empty_file(workdir: Path, text: str) -> None:
    child = write(workdir, "child.yaml", text)
    err = load_error(child)
    assert (err.file, err.line, err.key) == (str(child), None, None)
    assert "empty" in err.message
    assert str(err) == f"{child}: {err.message}"


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.yaml"
    err = load_error(path)
    assert (err.file, err.line, err.key) == (str(path), None, None)
    assert "no such file" in err.message


def test_a_folder_is_not_a_scenario(tmp_path: Path) -> None:
    err = load_error(tmp_path)
    assert err.file == str(tmp_path)


def test_non_text_key_points_at_its_line(workdir: Path) -> None:
    text = "extends: base.yaml\nunit_types:\n  1: {size: 3}  # <-\n"
    child = write(workdir, "child.yaml", text)
    err = load_error(child)
    assert (err.file, err.line) == (str(child), marked_line(text))
    assert "keys must be text" in err.message


# Mistakes in a base file point at the base file -------------------------------------------


def edit_base(workdir: Path, old: str, new: str) -> str:
    path = workdir / "base.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1
    text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")
    return text


def test_value_error_in_base_points_at_base(workdir: Path) -> None:
    base = edit_base(workdir, "size: 12 ", "size: -12")
    child = write(workdir, "child.yaml", "extends: base.yaml\ncap: 2000\n")
    err = load_error(child)
    assert err.file == str(workdir / "base.yaml")
    assert err.line == line_with(base, "adviser_team:", "size:")
    assert err.key == "unit_types.adviser_team.size"
    assert "greater than 0" in err.message


def test_unknown_key_in_base_points_at_base(workdir: Path) -> None:
    old = "    lead_time_days: 60   # assumption: two months"
    base = edit_base(workdir, old, old.replace("days", "dayz"))
    child = write(workdir, "child.yaml", "extends: base.yaml\n")
    err = load_error(child)
    assert (err.file, err.key) == (
        str(workdir / "base.yaml"),
        "unit_types.logistics_detachment.lead_time_dayz",
    )
    assert err.line == line_with(base, "logistics_detachment:", "lead_time_dayz:")
    assert "did you mean 'lead_time_days'?" in err.message


def test_missing_key_in_base_points_at_its_parent_in_base(workdir: Path) -> None:
    base = edit_base(workdir, "    size: 12 ", "    # size: 12 ")
    child = write(workdir, "child.yaml", "extends: base.yaml\n")
    err = load_error(child)
    assert (err.file, err.key) == (str(workdir / "base.yaml"), "unit_types.adviser_team.size")
    assert err.line == line_with(base, "adviser_team:")


def test_rule_broken_by_the_child_points_at_the_key_in_base(workdir: Path) -> None:
    # Dropping a role from the child's list leaves base's headquarters units without a role:
    # the key at fault (unit_types.hq_element.role) is written in base.yaml.
    child = write(
        workdir,
        "child.yaml",
        "extends: base.yaml\nroles: [combat, advisory, logistics, force_protection]\n",
    )
    err = load_error(child)
    base = (workdir / "base.yaml").read_text(encoding="utf-8")
    assert (err.file, err.key) == (str(workdir / "base.yaml"), "unit_types.hq_element.role")
    assert err.line == line_with(base, "hq_element:", "role:")
    assert "unknown role 'headquarters'" in err.message
    assert err.more == 2  # threat.exposure and cost.per_troop_year_usd name it too


def test_child_value_over_a_base_key_points_at_the_child(workdir: Path) -> None:
    text = "extends: base.yaml\nthreat:\n  attacks_per_month: -1  # <-\n"
    child = write(workdir, "child.yaml", text)
    err = load_error(child)
    assert (err.file, err.line, err.key) == (
        str(child),
        marked_line(text),
        "threat.attacks_per_month",
    )


def test_bad_yaml_in_base_points_at_base(workdir: Path) -> None:
    base = edit_base(workdir, "  army:\n", "  army:\n\t\n")
    child = write(workdir, "child.yaml", "extends: base.yaml\n")
    err = load_error(child)
    assert err.file == str(workdir / "base.yaml")
    assert err.line == line_with(base, "army:") + 1
    assert err.key is None


def test_empty_base_points_at_base(workdir: Path) -> None:
    write(workdir, "base.yaml", "")
    child = write(workdir, "child.yaml", "extends: base.yaml\n")
    err = load_error(child)
    assert err.file == str(workdir / "base.yaml")
    assert "empty" in err.message


# The first problem in file order, and how many more ---------------------------------------


def test_first_schema_problem_in_file_order_is_reported(workdir: Path) -> None:
    # The schema lists cap before planning_interval_days; the file has them the other way.
    text = "extends: base.yaml\nplanning_interval_days: 0  # <-\ncap: -1\n"
    child = write(workdir, "child.yaml", text)
    err = load_error(child)
    assert (err.line, err.key, err.more) == (marked_line(text), "planning_interval_days", 1)
    assert str(err).endswith("(and 1 more problem)")


def test_first_rule_problem_in_file_order_is_reported(workdir: Path) -> None:
    # check() looks at the deadline before the total; the file has the total first.
    text = phases("total: 3000  # <-", "deadline: 2021-07-01")
    child = write(workdir, "child.yaml", text)
    err = load_error(child)
    assert (err.line, err.key, err.more) == (marked_line(text), "policy.phases.1.total", 1)


def test_more_counts_every_other_problem(workdir: Path) -> None:
    text = "extends: base.yaml\ncapp: 1  # <-\nfilll: 2\nstrat: 3\n"
    child = write(workdir, "child.yaml", text)
    err = load_error(child)
    assert (err.line, err.key, err.more) == (marked_line(text), "capp", 2)
    assert str(err).endswith("(and 2 more problems)")


# Hostile input: still one ScenarioError, never another exception --------------------------

HOSTILE = {
    "deeply nested": "extends: base.yaml\nroles: " + "[" * 500 + "]" * 500 + "\n",
    "recursive alias": "extends: base.yaml\nroles: &r [combat, *r]\n",
    "NUL character": "extends: base.yaml\ntitle: a\x00b\n",
    "binary value": "extends: base.yaml\ntitle: !!binary aGVsbG8=\n",
    "custom tag": "extends: base.yaml\ntitle: !shout hello\n",
    "set": "extends: base.yaml\nroles: !!set {combat, advisory}\n",
    "integer too long to read": "extends: base.yaml\ncap: " + "9" * 5000 + "\n",
    "null key": "extends: base.yaml\nnull: 3\n",
    "complex key": "extends: base.yaml\n? [a, b]\n: 3\n",
    "merge key": "extends: base.yaml\nthreat:\n  <<: {attacks_per_month: 1}\n  extra: 2\n",
}


@pytest.mark.parametrize("text", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_input_raises_scenario_error(workdir: Path, text: str) -> None:
    child = write(workdir, "child.yaml", text)
    err = load_error(child)
    assert err.file == str(child)


def test_file_that_is_not_utf8(workdir: Path) -> None:
    child = workdir / "child.yaml"
    child.write_bytes(b"extends: base.yaml\ntitle: caf\xe9\n")
    err = load_error(child)
    assert err.file == str(child)


def test_date_message_shows_the_value_once(workdir: Path) -> None:
    child = write(workdir, "child.yaml", "extends: base.yaml\nstart: soon\n")
    err = load_error(child)
    assert err.message.count("'soon'") == 1, err.message


def test_a_rule_between_keys_blames_the_one_the_user_wrote(workdir: Path) -> None:
    # base.yaml writes both `start` and `end`; the extending file moves `start` past `end`.
    # The problem is the user's line, not base.yaml's `end`.
    text = yaml_text("""
        extends: base.yaml
        start: 2022-07-01  # <-
        """)
    child = write(workdir, "late.yaml", text)
    with pytest.raises(ScenarioError) as caught:
        load_scenario(child)
    error = caught.value
    assert (error.file, error.line, error.key) == (str(child), marked_line(text), "start")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(workdir / "base.yaml", ["start=2022-07-01"])
    assert (caught.value.file, caught.value.key) == ("--set", "start")


@pytest.mark.parametrize(
    ("override", "message"),
    [
        # each date rule names both dates: the one set here is blamed, not the file's
        ("policy.announcements.2.takes_effect=2021-11-01", "cannot take effect before"),
        ("policy.announcements.1.announced=2022-01-15", "listed in the order made"),
        ("policy.announcements.1.deadline=2021-07-01", "it ends (2021-07-01) before it starts"),
        ("end=2021-07-01", "after the scenario ends"),
    ],
)
def test_a_date_rule_blames_the_date_set_with_set(override: str, message: str) -> None:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(SCENARIOS / "advisory.yaml", [override])
    assert caught.value.file == "--set", str(caught.value)
    assert caught.value.key == override.split("=")[0]
    assert message in caught.value.message


def test_more_units_than_the_supply_blames_the_count_written_last(workdir: Path) -> None:
    # base.yaml gives logistics detachments a supply of 12 and starts 5; a count of 50
    # written later is the cause, not base.yaml's supply.
    with pytest.raises(ScenarioError) as caught:
        load_scenario(workdir / "base.yaml", ["initial_force.3.count=50"])
    assert (caught.value.file, caught.value.key) == ("--set", "initial_force.3.count")
    assert "50 units start in the country, supply is 12" in caught.value.message
    with pytest.raises(ScenarioError) as caught:
        load_scenario(workdir / "base.yaml", ["unit_types.logistics_detachment.supply=4"])
    assert (caught.value.file, caught.value.key) == (
        "--set",
        "unit_types.logistics_detachment.supply",
    )


def test_a_shortened_list_says_that_extends_replaced_it(workdir: Path) -> None:
    # One more announcement written alone replaces the option's three: the error says so.
    option = workdir / "advisory.yaml"
    shutil.copy(SCENARIOS / "advisory.yaml", option)
    text = yaml_text("""
        extends: advisory.yaml
        policy:
          announcements:
            - name: lower cap
              announced: 2022-03-01  # <-
              cap: 2000
        """)
    child = write(workdir, "more.yaml", text)
    with pytest.raises(ScenarioError) as caught:
        load_scenario(child)
    error = caught.value
    assert (error.file, error.line) == (str(child), marked_line(text))
    assert "replaces the 3 items of" in str(error) and "repeat the items" in str(error)


def test_a_longer_list_replacing_a_shorter_one_gets_no_note(workdir: Path) -> None:
    # advisory.yaml replaces base.yaml's one announcement with three: that is on purpose.
    option = workdir / "advisory.yaml"
    shutil.copy(SCENARIOS / "advisory.yaml", option)
    with pytest.raises(ScenarioError) as caught:
        load_scenario(option, ["end=2021-01-01"])
    assert "replaces" not in str(caught.value)
