"""The policy as a timeline: phases, caps and targets as functions of model time.

Model time is in days since the scenario start. A phase is known to planners only once it
has been announced (``announced``, by default its ``start``); pass ``now`` to see the
policy as it was known then, or leave it out to see it in full (for judging results).
"""

from __future__ import annotations

import bisect
import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sim.scenario.schema import Phase, Scenario

MONTH_DAYS = 365.25 / 12


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
        # A deadline that later phases overtake: carried on by them (the same goal and
        # deadline: judged once, under the phase that set it, over all of them) or
        # superseded (reported, never judged). ``last[i]``: the last phase of i's chain.
        self.carried: set[int] = set()
        self.superseded: dict[int, int] = {}
        self.last = list(range(len(self.phases)))
        for i in range(len(self.phases) - 1):
            d, nxt = self.deadlines[i], self.starts[i + 1]
            if d is None:
                continue
            if _goal_key(self.phases[i]) == _goal_key(self.phases[i + 1]):
                self.carried.add(i + 1)  # the same goal (its deadline may be past already)
            elif nxt < d:
                self.superseded[i] = i + 1
        for i in reversed(range(len(self.phases) - 1)):
            if i + 1 in self.carried:
                self.last[i] = self.last[i + 1]
        for i in range(len(self.phases)):  # a chain is superseded where its last phase is
            if i not in self.carried and self.last[i] in self.superseded:
                self.superseded[i] = self.superseded.pop(self.last[i])
        # The largest unit that counts toward the cap, by role (0: none can fill it).
        self.largest_unit = [
            max(
                (
                    ut.size
                    for ut in scenario.unit_types.values()
                    if ut.role == role and ut.counts_toward_cap
                ),
                default=0,
            )
            for role in self.roles
        ]
        # Targets that do not depend on the force, worked out once (None: they do).
        self._fixed = [self._fixed_targets(i) for i in range(len(self.phases))]
        # The phases known, and their starts, once the first k announcements of later
        # phases (in date order, ``_told``) have been made: ``_known[k]``.
        told = sorted(range(1, len(self.phases)), key=lambda i: self.announced[i])
        self._told = [self.announced[i] for i in told]
        self._known = [
            (phases, [self.starts[i] for i in phases])
            for phases in (sorted([0, *told[:k]]) for k in range(len(told) + 1))
        ]

    def day(self, when: date) -> float:
        return float((when - self.scenario.start).days)

    def index(self, t: float, now: float | None = None) -> int:
        """The phase in force at ``t``, as known at ``now`` (default: known in full): the
        last phase announced by then that starts at or before ``t`` (the first, if none)."""
        if now is None:
            return max(bisect.bisect_right(self.starts, t) - 1, 0)
        phases, starts = self._known[bisect.bisect_right(self._told, now)]
        return phases[max(bisect.bisect_right(starts, t) - 1, 0)]

    def known_phases(self, now: float) -> list[int]:
        """The phases known at ``now``, in order: the first, and those announced by then.
        (The same list for as long as no other phase is announced.)"""
        return self._known[bisect.bisect_right(self._told, now)][0]

    def targets_use_force(self, index: int) -> bool:
        """Do phase ``index``'s targets, worked out now, depend on the force as it stands?
        (A total shared among the roles, or a path from the force, before the phase has
        begun: from then on they start from the force at its start.)"""
        if index in self.start_counts:
            return False
        return self._fixed[index] is None or self.targets_move(index)

    def targets_move(self, index: int) -> bool:
        """Do phase ``index``'s targets change with the date within the phase (a steady
        path toward its deadline, or a drift)? Otherwise they are the same at every date."""
        p = self.phases[index]
        drifts = p.drift_per_month is not None and self.total_only(index)
        return drifts or (p.pace == "steady" and self.deadlines[index] is not None)

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
        p = self.phases[i]
        if p.drift_per_month is not None and self.total_only(i):
            base = self.start_counts.get(i, list(current))
            have = sum(base)
            months = max(t - self.starts[i], 0.0) / MONTH_DAYS
            total = max(have + p.drift_per_month * months, 0.0)
            return [total * c / have if have else total / len(base) for c in base]
        final = self.final_targets(i, current)
        deadline = self.deadlines[i]
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
        """Phase ``i``'s targets by role, as they must stand at its deadline.

        A ``total`` without a mix or targets is shared among the roles as the force stood
        when the phase started (as it stands now, before then), so the shares do not drift
        as units leave.
        """
        fixed = self._fixed[i]
        if fixed is not None:
            return list(fixed)
        total = self.phases[i].total
        base = self.start_counts.get(i, current)
        have = sum(base)
        shares = [c / have if have else 1 / len(base) for c in base]
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

    def due(self, index: int) -> float | None:
        """When phase ``index``'s goal must be met: its deadline, or for a phase that only
        sets a cap, its start (a cap binds from the day it takes effect)."""
        p = self.phases[index]
        if index in self.carried or index in self.superseded:
            return None
        if self.deadlines[index] is not None:
            return self.deadlines[index]
        if p.cap is not None and p.total is None and p.mix is None and p.targets is None:
            return self.starts[index]
        return None

    def total_only(self, index: int) -> bool:
        """Does phase ``index`` set a ``total`` without a mix or targets by role?"""
        p = self.phases[index]
        aimed = p.total is not None or p.drift_per_month is not None
        return aimed and p.mix is None and p.targets is None

    def goal(self, index: int, current: Sequence[int]) -> Goal | None:
        """What phase ``index`` asks for, and how close counts as met (``None``: nothing).

        Targets by role are met within their tolerances; a phase with ``total`` alone is
        judged on the total only (its shares by role are the planner's way there, not the
        goal); a phase that sets its own ``cap`` also asks for the count to be under it.
        """
        p = self.phases[index]
        targets = self.final_targets(index, current)
        share = self.scenario.target_tolerance
        if self.total_only(index) and p.total is None:  # a drift: nothing to meet
            goal = Goal(self.roles, [None] * len(targets), [0.0] * len(targets))
        elif self.total_only(index):
            largest = max(self.largest_unit)
            goal = Goal(
                self.roles,
                [None] * len(targets),
                [0.0] * len(targets),
                float(p.total),
                tolerance(share, p.total, largest),
            )
        else:
            tolerances = [
                0.0 if t is None else tolerance(share, t, size)
                for t, size in zip(targets, self.largest_unit, strict=True)
            ]
            goal = Goal(self.roles, targets, tolerances)
        if p.cap is not None:
            goal = dataclasses.replace(goal, cap=p.cap)
        return None if goal.empty else goal

    def attacks_per_day(self, t: float) -> float:
        per_month = self.phase(t).attacks_per_month
        if per_month is None:
            per_month = self.scenario.threat.attacks_per_month
        return per_month * 12 / 365.25


