"""Limits on what a scenario may ask of the loader: YAML aliases that expand to billions of
values, distributions whose draws no float can hold, weights that sum past the float
limit, and chains of ``extends`` too long to follow. Each gives one located
``ScenarioError`` (or, for weights, a fair draw), never a traceback or a memory error."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import numpy as np
import pytest

from sim import ScenarioError, load_scenario
from sim.scenario import limits
from sim.scenario.loader import MAX_EXTENDS
from sim.scenario.overrides import OVERRIDE
from sim.scenario.schema import Scenario
from sim.scenario.uncertainty import Choice
from sim.scenario.values import apply_values

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
BOMB = "YAML aliases expand to more than 100,000 values (an alias bomb?)"


def nested_aliases(depth: int) -> list[str]:
    """Flow lists each holding nine aliases of the one before: 9**(depth + 1) values."""
    values = ["&a0 [1, 1, 1, 1, 1, 1, 1, 1, 1]"]
    for n in range(1, depth + 1):
        values.append(f"&a{n} [{', '.join([f'*a{n - 1}'] * 9)}]")
    return values


def one_error(path: Path, *overrides: str) -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        load_scenario(path, list(overrides))
    err = info.value
    assert type(err) is ScenarioError
    assert "\n" not in str(err), str(err)
    return err


@pytest.fixture
def base(tmp_path: Path) -> Path:
    shutil.copy(SCENARIOS / "base.yaml", tmp_path / "base.yaml")
    return tmp_path / "base.yaml"


def write(folder: Path, text: str, name: str = "scenario.yaml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


# Alias bombs ------------------------------------------------------------------------------


def test_nested_aliases_in_a_file_are_refused_at_the_alias(base: Path) -> None:
    lines = ["extends: base.yaml", "threat:"]
    lines += [f"  k{n}: {value}" for n, value in enumerate(nested_aliases(9))]
    path = write(base.parent, "\n".join(lines) + "\n")
    assert len(path.read_text()) < 600
    err = one_error(path)
    assert err.message == BOMB
    assert err.file == str(path)
    # 9**5 values fit, 9**6 do not: the first alias past the limit is k5's first, on line 8.
    assert (err.line, err.key) == (8, "threat.k5.0")


def test_an_alias_bomb_with_a_value_yaml_cannot_build_still_names_its_line(tmp_path) -> None:
    lines = [f"k{n}: {value}" for n, value in enumerate(nested_aliases(9))]
    path = write(tmp_path, "\n".join(["bad: !!int twelve", *lines]) + "\n")
    err = one_error(path)
    assert err.message.startswith("bad YAML")
    assert (err.line, err.key) == (1, "bad")


def test_nested_aliases_in_a_set_value_are_refused(base: Path) -> None:
    value = nested_aliases(0)[0]
    for n in range(1, 10):
        value = f"&a{n} [{value}, {', '.join([f'*a{n - 1}'] * 8)}]"
    assert len(value) < 500
    err = one_error(base, f"threat.exposure={value}")
    assert (err.file, err.line, err.key, err.message) == (OVERRIDE, None, "threat.exposure", BOMB)


def test_a_few_aliases_load_as_the_values_they_name(base: Path) -> None:
    text = "extends: base.yaml\nrelief_in_place: &rip {overlap_days: 10}\nairlift: *rip\n"
    err = one_error(write(base.parent, text))
    # The alias names a mapping airlift has no key for, written on line 2.
    assert (err.line, err.key) == (2, "airlift.overlap_days")
    assert "unknown key" in err.message
    text = "extends: base.yaml\ntitle: &words Same words\ndescription: *words\n"
    assert load_scenario(write(base.parent, text)).description == "Same words"
    roles = ["combat", "advisory", "logistics", "force_protection", "headquarters"]
    text = f"extends: base.yaml\nroles: &roles [{', '.join(roles)}]\nsources: {{x: *roles}}\n"
    err = one_error(write(base.parent, text))
    assert (err.key, err.line) == ("sources.x", 3)


# Distributions a float cannot hold ----------------------------------------------------------

TOO_LARGE = "the parameters give draws too large for a number to hold"


@pytest.mark.parametrize(
    "value",
    [
        "{distribution: lognormal, mu: 1000, sigma: 1}",
        "{distribution: lognormal, mu: 700, sigma: 5}",
        "{distribution: normal, mean: 1e308, sd: 1e308}",
        "{distribution: uniform, low: -1e308, high: 1e308}",
        "{distribution: triangular, low: -1e308, mode: 0, high: 1e308}",
    ],
)
def test_a_distribution_past_float_range_is_refused_at_its_line(base: Path, value: str) -> None:
    text = f"extends: base.yaml\nthreat:\n  attacks_per_month: {value}\n"
    path = write(base.parent, text)
    err = one_error(path)
    assert (err.file, err.line, err.key) == (str(path), 3, "threat.attacks_per_month")
    assert TOO_LARGE in err.message
    err = one_error(base, f"threat.attacks_per_month={value}")
    assert (err.file, err.key) == (OVERRIDE, "threat.attacks_per_month")


def test_a_large_lognormal_that_fits_still_loads(base: Path) -> None:
    value = "{distribution: lognormal, mu: 1, sigma: 0.5}"
    scenario = load_scenario(base, [f"threat.casualties_per_attack={value}"])
    assert scenario.threat.casualties_per_attack == pytest.approx(2.718281828)


def test_a_triangular_near_the_float_limit_draws_across_its_range() -> None:
    from sim.scenario.uncertainty import Triangular

    dist = Triangular(distribution="triangular", low=0, mode=1e200, high=1e300)
    draws = [dist.quantile(u / 10) for u in range(11)]
    assert draws == sorted(draws)
    assert draws[0] == 0 and draws[-1] == 1e300
    assert len(set(draws)) == 11  # no overflow that jumps every draw to the top


# Weights near the float limit keep their shares -------------------------------------------


def test_weights_summing_past_the_float_limit_keep_their_shares() -> None:
    dist = Choice(distribution="choice", values=[1, 2, 3], weights=[1e308, 1e308, 1])
    assert [dist.quantile(u) for u in (0.0, 0.25, 0.49, 0.51, 0.75, 0.999)] == [1, 1, 1, 2, 2, 2]
    assert dist.extremes() == (1, 3)  # 3 keeps its (tiny) share


def test_weights_near_the_float_limit_load(base: Path) -> None:
    value = "{distribution: choice, values: [5, 8, 15], weights: [1e308, 1e308, 1]}"
    scenario = load_scenario(base, [f"threat.attacks_per_month={value}"])
    assert scenario.threat.attacks_per_month == 8


def test_tiny_weights_keep_their_shares() -> None:
    dist = Choice(distribution="choice", values=[1, 2], weights=[5e-324, 5e-324])
    assert [dist.quantile(u) for u in (0.25, 0.75)] == [1, 2]


# Chains of extends --------------------------------------------------------------------------


def chain(base: Path, files: int) -> Path:
    """``files`` files in one chain of ``extends``, the last of them base.yaml."""
    for n in range(files - 1):
        parent = f"f{n + 1}.yaml" if n + 2 < files else base.name
        write(base.parent, f"extends: {parent}\n", f"f{n}.yaml")
    return base.parent / "f0.yaml"


def test_a_chain_of_the_most_files_allowed_loads(base: Path) -> None:
    scenario = load_scenario(chain(base, MAX_EXTENDS))
    assert len(scenario._files) == MAX_EXTENDS


@pytest.mark.parametrize("files", [MAX_EXTENDS + 1, 2000])
def test_a_longer_chain_of_extends_is_refused_naming_the_file(base: Path, files: int) -> None:
    err = one_error(chain(base, files))
    assert err.file == str(base.parent / f"f{MAX_EXTENDS - 1}.yaml")
    assert (err.line, err.key) == (1, "extends")
    assert f"at most {MAX_EXTENDS} files" in err.message
    assert "f0.yaml" in err.message


# Limits on what a scenario asks for ---------------------------------------------------------

ADVISORY = SCENARIOS / "advisory.yaml"
DEPLOYMENT = "{unit_type: infantry_company, arrive_by: 2021-09-01, leave_by: 2021-12-01"


def refused(limit: limits.Limit, *overrides: str, key: str, path: Path = ADVISORY) -> ScenarioError:
    """The error for ``overrides`` of ``path``: at ``key``, stating the limit and why."""
    err = one_error(path, *overrides)
    assert (err.file, err.line, err.key) == (OVERRIDE, None, key), str(err)
    assert err.message.startswith(f"at most {limit.most:,} {limit.unit} (got "), err.message
    assert err.message.endswith(f"): a limit sim sets; {limit.why}"), err.message
    return err


@pytest.mark.parametrize(
    ("override", "key", "limit"),
    [
        ("cap=1000001", "cap", limits.PEOPLE),
        ("policy.announcements.1.cap=2000000", "policy.announcements.1.cap", limits.PEOPLE),
        (
            f"policy.announcements.1.temporary=[{DEPLOYMENT}, people: 3000000000}}]",
            "policy.announcements.1.temporary.0.people",
            limits.PEOPLE,
        ),
        ("unit_types.adviser_team.size=50001", "unit_types.adviser_team.size", limits.UNIT_SIZE),
        (
            "unit_types.adviser_team.size=3000000000",
            "unit_types.adviser_team.size",
            limits.UNIT_SIZE,
        ),
        ("unit_types.adviser_team.supply=5001", "unit_types.adviser_team.supply", limits.UNITS),
        ("initial_force.2.count=3000000000", "initial_force.2.count", limits.UNITS),
        (
            f"policy.announcements.1.temporary=[{DEPLOYMENT}, units: 5001}}]",
            "policy.announcements.1.temporary.0.units",
            limits.UNITS,
        ),
        (
            "policy.announcements.1.detachments={tdy_team: 5001}",
            "policy.announcements.1.detachments.tdy_team",
            limits.UNITS,
        ),
        ("threat.attacks_per_month=1e9", "threat.attacks_per_month", limits.ATTACKS_PER_MONTH),
        (
            "policy.announcements.1.attacks_per_month=10001",
            "policy.announcements.1.attacks_per_month",
            limits.ATTACKS_PER_MONTH,
        ),
        (
            "threat.casualties_per_attack=1001",
            "threat.casualties_per_attack",
            limits.CASUALTIES_PER_ATTACK,
        ),
        ("airlift.sorties_per_week=2001", "airlift.sorties_per_week", limits.SORTIES_PER_WEEK),
        (
            "policy.announcements.1.airlift={sorties_per_week: 1e6}",
            "policy.announcements.1.airlift.sorties_per_week",
            limits.SORTIES_PER_WEEK,
        ),
    ],
)
def test_a_value_past_its_limit_is_refused_saying_the_limit_and_why(override, key, limit) -> None:
    refused(limit, override, key=key)


@pytest.mark.parametrize(
    "override",
    [
        "threat.attacks_per_month=10000",
        "threat.casualties_per_attack=1000",
        "airlift.sorties_per_week=2000",
        "unit_types.adviser_team.size=50000",
        "unit_types.adviser_team.supply=5000",
    ],
)
def test_a_value_at_its_limit_loads(override: str) -> None:
    # One adviser team of 50,000 (and room for it under the cap).
    extra = ["cap=60000", "initial_force.2.count=1"] if "size" in override else []
    scenario = load_scenario(ADVISORY, [*extra, override])
    scale = limits.estimate(scenario)
    assert scale.people <= limits.PEOPLE.most and scale.units <= limits.UNITS.most


def test_a_run_of_more_than_50_years_is_refused_at_its_end(base: Path) -> None:
    err = refused(limits.HORIZON, "end=9999-12-31", key="end")
    assert "(got 7,978.4 years)" in err.message
    refused(limits.HORIZON, "end=2071-06-02", key="end")
    scenario = load_scenario(ADVISORY, ["end=2071-06-01"])  # 50 years to the day
    assert limits.estimate(scenario).days == 18_263
    path = write(base.parent, "extends: base.yaml\nend: 2999-12-31\n")
    err = one_error(path)
    assert (err.file, err.line, err.key) == (str(path), 2, "end")
    assert "at most 50 years from start to end (got 978.6 years)" in err.message


def test_a_29_february_start_allows_50_years_to_28_february() -> None:
    base = SCENARIOS / "base.yaml"
    sets = ["start=2024-02-29", "end=2074-02-28", "policy.announcements.0.announced=2024-02-29"]
    assert load_scenario(base, sets).end.isoformat() == "2074-02-28"
    refused(limits.HORIZON, *sets[::2], "end=2074-03-01", key="end", path=base)


def test_people_at_once_add_up_the_initial_force_kept_units_and_deployments() -> None:
    err = refused(
        limits.PEOPLE,
        "unit_types.adviser_team.supply=null",
        "unit_types.adviser_team.size=300",
        "initial_force.2.count=4000",
        key="initial_force",
    )
    assert "1,202,090 counted at the start" in err.message
    err = refused(limits.PEOPLE, "cap=1000000", key="cap")
    assert "(got 1,000,040 at once, with a cap of 1,000,000)" in err.message
    deployment = f"policy.announcements.1.temporary=[{DEPLOYMENT}, people: 999000}}]"
    err = refused(limits.PEOPLE, deployment, key="policy.announcements.1.temporary.0")
    assert "(got 1,001,540 at once, with 999,000 on a temporary deployment)" in err.message


def test_a_cap_filled_with_small_units_of_unlimited_supply_is_refused_at_the_cap() -> None:
    sets = ["cap=10000000", "unit_types.adviser_team.supply=null"]  # the repro of issue 13
    refused(limits.PEOPLE, *sets, key="cap")
    err = refused(limits.UNITS, "cap=500000", sets[1], key="cap")
    assert (
        "(got about 41,669, a cap of 500,000 filled with adviser_team units of 12, "
        "no supply limit)" in err.message
    )
    # The supply of small units holds the count down: Iraq 2007's force fits.
    scenario = load_scenario(ADVISORY, ["cap=170000"])
    assert 2_000 < limits.estimate(scenario).units <= limits.UNITS.most


def test_unit_tours_over_the_run_are_refused_at_its_end() -> None:
    err = refused(limits.UNIT_TOURS, "services.army.tour_days=1", "end=2061-06-30", key="end")
    assert "150 adviser_team units (supply 150) on tours of 1 day for 14,640 days" in err.message
    scenario = load_scenario(ADVISORY, ["end=2061-06-30"])  # 40 years of the usual tours
    assert limits.estimate(scenario).unit_tours < limits.UNIT_TOURS.most / 5


@pytest.mark.parametrize(
    ("sets", "what"),
    [
        (
            ["threat.attacks_per_month=10000", "end=2026-06-30"],
            "(got about 609,775 expected, the most at 10,000 a month for 54.0 months)",
        ),
        (
            ["threat.rate_basis=per_1000_boots_on_ground", "threat.attacks_per_month=10000"],
            "(got about 634,218 expected, the most at 10,000 a month per 1,000 people, with up "
            "to 2,540 people, for 18.0 months)",
        ),
    ],
)
def test_attacks_over_the_run_are_refused_at_the_rate(sets: list[str], what: str) -> None:
    if "per_1000" in sets[0]:  # 10,000 a month per 1,000 of 2,540: 25,400 a month
        load_scenario(ADVISORY, sets)
        sets = [*sets, "end=2023-06-30"]
    err = refused(limits.ATTACKS, *sets, key="threat.attacks_per_month")
    assert what in err.message


def test_a_distribution_that_can_draw_past_a_limit_is_refused_at_its_line(base: Path) -> None:
    text = (
        "extends: base.yaml\nthreat:\n  attacks_per_month: "
        "{distribution: triangular, low: 5, mode: 8, high: 20000}\n"
    )
    path = write(base.parent, text)
    err = one_error(path)
    assert (err.file, err.line, err.key) == (str(path), 3, "threat.attacks_per_month")
    assert err.message.startswith(
        "the distribution can give 20000, and then at most 10,000 "
        "attacks a month (got 20,000): a limit sim sets"
    )


def test_a_drawn_value_past_a_limit_is_refused_in_its_replication() -> None:
    scenario = load_scenario(ADVISORY)
    with pytest.raises(ScenarioError) as info:
        apply_values(scenario, {"threat.attacks_per_month": 1e6})
    assert info.value.key == "threat.attacks_per_month"
    assert info.value.message.startswith("at most 10,000 attacks a month (got 1e+06)")


def announcements(n: int) -> str:
    days = [dt.date(2021, 6, 1) + dt.timedelta(days=k) for k in range(n)]
    items = ", ".join(f"{{name: a{k}, announced: {d}}}" for k, d in enumerate(days))
    return f"extends: base.yaml\npolicy:\n  announcements: [{items}]\n"


def names(prefix: str, n: int) -> list[str]:
    return [f"{prefix}{k}" for k in range(n)]


def test_lists_past_their_limits_are_refused(base: Path) -> None:
    path = write(base.parent, announcements(limits.PHASES.most + 1))
    err = one_error(path)
    assert (err.line, err.key) == (3, "policy.announcements")
    assert err.message.startswith("at most 200 phases or announcements (got 201): a limit")
    assert len(load_scenario(write(base.parent, announcements(200))).policy.phases) == 200
    err = refused(limits.ROLES, f"roles=[{', '.join(names('r', 21))}]", key="roles")
    assert "(got 21)" in err.message
    types = ", ".join(f"{t}: {{role: combat, service: army, size: 10}}" for t in names("t", 94))
    path = write(base.parent, f"extends: base.yaml\nunit_types: {{{types}}}\n")
    err = one_error(path)
    assert (err.line, err.key) == (2, "unit_types")
    assert err.message.startswith("at most 100 unit types (got 101): a limit sim sets")


def test_conversions_take_a_whole_number_of_units_within_the_limit() -> None:
    convert = "policy.announcements.1.convert=[{unit_type: infantry_company, to: adviser_team"
    err = one_error(ADVISORY, f"{convert}, units: -1}}]")
    assert err.key == "policy.announcements.1.convert.0.units"
    assert "greater than or equal to 0" in err.message
    err = one_error(ADVISORY, f"{convert}, units: 5001}}]")
    assert err.key == "policy.announcements.1.convert.0.units"
    assert err.message.startswith("at most 5,000 units at once (got 5,001)")


def test_the_json_schema_publishes_the_limits() -> None:
    schema = Scenario.model_json_schema()
    top, defs = schema["properties"], schema["$defs"]
    assert top["cap"]["maximum"] == limits.PEOPLE.most
    assert top["roles"]["maxItems"] == limits.ROLES.most
    assert top["unit_types"]["maxProperties"] == limits.UNIT_TYPES.most
    assert defs["UnitType"]["properties"]["size"]["maximum"] == limits.UNIT_SIZE.most
    assert defs["Threat"]["properties"]["attacks_per_month"]["maximum"] == 10_000


def test_the_readme_lists_every_limit() -> None:
    readme = (SCENARIOS.parent / "README.md").read_text(encoding="utf-8")
    table = readme[readme.index("### Limits") :]
    for limit in limits.LIMITS:
        assert f"| {limit.most:,} {limit.unit} |" in table, limit.unit


def test_a_choice_among_many_values_draws_as_the_plain_walk_does() -> None:
    """Its table is worked out once (each unit may draw from it), to the same draws."""
    rng = np.random.default_rng(0)
    values = rng.integers(0, 50, 300).astype(float).tolist()
    weights = rng.random(300).tolist()
    weights[7] = 0.0
    dist = Choice(distribution="choice", values=values, weights=weights)
    pairs = sorted(zip(values, weights, strict=True))
    total = sum(weights)

    def walk(u: float) -> float:
        acc = 0.0
        for value, weight in pairs:
            acc += weight / total
            if u < acc:
                return value
        return next(v for v, w in reversed(pairs) if w > 0)

    for u in [*rng.random(2000), 0.0, 1 - 1e-12, 1.0]:
        assert dist.quantile(float(u)) == walk(float(u))
