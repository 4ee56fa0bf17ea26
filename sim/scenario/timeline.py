"""The policy as a timeline: phases, caps and targets as functions of model time.

Model time is in days since the scenario start. A phase is known to planners only once it
has been announced (``announced``, by default its ``start``); pass ``now`` to see the
policy as it was known then, or leave it out to see it in full (for judging results).
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence
from datetime import date

from sim.scenario.schema import Phase, Scenario


class Timeline:
    """Phases, caps and targets as functions of model time."""

    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        self.roles = scenario.roles
        self.phases = scenario.policy.phases
        self.starts = [self.day(p.start) for p in self.phases]
        self.announced = [self.day(p.announced or p.start) for p in self.phases]
        self.deadlines = [None if p.deadline is None else self.day(p.deadline) for p in self.phases]
        self.start_counts: dict[int, list[int]] = {}  # the force as each phase began
        # Targets that do not depend on the force, worked out once (None: they do).
        self._fixed = [self._fixed_targets(i) for i in range(len(self.phases))]

    def day(self, when: date) -> float:
        return float((when - self.scenario.start).days)

    def index(self, t: float, now: float | None = None) -> int:
        """The phase in force at ``t``, as known at ``now`` (default: known in full)."""
        i = max(bisect.bisect_right(self.starts, t) - 1, 0)
        if now is not None:
            while i > 0 and self.announced[i] > now:
                i -= 1
        return i

    def phase(self, t: float, now: float | None = None) -> Phase:
        return self.phases[self.index(t, now)]

    def cap(self, t: float, now: float | None = None) -> int:
        return self.scenario.phase_cap(self.index(t, now))

    def replaced(self, role: int, t: float, now: float | None = None) -> bool:
        return self.phase(t, now).replace.get(self.roles[role], True)

    def targets(
        self, t: float, current: Sequence[int], now: float | None = None
    ) -> list[float | None]:
        """Target people by role at ``t``; ``None`` where the phase sets no target.

        In a phase with ``pace: steady`` the target moves from the force at the phase's
        start (``start_counts``, recorded when it starts; until then the current force) to
        the phase's targets at its deadline, along ``share = elapsed ** power``: a straight
        line for ``halfway_share`` 0.5, otherwise the curve that has made that share of the
        change by the halfway date.
        """
        i = self.index(t, now)
        final = self.final_targets(i, current)
        deadline = self.deadlines[i]
        p = self.phases[i]
        if p.pace != "steady" or deadline is None or t >= deadline:
            return final
        base = self.start_counts.get(i, list(current))
        share = min(max((t - self.starts[i]) / max(deadline - self.starts[i], 1.0), 0.0), 1.0)
        if p.halfway_share != 0.5:
            share **= math.log(p.halfway_share) / math.log(0.5)
        return [
            None if f is None else b + share * (f - b) for b, f in zip(base, final, strict=True)
        ]

    def final_targets(self, i: int, current: Sequence[int]) -> list[float | None]:
        """Phase ``i``'s targets by role, as they must stand at its deadline."""
        fixed = self._fixed[i]
        if fixed is not None:
            return list(fixed)
        # A total without a mix: shared among the roles as the force is now.
        total = self.phases[i].total
        have = sum(current)
        shares = [c / have if have else 1 / len(current) for c in current]
        return [total * s for s in shares]

    def _fixed_targets(self, i: int) -> list[float | None] | None:
        """Phase ``i``'s targets where they do not depend on the force, else None."""
        p = self.phases[i]
        if p.targets is not None:
            return [p.targets.get(r) for r in self.roles]
        total = p.total
        if total is None and p.mix is not None:
            total = self.scenario.fill * self.scenario.phase_cap(i)
        if total is None:
            return [None] * len(self.roles)
        if p.mix is not None:
            return [total * p.mix.get(r, 0.0) for r in self.roles]
        return None

    def tolerance(self, index: int, current: Sequence[int]) -> float:
        """How far from its target a role may be and still count as meeting it."""
        targets = self.final_targets(index, current)
        total = sum(t for t in targets if t is not None)
        return self.scenario.target_tolerance * total

    def attacks_per_day(self, t: float) -> float:
        per_month = self.phase(t).attacks_per_month
        if per_month is None:
            per_month = self.scenario.threat.attacks_per_month
        return per_month * 12 / 365.25


def misses(
    counts: Sequence[int], targets: Sequence[float | None], tolerance: float
) -> list[tuple[int, int, float]]:
    """(role, count, target) for each role further than ``tolerance`` from its target."""
    return [
        (role, count, target)
        for role, (count, target) in enumerate(zip(counts, targets, strict=True))
        if target is not None and abs(count - target) > tolerance
    ]
