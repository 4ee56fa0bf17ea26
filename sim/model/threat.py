"""Threat: attacks on the force as a Poisson process whose rate the phase sets.

The rate is ``attacks_per_month`` (the phase's, else the threat's). With ``rate_basis:
fixed`` that is the rate whatever the force's size; with ``per_1000_boots_on_ground`` it
is per 1,000 people on the ground, so the rate follows the force day by day and a force
of zero draws no attacks.

Attack times come from unit-rate exponential gaps mapped through the cumulative attack
rate, and each attack takes exactly three draws from the ``threat`` stream. So two
scenarios run with the same seed see the same attacks for as long as their rates agree,
and the same draws afterwards wherever the rates agree again in total.

An attack hits a role chosen in proportion to its boots on the ground times its
exposure (the relative risk per person), and hurts a Poisson number of people with mean
``casualties_per_attack`` whichever role it hits: exposure counts once, in who is hit.
Nobody is hurt who is not there: an attack hurts at most the people of the role it hits
on the ground, and the attacks of a run together at most the people known to have been in
the country by then (the hurt stay in the force's counts, so without this a long run at a
high rate would hurt the same people again and again).

An attack reads the force (who is there to be hit) but changes nothing in it, so the
attacks are worked out once the run is over, from the recorder's log of boots on the
ground, rather than by a process of their own: the same attacks at the same times, each
seeing the force as it stood just before, without a SimPy event apiece.
"""

from __future__ import annotations

import bisect
import itertools
import math
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import numpy as np

from sim.scenario.uncertainty import poisson_quantile

if TYPE_CHECKING:
    from sim.model.engine import Model


def attack_rate(m: Model) -> tuple[list[float], Callable[[float], float]]:
    """The attack rate as a step function: the times it may change, and attacks a day at t.

    The rate changes only where a phase starts and, with ``per_1000_boots_on_ground``,
    where the total boots on the ground change (the rate at t counts the changes made at t).
    """
    timeline = m.timeline
    starts = {s for s in timeline.starts if s > 0}
    if m.scenario.threat.rate_basis == "fixed":
        return [*sorted(starts), math.inf], timeline.attacks_per_day
    steps = m.recorder.total_boots_steps()
    times = [t for t, _ in steps]
    totals = [n for _, n in steps]

    def per_day(t: float) -> float:
        i = bisect.bisect_right(times, t) - 1
        boots = totals[i] if i >= 0 else 0
        return timeline.attacks_per_day(t) * boots / 1000

    return [*sorted(starts.union(t for t in times if t > 0)), math.inf], per_day


def attack_times(m: Model, rng: np.random.Generator) -> list[tuple[float, float, float]]:
    """Every attack before the end of the run: (time, draw for the role, draw for the hurt).

    Time advances as a SimPy process waiting out each stretch would advance it (``now +
    delay``, step by step), so the times are those of such a process to the last bit.
    """
    changes, rate_at = attack_rate(m)  # changes[k]: the next date the rate may change
    k = 0
    now = 0
    rate = rate_at(now)
    found = []
    while True:
        gap, u_role, u_hurt = rng.exponential(), rng.random(), rng.random()
        # Walk forward through stretches of constant rate until the gap is used up.
        while True:
            if changes[k] <= now:
                while changes[k] <= now:
                    k += 1
                rate = rate_at(now)
            span = changes[k] - now
            if rate > 0 and gap <= rate * span:
                now = now + gap / rate
                break
            if math.isinf(span):
                return found
            gap -= rate * span
            now = now + span
        if now >= m.n_days:  # the run ends at the start of day n_days
            return found
        found.append((now, u_role, u_hurt))


def hit(
    boots: Sequence[int],
    exposure: Sequence[float],
    casualties_per_attack: float,
    u_role: float,
    u_hurt: float,
) -> tuple[int, int] | None:
    """The role an attack hits and the people it hurts, from its two uniform draws.

    The role is chosen in proportion to boots on the ground times exposure; the hurt is
    Poisson with mean ``casualties_per_attack`` whatever the role, and never more than
    the role has on the ground. ``None``: nobody there.
    """
    exposed = [b * w for b, w in zip(boots, exposure, strict=True)]
    total = sum(exposed)
    if total <= 0:
        return None
    role, acc = 0, exposed[0]
    while acc <= u_role * total and role < len(exposed) - 1:
        role += 1
        acc += exposed[role]
    return role, min(poisson_quantile(u_hurt, casualties_per_attack), boots[role])


def log_attacks(m: Model, rng: np.random.Generator) -> None:
    """After the run: log each attack with the role it hit and the people it hurt."""
    spec = m.scenario.threat
    roles = m.scenario.roles
    exposure = [spec.exposure.get(r, 1.0) for r in roles]
    attacks = attack_times(m, rng)
    times = [t for t, _, _ in attacks]
    boots = m.recorder.boots_before(times)
    entries = []
    hurt_so_far = 0
    for (time, u_role, u_hurt), bog, been in zip(
        attacks, boots, known_present(m, times, boots), strict=True
    ):
        struck = hit(bog, exposure, spec.casualties_per_attack, u_role, u_hurt)
        if struck is None:
            continue  # nobody there to attack
        role, hurt = struck
        hurt = min(hurt, been - hurt_so_far)  # never below 0: ``been`` only grows
        hurt_so_far += hurt
        entries.append((time, "attack", "", "", roles[role], hurt, ""))
    m.recorder.add_events(entries)


def known_present(m: Model, times: list[float], boots: list[list[int]]) -> list[int]:
    """People known to have been in the country before each of ``times`` (in order): those
    there at the start and those of units that had finished arriving, or if ever more,
    those there at one time (``boots``: by role, just before each time).

    A lower bound of those who have been there: the people of a unit still arriving count
    only while they are there or once all have landed.
    """
    at_start = m.recorder.boots_at_start()
    arrivals = [(e[0], e[5]) for e in m.recorder.events if e[1] == "arrived"]
    arrived = list(itertools.accumulate(people for _, people in arrivals))
    arrival_times = [time for time, _ in arrivals]
    out, known = [], 0
    for t, bog in zip(times, boots, strict=True):
        n = bisect.bisect_left(arrival_times, t)  # arrivals strictly before t
        known = max(known, at_start + (arrived[n - 1] if n else 0), sum(bog))
        out.append(known)
    return out
