"""The threat: who an attack hits, how many it hurts, and when attacks come."""

import itertools
from types import SimpleNamespace

import numpy as np
import pytest

import sim
from sim.model.recorder import Recorder
from sim.model.threat import attack_times, hit, log_attacks
from sim.scenario.timeline import Timeline
from sim.scenario.uncertainty import poisson_quantile

PER_1000 = "per_1000_boots_on_ground"
PINNED = ["threat.attacks_per_month=8", "threat.casualties_per_attack=2"]


def attacks(run):
    return run.events[run.events.event == "attack"]


def model_with_force(scenario, steps: list[tuple[float, int, int]], n_days: int):
    """Just what the threat reads: a timeline and a recorder fed (time, role, change) by hand."""
    recorder = Recorder(list(scenario.roles))
    for time, role, change in steps:
        recorder.change(time, role, change, change)
    return SimpleNamespace(
        scenario=scenario, timeline=Timeline(scenario), recorder=recorder, n_days=n_days
    )


def scenario_with(basis: str):
    """Announcements take effect on days 55 and 213; the second raises the rate from 8 to 15
    a month, and the third, which does not restate it, keeps it."""
    overrides = [
        *PINNED,
        f"threat.rate_basis={basis}",
        "policy.announcements.1.attacks_per_month=15",
    ]
    return sim.load_scenario("scenarios/advisory.yaml", overrides)


# A force that grows, shrinks, swaps people between roles (no change in total) and leaves.
FORCE = [
    (0.0, 0, 600),
    (0.0, 1, 400),  # 1,000 from the start
    (30.5, 0, 1000),  # 2,000
    (41.0, 0, -200),
    (41.0, 1, 200),  # a move between roles: still 2,000
    (70.25, 1, -1500),  # 500 (the phase changes at day 55 in between)
    (120.0, 0, -400),
    (120.0, 1, -100),  # nobody left
]


def cumulative_rate(m, t: float) -> float:
    """Attacks expected by ``t`` with the rate per 1,000 on the ground: stretch by stretch."""
    edges = sorted(
        {0.0, t, *(c for c, _, _ in FORCE if c < t), *(s for s in m.timeline.starts if 0 < s < t)}
    )
    expected = 0.0
    for a, b in itertools.pairwise(edges):
        total = sum(change for c, _, change in FORCE if c <= a)
        expected += m.timeline.attacks_per_day(a) * total / 1000 * (b - a)
    return expected


# --- who is hit and how many are hurt --------------------------------------------------


def test_casualties_do_not_depend_on_the_role_hit():
    """Exposure picks the role; the hurt is Poisson(casualties_per_attack) for every role."""
    boots, exposure = [1000, 1000], [5.0, 0.1]
    for u_hurt in np.linspace(0.001, 0.999, 200):
        first = hit(boots, exposure, 0.7, 0.10, u_hurt)  # lands on the exposed role
        second = hit(boots, exposure, 0.7, 0.99, u_hurt)  # lands on the other
        assert first[0] == 0 and second[0] == 1
        assert first[1] == second[1] == poisson_quantile(u_hurt, 0.7)


def test_mean_casualties_per_attack_is_the_same_on_every_role():
    exposure = ["threat.exposure.combat=5", "threat.exposure.headquarters=3"]
    scenario = sim.load_scenario(
        "scenarios/status-quo.yaml", ["threat.attacks_per_month=60", *PINNED[1:], *exposure]
    )
    hits = [attacks(sim.simulate(scenario, seed=s)) for s in range(20)]
    hurt = np.concatenate([h.people.to_numpy() for h in hits])
    role = np.concatenate([h.role.to_numpy() for h in hits])
    # With exposure counted twice the means would be 10 and 6; now both are 2.
    for name in ("combat", "headquarters"):
        assert (role == name).sum() > 300
        assert hurt[role == name].mean() == pytest.approx(2.0, abs=0.25)


def test_the_role_hit_follows_boots_on_ground_times_exposure():
    boots, exposure = [300, 0, 1200, 500], [2.0, 9.0, 0.5, 1.0]
    weights = np.array(boots) * np.array(exposure)
    grid = (np.arange(100_000) + 0.5) / 100_000
    roles = np.array([hit(boots, exposure, 1.0, u, 0.5)[0] for u in grid])
    shares = np.bincount(roles, minlength=len(boots)) / len(grid)
    np.testing.assert_allclose(shares, weights / weights.sum(), atol=1e-4)
    assert hit([0, 0], [1.0, 1.0], 1.0, 0.5, 0.5) is None  # nobody there


