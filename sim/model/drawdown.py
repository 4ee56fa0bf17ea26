"""The planner's draw-down: bring the force down to its targets and under every cap.

Where a phase lowers a target or a cap and allows early return, recall the excess across
roles (roles furthest above their aim first, force protection only while it can be
spared), cancelling orders not yet on their way first, timed to leave by the deadline (or
at once); and never let an order take over above a known cap. A part of ``Planner``
(``sim.model.planner``), kept apart so that each half reads in one sitting.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from sim.model import detachments
from sim.model.force import ARRIVING, CANCELLED, Unit

if TYPE_CHECKING:
    from sim.model.engine import Model

INF = math.inf


class DrawDown:
    """The draw-down and cap decisions of the ``Planner`` (which provides the state)."""

    m: Model

    def _draw_down(self) -> None:
        """Bring the force down to the phase's targets and under every cap it knows of."""
        now = self.env.now
        i = self.timeline.index(now, now)
        if self.timeline.phases[i].early_return != "none":
            self._draw_down_to_targets(i)
        self._draw_down_to_caps(i)

    def _draw_down_to_targets(self, i: int) -> None:
        now = self.env.now
        phase = self.timeline.phases[i]
        deadline = self.timeline.deadlines[i]
        steady = phase.pace == "steady"
        if phase.early_return == "immediate" or deadline is None:
            when = now
        elif steady:  # keep to the path: what it asks a review from now (at last, the deadline)
            when = min(max(deadline, now), now + 2 * self.margin)
        else:
            when = max(deadline, now)
        targets = self.timeline.targets(when, self.force.cap_count, now)
        whole = self.timeline.total_only(i) and phase.total
        if whole and not steady and self._near_total(targets, when):
            return
        pools: list[list[Unit]] = []
        for role, target in enumerate(targets):
            mine = self.force.by_role[role]
            if target is None:
                units = []
            elif steady:  # the path needs the orders on their way: recall only those in the
                # country who would still be there
                units = [u for u in mine if not u.handed_over and u.boarded and self.holds(u, when)]
            elif target == 0:  # everyone goes, uncounted personnel too, unless kept
                units = [
                    u
                    for u in mine
                    if not u.handed_over
                    and u.relieves is None
                    and detachments.kept(self.m, u.type_name) is None
                ]
            elif not whole and self.projection.at(role, when) - target <= self.smallest_unit / 2:
                units = []  # within half a unit of its target: none would go (no need to sort)
            else:
                units = [u for u in mine if not u.handed_over and self.holds(u, when)]
            # Orders not yet on their way go first, then units leaving anyway after ``when``
            # (unrelieved: recalling them costs nothing), then those with most tour left.
            units.sort(key=lambda u: (u.boarded, not self._going(u), -u.tour_end))
            pools.append(units)
        if self.timeline.total_only(i) and phase.total:
            # A total is a total: take units from the roles furthest above their shares
            # until the whole force is within half a unit of it.
            aims = [t or 0.0 for t in targets]
            leaving = self._trim(pools, aims, sum(aims), half=True)
        else:
            leaving = []
            for units, target in zip(pools, targets, strict=True):
                have = sum(u.size for u in units if u.counts)
                for u in units:
                    if target > 0 and have - target <= u.size / 2:
                        break
                    have -= u.size if u.counts else 0
                    leaving.append(u)
        self._send_home(leaving, when)

    def _near_total(self, targets: list[float], when: float) -> bool:
        """Is the force at ``when`` within half the smallest unit of its total, so that no
        unit would be sent home? (From the projection, without sorting units; a role's
        target of zero sends everyone of it.)"""
        if any(t == 0 for t in targets):
            return False
        have = sum(self.projection.at(r, when) for r, t in enumerate(targets) if t is not None)
        return have - sum(t or 0.0 for t in targets) <= self.smallest_unit / 2

    def _draw_down_to_caps(self, i: int) -> None:
        """Keep the force under the cap in force now, and under each lower cap announced.

        A cap in force binds at once; one announced for a later phase binds from that
        phase's start, so its excess is timed to have left by then. Recalls need the
        phase's leave (``early_return``); without it, the planner can only decline reliefs
        and call off orders, and the phase is reported late if that is not enough.
        """
        now = self.env.now
        tl = self.timeline
        most = self._most_ever()  # no cap at or above it can be passed: skip the projection
        for j in range(i, len(tl.phases)):
            if tl.announced[j] > now or (j > i and tl.phases[j].cap is None):
                continue
            allowed = tl.phases[j].early_return != "none"
            when = max(tl.starts[j], now)
            cap = tl.cap(when, now)
            if most <= cap or self.projection.total(when) <= cap:
                continue  # the force is under it: pools of units to choose from not needed
            pools = [
                sorted(
                    (u for u in units if u.counts and not u.handed_over and self.holds(u, when)),
                    key=lambda u: (u.boarded, not self._going(u), -u.tour_end),
                )
                for units in self.force.by_role
            ]
            have = [sum(u.size for u in units) for units in pools]
            targets = tl.targets(when, self.force.cap_count, now)
            aims = [
                h * cap / sum(have) if t is None else t for h, t in zip(have, targets, strict=True)
            ]
            if not allowed:  # only orders not yet on their way may go
                pools = [[u for u in units if not u.boarded] for units in pools]
            self._send_home(self._trim(pools, aims, cap, half=False), when)
        self._call_off_orders_over_caps()

    def _call_off_orders_over_caps(self) -> None:
        """Call off orders not yet on their way that would take over above a known cap.

        A relief called off lets the unit it was to relieve go home at the end of its tour
        unreplaced, so a force above a lowered cap comes down as tours end.
        """
        now = self.env.now
        pending = [u for u in self.force.units if u.counts and not u.boarded]
        if not pending or self._most_ever() <= self._lowest_cap(now):
            return  # nothing to call off, or no projection could pass a cap
        if not self._over_a_cap(now):
            return
        for u in sorted(pending, key=lambda u: (u.plan_in, u.uid)):
            over = self._over_cap(u.plan_in, u.plan_in + u.tour_days, 0)
            if over:
                self.cancel(u, f"it would take over above the cap ({over})")

    def _over_a_cap(self, t0: float) -> bool:
        """Is the projected total above a cap known now, somewhere from ``t0`` on?"""
        tl = self.timeline
        phases = tl.known_phases(self.env.now)
        ends = [*(tl.starts[i] for i in phases[1:]), INF]
        for i, end in zip(phases, ends, strict=True):
            start = max(tl.starts[i], t0) if i else t0
            if end > start and self.projection.peak(start, end) > self.s.phase_cap(i):
                return True
        return False

    def _most_ever(self) -> int:
        """An upper bound of any projected total (``Projection.most_ever``)."""
        return self.projection.most_ever()

    def _lowest_cap(self, now: float) -> int:
        """The lowest cap known now, from now on."""
        tl = self.timeline
        return min(tl.cap(t, now) for t in [now, *(x for x in tl.starts if x > now)])

    def _over_cap(self, start: float, end: float, extra: int, skip: Unit | None = None) -> str:
        """Would ``extra`` more people from ``start`` to ``end`` put the force above a cap
        known now? Says where ("": nowhere). The cap changes only where a phase starts."""
        now = self.env.now
        starts = self.timeline.starts
        for t in [start, *(x for x in starts if start < x < end)]:
            cap = self.timeline.cap(t, now)
            total = extra + self.projection.total(t) - self._own(skip, t)
            if total > cap:
                return f"{total:,} of {cap:,} from day {t:.0f}"
        return ""

    def _trim(
        self, pools: list[list[Unit]], aims: list[float], limit: float, half: bool
    ) -> list[Unit]:
        """Units to take out, each from the role furthest above its aim, until the force is
        at most ``limit`` (or, with ``half``, within half a unit of it, either side).

        ``pools`` holds each role's candidates in the order they should go.
        """
        have = [sum(u.size for u in units) for units in pools]
        taken = [0] * len(pools)
        total = sum(have)
        out: list[Unit] = []
        while total > limit:
            left = [
                r
                for r in range(len(pools))
                if taken[r] < len(pools[r]) and self._protected_without(r, pools[r][taken[r]], have)
            ]
            if not left:
                break
            # A unit that leaves anyway goes first, whatever its role.
            going = [r for r in left if self._going(pools[r][taken[r]])]
            r = max(going or left, key=lambda r: have[r] - aims[r])
            u = pools[r][taken[r]]
            if half and total - limit <= u.size / 2:
                break
            taken[r] += 1
            have[r] -= u.size
            total -= u.size
            out.append(u)
        return out

    def _protected_without(self, role: int, u: Unit, have: list[int]) -> bool:
        """Would the force protection left without ``u`` still cover the rest? (A unit it
        could not spare would be held back, and the force would stay above its aim.)"""
        if role != self.fp_role:
            return True
        fp = have[role] - u.size
        return fp >= self.s.force_protection.min_ratio * (sum(have) - have[role])

    @staticmethod
    def _going(u: Unit) -> bool:
        """Is ``u`` already due to leave without a relief (not relieved, or recalled)? A unit
        whose relief is itself leaving goes too: the post goes with the relief."""
        while u.decided and u.plan_out < INF:
            if u.relief is None:
                return True
            u = u.relief
        return False

    def _send_home(self, units: list[Unit], by: float) -> None:
        """Call off the orders among ``units`` and recall the rest to have left by ``by``."""
        leaving = []
        for u in units:
            self._drawn_down.add(u.role)
            if u.boarded:
                leaving.append(u)
            else:
                self.cancel(u, "not needed: the phase draws the force down")
        self._schedule_recalls(leaving, by)

    def _schedule_recalls(self, units: list[Unit], by: float) -> None:
        """Recall ``units``, in order, so that at the planned seat rate all have flown by ``by``.

        The last in the list leaves last: its date is worked out first, backwards from ``by``.
        The planner plans on the scheduled seats (it cannot know which flights will be lost);
        the review interval it keeps in hand absorbs some losses, and a deadline missed
        through them is reported as missed.
        """
        now = self.env.now
        # Force protection leaves last: it stays while those it protects are there.
        units = sorted(units, key=lambda u: u.role == self.fp_role)
        seats = self.m.airlift.planned_at(self.timeline.index(now, now))
        people, dates = 0, []
        for u in reversed(units):
            people += u.present or u.size
            dates.append(max(by - math.ceil(people / seats) - self.margin, now))
        for u, at in zip(units, reversed(dates), strict=True):
            self.recall(u, at)

    def recall(self, u: Unit, at: float) -> None:
        """Bring ``u`` home early, leaving at ``at`` (its relief is called off too)."""
        if u.recalled.triggered or u.recall_at <= at or u.handed_over:
            return
        if not u.decided and at >= u.tour_end:
            # Its tour ends first: the relief decision, taken against the target of that
            # date, settles whether it is replaced. A recall would skip that decision and
            # send the unit home unreplaced, ahead of a steady path.
            return
        u.recall_at = at
        u.decided = True
        u.plan_out = min(u.plan_out, at)
        self.projection.update(u)
        if u.relief is not None:
            relief = u.relief
            if relief.boarded:
                self.recall(relief, at)
            else:
                self.cancel(relief, f"{u.uid} recalled")
        if not u.boarded:
            self.cancel(u, "recalled before it left")
            return
        self.m.recorder.log(
            self.env.now, "recalled", u, people=u.size, detail=f"leaves day {at:.0f}"
        )
        if at <= self.env.now:
            self._call_home(u)
        else:
            self.env.timeout(at - self.env.now).callbacks.append(lambda _: self._call_home(u))

    def _call_home(self, u: Unit) -> None:
        """The recall takes effect: those of a unit still flying in stay home."""
        if u.recalled.triggered:
            return
        if u.state == ARRIVING:
            self.m.airlift.cut_short(u)
            self.force.release(u)
        u.recalled.succeed()

    def cancel(self, u: Unit, why: str) -> None:
        """Call off a unit that has not yet left for the country."""
        self.force.retire(u, CANCELLED)
        old = u.relieves
        if old is not None:
            old.relief = None
            old.plan_out = old.tour_end
            self.projection.update(old)
        if not u.settled.triggered:
            u.settled.succeed(False)
        self.force.release(u)
        self.m.recorder.log(self.env.now, "cancelled", u, people=u.size, detail=why)
