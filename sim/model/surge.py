"""Temporary deployments: people sent for a period on top of the force.

When a phase that announces them starts, its deployments are ordered at once. Each unit
flies in as soon as it is formed and the airlift allows (under the cap if it counts
toward it), and all of a deployment's units are told to leave early enough, at the
planned seat rate, to be out by its ``leave_by`` date. They stay outside every role's
target: the planner plans the rest of the force as if they were not there. A deployment
that arrives or leaves after its dates says so (``late`` events).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sim.model.engine import Model
    from sim.model.force import Unit


def deploy(m: Model, index: int) -> None:
    """Order the temporary deployments of phase ``index`` (it has just started)."""
    now = m.env.now
    phase = m.timeline.phases[index]
    seats = m.airlift.planned_at(m.timeline.index(now, now))
    for k, d in enumerate(phase.temporary):
        ut = m.scenario.unit_types[d.unit_type]
        n = d.units if d.units is not None else math.ceil((d.people or 0) / ut.size)
        out_by = m.timeline.day(d.leave_by)
        # All its people leave at the planned seat rate, with a review interval in hand as
        # for any recall (others may be leaving too, and flights are lost).
        leave_at = max(now, out_by - math.ceil(n * ut.size / seats) - m.planner.margin)
        label = d.name or f"{phase.name}: deployment {k + 1}"
        for _ in range(n):
            u = m.planner.new_unit(d.unit_type, now, now, temporary=True)
            if d.counts_toward_cap is not None:
                u.counts = d.counts_toward_cap
            u.decided = True  # never relieved
            u.tour_end = u.plan_out = leave_at
            u.due_by = m.timeline.day(d.arrive_by) + 1
            u.out_by = out_by + 1
            u.label = label
            m.planner.send(u, f"temporary: {label}")


def report_late(m: Model, u: Unit, arrived: bool) -> None:
    """Log a temporary unit that arrived (or left) after the end of its due day."""
    due = u.due_by if arrived else u.out_by
    if m.env.now > due:
        what = "arrived" if arrived else "left"
        days = math.ceil(m.env.now - due)
        detail = f"{u.label}: {what} {days} day{'s' if days > 1 else ''} late"
        m.recorder.log(m.env.now, "late", u, people=u.present or u.size, detail=detail)