def test_a_role_of_no_exposure_is_never_hit():
    scenario = sim.load_scenario("scenarios/status-quo.yaml", ["threat.exposure.combat=0"])
    roles = set(attacks(sim.simulate(scenario, seed=1)).role)
    assert roles and "combat" not in roles


# --- when attacks come -----------------------------------------------------------------


def test_the_rate_per_1000_follows_the_force_through_a_withdrawal():
    """Rates that agree at the start part as the force shrinks, to none once it has gone."""
    pins = ["threat.attacks_per_month=10", "policy.announcements.1.attacks_per_month=null"]
    fixed = sim.load_scenario("scenarios/withdrawal.yaml", pins)
    first = sim.simulate(fixed, seed=0).timeseries
    n0 = int(first[first.date == first.date.min()].boots_on_ground.sum())
    per_1000 = sim.load_scenario(
        "scenarios/withdrawal.yaml",
        [*pins, f"threat.rate_basis={PER_1000}", f"threat.attacks_per_month={10_000 / n0}"],
    )
    early, late = {"fixed": 0, PER_1000: 0}, {"fixed": 0, PER_1000: 0}
    for seed in range(10):
        for scenario in (fixed, per_1000):
            run = sim.simulate(scenario, seed=seed)
            total = run.timeseries.groupby("date").boots_on_ground.sum()
            day = ((total.index - total.index[0]).days).to_numpy()
            times = attacks(run).time.to_numpy()
            basis = scenario.threat.rate_basis
            early[basis] += int((times < 122).sum())  # before the withdrawal (2021-10-01)
            late[basis] += int((times >= day[total < n0 / 2].min()).sum())  # shrunk by half
            assert total.iloc[-1] == 0
            assert (times < day[total > 0].max() + 2).all()  # none once nobody is left
    # The force wanders a little above its start before the withdrawal (reliefs overlap).
    assert 0.95 * early["fixed"] < early[PER_1000] < 1.25 * early["fixed"]
    assert late[PER_1000] < 0.6 * late["fixed"]


def test_no_attacks_drawn_once_nobody_is_left():
    for basis, after in (("fixed", True), (PER_1000, False)):
        m = model_with_force(scenario_with(basis), FORCE, n_days=200)
        times = [t for t, _, _ in attack_times(m, np.random.default_rng(3))]
        assert any(t >= 120 for t in times) == after


def test_the_rate_per_1000_maps_unit_gaps_through_the_cumulative_rate():
    m = model_with_force(scenario_with(PER_1000), FORCE, n_days=200)
    times = [t for t, _, _ in attack_times(m, np.random.default_rng(5))]
    draws = np.random.default_rng(5)
    gaps = np.array(
        [(draws.exponential(), draws.random(), draws.random())[0] for _ in range(len(times) + 1)]
    )
    expected = np.cumsum(gaps)
    got = [cumulative_rate(m, t) for t in times]
    assert len(times) > 20
    np.testing.assert_allclose(got, expected[: len(times)], rtol=1e-9)
    assert expected[len(times)] > cumulative_rate(m, 120.0)  # the next would come too late


def test_a_force_of_exactly_1000_sees_the_attacks_of_the_fixed_rate():
    steady = [(0.0, 0, 600), (0.0, 1, 400), (60.0, 0, -100), (60.0, 1, 100)]
    runs = [
        attack_times(model_with_force(scenario_with(b), steady, 200), np.random.default_rng(9))
        for b in ("fixed", PER_1000)
    ]
    assert len(runs[0]) == len(runs[1]) > 20
    np.testing.assert_allclose(runs[0], runs[1], rtol=1e-12)


def test_a_force_held_at_n_draws_n_per_1000_times_the_rate():
    m = model_with_force(scenario_with(PER_1000), [(0.0, 0, 2500)], n_days=3650)
    counts = [len(attack_times(m, np.random.default_rng(s))) for s in range(20)]
    expected = sum(m.timeline.attacks_per_day(d + 0.5) for d in range(3650)) * 2.5
    assert np.mean(counts) == pytest.approx(expected, rel=0.02)


# --- common random numbers -------------------------------------------------------------


