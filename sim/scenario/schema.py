"""The scenario schema: pydantic models for one policy option, with every default in one place.

Types are checked strictly (a string where a number goes is an error, not a conversion) and
unknown keys are refused. Rules that tie several fields together (a deadline before its
start, targets above the cap, a unit type that does not exist) live in ``check()``, which
returns each problem with the dotted path of the key it concerns, so the loader can point
at the line.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, PrivateAttr

from sim.scenario.fields import (
    AttacksPerMonth,
    Day,
    Name,
    Path,
    People,
    Rate,
    Share,
    Source,
    Units,
    _Model,
    slug,
)
from sim.scenario.limits import (
    CASUALTIES_PER_ATTACK,
    ROLES,
    SORTIES_PER_WEEK,
    UNIT_SIZE,
    UNIT_TYPES,
    UNITS,
    limit_problems,
)
from sim.scenario.policy import Phase, Policy, check_policy
from sim.scenario.uncertainty import Distribution

__all__ = [
    "Day",
    "Name",
    "Path",
    "People",
    "Phase",
    "Policy",
    "Rate",
    "Scenario",
    "Share",
    "Source",
    "check",
    "slug",
]


class Service(_Model):
    """A military service and the tour length its units serve."""

    tour_days: int = Field(gt=0, le=3650, description="Length of a unit's tour in the country.")
    source: Source = None


class UnitType(_Model):
    """A kind of unit that can be sent: its role, size, service and how it is generated."""

    role: Name = Field(description="One of the scenario's `roles`.")
    service: Name = Field(description="One of the scenario's `services`; sets the tour length.")
    size: Annotated[int, UNIT_SIZE] = Field(gt=0, description="People in one unit.")
    tour_days: int | None = Field(
        default=None, gt=0, le=3650, description="Overrides the service's tour length."
    )
    lead_time_days: int = Field(
        default=0, ge=0, le=3650, description="Days to form and train a unit before it can deploy."
    )
    supply: Annotated[int, Field(gt=0), UNITS] | None = Field(
        default=None,
        description="Most units of this type deployed or in generation at once (none: no limit).",
    )
    counts_toward_cap: bool = Field(
        default=True,
        description="False for temporary personnel, whom official figures leave out.",
    )
    converts_to: dict[Name, Annotated[int, Field(ge=0, le=3650)]] = Field(
        default_factory=dict,
        description=(
            "Unit types a unit of this type can be re-missioned to in place, with the days "
            "of retraining each takes."
        ),
    )
    description: str | None = None
    source: Source = None


class InitialUnits(_Model):
    """Units of one type in the country when the scenario starts (tours evenly staggered)."""

    unit_type: Name
    count: Units
    source: Source = None


class ReliefInPlace(_Model):
    """How a unit hands over to the unit that relieves it."""

    overlap_days: int = Field(
        default=14, ge=0, le=365, description="Days both units are in the country."
    )
    source: Source = None


class Airlift(_Model):
    """Seats for people flying in and out (each way); arrivals and departures queue for them.

    Give either ``seats_per_day`` or both ``seats_per_sortie`` and ``sorties_per_week``.
    """

    seats_per_day: float | None = Field(default=None, gt=0, le=1e7)
    seats_per_sortie: int | None = Field(default=None, gt=0, le=10_000)
    sorties_per_week: Annotated[float, Field(gt=0), SORTIES_PER_WEEK] | None = None
    cancel_probability: float = Field(
        default=0.0, ge=0.0, lt=1.0, description="Chance a flight is lost (weather, maintenance)."
    )
    source: Source = None


class Threat(_Model):
    """Attacks on the force: a random process with a rate set here or by the phase."""

    attacks_per_month: AttacksPerMonth
    rate_basis: Literal["fixed", "per_1000_boots_on_ground"] = Field(
        default="fixed",
        description=(
            "With `fixed`, `attacks_per_month` (and a phase's `attacks_per_month`) is "
            "attacks per month whatever the force's size; with `per_1000_boots_on_ground`, "
            "it is attacks per month per 1,000 people on the ground, so the rate follows "
            "the force's size day by day (a force of zero draws no attacks)."
        ),
    )
    casualties_per_attack: Annotated[float, Field(ge=0.0), CASUALTIES_PER_ATTACK] = Field(
        description="Mean casualties of an attack (Poisson), whatever the role it hits."
    )
    exposure: dict[Name, Rate] = Field(
        default_factory=dict,
        description=(
            "Relative risk per person in a role (default 1): an attack hits a role in "
            "proportion to its boots on the ground times its exposure."
        ),
    )
    source: Source = None


class BaseSite(_Model):
    """A base whose fixed running cost stops only when it closes."""

    annual_cost_usd: Rate
    closes_below: People = Field(
        default=1, description="The base closes the first day boots on the ground fall below this."
    )
    source: Source = None


class Cost(_Model):
    """Cost per troop-year by role, plus the fixed costs of bases."""

    per_troop_year_usd: dict[Name, Rate] = Field(
        default_factory=dict, description="Cost per troop-year of a role, in US dollars."
    )
    default_per_troop_year_usd: Rate = Field(description="For roles not listed above.")
    role_factor: dict[Name, Rate] = Field(
        default_factory=dict,
        description=(
            "For roles without their own cost: a multiple of the default (so a drawn "
            "default moves every role together)."
        ),
    )
    bases: dict[Name, BaseSite] = Field(default_factory=dict)
    source: Source = None


class ForceProtection(_Model):
    """Force protection stays until the units it protects have gone."""

    role: Name = "force_protection"
    min_ratio: float = Field(
        default=0.0,
        ge=0.0,
        le=100.0,
        description="Force-protection people kept per other person still in the country.",
    )
    source: Source = None


PerUnitValue = Annotated[
    Distribution | Annotated[float, Field(ge=0.0, le=3650.0)],
    Field(description="Days: a number, or a distribution each unit draws its own value from."),
]


class PerUnit(_Model):
    """Chance each unit meets on its own, drawn for every unit (not once per replication).

    Each unit type has its own stream for each of these, and its k-th unit takes the k-th
    draw, so two options run with the same seed give their k-th unit of a type the same
    luck (common random numbers), whatever else differs.
    """

    readiness_slip_days: PerUnitValue = Field(
        default=0.0,
        description=(
            "Days a unit is late to fly, after it was due to: unknown to the planner until "
            "it happens (maintenance, training, visas). Units in the country at the start "
            "have none."
        ),
    )
    tour_extension_days: PerUnitValue = Field(
        default=0.0,
        description=(
            "Days added to a unit's tour, known from its arrival (units in the country at "
            "the start: from the start). Adds to the scenario's `tour_extension_days`."
        ),
    )
    source: Source = None


class Scenario(_Model):
    """One policy option: the force, the world it operates in, and the policy's phases."""

    name: Name = Field(description="Short name; defaults to the file name.")
    title: str | None = None
    description: str = ""
    extends: str | None = Field(
        default=None, description="Another scenario file whose values this one starts from."
    )
    start: Day
    end: Day
    cap: People = Field(description="Most people the official count may show.")
    fill: float = Field(
        default=0.98,
        gt=0.0,
        le=1.0,
        description="Share of the cap the planner fills when a phase gives no total.",
    )
    target_tolerance: Share = Field(
        default=0.05,
        description=(
            "How close to a target counts as meeting it, as a share of that role's target "
            "(never closer than half the role's largest unit; a zero target only at zero)."
        ),
    )
    allow_over_cap: bool = Field(
        default=False, description="Let units arrive even when the cap has no room for them."
    )
    tour_extension_days: int = Field(
        default=0, ge=0, le=3650, description="Days added to every unit's tour (extensions)."
    )
    planning_interval_days: int = Field(
        default=7, gt=0, le=365, description="How often the planner reviews the force."
    )
    roles: Annotated[list[Name], Field(min_length=1), ROLES]
    services: dict[Name, Service]
    unit_types: Annotated[dict[Name, UnitType], Field(min_length=1), UNIT_TYPES]
    initial_force: list[InitialUnits] = Field(default_factory=list)
    relief_in_place: ReliefInPlace = Field(default_factory=ReliefInPlace)
    per_unit: PerUnit = Field(default_factory=PerUnit)
    airlift: Airlift
    threat: Threat
    cost: Cost
    force_protection: ForceProtection | None = None
    policy: Policy
    source: Source = None
    sources: dict[str, str] = Field(
        default_factory=dict, description="Citations that `source` fields may refer to by key."
    )

    _files: list[str] = PrivateAttr(default_factory=list)
    _uncertain: dict = PrivateAttr(default_factory=dict)
    _notes: dict[str, str] = PrivateAttr(default_factory=dict)
    _warnings: list = PrivateAttr(default_factory=list)

    @property
    def warnings(self) -> list:
        """The ``ScenarioWarning``s issued when the scenario was loaded, in the order issued."""
        return list(self._warnings)

    @property
    def notes(self) -> dict[str, str]:
        """The comment written after each key in the scenario files, by dotted path."""
        return dict(self._notes)

    _template: dict | None = PrivateAttr(default=None)

    @property
    def uncertainties(self) -> dict[str, object]:
        """Uncertain inputs by dotted path: the distributions each replication draws from."""
        return {".".join(str(p) for p in path): d for path, d in self._uncertain.items()}

    @property
    def files(self) -> list[str]:
        """The files this scenario was read from, itself first, then what it extends."""
        return list(self._files)

    def tour_days(self, unit_type: str) -> int:
        ut = self.unit_types[unit_type]
        return (ut.tour_days or self.services[ut.service].tour_days) + self.tour_extension_days

    def phase_cap(self, index: int) -> int:
        phase = self.policy.phases[index]
        return self.cap if phase.cap is None else phase.cap


