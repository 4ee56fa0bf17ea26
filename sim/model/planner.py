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
from sim.model.force import ARRIVING, CANCELLED, IN_COUNTRY, Unit
from sim.model.projection import Outlook, Projection

if TYPE_CHECKING:
    from sim.model.engine import Model

INF = math.inf


class Planner:
    """Relief, build-up and draw-down decisions; see the module docstring."""

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
            t for t in self.types_of_role[old.role]
            if self.s.unit_types[t].counts_toward_cap == old.counts
        ]  # fmt: skip
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
                    u for u in mine
                    if not u.handed_over and u.relieves is None
                    and detachments.kept(self.m, u.type_name) is None
                ]  # fmt: skip
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
                r for r in range(len(pools))
                if taken[r] < len(pools[r]) and self._protected_without(r, pools[r][taken[r]], have)
            ]  # fmt: skip
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
        """Is ``u`` already due to leave without a relief (not relieved, or recalled)?"""
        return u.decided and u.relief is None and u.plan_out < INF

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
            v.present for v in self.force.by_role[self.fp_role]
            if v.state == IN_COUNTRY and v is not u
        )  # fmt: skip
        return staying >= self.s.force_protection.min_ratio * others

    def _shortfall(self, role: int, why: str) -> None:
        """Log that the policy asked for what could not be done (once per moment and reason)."""
        key = (self.env.now, role, why)
        if key not in self._reported:
            self._reported.add(key)
            self.m.recorder.log(self.env.now, "shortfall", detail=why, role=self.s.roles[role])
