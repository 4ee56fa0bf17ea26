"""The planner: decides which units to send and which to bring home to meet the policy.

It works from a projection (``sim.model.projection``): for each role, the people expected
to hold the mission (and so count toward the cap) at any date, kept up to date as the plan
changes. Three kinds of decision use it:

* relief: shortly before a unit's tour ends (early enough for a relief to be formed), send
  a like-for-like relief if the role is still replaced and the relief keeps the role at or
  under its target and the force under the cap;
* build-up: where a role is projected below its target by the time a new unit could
  arrive, order units, as long as supply lasts and the cap has room from their arrival on;
* draw-down: where the phase allows early return, recall the excess, cancelling orders
  not yet on their way first, timed to leave by the deadline (or at once).

It knows only the phases announced so far, and reports when it cannot do what the policy
asks (``shortfall`` events).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from sim.model import detachments, remission
from sim.model.drawdown import DrawDown
from sim.model.force import IN_COUNTRY, Unit
from sim.model.projection import Outlook, Projection

if TYPE_CHECKING:
    from sim.model.engine import Model

INF = math.inf


class Planner(DrawDown):
    """Relief, build-up and draw-down decisions; see the module docstring (the draw-down
    and the caps are in ``sim.model.drawdown``)."""

    def __init__(self, m: Model) -> None:
        self.m = m
        self.env = m.env
        self.timeline = m.timeline
        self.force = m.force
        s = m.scenario
        self.s = s
        self.margin = float(s.planning_interval_days)
        self.overlap = float(s.relief_in_place.overlap_days)
        self.types_of_role: list[list[str]] = [
            [name for name, ut in s.unit_types.items() if ut.role == role] for role in s.roles
        ]
        self.counted_types_of_role = [
            [t for t in types if s.unit_types[t].counts_toward_cap] for types in self.types_of_role
        ]
        self.fp_role = s.roles.index(s.force_protection.role) if s.force_protection else None
        self.smallest_unit = min(ut.size for ut in s.unit_types.values())
        self.outlook = Outlook(self.timeline, self.env, self.force.cap_count)
        self.projection = Projection(len(s.roles), self.outlook)
        self._reported: set[tuple] = set()
        self._drawn_down: set[int] = set()  # roles the current review sends units home from

    # -- projection -------------------------------------------------------------------

    def holds(self, u: Unit, t: float) -> bool:
        """Is ``u`` expected to hold the mission (and count toward the cap) at ``t``?

        From its ``plan_in`` to its ``plan_out`` once its relief is decided; until then to
        the end of its tour, or for good if it is expected to be relieved (``Outlook``).
        """
        if not u.counts or t < u.plan_in:
            return False
        if u.decided:
            return t < u.plan_out
        return t < u.tour_end or self.outlook.relieved(u.role, u.tour_end)

    def projected(self, role: int, t: float, skip: Unit | None = None) -> int:
        """People of ``role`` expected to count toward the cap at ``t`` (without ``skip``)."""
        return self.projection.at(role, t) - self._own(skip, t, role)

    def _own(self, u: Unit | None, t: float, role: int | None = None) -> int:
        """The people ``u`` adds to the projection at ``t`` (to ``role``'s, if given)."""
        if u is None or not self.projection.counts(u) or role not in (None, u.role):
            return 0
        return u.size if self.holds(u, t) else 0

    def _profile(self, t0: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Projected total and cap at every date from ``t0`` on where either changes."""
        tl, now = self.timeline, self.env.now
        times, totals = self.projection.profile(t0, tl.starts)
        phases = tl.known_phases(now)
        caps = np.array([self.s.phase_cap(i) for i in phases], dtype=np.int64)
        phase = np.searchsorted([tl.starts[i] for i in phases], times, side="right") - 1
        return times, totals, caps[np.maximum(phase, 0)]

    # -- reliefs ----------------------------------------------------------------------

    def notice(self, u: Unit) -> float:
        """How long before the end of a tour its relief must be decided."""
        lead = self.s.unit_types[u.type_name].lead_time_days
        return lead + self.overlap + self.margin

    def decide_relief(self, old: Unit) -> None:
        """Near the end of ``old``'s tour: send a relief, or let the unit go unreplaced."""
        now, t_end = self.env.now, old.tour_end
        old.decided = True
        old.plan_out = t_end
        self.projection.update(old)
        if old.recalled.triggered or detachments.decide(self.m, old):
            return
        if not self.timeline.replaced(old.role, t_end, now):
            self.m.recorder.log(now, "not_relieved", old, detail="the role is no longer replaced")
            return
        type_name = self._pick_type(old)
        if type_name is None:
            self._shortfall(old.role, f"no {self.s.roles[old.role]} unit left to relieve {old.uid}")
            return
        why = self._why_not_relieve(old, t_end, self.s.unit_types[type_name].size)
        if why:
            self.m.recorder.log(now, "not_relieved", old, detail=why)
            return
        # A decision due before the run began was taken on time, before the start.
        ordered_at = min(t_end - self.notice(old), 0.0) if now == 0 else now
        new = self._order(type_name, t_end - self.overlap, ordered_at, relieves=old)
        old.relief = new
        self.projection.update(old)

    def _why_not_relieve(self, old: Unit, t: float, size: int) -> str:
        """Why a relief of ``size`` people should not take over from ``old`` at ``t``.

        An empty string: it should.
        """
        now = self.env.now
        targets = self.timeline.targets(t, self.force.cap_count, now)
        others = self.projected(old.role, t, skip=old)  # the role without it
        # the whole force without it
        total = self.projection.total(t) - self._own(old, t) if old.counts else 0
        target = targets[old.role]
        i = self.timeline.index(t, now)
        if old.counts and self.timeline.total_only(i):
            # Judged on the lowest the force will be while the relief would serve: at ``t``
            # units already due to go (recalled, not relieved) are still there, and counting
            # them would send two units home for one.
            tour = self.s.tour_days(old.type_name)
            total = min(total, self._lowest_total(t, t + tour))
            wanted = sum(x or 0.0 for x in targets)
            if total + size > wanted + size / 2:
                return f"force at its total ({total:,} of {wanted:,.0f} without it)"
            return self._over_cap_reason(old, t, size)
        if (
            target is not None
            and others + size > target + size / 2
            and not self._gap_without(total, targets)
        ):
            return f"role at its target ({others:,} of {target:,.0f} without it)"
        return self._over_cap_reason(old, t, size)

    def _lowest_total(self, start: float, end: float) -> int:
        """The lowest projected strength of the force from ``start`` to ``end``."""
        times, totals, _ = self._profile(self.env.now)
        first = max(int(np.searchsorted(times, start, side="right")) - 1, 0)
        last = max(int(np.searchsorted(times, end, side="left")), first + 1)
        return int(totals[first:last].min())

    def _over_cap_reason(self, old: Unit, t: float, size: int) -> str:
        if old.counts:
            over = self._over_cap(t, t + self.s.tour_days(old.type_name), size, skip=old)
            if over:
                return f"no room under the cap for its relief ({over})"
        return ""

    def _gap_without(self, total: int, targets: list[float | None]) -> bool:
        """Would the force fall short of the phase's total by more than the tolerance?

        A role a little over its target is better than a hole in the force while the units
        that will take its place are still being formed.
        """
        wanted = sum(t for t in targets if t is not None)
        return total < wanted * (1 - self.s.target_tolerance)

    def _pick_type(self, old: Unit) -> str | None:
        """Like for like if supply allows, else another type of the same role."""
        same_kind = [
            t
            for t in self.types_of_role[old.role]
            if self.s.unit_types[t].counts_toward_cap == old.counts
        ]
        for t in [old.type_name, *same_kind]:
            if self._available(t):
                return t
        return None

    def _available(self, type_name: str) -> bool:
        supply = self.s.unit_types[type_name].supply
        if supply is None:
            return True
        return self.force.per_type.get(type_name, 0) < supply

    def _order(
        self, type_name: str, arrive_at: float, ordered_at: float, relieves: Unit | None = None
    ) -> Unit:
        u = self.new_unit(type_name, arrive_at, ordered_at, relieves)
        why = f"relief for {relieves.uid}" if relieves else "to reach the target"
        self.send(u, why)
        return u

    def new_unit(
        self,
        type_name: str,
        arrive_at: float,
        ordered_at: float,
        relieves: Unit | None = None,
        temporary: bool = False,
    ) -> Unit:
        """A unit of ``type_name`` ordered at ``ordered_at``, to arrive at ``arrive_at`` or
        as soon after as it is ready; its luck (slip, extension) drawn."""
        m, now = self.m, self.env.now
        ut = self.s.unit_types[type_name]
        ready = ordered_at + ut.lead_time_days
        arrive_at = max(arrive_at, ready, now)
        tour = self.s.tour_days(type_name)
        plan_in = (
            arrive_at if relieves is None else max(relieves.tour_end, arrive_at + self.overlap)
        )
        u = m.force.new_unit(
            type_name,
            ut,
            tour,
            ready_at=ready,
            plan_in=plan_in,
            tour_end=arrive_at + tour,
            relieves=relieves,
            temporary=temporary,
        )
        u.arrive_at = arrive_at
        u.slip, u.extension = m.luck.draw(type_name, temporary)
        return u

    def send(self, u: Unit, why: str) -> None:
        """Put an ordered unit in the force and start its life."""
        from sim.model.units import serve  # units imports the planner's users, not the planner

        self.m.force.add(u)
        self.m.recorder.log(self.env.now, "ordered", u, people=u.size, detail=why)
        self.env.process(serve(self.m, u))

    # -- phases and reviews -----------------------------------------------------------

    def phase_started(self, index: int) -> None:
        """A new phase is in force: order its temporary deployments, call off reliefs it
        no longer wants, then review."""
        from sim.model.surge import deploy

        deploy(self.m, index)
        remission.convert(self.m, index)
        now = self.env.now
        for u in list(self.force.units):
            old = u.relieves
            if (
                old is not None
                and not u.boarded
                and not self.timeline.replaced(old.role, old.tour_end, now)
            ):
                self.cancel(u, "the new phase no longer replaces the role")
        self.review()

    def review(self) -> None:
        """Draw down where the phase allows early return, then build up toward targets.

        A role that this review draws down is not also built up: sending one unit home
        and ordering another of the same role in one review is churn, not policy.
        """
        self._drawn_down: set[int] = set()
        self._draw_down()
        remission.convert(self.m, self.timeline.index(self.env.now), review=True)
        self._build_up()
        detachments.keep(self.m)

    def _build_up(self) -> None:
        now = self.env.now
        profile = None
        for role, counted in enumerate(self.counted_types_of_role):
            if role in self._drawn_down:
                continue
            for type_name in counted:
                no_room = False
                ut = self.s.unit_types[type_name]
                last = type_name == counted[-1]  # short only if no other type can fill
                t_ready = now + ut.lead_time_days + self.margin
                targets = self.timeline.targets(t_ready, self.force.cap_count, now)
                target = targets[role]
                if target is None:
                    break
                have = self._strength_from(role, t_ready)
                # A total is a total: the roles' shares choose who comes, the total how many.
                room = INF
                if self.timeline.total_only(self.timeline.index(t_ready, now)):
                    # No new units while the force is above its total: departures
                    # still due may be late (airlift, force protection held back).
                    whole = self.projection.strength_from(t_ready)  # every role
                    whole = max(whole, self.force.total_cap)
                    room = sum(t or 0.0 for t in targets) - whole
                while have + ut.size <= target + ut.size / 2 and ut.size <= room + ut.size / 2:
                    if not self._available(type_name):
                        if last:  # every type of the role is at its supply
                            self._shortfall(role, f"supply of {', '.join(counted)} exhausted")
                        break
                    if profile is None:
                        profile = self._profile(now)
                    arrive_at = self._first_room(profile, t_ready, ut.size)
                    if arrive_at is None:  # a smaller type may still fit: short if none does
                        no_room = True
                        break
                    self._order(type_name, arrive_at, now)
                    have += ut.size
                    room -= ut.size
                if last and no_room:
                    self._shortfall(role, "no room under the cap for more units")

    def _strength_from(self, role: int, t: float) -> int:
        """People of ``role`` holding the mission at ``t``, plus new units due after ``t``."""
        return self.projection.strength_from(t, role)

    @staticmethod
    def _first_room(profile: tuple, t: float, size: int) -> float | None:
        """The first date from ``t`` on with room under the cap for ``size`` people for good.

        Books the room in ``profile`` so that later orders in the same review see it taken.
        """
        times, totals, caps = profile
        first = max(int(np.searchsorted(times, t, side="right")) - 1, 0)
        over = totals[first:] + size > caps[first:]
        if over[-1]:
            return None
        j = first + (int(np.flatnonzero(over)[-1]) + 1 if over.any() else 0)
        totals[j:] += size
        return max(t, float(times[j]))

    # -- leaving ----------------------------------------------------------------------

    def room_for_people(self, people: int) -> bool:
        """Is there room under today's cap for ``people`` more to count?"""
        f = self.force
        return f.total_cap + f.reserved + people <= self.timeline.cap(self.env.now)

    def may_leave(self, u: Unit) -> bool:
        """Force protection leaves only while enough of it stays for those who remain."""
        if self.fp_role is None or u.role != self.fp_role or not u.holding:
            return True  # a relieved unit has handed over: nothing to protect
        others = self.force.total_bog - self.force.bog[self.fp_role]
        if others == 0:
            return True
        staying = sum(
            v.present
            for v in self.force.by_role[self.fp_role]
            if v.state == IN_COUNTRY and v is not u
        )
        return staying >= self.s.force_protection.min_ratio * others

    def _shortfall(self, role: int, why: str) -> None:
        """Log that the policy asked for what could not be done (once per moment and reason)."""
        key = (self.env.now, role, why)
        if key not in self._reported:
            self._reported.add(key)
            self.m.recorder.log(self.env.now, "shortfall", detail=why, role=self.s.roles[role])
