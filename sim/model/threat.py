"""Threat: attacks on the force as a Poisson process whose rate the phase sets.

Attack times come from unit-rate exponential gaps mapped through the cumulative attack
rate, and each attack takes exactly three draws from the ``threat`` stream. So two
scenarios run with the same seed see the same attacks for as long as their rates agree,
and the same draws afterwards wherever the rates agree again in total.
"""

from __future__ import annotations

import math
from collections.abc import Generator
from typing import TYPE_CHECKING

import numpy as np

from sim.scenario.uncertainty import poisson_quantile

if TYPE_CHECKING:
    from sim.model.engine import Model


def run_threat(m: Model, rng: np.random.Generator) -> Generator:
    """Attacks arrive at the phase's rate; each hits a role in proportion to its exposure."""
    env, timeline = m.env, m.timeline
    # The rate changes only where a phase starts: changes[k] is the next such date.
    changes = [*sorted({s for s in timeline.starts if s > 0}), math.inf]
    k = 0
    rate = timeline.attacks_per_day(env.now)
    spec = m.scenario.threat
    weights = [spec.exposure.get(r, 1.0) for r in m.scenario.roles]
    # An attack on a more exposed role tends to hurt more people.
    mean_hurt = [spec.casualties_per_attack * w for w in weights]
    while True:
        gap, u_role, u_hurt = rng.exponential(), rng.random(), rng.random()
        # Walk forward through stretches of constant rate until the gap is used up.
        while True:
            if changes[k] <= env.now:
                while changes[k] <= env.now:
                    k += 1
                rate = timeline.attacks_per_day(env.now)
            span = changes[k] - env.now
            if rate > 0 and gap <= rate * span:
                yield env.timeout(gap / rate)
                break
            if math.isinf(span):
                return
            gap -= rate * span
            yield env.timeout(span)
        _attack(m, weights, mean_hurt, u_role, u_hurt)


def _attack(
    m: Model, weights: list[float], mean_hurt: list[float], u_role: float, u_hurt: float
) -> None:
    exposed = [b * w for b, w in zip(m.force.bog, weights, strict=True)]
    total = sum(exposed)
    if total <= 0:
        return  # nobody there to attack
    role, acc = 0, exposed[0]
    while acc <= u_role * total and role < len(exposed) - 1:
        role += 1
        acc += exposed[role]
    hurt = poisson_quantile(u_hurt, mean_hurt[role])
    m.recorder.log(m.env.now, "attack", people=hurt, role=m.scenario.roles[role])
