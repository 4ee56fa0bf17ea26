"""Phase targets that whole units cannot meet, found before anything runs.

A phase's ``mix`` or ``targets`` asks for people by role. The planner meets them only with
whole units of the role's unit types that count toward the cap, within each type's
``supply``, and never above the phase's cap; a target counts as met within its tolerance
(``sim.scenario.timeline.tolerance``). A target those units cannot reach would otherwise
show up only as a missed deadline, so ``whole_unit_problems`` finds each one from the
scenario alone and the loader warns of it, naming the file, line and key.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from sim.scenario.keys import Key
from sim.scenario.schema import Phase, Scenario
from sim.scenario.timeline import Timeline, tolerance


@dataclass(frozen=True)
class _Units:
    """A unit type that can fill a role: its name, size and supply (``None``: no limit)."""

    name: str
    size: int
    supply: int | None


def whole_unit_problems(scenario: Scenario) -> list[tuple[Key, str]]:
    """What whole units cannot meet, as (key path, message), phase by phase and in role order.

    Looks at each phase with a ``mix`` or ``targets``, and at each role's target there:

    * a role with a target above zero that no unit type counting toward the cap can fill;
    * a role whose target, less its tolerance, is more than the supply of its unit types can
      put in the country (when every one of its types has a supply);
    * a role that no combination of whole units (within supply) brings within tolerance
      (with the timeline's tolerance, never under half the role's largest unit, this
      happens only where the supply falls short, reported as above; it is kept for a
      narrower rule);
    * a phase whose roles, each at the smallest whole-unit strength within tolerance of its
      target, add up to more than the phase's cap: the mix cannot be met under the cap.

    Each problem points at the role's entry (``policy.phases.N.mix.ROLE`` or
    ``...targets.ROLE``). For the phase as a whole it is the role whose whole units overshoot
    its target the most (the largest rounding up, the first such role on a tie): that role
    takes the most room under the cap, so a change to it (its share, or the size of its
    units) is the likeliest to make the phase fit. The cap check is skipped in a phase where
    a role already has a problem of its own. Roles a ``targets`` phase leaves out have no
    target and are not checked; units they keep still take room under the cap.
    """
    timeline = Timeline(scenario)
    problems: list[tuple[Key, str]] = []
    for i, phase in enumerate(scenario.policy.phases):
        if phase.mix is not None or phase.targets is not None:
            problems += _phase_problems(scenario, timeline, i)
    return problems


def _phase_problems(scenario: Scenario, timeline: Timeline, i: int) -> list[tuple[Key, str]]:
    """The problems of phase ``i``, which has a ``mix`` or ``targets``."""
    phase = scenario.policy.phases[i]
    at: Key = scenario.policy.path_of(i, "mix" if phase.mix is not None else "targets")
    targets = timeline.final_targets(i, [0] * len(scenario.roles))
    problems: list[tuple[Key, str]] = []
    met: dict[str, _Met] = {}
    for role, target in zip(scenario.roles, targets, strict=True):
        if target is None:
            continue
        found = _meet(scenario, i, role, target)
        if isinstance(found, str):
            problems.append(((*at, role), found))
        else:
            met[role] = found
    cap = scenario.phase_cap(i)
    total = sum(m.strength for m in met.values())
    if problems or total <= cap:
        return problems
    role = max(met, key=lambda r: met[r].strength - met[r].target)  # the first on a tie
    m = met[role]
    message = (
        f"{_asked(scenario, i, role, m.target)}; with {_describe(m.units)} the smallest "
        f"strength within tolerance ({m.target:,.0f} ± {m.tolerance:,.0f}) is {m.strength:,}, "
        f"and the roles' smallest strengths add up to {total:,}, above the cap of {cap:,}: "
        f"whole units cannot meet {'this mix' if phase.mix is not None else 'these targets'} "
        "under the cap"
    )
    return [((*at, role), message)]


@dataclass(frozen=True)
class _Met:
    """How a role's target is met with the fewest people: ``strength`` in whole units."""

    target: float
    tolerance: float
    units: list[_Units]
    strength: int


