"""The projection: the people of each role the planner expects to hold the mission (and so
to count toward the cap) at any date, kept up to date as the plan changes.

In the plan, a counted unit holds the mission from its ``plan_in`` to:

* its ``plan_out``, once its relief has been decided (ordered or not) or it is recalled;
* the end of its tour, if it is not expected to be relieved;
* for good, if it is: a relief will hold the mission in its place from then on.

So each unit adds its people to its role at its start (``plan_in``) and takes them off at
its end, if it has one. Whether an undecided unit is expected to be relieved is the
planner's judgement with what it knows when it looks (``Outlook``): an announcement that
stops replacing a role gives its undecided units an end at once, without a change to any
unit.

The projection keeps the starts and the ends, each with its people, in sorted lists with
running sums (``Tally``), by role and for the whole force. A unit whose plan changes
(``update``) is taken in at the next reading, moving its one or two dates (after many
changes, or a change of the outlook, everything is sorted out anew); reading a role's
strength or the total at a date is two binary searches, whatever the size of the force.
``tests/model/test_projection.py`` checks the projection against a count unit by unit, at
every decision of the planner.
"""

from __future__ import annotations

import bisect
import itertools
import math
from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import simpy

    from sim.model.force import Unit
    from sim.scenario.timeline import Timeline

INF = math.inf


class Tally:
    """People at dates (a sorted multiset), and how many are at or before any date.

    The running sums are brought up to date only as far as a reading needs: changes come
    mostly at the far end, and readings are many.
    """

    __slots__ = ("_good", "_sums", "dates", "people", "total")

    def __init__(self, dates: list[float] | None = None, people: list[int] | None = None) -> None:
        self.dates: list[float] = dates or []  # in order (as given)
        self.people: list[int] = people or []
        self.total = sum(self.people)
        self._sums = [0]  # _sums[k]: people at the first k dates, for k <= _good
        self._good = 0

    def add(self, date: float, people: int) -> None:
        k = bisect.bisect_right(self.dates, date)
        self.dates.insert(k, date)
        self.people.insert(k, people)
        self.total += people
        if k < self._good:
            self._good = k

    def remove(self, date: float, people: int) -> None:
        k = bisect.bisect_left(self.dates, date)
        while self.people[k] != people:  # among entries at the same date
            k += 1
        del self.dates[k], self.people[k]
        self.total -= people
        if k < self._good:
            self._good = k

    def upto(self, date: float) -> int:
        """People at dates at or before ``date``."""
        k = bisect.bisect_right(self.dates, date)
        if k > self._good:
            good = self._good
            self._sums[good:] = itertools.accumulate(self.people[good:], initial=self._sums[good])
            self._good = len(self.dates)
        return self._sums[k]


class Outlook:
    """Is an undecided unit whose tour ends at a date expected to be relieved? The planner's
    view now: if the phase it would then be in, as known now, still replaces its role and
    sets the role a target other than zero.

    Worked out once for each phase known now (``stretches``), while the phases known and
    begun stay the same (and the counted force, where targets are shares of it): ``stamp``
    tells when that changes. Where a phase's targets move with the date (a steady path, a
    drift), its stretch says ``None``: judge each date.
    """

    def __init__(self, timeline: Timeline, env: simpy.Environment, counts: list[int]) -> None:
        self.timeline = timeline
        self.env = env
        self.counts = counts  # the force's cap count by role, as it changes
        self._stamp = 0
        self._now = -INF
        self._phases: list[int] = []  # what the stretches were worked out with
        self._begun = -1
        self._by_force = False
        self._counts: list[int] = []
        self._starts: list[float] = []
        self._stretches: list[list[tuple[float, float, bool | None]]] = []

    def stamp(self) -> int:
        """A number that changes whenever the stretches do (or, where they say ``None``,
        whenever the judgement of a date may)."""
        tl, now = self.timeline, self.env.now
        if now == self._now and len(tl.start_counts) == self._begun and not self._by_force:
            return self._stamp  # the same moment: the same phases known
        self._now = now
        phases, begun = tl.known_phases(now), len(tl.start_counts)
        if (
            phases is self._phases
            and begun == self._begun
            and not (self._by_force and self.counts != self._counts)
        ):
            return self._stamp
        self._phases, self._begun, self._counts = phases, begun, list(self.counts)
        self._by_force = any(tl.targets_use_force(i) for i in phases)
        starts = [-INF, *(tl.starts[i] for i in phases[1:])]
        ends = [*starts[1:], INF]
        stretches = [
            [
                (lo, hi, None if tl.targets_move(i) else self._judge(role, tl.starts[i]))
                for lo, hi, i in zip(starts, ends, phases, strict=True)
            ]
            for role in range(len(self.counts))
        ]
        moving = any(flag is None for mine in stretches for _, _, flag in mine)
        if moving or (starts, stretches) != (self._starts, self._stretches):
            self._stamp += 1
        self._starts, self._stretches = starts, stretches
        return self._stamp

    def stretches(self, role: int) -> list[tuple[float, float, bool | None]]:
        """(from, to, relieved) for each phase known now, in order; the first from -inf.
        (As of the last ``stamp``; a phase's targets are the same at every date of it
        unless they move, so its start stands for them all.)"""
        return self._stretches[role]

    def flag(self, role: int, date: float) -> bool | None:
        """The ``relieved`` of the stretch that holds ``date`` (as of the last ``stamp``)."""
        return self.stretches(role)[bisect.bisect_right(self._starts, date) - 1][2]

    def relieved(self, role: int, date: float, stamped: bool = False) -> bool:
        """Is a unit of ``role`` whose tour ends at ``date`` expected to be relieved?
        (``stamped``: as of the last ``stamp``, which the caller has just taken.)"""
        if not stamped:
            self.stamp()
        flag = self.flag(role, date)
        return self._judge(role, date) if flag is None else flag

    def _judge(self, role: int, date: float) -> bool:
        """The rule itself, for one date."""
        tl, now = self.timeline, self.env.now
        if not tl.replaced(role, date, now):
            return False
        return tl.targets(date, self.counts, now)[role] != 0


