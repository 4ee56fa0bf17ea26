"""Airlift: a number of seats on each flying day, each way (an aircraft that brings people
in takes people out on its way back).

Units queue for seats, first come first served; a unit larger than a day's seats moves
over several days, and its people count where they are. Departures board first, so the
room they leave under the cap is there for the day's arrivals.

Seats per day, and which flights are lost, are drawn once for the whole run from the
``airlift`` stream, so two scenarios with the same airlift see the same flights whatever
else differs. The planner knows only the planned seat rate (``planned_per_day``): which
flights will be lost is the world's business, not something it can plan on.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Generator
from dataclasses import dataclass

import numpy as np
import simpy

from sim.model.force import Force, Unit
from sim.scenario.schema import Airlift as AirliftSpec

FLIGHT_HOUR = 0.5  # flights land and leave at midday


def planned_per_day(spec: AirliftSpec) -> float:
    """Seats per day each way as scheduled, before any flight is lost."""
    if spec.seats_per_day is not None:
        return float(spec.seats_per_day)
    return float(spec.sorties_per_week or 0) * int(spec.seats_per_sortie or 0) / 7


def seats_per_day(spec: AirliftSpec, n_days: int, rng: np.random.Generator) -> np.ndarray:
    """Seats flown on each day: the schedule less the flights lost, drawn once per run."""
    days = np.arange(n_days + 1, dtype=np.float64)
    if spec.seats_per_day is not None:
        per_flight = np.diff(np.floor(days * spec.seats_per_day))
        lost = rng.random(n_days) < spec.cancel_probability
        return np.where(lost, 0, per_flight).astype(np.int64)
    per_week = float(spec.sorties_per_week or 0)
    sorties = np.diff(np.floor(days * per_week / 7)).astype(np.int64)
    slots = max(math.ceil(per_week / 7), 1)
    lost = rng.random((n_days, slots)) < spec.cancel_probability
    scheduled = np.arange(slots) < sorties[:, None]  # a lost slot matters only if flown
    flown = sorties - (lost & scheduled).sum(axis=1)
    return flown * int(spec.seats_per_sortie or 0)


def phase_specs(base: AirliftSpec, changes: list) -> list[AirliftSpec]:
    """The airlift of each phase: the scenario's, with the phase's changes laid over."""
    specs = []
    for change in changes:
        if change is None:
            specs.append(base)
            continue
        update = change.model_dump(exclude_unset=True, exclude={"source"})
        if "seats_per_day" in update:
            update |= {"seats_per_sortie": None, "sorties_per_week": None}
        elif {"seats_per_sortie", "sorties_per_week"} & set(update):
            update["seats_per_day"] = None
        specs.append(base.model_copy(update=update))
    return specs


def seats_by_phase(
    specs: list[AirliftSpec], starts: list[float], n_days: int, rng: np.random.Generator
) -> np.ndarray:
    """Seats flown on each day under the airlift of the phase in force that day.

    The scenario's own schedule is drawn first, exactly as without changes (so options
    that differ only later see the same flights until then); each other airlift of a
    phase is drawn after it, once per distinct airlift.
    """
    seats = seats_per_day(specs[0], n_days, rng)
    drawn = {specs[0].model_dump_json(): seats}
    out = seats.copy()
    for i, spec in enumerate(specs):
        key = spec.model_dump_json()
        if key not in drawn:
            drawn[key] = seats_per_day(spec, n_days, rng)
        first = max(int(starts[i]), 0)
        last = int(starts[i + 1]) if i + 1 < len(starts) else n_days
        out[first:last] = drawn[key][first:last]
    return out


@dataclass(eq=False)
class _Move:
    unit: Unit
    inbound: bool
    left: int
    done: simpy.Event


class Airlift:
    """Moves people on the day's flights; ``fly()`` returns an event fired when all have moved."""

    def __init__(
        self,
        env: simpy.Environment,
        planned: list[float],
        seats: np.ndarray,
        force: Force,
    ) -> None:
        self.env = env
        self.seats = seats
        self.planned = [max(p, 1e-9) for p in planned]  # planned seats a day, by phase
        self.force = force
        self.inbound: deque[_Move] = deque()
        self.outbound: deque[_Move] = deque()
        self._wake: simpy.Event | None = None
        self._last_day = -1
        env.process(self._fly())

    def planned_at(self, phase: int) -> float:
        """The planned seat rate (each way, a day) of phase number ``phase``."""
        return self.planned[phase]

    def fly(self, unit: Unit, inbound: bool) -> simpy.Event:
        people = unit.size if inbound else unit.present
        move = _Move(unit, inbound, people, self.env.event())
        if people == 0:
            move.done.succeed()
            return move.done
        (self.inbound if inbound else self.outbound).append(move)
        if self._wake is not None and not self._wake.triggered:
            self._wake.succeed()
        return move.done

    def cut_short(self, unit: Unit) -> int:
        """Stop flying ``unit`` in: those not yet flown stay home. Returns how many."""
        for move in self.inbound:
            if move.unit is unit:
                self.inbound.remove(move)
                move.done.succeed()
                return move.left
        return 0

    def _fly(self) -> Generator:
        env = self.env
        while True:
            if not self.inbound and not self.outbound:
                self._wake = env.event()
                yield self._wake
                self._wake = None
            # The next flight: today's if it has not left yet, else tomorrow's.
            day = max(math.ceil(env.now - FLIGHT_HOUR), self._last_day + 1)
            yield env.timeout(day + FLIGHT_HOUR - env.now)
            self._last_day = day
            seats = int(self.seats[day]) if day < len(self.seats) else 0
            self._board(self.outbound, seats)
            self._board(self.inbound, seats)

    def _board(self, queue: deque[_Move], seats: int) -> None:
        while queue and seats > 0:
            move = queue[0]
            people = min(move.left, seats)
            seats -= people
            move.left -= people
            self.force.move(move.unit, people, move.inbound)
            if move.left == 0:
                queue.popleft()
                move.done.succeed()