def test_each_attack_takes_three_draws_from_the_threat_stream():
    for basis in ("fixed", PER_1000):
        rng = np.random.default_rng(11)
        found = attack_times(model_with_force(scenario_with(basis), FORCE, 200), rng)
        fresh = np.random.default_rng(11)
        for _ in range(len(found) + 1):  # the attacks, and the one after the end
            fresh.exponential(), fresh.random(), fresh.random()
        assert rng.random() == fresh.random()


def test_scenarios_see_the_same_attacks_while_their_rates_agree():
    # The withdrawal raises the rate to 12 a month from 2021-10-01 (day 122).
    pins = ["threat.attacks_per_month=8", "threat.casualties_per_attack=0.5"]
    quo, out = (
        attacks(sim.simulate(sim.load_scenario(f"scenarios/{name}.yaml", pins), seed=4))
        for name in ("status-quo", "withdrawal")
    )
    before = [
        a[a.time < 122][["time", "role", "people"]].reset_index(drop=True) for a in (quo, out)
    ]
    assert len(before[0]) > 10
    assert before[0].equals(before[1])
    assert not np.array_equal(
        quo[quo.time >= 122].time[:3].to_numpy(), out[out.time >= 122].time[:3].to_numpy()
    )


def test_forces_that_agree_until_a_date_see_the_same_attacks_until_then():
    other = [*FORCE[:3], (50.0, 0, 3000)]  # the same force until day 50
    a, b = (
        attack_times(model_with_force(scenario_with(PER_1000), f, 200), np.random.default_rng(2))
        for f in (FORCE, other)
    )
    early = [x for x in a if x[0] < 50]
    assert len(early) > 5
    assert early == [x for x in b if x[0] < 50]
    assert a[len(early)] != b[len(early)]


# --- nobody is hurt who is not there -----------------------------------------------------

WORST = "threat.casualties_per_attack=1000"  # the most a scenario may ask for


def test_an_attack_never_hurts_more_than_the_role_has_on_the_ground():
    boots, exposure = [3, 0, 250, 1], [1.0, 1.0, 1.0, 50.0]
    for u_role in np.linspace(0.001, 0.999, 50):
        for u_hurt in (0.0, 0.5, 0.999999):
            role, hurt = hit(boots, exposure, 1000.0, u_role, u_hurt)
            assert 0 <= hurt <= boots[role]
    assert hit([5], [1.0], 1000.0, 0.5, 0.5) == (0, 5)  # Poisson(1000) draws about 1,000
    assert hit([5000], [1.0], 1000.0, 0.5, 0.5) == (0, poisson_quantile(0.5, 1000.0))


def test_attacks_together_never_hurt_more_than_have_been_there():
    """The hurt stay in the counts, so a run of attacks could hurt the same people again
    and again: together the attacks hurt at most the people there since the start."""
    scenario = sim.load_scenario("scenarios/advisory.yaml", [*PINNED[:1], WORST])
    m = model_with_force(scenario, FORCE, n_days=200)
    log_attacks(m, np.random.default_rng(1))
    found = [e for e in m.recorder.events if e[1] == "attack"]
    assert len(found) > 20
    roles = list(scenario.roles)
    for time, _, _, _, role, hurt, _ in found:
        there = sum(change for t, r, change in FORCE if t < time and r == roles.index(role))
        assert 0 <= hurt <= there
    # 1,000 at the start and 1,000 more from day 30.5 (a move between roles brings nobody).
    assert sum(e[5] for e in found) == 2000


def test_casualties_never_exceed_the_force_in_a_run():
    """With the most casualties an attack may have on average: each attack hurts at most
    the role's people there (just before or after the day's flight), and all of them
    together at most the people who have been in the country."""
    scenario = sim.load_scenario(
        "scenarios/withdrawal.yaml", ["threat.attacks_per_month=60", WORST]
    )
    for seed in range(3):
        run = sim.simulate(scenario, seed=seed)
        days = run.timeseries.pivot(index="date", columns="role")
        end = days.boots_on_ground  # end of each day, by role
        start = end - days.arrivals + days.departures  # before the day's flight
        hits = attacks(run)
        assert len(hits) > 100 and (hits.people >= 100).any()
        for time, role, hurt in zip(hits.time, hits.role, hits.people, strict=True):
            d = int(time)
            assert hurt <= max(start[role].iloc[d], end[role].iloc[d]), (time, role, hurt)
        served = start.iloc[0].sum() + days.arrivals.to_numpy().sum()
        assert hits.people.sum() == run.summary.casualties.iloc[0] <= served
