"""The recorder: every change of the counts and every event, as the model runs.

Changes are kept as a log and turned into end-of-day values once, at the end, which is
both exact (no sampling between events) and cheap (no daily process).
"""

from __future__ import annotations

import heapq
import itertools
from dataclasses import dataclass, field

import numpy as np

EVENT_FIELDS = ("time", "event", "unit", "unit_type", "role", "people", "detail")


@dataclass
class Recording:
    """What one replication produced, in model time (days since the scenario start).

    ``daily`` arrays are shaped (days, roles): end-of-day boots on the ground and cap
    count, and people who arrived and left during the day.
    """

    roles: list[str]
    boots_on_ground: np.ndarray
    cap_count: np.ndarray
    arrivals: np.ndarray
    departures: np.ndarray
    events: list[tuple]
    base_closed: dict[str, float] = field(default_factory=dict)
    sim_events: int = 0
    processes: int = 0


class Recorder:
    """Collects count changes and the event log; does no I/O."""

    def __init__(self, roles: list[str]) -> None:
        self.roles = roles
        self._changes: list[tuple[float, int, int, int, int, int]] = []  # in time order
        self._array: np.ndarray | None = None
        self.events: list[tuple] = []
        self.base_closed: dict[str, float] = {}

    def change(
        self,
        time: float,
        role: int,
        bog: int,
        cap: int,
        arrived: int = 0,
        departed: int = 0,
    ) -> None:
        self._changes.append((time, role, bog, cap, arrived, departed))

    def log(
        self,
        time: float,
        event: str,
        unit: object | None = None,
        people: int = 0,
        detail: str = "",
        role: str = "",
    ) -> None:
        if unit is not None:
            uid, type_name = unit.uid, unit.type_name  # type: ignore[attr-defined]
            role = role or self.roles[unit.role]  # type: ignore[attr-defined]
        else:
            uid = type_name = ""
        self.events.append((time, event, uid, type_name, role, people, detail))

    def boots_before(self, times: list[float]) -> list[list[int]]:
        """Boots on the ground by role just before each of ``times`` (in order)."""
        n_roles = len(self.roles)
        if not self._changes:
            return [[0] * n_roles for _ in times]
        log = self._log()
        # by role, the boots after each change (row k: after the first k changes)
        after = np.zeros((len(log) + 1, n_roles), dtype=np.int64)
        after[np.arange(1, len(log) + 1), log[:, 1].astype(np.int64)] = np.rint(log[:, 2])
        np.cumsum(after, axis=0, out=after)
        return after[np.searchsorted(log[:, 0], times, side="left")].tolist()

    def boots_at_start(self) -> int:
        """Boots on the ground once the changes made at time 0 are counted."""
        at_start = itertools.takewhile(lambda change: change[0] == 0, self._changes)
        return sum(change[2] for change in at_start)

    def _log(self) -> np.ndarray:
        """The changes as an array, one row each (worked out once the run is over)."""
        if self._array is None or len(self._array) != len(self._changes):
            self._array = np.asarray(self._changes, dtype=np.float64)
        return self._array

    def total_boots_steps(self) -> list[tuple[float, int]]:
        """Total boots on the ground as a step function: (time, total from then on).

        One step per time the total changes, in time order, counting every change made at
        that time (changes that cancel out, such as a move between roles, make no step).
        """
        steps: list[tuple[float, int]] = []
        total = before = 0
        for i, (time, _, bog, *_) in enumerate(self._changes):
            total += bog
            last_at_time = i + 1 == len(self._changes) or self._changes[i + 1][0] != time
            if last_at_time and total != before:
                steps.append((time, total))
                before = total
        return steps

    def add_events(self, entries: list[tuple]) -> None:
        """Merge ``entries`` (in time order) into the event log, after any at the same time."""
        self.events = list(heapq.merge(self.events, entries, key=lambda e: e[0]))

    def finish(self, n_days: int, sim_events: int = 0) -> Recording:
        """End-of-day values for days 0..n_days-1 (a change at time t falls on day floor(t))."""
        n_roles = len(self.roles)
        shape = (n_days, n_roles)
        if not self._changes:
            zeros = np.zeros(shape, dtype=np.int64)
            return Recording(
                self.roles,
                zeros,
                zeros.copy(),
                zeros.copy(),
                zeros.copy(),
                self.events,
                dict(self.base_closed),
                sim_events,
            )
        log = self._log()
        day = np.minimum(np.floor(log[:, 0]).astype(np.int64), n_days)  # n_days: after the end
        flat = day * n_roles + log[:, 1].astype(np.int64)
        size = (n_days + 1) * n_roles

        def per_day(column: int) -> np.ndarray:
            summed = np.bincount(flat, weights=log[:, column], minlength=size)
            return np.rint(summed).astype(np.int64).reshape(n_days + 1, n_roles)[:n_days]

        return Recording(
            roles=self.roles,
            boots_on_ground=np.cumsum(per_day(2), axis=0),
            cap_count=np.cumsum(per_day(3), axis=0),
            arrivals=per_day(4),
            departures=per_day(5),
            events=self.events,
            base_closed=dict(self.base_closed),
            sim_events=sim_events,
        )