def check(s: Scenario) -> list[tuple[Path | list[Path], str]]:
    """Rules across fields. Returns (path, message) for each problem, in file order; a rule
    between keys gives the list of them, and the problem is shown at the one written last."""
    problems: list[tuple[Path | list[Path], str]] = []

    def bad(path: Path | list[Path], message: str) -> None:
        problems.append((path, message))

    roles = set(s.roles)

    def known_roles(mapping: dict[str, object] | None, path: Path) -> None:
        for role in mapping or {}:
            if role not in roles:
                bad((*path, role), f"unknown role '{role}' (roles: {', '.join(s.roles)})")

    if s.end <= s.start:
        bad(
            [("end",), ("start",)],
            f"the scenario ends ({s.end}) on or before it starts ({s.start})",
        )
    if len(roles) != len(s.roles):
        bad(("roles",), "each role may be listed once")
    for name, ut in s.unit_types.items():
        for target in ut.converts_to:
            if target not in s.unit_types:
                bad(("unit_types", name, "converts_to", target), f"unknown unit type '{target}'")
        if ut.role not in roles:
            bad(("unit_types", name, "role"), f"unknown role '{ut.role}'")
        if ut.service not in s.services:
            bad(("unit_types", name, "service"), f"unknown service '{ut.service}'")
    counts: dict[str, int] = {}
    groups: dict[str, list[Path]] = {}
    for i, group in enumerate(s.initial_force):
        if group.unit_type not in s.unit_types:
            bad(("initial_force", i, "unit_type"), f"unknown unit type '{group.unit_type}'")
        counts[group.unit_type] = counts.get(group.unit_type, 0) + group.count
        groups.setdefault(group.unit_type, []).append(("initial_force", i, "count"))
    for name, n in counts.items():
        supply = s.unit_types[name].supply if name in s.unit_types else None
        if supply is not None and n > supply:
            bad(  # at the supply or a count, whichever was written last
                [("unit_types", name, "supply"), *groups[name]],
                f"{n} units start in the country, supply is {supply}",
            )

    a = s.airlift
    by_sortie = a.seats_per_sortie is not None or a.sorties_per_week is not None
    if a.seats_per_day is not None and by_sortie:
        bad(
            ("airlift",),
            "give seats_per_day, or seats_per_sortie and sorties_per_week, not both"
            " (to replace one form in a file that extends another, set the other"
            " to null)",
        )
    elif a.seats_per_day is None and (a.seats_per_sortie is None or a.sorties_per_week is None):
        bad(("airlift",), "give seats_per_day, or both seats_per_sortie and sorties_per_week")

    for name in ("readiness_slip_days", "tour_extension_days"):
        value = getattr(s.per_unit, name)
        if not isinstance(value, float | int):
            low, high = value.extremes()
            if low < 0 or high > 3650:
                bad(
                    ("per_unit", name),
                    f"draws must lie between 0 and 3650 days, can give "
                    f"{low if low < 0 else high:g}",
                )

    known_roles(s.threat.exposure, ("threat", "exposure"))
    known_roles(s.cost.per_troop_year_usd, ("cost", "per_troop_year_usd"))
    known_roles(s.cost.role_factor, ("cost", "role_factor"))
    if s.force_protection and s.force_protection.role not in roles:
        bad(("force_protection", "role"), f"unknown role '{s.force_protection.role}'")

    for i, phase in enumerate(s.policy.phases or []):
        for name in phase.detachments:
            ut = s.unit_types.get(name)
            if ut is not None and ut.counts_toward_cap:
                bad(
                    (*s.policy.path_of(i, "detachments"), name),
                    "a kept detachment is of a type that does not count toward the cap "
                    "(counts_toward_cap: false)",
                )
    conversions = {name: dict(ut.converts_to) for name, ut in s.unit_types.items()}
    problems.extend(check_policy(s.policy, s.start, s.end, list(s.roles), s.cap, conversions))
    if not problems:  # what the values come to together, once each of them makes sense
        problems.extend(limit_problems(s))
    return problems
