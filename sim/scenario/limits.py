"""Limits on what a scenario may ask for: well past any real force posture, and low enough
that no value makes a replication hang or run out of memory.

Without them a typo runs for hours: ``cap: 10000000`` has the planner build and rotate
most of a million units, ``end: 9999-12-31`` records eight thousand years a day at a
time, and a billion attacks a month fill the memory with their log. Each limit says why it
lies where it does, with a real-world reference point, and the loader refuses a value
beyond it with file, line and key:

    cap: at most 1,000,000 people (got 10,000,000): a limit sim sets; almost twice ...

A limit on one value is an annotation of its field (``Annotated[int, Field(ge=0),
PEOPLE]``): the schema checks it and publishes it as a ``maximum`` in the JSON Schema.
Limits on what the values come to together (people and units at once, unit tours and
attacks over the run) are worked out by ``estimate()`` and checked by
``limit_problems()``, one of the rules of ``schema.check()``.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic_core import PydanticCustomError, core_schema

if TYPE_CHECKING:
    from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler

    from sim.scenario.schema import Scenario

Path = tuple[str | int, ...]
MONTH_DAYS = 365.25 / 12


@dataclass(frozen=True)
class Limit:
    """The most a scenario may ask for of one quantity, and why sim sets it there.

    Used as a field annotation, it refuses a larger value (``items``: a list or mapping
    with more entries) with ``message()``.
    """

    most: int
    unit: str  # what is counted, as the message reads: "attacks a month"
    why: str  # the reference point that shows no real posture comes near
    items: bool = False  # limits how many entries a list or mapping holds, not a value

    def message(self, got: str) -> str:
        return f"at most {self.most:,} {self.unit} (got {got}): a limit sim sets; {self.why}"

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_after_validator_function(self._check, handler(source))

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> dict[str, Any]:
        out = handler(schema)
        if not self.items:
            out["maximum"] = self.most
        elif out.get("type") == "array":
            out["maxItems"] = self.most
        else:
            out["maxProperties"] = self.most
        return out

    def _check(self, value: Any) -> Any:
        n = len(value) if self.items else value
        if n > self.most:
            # A custom error, so the message reaches the user as written ("Value error, "
            # is what pydantic puts before a ValueError's).
            raise PydanticCustomError("limit", "{message}", {"message": self.message(number(n))})
        return value


HORIZON = Limit(
    50,
    "years from start to end",
    "two and a half times the longest US war (Afghanistan, 2001-2021), and every "
    "replication records each day",
)
PEOPLE = Limit(
    1_000_000,
    "people",
    "almost twice the largest US deployment since 1945 (about 543,000 in Vietnam in 1969)",
)
UNIT_SIZE = Limit(
    50_000,
    "people in a unit",
    "more than a corps of several divisions (20,000 to 45,000), the largest formation "
    "that deploys as one",
)
UNITS = Limit(
    5_000,
    "units at once",
    "more than the US force in Vietnam at its 1969 peak had companies (543,000 people, "
    "some 3,600 companies of 150), and the planner's work grows with the square of the "
    "units deployed",
)
UNIT_TOURS = Limit(
    100_000,
    "unit tours over the run",
    "five times the whole Vietnam war counted in company tours (about 2.7 million served, "
    "some 18,000 companies of 150), and the model builds and logs each tour",
)
ATTACKS_PER_MONTH = Limit(
    10_000,
    "attacks a month",
    "the worst months in Iraq, in mid-2007, saw about 6,500 attacks on coalition and "
    "Iraqi forces and civilians together",
)
ATTACKS = Limit(
    500_000,
    "attacks over the run",
    "more than the 392,000 reports of the Iraq War Logs (2004-2009), which log every "
    "incident, not only attacks, and the model logs each attack",
)
CASUALTIES_PER_ATTACK = Limit(
    1_000,
    "casualties an attack on average",
    "the deadliest attack on US forces since 1945, the 1983 Beirut barracks bombing, "
    "killed 241 and wounded 128",
)
SORTIES_PER_WEEK = Limit(
    2_000,
    "sorties a week",
    "about 285 flights a day; the 2021 Kabul evacuation flew 89 on its busiest day "
    "(2021-08-23), and the model draws every sortie slot of every day",
)
PHASES = Limit(
    200,
    "phases or announcements",
    "a change of policy every quarter for 50 years, and each phase may draw an airlift of "
    "its own for the whole run",
    items=True,
)
ROLES = Limit(
    20,
    "roles",
    "four times the five of the shipped scenarios, and each role is a column of every daily table",
    items=True,
)
UNIT_TYPES = Limit(
    100,
    "unit types",
    "fourteen times the seven of the shipped scenarios, and the planner weighs every type "
    "of a role at each review",
    items=True,
)

LIMITS = (
    HORIZON,
    PEOPLE,
    UNIT_SIZE,
    UNITS,
    UNIT_TOURS,
    ATTACKS_PER_MONTH,
    ATTACKS,
    CASUALTIES_PER_ATTACK,
    SORTIES_PER_WEEK,
    PHASES,
    ROLES,
    UNIT_TYPES,
)


def number(value: float) -> str:
    """A count or rate as a message shows it: 10,000,000 and 1e+09, never 400 digits."""
    if isinstance(value, int) and abs(value) < 10**15:
        return f"{value:,}"
    try:
        return f"{float(value):,.6g}"
    except OverflowError:
        return "a number too large to show"


# --- what a scenario comes to ---------------------------------------------------------


@dataclass(frozen=True)
class Scale:
    """What a scenario comes to, estimated from its values before anything runs.

    Upper bounds in spirit rather than forecasts: ``units`` fills the largest force the
    scenario asks for with its smallest units as far as their supply allows, and
    ``unit_tours`` with the units that rotate most often.
    """

    days: int  # days recorded by every replication
    people: int  # most people in the country at once
    units: int  # most units deployed or in generation at once
    unit_tours: int  # unit tours over the run, reliefs included
    attacks: int  # attacks expected over the run


@dataclass(frozen=True)
class _Part:
    """A share of the estimate and where the scenario asks for it."""

    amount: float
    path: Path
    what: str


def estimate(s: Scenario) -> Scale:
    """The scale of ``s``: days, people and units at once, unit tours and attacks."""
    days = _days(s)
    return Scale(days, *(_total(parts) for _, parts, _ in _measures(s, days)))


def limit_problems(s: Scenario) -> list[tuple[Path, str]]:
    """(path, message) for what the scenario comes to beyond a limit: the horizon, then
    people, units, unit tours and attacks, reporting only the first (the others follow
    from it), at the key that asks for the most of it."""
    if s.end > _years_after(s.start, HORIZON.most):
        years = (s.end - s.start).days / 365.25
        return [(("end",), HORIZON.message(f"{years:,.1f} years"))]
    for limit, parts, got in _measures(s, _days(s)):
        amount = _total(parts)
        if amount > limit.most:
            top = max(parts, key=lambda p: p.amount)
            return [(top.path, limit.message(got.format(n=number(amount), what=top.what)))]
    return []


def _measures(s: Scenario, days: int) -> Iterator[tuple[Limit, list[_Part], str]]:
    """Each limit on what the values come to, its parts, and how a message gives it."""
    people = _people(s)
    yield PEOPLE, people, "{n} at once, with {what}"
    yield UNITS, _units(s, people, days, tours=False), "about {n}, {what}"
    yield UNIT_TOURS, _units(s, people, days, tours=True), "about {n}, {what}"
    yield ATTACKS, _attacks(s, people, days), "about {n} expected, the most at {what}"


def _total(parts: list[_Part]) -> int:
    return math.ceil(sum(p.amount for p in parts))


def _years_after(day: dt.date, years: int) -> dt.date:
    if day.year + years > dt.MAXYEAR:
        return dt.date.max
    if (day.month, day.day) == (2, 29):  # into a common year: the day before 1 March
        day = day.replace(day=28)
    return day.replace(year=day.year + years)


def _days(s: Scenario) -> int:
    return max((s.end - s.start).days + 1, 0)


def _people(s: Scenario) -> list[_Part]:
    """The most people at once: the largest counted force the scenario asks for (a cap,
    or the initial force if larger), the uncounted units it keeps, every temporary
    deployment."""
    counted = [_Part(s.cap, ("cap",), f"a cap of {s.cap:,}")]
    for i, phase in enumerate(s.policy.phases or []):
        if phase.cap is not None:
            counted.append(_Part(phase.cap, s.policy.path_of(i, "cap"), f"a cap of {phase.cap:,}"))
    start = sum(
        g.count * s.unit_types[g.unit_type].size
        for g in s.initial_force
        if g.unit_type in s.unit_types and s.unit_types[g.unit_type].counts_toward_cap
    )
    counted.append(_Part(start, ("initial_force",), f"{start:,} counted at the start"))
    parts = [max(counted, key=lambda p: p.amount)]
    for name, (n, path) in _kept_uncounted(s).items():
        people = n * _size(s, name)
        parts.append(_Part(people, path, f"{n:,} {name} units of {_size(s, name):,} kept"))
    for units, name, path in _temporary(s):
        people = units * _size(s, name)
        parts.append(_Part(people, path, f"{people:,} on a temporary deployment"))
    return parts


def _units(s: Scenario, people: list[_Part], days: int, tours: bool) -> list[_Part]:
    """Units at once (or unit tours over the run): the counted force filled with the
    units that make the most of them, as far as supply allows; the uncounted units kept;
    the temporary units (one tour each)."""
    counted = people[0]
    types = [(name, ut) for name, ut in s.unit_types.items() if ut.counts_toward_cap]

    def per_unit(name: str) -> float:  # tours one unit's place in the force comes to
        return days / _tour(s, name) + 1 if tours else 1.0

    types.sort(key=lambda item: per_unit(item[0]) / item[1].size, reverse=True)
    left, parts = float(counted.amount), []
    for name, ut in types:
        if left <= 0:
            break
        n = left / ut.size if ut.supply is None else min(left / ut.size, ut.supply)
        left -= n * ut.size
        supply = "no supply limit" if ut.supply is None else f"supply {ut.supply:,}"
        if tours:
            tour = _tour(s, name)
            what = (
                f"{n:,.0f} {name} units ({supply}) on tours of {tour:,} "
                f"day{'s' if tour > 1 else ''} for {days:,} days"
            )
        else:
            what = f"{counted.what} filled with {name} units of {ut.size:,}, {supply}"
        # Tours over the run are the run's length's doing as much as anything's: shown at
        # `end`, with the units and tours that come to them in the message.
        parts.append(_Part(n * per_unit(name), ("end",) if tours else counted.path, what))
    for name, (n, path) in _kept_uncounted(s).items():
        what = f"{n:,} {name} units kept"
        if tours:
            path, what = ("end",), f"{what} on tours of {_tour(s, name):,} days for {days:,} days"
        parts.append(_Part(n * per_unit(name), path, what))
    for units, _, path in _temporary(s):
        parts.append(_Part(units, path, f"{units:,} units on a temporary deployment"))
    return parts


def _attacks(s: Scenario, people: list[_Part], days: int) -> list[_Part]:
    """Attacks expected in each phase, at its rate (per 1,000 on the ground: at the most
    people the scenario can have at once)."""
    phases = s.policy.phases or []
    per_1000 = s.threat.rate_basis == "per_1000_boots_on_ground"
    force = sum(p.amount for p in people) / 1000 if per_1000 else 1.0
    starts = [min(max((p.start - s.start).days, 0), days) for p in phases]
    parts = []
    for i, phase in enumerate(phases):
        end = starts[i + 1] if i + 1 < len(phases) else days
        months = max(end - starts[i], 0) / MONTH_DAYS
        if phase.attacks_per_month is None:
            rate, path = s.threat.attacks_per_month, ("threat", "attacks_per_month")
        else:
            rate, path = phase.attacks_per_month, s.policy.path_of(i, "attacks_per_month")
        what = f"{number(rate)} a month for {months:,.1f} months"
        if per_1000:
            what = (
                f"{number(rate)} a month per 1,000 people, with up to "
                f"{force * 1000:,.0f} people, for {months:,.1f} months"
            )
        parts.append(_Part(rate * force * months, path, what))
    return parts


def _size(s: Scenario, name: str) -> int:
    ut = s.unit_types.get(name)
    return ut.size if ut is not None else 0  # an unknown type is reported by check()


def _tour(s: Scenario, name: str) -> int:
    ut = s.unit_types[name]
    service = s.services.get(ut.service)
    days = ut.tour_days or (service.tour_days if service else 1)
    return days + s.tour_extension_days


def _kept_uncounted(s: Scenario) -> dict[str, tuple[int, Path]]:
    """Units of types that do not count toward the cap, most kept at once, by type: at the
    start, or as a phase's detachments."""
    kept: dict[str, tuple[int, Path]] = {}
    for i, g in enumerate(s.initial_force):
        ut = s.unit_types.get(g.unit_type)
        if ut is not None and not ut.counts_toward_cap:
            n, path = kept.get(g.unit_type, (0, ("initial_force", i, "count")))
            kept[g.unit_type] = (n + g.count, path)
    for i, phase in enumerate(s.policy.phases or []):
        for name, n in phase.detachments.items():
            if name in s.unit_types and n > kept.get(name, (0, ()))[0]:
                kept[name] = (n, (*s.policy.path_of(i, "detachments"), name))
    return kept


def _temporary(s: Scenario) -> list[tuple[int, str, Path]]:
    """(units, unit type, path) of every temporary deployment of every phase."""
    out = []
    for i, phase in enumerate(s.policy.phases or []):
        for k, d in enumerate(phase.temporary):
            size = _size(s, d.unit_type)
            if not size:
                continue
            units = d.units if d.units is not None else math.ceil((d.people or 0) / size)
            out.append((units, d.unit_type, (*s.policy.path_of(i, "temporary"), k)))
    return out
