"""Threat: attacks on the force as a Poisson process whose rate the phase sets.

Attack times come from unit-rate exponential gaps mapped through the cumulative attack
rate, and each attack takes exactly three draws from the ``threat`` stream. So two
scenarios run with the same seed see the same attacks for as long as their rates agree,
and the same draws afterwards wherever the rates agree again in total.

An attack reads the force (who is there to be hit) but changes nothing in it, so the
attacks are worked out once the run is over, from the recorder's log of boots on the
ground, rather than by a process of their own: the same attacks at the same times, each
seeing the force as it stood just before, without a SimPy event apiece.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from sim.scenario.uncertainty import poisson_quantile

if TYPE_CHECKING:
    from sim.model.engine import Model


def attack_times(m: Model, rng: np.random.Generator) -> list[tuple[float, float, float]]:
    """Every attack before the end of the run: (time, draw for the role, draw for the hurt).

    Time advances as a SimPy process waiting out each stretch would advance it (``now +
    delay``, step by step), so the times are those of such a process to the last bit.
    """
    timeline = m.timeline
    # The rate changes only where a phase starts: changes[k] is the next such date.
    changes = [*sorted({s for s in timeline.starts if s > 0}), math.inf]
    k = 0
    now = 0
    rate = timeline.attacks_per_day(now)
    found = []
    while True:
        gap, u_role, u_hurt = rng.exponential(), rng.random(), rng.random()
        # Walk forward through stretches of constant rate until the gap is used up.
        while True:
            if changes[k] <= now:
                while changes[k] <= now:
                    k += 1
                rate = timeline.attacks_per_day(now)
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


def log_attacks(m: Model, rng: np.random.Generator) -> None:
    """After the run: each attack hits a role in proportion to its exposure."""
    spec = m.scenario.threat
    roles = m.scenario.roles
    weights = [spec.exposure.get(r, 1.0) for r in roles]
    # An attack on a more exposed role tends to hurt more people.
    mean_hurt = [spec.casualties_per_attack * w for w in weights]
    attacks = attack_times(m, rng)
    entries = []
    for (time, u_role, u_hurt), bog in zip(
        attacks, m.recorder.boots_before([t for t, _, _ in attacks]), strict=True
    ):
        exposed = [b * w for b, w in zip(bog, weights, strict=True)]
        total = sum(exposed)
        if total <= 0:
            continue  # nobody there to attack
        role, acc = 0, exposed[0]
        while acc <= u_role * total and role < len(exposed) - 1:
            role += 1
            acc += exposed[role]
        hurt = poisson_quantile(u_hurt, mean_hurt[role])
        entries.append((time, "attack", "", "", roles[role], hurt, ""))
    m.recorder.add_events(entries)
