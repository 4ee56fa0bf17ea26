"""The policy: ordered phases, or announcements as they were made.

``phases`` is the plain form: each phase replaces the one before from its ``start``.
``announcements`` is the form in which policy is made: each announcement has the date it
was made (``announced``) and the date it takes effect (``takes_effect``, default the same),
and sets only what it says; what it does not restate stays as announced before. The model
works from phases, so announcements are turned into the phases they amount to
(``phases_from_announcements``), each announcement one phase.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import (
    Field,
    PrivateAttr,
    SerializerFunctionWrapHandler,
    model_serializer,
    model_validator,
)

from sim.scenario.fields import (
    AttacksPerMonth,
    Day,
    Name,
    People,
    Share,
    Source,
    Units,
    _Model,
    slug,
)
from sim.scenario.limits import PEOPLE, PHASES, SORTIES_PER_WEEK, UNITS


class Deployment(_Model):
    """People sent for a period on top of the force: a surge, an evacuation, an exercise.

    They are ordered when the announcement takes effect, fly in as fast as their lead time
    and the airlift allow, leave in time to be out by ``leave_by``, and are not part of any
    role's target (the rest of the force is planned as if they were not there).
    """

    name: str | None = Field(default=None, max_length=80)
    unit_type: Name
    units: Annotated[int, Field(ge=1), UNITS] | None = Field(
        default=None, description="How many units."
    )
    people: Annotated[int, Field(ge=1), PEOPLE] | None = Field(
        default=None, description="Or how many people (whole units)."
    )
    arrive_by: Day
    leave_by: Day
    counts_toward_cap: bool | None = Field(
        default=None, description="Whether they count toward the cap (default: as the type)."
    )
    source: Source = None


class Conversion(_Model):
    """Units in the country re-missioned in place instead of rotated.

    Units of ``unit_type`` (which must declare ``converts_to`` ``to``) retrain for the days
    that declares, counting toward the cap throughout, and hold the new mission once
    retrained; nobody flies. ``units``: how many, or ``as_needed`` (enough to bring the new
    role to its target). They are taken in ``order``.
    """

    unit_type: Name
    to: Name
    units: Units | Literal["as_needed"] = Field(default="as_needed")
    order: Literal["most_tour_left", "least_tour_left"] = Field(
        default="most_tour_left",
        description="most_tour_left: those with most of their tour ahead convert first.",
    )
    source: Source = None


class AirliftChange(_Model):
    """Airlift from an announcement on (keys not given stay as they were)."""

    seats_per_day: float | None = Field(default=None, gt=0, le=1e7)
    seats_per_sortie: int | None = Field(default=None, gt=0, le=10_000)
    sorties_per_week: Annotated[float, Field(gt=0), SORTIES_PER_WEEK] | None = None
    cancel_probability: float | None = Field(default=None, ge=0.0, lt=1.0)
    source: Source = None


class Phase(_Model):
    """One phase of the policy: from ``start``, aim for these targets; meet them by ``deadline``.

    Targets are given as ``targets`` (people by role), or as ``mix`` (shares by role) of
    ``total`` (default: ``fill`` times the cap). With ``total`` alone the current mix is kept.
    With none of them, the phase holds the force as it is (like-for-like reliefs).
    """

    name: str = Field(min_length=1, max_length=80)
    start: Day
    deadline: Day | None = Field(default=None, description="When the targets must be met.")
    announced: Day | None = Field(
        default=None, description="When planners learn of the phase (default: its start)."
    )
    cap: People | None = Field(default=None, description="Cap in this phase (default: `cap`).")
    total: People | None = None
    mix: dict[Name, Share] | None = None
    targets: dict[Name, People] | None = None
    replace: dict[Name, bool] = Field(
        default_factory=dict,
        description="Whether units of a role are relieved at the end of their tours (default yes).",
    )
    early_return: Literal["none", "as_needed", "immediate"] = Field(
        default="none",
        description=(
            "none: units leave only when their tours end; as_needed: recall units so the "
            "targets are met by the deadline; immediate: recall the excess now."
        ),
    )
    pace: Literal["at_once", "steady"] = Field(
        default="at_once",
        description=(
            "at_once: the targets apply from the start; steady: they move in a straight "
            "line from the force at the start to the targets at the deadline."
        ),
    )
    halfway_share: float = Field(
        default=0.5,
        gt=0.0,
        lt=1.0,
        description=(
            "With a steady pace, the share of the change made by the halfway date: 0.5 is a "
            "straight line; lower is slow first and fast last (back-loaded), higher the "
            "reverse. Worth declaring uncertain where a plan gave an end state but no pace."
        ),
    )
    attacks_per_month: AttacksPerMonth | None = Field(
        default=None, description="Overrides `threat`."
    )
    airlift: AirliftChange | None = Field(
        default=None, description="Airlift in this phase (keys not given: as the scenario's)."
    )
    planning_interval_days: int | None = Field(
        default=None, gt=0, le=365, description="How often the force is reviewed in this phase."
    )
    temporary: list[Deployment] = Field(
        default_factory=list, description="Temporary deployments ordered when it starts."
    )
    convert: list[Conversion] = Field(
        default_factory=list, description="Units re-missioned in place when it starts."
    )
    detachments: dict[Name, Units] = Field(
        default_factory=dict,
        description=(
            "Units of these types (not counted toward the cap) kept in the country, "
            "relieved like for like whatever the targets; 0 withdraws them."
        ),
    )
    drift_per_month: float | None = Field(
        default=None,
        ge=-PEOPLE.most,
        le=PEOPLE.most,
        allow_inf_nan=False,
        description=(
            "Net change of the force per month that no announcement made (usually "
            "negative and uncertain); only in a period without a target. Off by default."
        ),
    )
    description: str | None = None
    source: Source = None

    @property
    def slug(self) -> str:
        return slug(self.name)


# What an announcement may set, and what makes up its goal (a new goal drops the old one's
# deadline unless it gives its own).
PLAN_KEYS = (
    "deadline",
    "cap",
    "total",
    "mix",
    "targets",
    "replace",
    "early_return",
    "pace",
    "halfway_share",
    "attacks_per_month",
    "airlift",
    "planning_interval_days",
    "detachments",
    "drift_per_month",
)
GOAL_KEYS = ("total", "mix", "targets")


class _Plan(_Model):
    """The keys an announcement (or one of its alternatives) may set; unset keys stay as
    announced before."""

    deadline: Day | None = Field(default=None, description="When its goal must be met.")
    cap: People | None = Field(default=None, description="The cap from now on.")
    total: People | None = Field(default=None, description="Target total (people).")
    mix: dict[Name, Share] | None = Field(default=None, description="Target shares by role.")
    targets: dict[Name, People] | None = Field(default=None, description="Target people by role.")
    replace: dict[Name, bool] | None = Field(
        default=None, description="Whether a role's units are relieved (only the roles named)."
    )
    early_return: Literal["none", "as_needed", "immediate"] | None = None
    pace: Literal["at_once", "steady"] | None = None
    halfway_share: float | None = Field(default=None, gt=0.0, lt=1.0)
    attacks_per_month: AttacksPerMonth | None = None
    airlift: AirliftChange | None = None
    planning_interval_days: int | None = Field(default=None, gt=0, le=365)
    detachments: dict[Name, Units] | None = Field(
        default=None, description="Uncounted units kept, by type (only the types named)."
    )
    drift_per_month: float | None = Field(
        default=None,
        ge=-PEOPLE.most,
        le=PEOPLE.most,
        allow_inf_nan=False,
        description="Unannounced net change per month, in a period without a target.",
    )
    temporary: list[Deployment] | None = Field(
        default=None, description="Temporary deployments ordered when it takes effect."
    )
    convert: list[Conversion] | None = Field(
        default=None, description="Units re-missioned in place when it takes effect."
    )
    description: str | None = None
    source: Source = None


class Alternative(_Plan):
    """One way a conditional announcement may turn out, with its weight."""

    name: str | None = Field(default=None, max_length=80, description="Added to the name.")
    weight: float = Field(ge=0.0, le=1e6, allow_inf_nan=False)


class Announcement(_Plan):
    """What was announced on ``announced``, in force from ``takes_effect``.

    It sets only what it names; the rest stays as announced before. A conditional
    announcement holds with ``probability`` (drawn once per replication into ``holds``) or
    turns out as one of its ``alternatives`` (drawn into ``alternative``).
    """

    name: str = Field(min_length=1, max_length=80)
    announced: Day = Field(description="When it was announced (planners know it from then).")
    takes_effect: Day | None = Field(default=None, description="Default: when announced.")
    probability: Share | None = Field(
        default=None, description="Chance it holds; drawn once per replication."
    )
    holds: int = Field(default=1, ge=0, le=1, description="1 if it holds in this replication.")
    alternatives: list[Alternative] | None = Field(default=None, min_length=2)
    alternative: int = Field(
        default=0, ge=0, le=100, description="Which alternative this replication drew."
    )

    @property
    def effective(self) -> Day:
        return self.takes_effect or self.announced


def phases_from_announcements(items: list[Announcement]) -> tuple[list[Phase], list[int]]:
    """The phases the announcements amount to, and the announcement each phase comes from.

    Announcements that do not hold in this replication are left out; one that takes
    effect on the same day as the one before replaces that one's phase.
    """
    state: dict = {"replace": {}}
    phases: list[Phase] = []
    origin: list[int] = []
    for j, a in enumerate(items):
        if not a.holds:
            continue
        plan, name = _chosen(a)
        restated = {k for k in PLAN_KEYS if getattr(plan, k) is not None}
        if restated & set(GOAL_KEYS):  # a new goal: what it does not restate, it replaces
            state.pop("drift_per_month", None)  # an announced goal ends the drift
            drop = {"targets": ("total", "mix"), "mix": ("targets",), "total": ("targets",)}
            for k in restated & set(GOAL_KEYS):
                for old in drop[k]:
                    state.pop(old, None)
            for k in ("deadline", "pace", "halfway_share"):  # the old path's, not the new
                if k not in restated:
                    state.pop(k, None)
        for k in restated:
            value = getattr(plan, k)
            if k in ("replace", "detachments"):
                value = {**state.get(k, {}), **value}
            elif k == "airlift" and state.get("airlift") is not None:
                value = state["airlift"].model_copy(update=value.model_dump(exclude_unset=True))
            state[k] = value
        fields = {k: v for k, v in state.items() if v is not None}
        phase = Phase(
            name=name,
            start=a.effective,
            announced=a.announced,
            description=plan.description,
            source=plan.source,
            temporary=plan.temporary or [],
            convert=plan.convert or [],
            **fields,
        )
        if phases and phases[-1].start == phase.start:
            phases.pop()
            origin.pop()
        phases.append(phase)
        origin.append(j)
    return phases, origin


def _chosen(a: Announcement) -> tuple[_Plan, str]:
    """The announcement as it turned out: itself, or with its drawn alternative laid over."""
    if not a.alternatives or a.alternative >= len(a.alternatives):
        return a, a.name
    alt = a.alternatives[a.alternative]
    keys = (*PLAN_KEYS, "temporary", "convert", "description", "source")
    merged = a.model_copy(update={k: getattr(alt, k) for k in keys if getattr(alt, k) is not None})
    return merged, f"{a.name}: {alt.name}" if alt.name else a.name


class Policy(_Model):
    """The policy as ordered phases, or as the announcements that made it."""

    phases: Annotated[list[Phase], Field(min_length=1), PHASES] | None = None
    announcements: Annotated[list[Announcement], Field(min_length=1), PHASES] | None = None
    source: Source = None

    _origin: list[int] = PrivateAttr(default_factory=list)

    @model_validator(mode="after")
    def _one_form(self) -> Policy:
        if self.announcements is not None:
            if self.phases is not None:
                raise ValueError("give phases or announcements, not both")
            phases, self._origin = phases_from_announcements(self.announcements)
            if not phases:
                raise ValueError("no announcement holds: the policy is empty")
            self.phases = phases
        elif self.phases is None:
            raise ValueError("give phases (or announcements)")
        return self

    def path_of(self, i: int, key: str) -> tuple:
        """Where phase ``i``'s ``key`` was written: in the phase, or in the announcement
        that last set it (a phase's ``start`` is its announcement's ``takes_effect``, or its
        ``announced`` date)."""
        if self.announcements is None:
            return ("policy", "phases", i, key)
        j = self._origin[i]
        if key == "start":
            a = self.announcements[j]
            return ("policy", "announcements", j, "takes_effect" if a.takes_effect else "announced")
        for k in range(j, -1, -1):
            a = self.announcements[k]
            if a.holds and getattr(a, key, None) is not None:
                return ("policy", "announcements", k, key)
        return ("policy", "announcements", j, key)

    @property
    def origin(self) -> list[int]:
        """For announcements: the announcement each phase comes from (by index)."""
        return list(self._origin)

    @model_serializer(mode="wrap")
    def _dump(self, handler: SerializerFunctionWrapHandler) -> dict:
        data = handler(self)
        if self.announcements is not None:
            data.pop("phases", None)  # worked out from the announcements, not written
        return data


def check_policy(
    policy: Policy,
    start: Day,
    end: Day,
    roles: list[str],
    cap: int,
    unit_types: dict[str, dict[str, int]],
) -> list[tuple[tuple | list[tuple], str]]:
    """Rules across the policy's fields: (path, message) for each problem, in file order.

    Problems of a phase worked out from announcements point at the announcement it comes
    from (its ``takes_effect`` or ``announced`` for the phase's start).
    """
    problems: list[tuple[tuple | list[tuple], str]] = []
    items = policy.announcements

    def at(i: int, key: str) -> tuple:
        return policy.path_of(i, key)

    def bad(i: int, key: str, message: str, *others: tuple) -> None:
        """A problem at phase ``i``'s ``key``; with ``others``, a rule between keys, shown
        at the one written last."""
        problems.append(([at(i, key), *others] if others else at(i, key), message))

    if items is not None:
        problems.extend(_check_announcements(items))
    phases = policy.phases or []
    if phases and phases[0].start > start:
        bad(0, "start", "the policy must be in force from the scenario's `start`", ("start",))
    for i, p in enumerate(phases):
        if p.start >= end:
            bad(
                i, "start", f"it takes effect ({p.start}) after the scenario ends ({end})", ("end",)
            )
        if i and p.start <= phases[i - 1].start:
            bad(
                i,
                "start",
                f"phases must be in order: starts {p.start}, before the one above",
                at(i - 1, "start"),
            )
        if p.announced is not None and p.announced > p.start:
            bad(i, "announced", "a phase cannot be announced after it starts", at(i, "start"))
        if (
            p.deadline is not None
            and p.deadline < p.start
            and (i == 0 or phases[i - 1].deadline != p.deadline)  # not one carried on
        ):
            bad(
                i,
                "deadline",
                f"it ends ({p.deadline}) before it starts ({p.start})",
                at(i, "start"),
            )
        if p.pace == "steady" and p.deadline is None:
            bad(i, "pace", "a steady pace needs a deadline to move toward")
        if p.halfway_share != 0.5 and p.pace != "steady":
            bad(i, "halfway_share", "shapes a steady pace only: add pace: steady")
        for key in ("mix", "targets", "replace"):
            for role in getattr(p, key) or {}:
                if role not in roles:
                    known = ", ".join(roles)
                    problems.append(
                        ((*at(i, key), role), f"unknown role '{role}' (roles: {known})")
                    )
        problems.extend((at(i, k), m) for k, m in _check_goal(p, cap if p.cap is None else p.cap))
        for k, d in enumerate(p.temporary):
            for key, message in _check_deployment(d, p.start, set(unit_types)):
                problems.append(((*at(i, "temporary"), k, key), message))
        for k, c in enumerate(p.convert):
            if c.unit_type not in unit_types:
                problems.append(
                    ((*at(i, "convert"), k, "unit_type"), f"unknown unit type '{c.unit_type}'")
                )
            elif c.to not in unit_types[c.unit_type]:
                problems.append(
                    (
                        (*at(i, "convert"), k, "to"),
                        f"{c.unit_type} declares no conversion to '{c.to}' "
                        f"(add it to unit_types.{c.unit_type}.converts_to)",
                    )
                )
        if p.drift_per_month is not None and (
            p.total is not None or p.mix is not None or p.targets is not None
        ):
            bad(i, "drift_per_month", "a drift is for a period without an announced target")
        for name in p.detachments:
            if name not in unit_types:
                problems.append(((*at(i, "detachments"), name), f"unknown unit type '{name}'"))
        change = p.airlift
        if (
            change is not None
            and change.seats_per_day is not None
            and (change.seats_per_sortie is not None or change.sorties_per_week is not None)
        ):
            bad(i, "airlift", "give seats_per_day, or seats_per_sortie and sorties_per_week")
    return problems


def _check_deployment(d: Deployment, start: Day, unit_types: set[str]) -> list[tuple[str, str]]:
    out = []
    if d.unit_type not in unit_types:
        out.append(("unit_type", f"unknown unit type '{d.unit_type}'"))
    if (d.units is None) == (d.people is None):
        out.append(("units", "give units or people, one of them"))
    if d.arrive_by < start:
        out.append(("arrive_by", f"it is due ({d.arrive_by}) before it is ordered ({start})"))
    if d.leave_by <= d.arrive_by:
        out.append(("leave_by", f"it leaves ({d.leave_by}) before it is due ({d.arrive_by})"))
    return out


def _check_goal(p: Phase, cap: int) -> list[tuple[str, str]]:
    out = []
    if p.mix is not None and p.targets is not None:
        out.append(("mix", "give mix or targets, not both"))
    if p.mix is not None and abs(sum(p.mix.values()) - 1.0) > 1e-3:
        out.append(("mix", f"shares add up to {sum(p.mix.values()):.3f}, not 1"))
    if p.total is not None and p.total > cap:
        out.append(("total", f"target of {p.total:,} is above the cap of {cap:,}"))
    if p.targets is not None:
        if p.total is not None:
            out.append(("targets", "give targets or total, not both"))
        elif sum(p.targets.values()) > cap:
            total = sum(p.targets.values())
            out.append(("targets", f"targets add up to {total:,}, above the cap of {cap:,}"))
    return out


def _check_announcements(items: list[Announcement]) -> list[tuple[tuple | list[tuple], str]]:
    """Rules between announcements' dates; each names the dates it compares (the problem
    is shown at the one written last)."""
    out: list[tuple[tuple | list[tuple], str]] = []

    def start(j: int) -> tuple:
        a = items[j]
        return ("policy", "announcements", j, "takes_effect" if a.takes_effect else "announced")

    for j, a in enumerate(items):
        at = ("policy", "announcements", j)
        if a.takes_effect is not None and a.takes_effect < a.announced:
            out.append(
                (
                    [(*at, "takes_effect"), (*at, "announced")],
                    "it cannot take effect before it is announced",
                )
            )
        if j and a.announced < items[j - 1].announced:
            out.append(
                (
                    [(*at, "announced"), ("policy", "announcements", j - 1, "announced")],
                    "announcements must be listed in the order made",
                )
            )
        if j and a.effective < items[j - 1].effective:
            out.append(
                (
                    [start(j), start(j - 1)],
                    "it takes effect before the announcement above does: list "
                    "announcements in the order they take effect",
                )
            )
        if a.alternatives is not None:
            if a.probability is not None:
                out.append(((*at, "probability"), "give probability or alternatives, not both"))
            if sum(alt.weight for alt in a.alternatives) <= 0:
                out.append(((*at, "alternatives"), "the weights add up to zero"))
            if a.alternative >= len(a.alternatives):
                out.append(((*at, "alternative"), f"there are {len(a.alternatives)} alternatives"))
    return out


def add_chance_draws(data: dict) -> None:
    """Write each conditional announcement's chance as the uncertain input it is.

    ``probability: p`` becomes ``holds`` drawn as 1 with chance p (else 0), and
    ``alternatives`` with weights become ``alternative`` drawn as an index with those
    weights: one draw per replication each, from streams named after their paths, so
    options that share an announcement share its luck, and sweeps can set them like any
    input. Values that are not valid are left for the schema to refuse.
    """
    policy = data.get("policy")
    items = policy.get("announcements") if isinstance(policy, dict) else None
    if not isinstance(items, list):
        return
    for a in items:
        if not isinstance(a, dict):
            continue
        p = a.get("probability")
        if _number(p) and 0 <= p <= 1 and "holds" not in a:
            a["holds"] = {"distribution": "choice", "values": [0, 1], "weights": [1 - p, p]}
        alts = a.get("alternatives")
        if isinstance(alts, list) and len(alts) > 1 and "alternative" not in a:
            weights = [alt.get("weight") if isinstance(alt, dict) else None for alt in alts]
            if all(_number(w) and w >= 0 for w in weights) and sum(weights) > 0:
                a["alternative"] = {
                    "distribution": "choice",
                    "values": list(range(len(alts))),
                    "weights": weights,
                }


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