def _meet(scenario: Scenario, i: int, role: str, target: float) -> _Met | str:
    """The fewest people of ``role``, in whole units, that meet ``target`` in phase ``i``;
    or, if none do, why not."""
    units = [
        _Units(name, ut.size, ut.supply)
        for name, ut in scenario.unit_types.items()
        if ut.role == role and ut.counts_toward_cap
    ]
    tol = tolerance(scenario.target_tolerance, target, max((u.size for u in units), default=0))
    lo, hi = _window(target, tol)
    strength = _smallest_sum(units, lo, hi)
    if strength is not None:
        return _Met(target, tol, units, strength)
    asked = _asked(scenario, i, role, target)
    if not units:
        others = [name for name, ut in scenario.unit_types.items() if ut.role == role]
        if not others:
            return f"{asked}, but no unit type has the role '{role}'"
        return (
            f"{asked}, but its unit types ({', '.join(others)}) do not count toward the cap, "
            "and the planner sends only those that do"
        )
    if all(u.supply is not None for u in units) and _most(units) < lo:
        supply = ", ".join(f"{u.supply:,} {u.name} of {u.size:,}" for u in units)
        return (
            f"{asked}, but the supply of its unit types ({supply}) puts at most "
            f"{_most(units):,} in the country, short of the {lo:,} the tolerance allows"
        )
    return (
        f"{asked}; with {_describe(units)} no whole number of units (within supply) comes "
        f"within tolerance ({target:,.0f} ± {tol:,.0f})"
    )


def _asked(scenario: Scenario, i: int, role: str, target: float) -> str:
    """What the phase asks of ``role``, in words: '16% of 1,960 is 314 people'."""
    phase: Phase = scenario.policy.phases[i]
    if phase.mix is None:
        return f"the target of {target:,.0f} people"
    share = phase.mix.get(role, 0.0)
    if phase.total is not None:
        of = f"{phase.total:,}"
    else:
        of = f"{scenario.fill * scenario.phase_cap(i):,.0f} ({_percent(scenario.fill)} of the cap)"
    return f"{_percent(share)} of {of} is {target:,.0f} people"


def _percent(share: float) -> str:
    return f"{share * 100:.4g}%"


def _describe(units: list[_Units]) -> str:
    if len(units) == 1:
        return f"{units[0].name} units of {units[0].size:,}"
    return "units of " + ", ".join(f"{u.name} ({u.size:,})" for u in units)


def _most(units: list[_Units]) -> int:
    """People the supply of ``units`` can put in the country at once (all have a supply)."""
    return sum(u.size * (u.supply or 0) for u in units)


def _window(target: float, tol: float) -> tuple[int, int]:
    """The lowest and highest whole counts that meet ``target``: ``|count - target| <= tol``.

    Computed with the same float comparison the timeline judges by, so a count at the
    edge is in or out here exactly as it is there. Empty when ``lo > hi``.
    """

    def meets(count: int) -> bool:
        return abs(count - target) <= tol

    lo, hi = math.ceil(target - tol), math.floor(target + tol)
    if meets(lo - 1):
        lo -= 1
    elif not meets(lo):
        lo += 1
    if meets(hi + 1):
        hi += 1
    elif not meets(hi):
        hi -= 1
    return max(lo, 0), hi


def _smallest_sum(units: list[_Units], lo: int, hi: int) -> int | None:
    """The smallest number of people from ``lo`` to ``hi`` that whole units make up, each
    type at most its supply; ``None`` if there is none.

    Bit ``n`` of ``reach`` is set when ``n`` people can be made. Each type adds its units in
    groups of 1, 2, 4, ... (and the rest), which between them make every count from none to
    its supply: a few shifts per type, however large the numbers.
    """
    if hi < lo:
        return None
    mask = (1 << (hi + 1)) - 1
    reach = 1  # no units: no people
    for u in units:
        left = min(u.supply if u.supply is not None else hi, hi // u.size)
        group = 1
        while left > 0:
            k = min(group, left)
            reach |= (reach << (k * u.size)) & mask
            left -= k
            group *= 2
    above = reach >> lo
    if not above:
        return None
    return lo + (above & -above).bit_length() - 1
