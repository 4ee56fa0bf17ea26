"""Limits on what a scenario may ask of the loader: YAML aliases that expand to billions of
values, distributions whose draws no float can hold, weights that sum past the float
limit, and chains of ``extends`` too long to follow. Each gives one located
``ScenarioError`` (or, for weights, a fair draw), never a traceback or a memory error."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from sim import ScenarioError, load_scenario
from sim.scenario.loader import MAX_EXTENDS
from sim.scenario.overrides import OVERRIDE
from sim.scenario.uncertainty import Choice

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
