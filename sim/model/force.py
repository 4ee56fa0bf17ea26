"""Units and the force in the country: who is there, and who counts toward the cap.

Two counts are kept for every role, always in step with the recorder:

* boots on the ground: every person present, whatever their status;
* cap count: what official figures count. A unit counts once it holds the mission: a new
  unit from its arrival, a relief from the transfer of authority (so the incoming unit of a
  relief in place is left out, and from the handover the outgoing one is), and never for
  temporary personnel (``counts_toward_cap: false``).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import simpy

from sim.model.recorder import Recorder

if TYPE_CHECKING:
    from sim.scenario.schema import UnitType

ORDERED, STAGED, ARRIVING, IN_COUNTRY, LEAVING, HOME, CANCELLED = (
    "ordered",
    "staged",
    "arriving",
    "in_country",
    "leaving",
    "home",
    "cancelled",
)


@dataclass(eq=False, slots=True)
class Unit:
    """One unit: what it is, where it is, and what the planner expects of it."""

    uid: str
    type_name: str
    role: int
    size: int
    counts: bool
    tour_days: int
    ready_at: float  # generation (forming and training) finished
    plan_in: float  # when it is expected to hold the mission
    tour_end: float  # planned until it arrives, then its arrival plus its tour
    recalled: simpy.Event
    settled: simpy.Event  # (reliefs only) took over, or will not: True or False
    state: str = ORDERED
    present: int = 0
    holding: bool = False  # holds the mission (counts toward the cap if ``counts``)
    relieves: Unit | None = None
    relief: Unit | None = None
    decided: bool = False  # its relief has been decided (ordered or not)
    handed_over: bool = False  # its relief has taken over: it is only waiting to fly home
    plan_out: float = math.inf  # when it is expected to stop holding the mission
    reserved: int = 0  # cap room reserved for it while it flies in
    arrive_at: float = 0.0  # planned date to fly in
    recall_at: float = math.inf  # when it has been told to leave early
    slip: float = 0.0  # days it will fly late (the planner learns of it only as it happens)
    extension: float = 0.0  # days added to its tour (known from its arrival)
    temporary: bool = False  # a temporary deployment: outside every role's target
    due_by: float = math.inf  # (temporary) end of the day it was due in the country
    out_by: float = math.inf  # (temporary) end of the day it was due to have left
    label: str = ""  # (temporary) the deployment it belongs to
    count_role: int = -1  # where its people are counted: its role, or while it retrains
    # for a new mission (``role`` is already the new one), the old role

    def __post_init__(self) -> None:
        if self.count_role < 0:
            self.count_role = self.role

    @property
    def active(self) -> bool:
        return self.state not in (HOME, CANCELLED)

    @property
    def boarded(self) -> bool:
        """Has started to fly in (or later): too late to cancel the order."""
        return self.state not in (ORDERED, STAGED, CANCELLED)


class Force:
    """The units and the per-role counts, changed only through these methods."""

    def __init__(
        self,
        env: simpy.Environment,
        roles: list[str],
        recorder: Recorder,
        bases: list[tuple[str, int]] = (),
    ) -> None:
        self.env = env
        # Bases close in order of their thresholds, the first day the force falls below one.
        self.open_bases = sorted(bases, key=lambda b: b[1], reverse=True)
        self.roles = roles
        self.recorder = recorder
        self.units: list[Unit] = []  # active: ordered, on the way, in the country or leaving
        self.outside: list[Unit] = []  # active temporary deployments, which no target counts
        self.by_role: list[list[Unit]] = [[] for _ in roles]
        self.per_type: dict[str, int] = {}
        self.bog = [0] * len(roles)
        self.cap_count = [0] * len(roles)
        self.reserved = 0
        self._serial: dict[str, int] = {}
        # Told of each unit that joins or leaves the force or changes role (the planner's
        # projection listens, and is told of changes to a unit's plan by the planner).
        self.on_change: Callable[[Unit], None] = lambda unit: None

    def new_uid(self, type_name: str) -> str:
        n = self._serial.get(type_name, 0) + 1
        self._serial[type_name] = n
        return f"{type_name}-{n:03d}"

    def new_unit(self, type_name: str, unit_type: UnitType, tour_days: int, **plan: object) -> Unit:
        """A new unit of ``type_name`` (not yet in the force): its name, role, size and
        events from its type, its dates and state from ``plan`` (``ready_at``, ``plan_in``,
        ``tour_end`` and any other field of ``Unit``)."""
        return Unit(
            uid=self.new_uid(type_name),
            type_name=type_name,
            role=self.roles.index(unit_type.role),
            size=unit_type.size,
            counts=unit_type.counts_toward_cap,
            tour_days=tour_days,
            recalled=self.env.event(),
            settled=self.env.event(),
            **plan,
        )

    def add(self, unit: Unit) -> None:
        if unit.temporary:
            self.outside.append(unit)
            return
        self.units.append(unit)
        self.by_role[unit.role].append(unit)
        self.per_type[unit.type_name] = self.per_type.get(unit.type_name, 0) + 1
        self.on_change(unit)

    def retire(self, unit: Unit, state: str) -> None:
        """The unit is home, or its order was called off: it no longer counts anywhere."""
        if not unit.active:
            return
        unit.state = state
        if unit.temporary:
            self.outside.remove(unit)
            return
        self.units.remove(unit)
        self.by_role[unit.role].remove(unit)
        self.per_type[unit.type_name] -= 1
        self.on_change(unit)

    @property
    def total_bog(self) -> int:
        return sum(self.bog)

    @property
    def total_cap(self) -> int:
        return sum(self.cap_count)

    def reserve(self, unit: Unit) -> None:
        """Keep cap room for a unit about to fly in, so two units never claim the same room."""
        if unit.counts:
            unit.reserved = unit.size
            self.reserved += unit.size

    def move(self, unit: Unit, people: int, inbound: bool) -> None:
        """``people`` of ``unit`` land in (or leave) the country on one flight."""
        sign = 1 if inbound else -1
        unit.present += sign * people
        counted = people if (unit.holding and unit.counts) else 0
        if inbound and unit.reserved:
            used = min(unit.reserved, counted)
            unit.reserved -= used
            self.reserved -= used
        self.bog[unit.count_role] += sign * people
        self.cap_count[unit.count_role] += sign * counted
        self.recorder.change(
            self.env.now,
            unit.count_role,
            sign * people,
            sign * counted,
            arrived=people if inbound else 0,
            departed=0 if inbound else people,
        )
        if not inbound:
            self.close_bases()

    def place(self, unit: Unit) -> None:
        """A unit already in the country when the run starts (not an arrival)."""
        unit.present = unit.size
        counted = unit.size if (unit.holding and unit.counts) else 0
        self.bog[unit.count_role] += unit.size
        self.cap_count[unit.count_role] += counted
        self.recorder.change(self.env.now, unit.count_role, unit.size, counted)

    def close_bases(self) -> None:
        total = self.total_bog
        while self.open_bases and total < self.open_bases[0][1]:
            name, _ = self.open_bases.pop(0)
            self.recorder.base_closed[name] = self.env.now
            self.recorder.log(self.env.now, "base_closed", people=total, detail=name)

    def hold(self, unit: Unit, holding: bool) -> None:
        """The unit takes (True) or hands over (False) the mission."""
        if unit.holding == holding:
            return
        unit.holding = holding
        if unit.counts and unit.present:
            delta = unit.present if holding else -unit.present
            self.cap_count[unit.count_role] += delta
            self.recorder.change(self.env.now, unit.count_role, 0, delta)

    def retask(self, unit: Unit, type_name: str, role: int) -> None:
        """The unit is to take on another mission: plan it as ``type_name`` of ``role``
        from now; its people stay counted in their old role until ``recount``."""
        self.by_role[unit.role].remove(unit)
        self.by_role[role].append(unit)
        self.per_type[unit.type_name] -= 1
        self.per_type[type_name] = self.per_type.get(type_name, 0) + 1
        unit.type_name, unit.role = type_name, role
        self.on_change(unit)

    def recount(self, unit: Unit) -> None:
        """Retrained: the unit's people now count in its new role (nobody moves)."""
        old, new = unit.count_role, unit.role
        if old == new:
            return
        counted = unit.present if (unit.holding and unit.counts) else 0
        for role, sign in ((old, -1), (new, 1)):
            self.bog[role] += sign * unit.present
            self.cap_count[role] += sign * counted
            self.recorder.change(self.env.now, role, sign * unit.present, sign * counted)
        unit.count_role = new

    def release(self, unit: Unit) -> None:
        """Give back any cap room still reserved for the unit."""
        self.reserved -= unit.reserved
        unit.reserved = 0