def _goal_key(p: Phase) -> tuple:
    """What a deadline is about: a phase with the same key carries it on (a new cap, pace
    or airlift does not change what must be met by when)."""
    return (p.total, p.mix, p.targets, p.deadline)


def tolerance(share: float, target: float, largest_unit: int) -> float:
    """How far a count may be from ``target`` and still meet it, in people.

    A target of zero is met only at zero. Any other target is met within the larger of
    ``share`` of the target (``target_tolerance``) and half the role's largest unit (whole
    units cannot come closer than that).
    """
    if target <= 0:
        return 0.0
    return max(share * target, largest_unit / 2)


@dataclass(frozen=True)
class Goal:
    """A phase's targets (by role, or a total), their tolerances in people, and its cap."""

    roles: list[str]
    targets: list[float | None]
    tolerances: list[float]
    total: float | None = None
    total_tolerance: float = 0.0
    cap: int | None = None

    @property
    def empty(self) -> bool:
        return self.total is None and self.cap is None and all(t is None for t in self.targets)

    def misses(self, counts: Sequence[int]) -> list[tuple[str, int, float]]:
        """(what, count, target) for each role, the total or the cap not met by ``counts``."""
        out: list[tuple[str, int, float]] = [
            (role, count, target)
            for role, count, target, tol in zip(
                self.roles, counts, self.targets, self.tolerances, strict=True
            )
            if target is not None and abs(count - target) > tol
        ]
        have = sum(counts)
        if self.total is not None and abs(have - self.total) > self.total_tolerance:
            out.append(("total", have, self.total))
        if self.cap is not None and have > self.cap:
            out.append(("cap", have, float(self.cap)))
        return out