REBUILD = 16  # units changed since the last reading beyond which all is sorted out anew


class Projection:
    """Each role's projected strength as a step function of the date; see the module
    docstring. ``update(u)`` after any change to ``u``'s plan or membership in the force."""

    def __init__(self, n_roles: int, outlook: Outlook) -> None:
        self.outlook = outlook
        self.n_roles = n_roles
        self._entries: dict[Unit, tuple] = {}  # what each unit adds (``_entry``)
        self._changed: dict[Unit, None] = {}  # units to count again before the next reading
        self._stamp = outlook.stamp()  # the outlook's stamp when the ends were worked out
        self._rebuild()

    # -- changes ----------------------------------------------------------------------

    def update(self, u: Unit) -> None:
        """Count ``u`` as its plan now stands (or not at all, if it is no longer in the
        force or does not count toward the cap). Taken in at the next reading, so that a
        unit changed several times in between is moved once."""
        self._changed[u] = None

    def _sync(self) -> None:
        """Take in the units changed since the last reading: one by one, moving only the
        dates that changed; or, after many changes or a change of the outlook, anew."""
        stamp = self.outlook.stamp()
        if stamp == self._stamp and not self._changed:
            return
        if stamp != self._stamp or len(self._changed) > REBUILD:
            self._stamp = stamp
            self._rebuild()
            return
        for u in self._changed:
            self._recount(u)
        self._changed.clear()

    def _rebuild(self) -> None:
        """Every entry and every tally anew."""
        units = [*self._entries, *(u for u in self._changed if u not in self._entries)]
        self._changed.clear()
        self._entries = {u: entry for u in units if (entry := self._entry(u)) is not None}
        roles = range(self.n_roles)
        starts: list[list[tuple[float, int]]] = [[] for _ in roles]
        ends: list[list[tuple[float, int]]] = [[] for _ in roles]
        new: list[list[tuple[float, int]]] = [[] for _ in roles]
        self.bound = 0  # see ``most_ever``
        for role, size, plan_in, end, fresh, bound in self._entries.values():
            starts[role].append((plan_in, size))
            if fresh:
                new[role].append((plan_in, size))
            if end is not None:
                ends[role].append((end, size))
            self.bound += bound
        self.starts, self.all_starts = _tallies(starts)  # plan_in of each counted unit
        self.ends, self.all_ends = _tallies(ends)  # when each stops holding (if it does)
        self.new, self.all_new = _tallies(new)  # plan_in of each unit that relieves none

    def _recount(self, u: Unit) -> None:
        """Count ``u`` as it now stands, moving only the dates that changed."""
        old, new = self._entries.get(u), self._entry(u)
        if new == old:
            return
        if new is None:
            del self._entries[u]
        else:
            self._entries[u] = new
        moved = old is None or new is None or old[:3] != new[:3]  # role, people or plan_in
        if moved:
            self._start(old, -1)
            self._start(new, 1)
        elif old[4] != new[4]:  # relieves a unit, or no longer
            mark = Tally.add if new[4] else Tally.remove
            mark(self.new[new[0]], new[2], new[1])
            mark(self.all_new, new[2], new[1])
        if moved or old[3] != new[3]:
            self._mark_end(old, -1)
            self._mark_end(new, 1)
        self.bound += (new[5] if new else 0) - (old[5] if old else 0)

    def _entry(self, u: Unit) -> tuple | None:
        """(role, people, plan_in, end, relieves none, bound): what ``u`` adds (None:
        nothing). Its end is when it stops holding the mission, as the outlook stands
        (None: it holds for good)."""
        if not (u.counts and u.active and not u.temporary):
            return None
        if u.handed_over:
            bound = 0
        elif u.relief is not None:
            bound = max(u.size - u.relief.size, 0)
        else:
            bound = u.size
        if u.decided:
            end = max(u.plan_out, u.plan_in)
        elif self.outlook.relieved(u.role, u.tour_end, stamped=True):
            end = None
        else:
            end = max(u.tour_end, u.plan_in)
        return (u.role, u.size, u.plan_in, end, u.relieves is None, bound)

    def _start(self, entry: tuple | None, sign: int) -> None:
        """Put in (``sign`` 1) or take out (-1) the start of ``entry``."""
        if entry is not None:
            mark = Tally.add if sign > 0 else Tally.remove
            role, size, plan_in, _, fresh, _ = entry
            mark(self.starts[role], plan_in, size)
            mark(self.all_starts, plan_in, size)
            if fresh:
                mark(self.new[role], plan_in, size)
                mark(self.all_new, plan_in, size)

    def _mark_end(self, entry: tuple | None, sign: int) -> None:
        """Put in (``sign`` 1) or take out (-1) the end of ``entry``, if it has one."""
        if entry is not None and entry[3] is not None:
            mark = Tally.add if sign > 0 else Tally.remove
            mark(self.ends[entry[0]], entry[3], entry[1])
            mark(self.all_ends, entry[3], entry[1])

    # -- reading ----------------------------------------------------------------------

    def counts(self, u: Unit) -> bool:
        """Is ``u`` in the projection (in the force, counted toward the cap)?"""
        self._sync()
        return u in self._entries

    def at(self, role: int, t: float) -> int:
        """People of ``role`` expected to hold the mission at ``t``."""
        self._sync()
        return self.starts[role].upto(t) - self.ends[role].upto(t)

    def total(self, t: float) -> int:
        """People of every role expected to hold the mission at ``t``."""
        self._sync()
        return self.all_starts.upto(t) - self.all_ends.upto(t)

    def peak(self, t0: float, t1: float) -> int:
        """The highest projected total from ``t0`` up to ``t1`` (not included). The total
        rises only where a unit starts to hold the mission: look there."""
        self._sync()
        starts, ends = self.all_starts, self.all_ends
        first = bisect.bisect_right(starts.dates, t0)
        rises = starts.dates[first : bisect.bisect_left(starts.dates, t1)]
        return max(starts.upto(t) - ends.upto(t) for t in [t0, *rises])

    def strength_from(self, t: float, role: int | None = None) -> int:
        """People (of ``role``, or of every role) expected to hold the mission at ``t``,
        and of new units due to take over after it: ``at`` (or ``total``) plus
        ``arriving_after``."""
        self._sync()
        if role is None:
            starts, ends, new = self.all_starts, self.all_ends, self.all_new
        else:
            starts, ends, new = self.starts[role], self.ends[role], self.new[role]
        return starts.upto(t) - ends.upto(t) + new.total - new.upto(t)

    def arriving_after(self, t: float, role: int | None = None) -> int:
        """People of counted units (of ``role``, or of any) that relieve no unit, due to
        take over after ``t`` (build-up orders not yet in)."""
        self._sync()
        tally = self.all_new if role is None else self.new[role]
        return tally.total - tally.upto(t)

    def most_ever(self) -> int:
        """An upper bound of any projected total: every counted unit that has not handed
        over, a unit and its relief (which never hold the mission at once) counted as the
        larger of the two."""
        self._sync()
        return self.bound

    def profile(self, t0: float, points: list[float]) -> tuple[np.ndarray, np.ndarray]:
        """The projected total at ``t0``, each of ``points`` after it, and every date after
        it where the total may change: (dates, totals), dates in order."""
        self._sync()
        at = np.array(self.all_starts.dates + self.all_ends.dates, dtype=np.float64)
        change = np.array(self.all_starts.people + self.all_ends.people, dtype=np.int64)
        change[len(self.all_starts.dates) :] *= -1
        base = int(change[at <= t0].sum())
        later = (at > t0) & (at < INF)
        more = np.array([x for x in points if x > t0], dtype=np.float64)
        times = np.unique(np.concatenate([[t0], at[later], more]))
        steps = np.bincount(
            np.searchsorted(times, at[later]), weights=change[later], minlength=len(times)
        )
        return times, base + np.cumsum(steps).astype(np.int64)


def _tallies(by_role: list[list[tuple[float, int]]]) -> tuple[list[Tally], Tally]:
    """A tally of each role's (date, people), and one of every role's together."""

    def tally(pairs: Iterable[tuple[float, int]]) -> Tally:
        pairs = sorted(pairs)
        return Tally([date for date, _ in pairs], [people for _, people in pairs])

    return [tally(mine) for mine in by_role], tally(x for mine in by_role for x in mine)
