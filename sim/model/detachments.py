"""Kept detachments: uncounted units (an embassy guard, a temporary-duty team) that the
policy keeps in the country whatever its targets.

A phase's ``detachments`` names how many units of each such type stay. The planner orders
units to make up the number, relieves each like for like at the end of its tour, and a
target of zero for the counted force does not recall them; an announcement that lowers
the number recalls the extra units at once. They never count toward the cap, so the
counted force's plan does not see them.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sim.model.engine import Model
    from sim.model.force import Unit


def kept(m: Model, type_name: str, t: float | None = None) -> int | None:
    """How many units of ``type_name`` the plan known now keeps at ``t`` (None: not kept)."""
    now = m.env.now
    return m.timeline.phase(now if t is None else t, now).detachments.get(type_name)


def _staying(m: Model, type_name: str, but: Unit | None = None) -> list[Unit]:
    """Units of the type that are or will be in the country and are not due to leave."""
    return [
        u
        for u in m.force.units
        if u.type_name == type_name
        and u is not but
        and not u.handed_over
        and u.recall_at == math.inf
        and u.relieves is None  # a relief replaces its unit: count the pair once
        and not (u.decided and u.relief is None and u.plan_out < math.inf)
    ]


def decide(m: Model, old: Unit) -> bool:
    """The relief decision for a unit of a kept type (True), or False if it is not kept."""
    count = kept(m, old.type_name, old.tour_end)
    if count is None:
        return False
    now = m.env.now
    if len(_staying(m, old.type_name, but=old)) >= count:
        m.recorder.log(now, "not_relieved", old, detail=f"the detachment keeps {count}")
        return True
    ordered_at = min(old.tour_end - m.planner.notice(old), 0.0) if now == 0 else now
    arrive_at = old.tour_end - m.planner.overlap
    u = m.planner.new_unit(old.type_name, arrive_at, ordered_at, relieves=old)
    m.planner.send(u, f"relief for {old.uid} (kept detachment)")
    old.relief = u
    m.planner.projection.update(old)
    return True


def keep(m: Model) -> None:
    """At a review: make up each kept detachment, or recall what an announcement cut."""
    now = m.env.now
    for type_name, count in m.timeline.phase(now, now).detachments.items():
        staying = _staying(m, type_name)
        for _ in range(count - len(staying)):
            u = m.planner.new_unit(type_name, now, now)
            m.planner.send(u, "to keep the detachment")
        extra = sorted(staying, key=lambda u: u.tour_end)[: max(len(staying) - count, 0)]
        for u in extra:
            if u.boarded:
                m.planner.recall(u, now)
            else:
                m.planner.cancel(u, "the detachment is reduced")
