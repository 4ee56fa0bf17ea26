"""Re-missioning in place: units in the country take on another mission instead of rotating.

When a phase that orders conversions starts (and, for ``as_needed``, at each review while it
is in force), the units to convert are chosen (of the
named type, in the country, holding their mission, not recalled, with no relief already
on its way), in the declared order, as many as asked or as the new role needs to reach
its target. From then the planner plans each as a unit of its new type and role; its
people stay counted in their old role while they retrain (they count toward the cap
throughout) and move to the new role, without a flight, once retrained. Its tour runs on;
at its end it is relieved as a unit of its new type, if the policy still wants one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.model.force import IN_COUNTRY

if TYPE_CHECKING:
    from sim.model.engine import Model
    from sim.model.force import Unit
    from sim.scenario.policy import Conversion


def convert(m: Model, index: int, review: bool = False) -> None:
    """Start the conversions phase ``index`` orders: when it starts, and at each review
    while it is in force for those ``as_needed`` (a unit still handing over when the phase
    began may be converted once it holds the mission)."""
    for c in m.timeline.phases[index].convert:
        if review and c.units != "as_needed":
            continue
        days = m.scenario.unit_types[c.unit_type].converts_to[c.to]
        for u in _chosen(m, c, days):
            _start(m, u, c.to, days)


def _chosen(m: Model, c: Conversion, days: int) -> list[Unit]:
    now = m.env.now
    s, planner = m.scenario, m.planner
    candidates = [
        u
        for u in m.force.units
        if u.type_name == c.unit_type
        and u.state == IN_COUNTRY
        and u.holding
        and not u.handed_over
        and u.recall_at == float("inf")
        and not (u.relief is not None and u.relief.boarded)
        and u.tour_end > now + days
    ]
    candidates.sort(key=lambda u: -u.tour_end if c.order == "most_tour_left" else u.tour_end)
    if c.units != "as_needed":
        return candidates[: c.units]
    role = s.roles.index(s.unit_types[c.to].role)
    when = now + days
    target = m.timeline.targets(when, m.force.cap_count, now)[role]
    if target is None:
        return []
    have = planner.projected(role, when)
    chosen = []
    for u in candidates:
        if have + u.size > target + u.size / 2:
            break
        chosen.append(u)
        have += u.size
    return chosen


def _start(m: Model, u: Unit, to: str, days: int) -> None:
    env, planner = m.env, m.planner
    was_decided = u.decided
    if u.relief is not None:  # a relief of the old kind, not yet on its way
        planner.cancel(u.relief, f"{u.uid} re-missioned in place")
    old_type = u.type_name
    m.force.retask(u, to, m.scenario.roles.index(m.scenario.unit_types[to].role))
    u.decided, u.plan_out, u.relief = False, float("inf"), None
    planner.projection.update(u)
    detail = f"from {old_type} to {to}: retraining for {days} days"
    m.recorder.log(env.now, "converting", u, people=u.present, detail=detail)

    def done(_: object) -> None:
        if not u.active:
            return
        m.force.recount(u)
        m.recorder.log(env.now, "converted", u, people=u.present, detail=f"now {to}")
        # Its life had passed the relief decision: take it now, for the new type.
        if was_decided and not u.decided and not u.recalled.triggered:
            planner.decide_relief(u)

    env.timeout(days).callbacks.append(done)
