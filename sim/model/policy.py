"""The process that puts each phase of the policy into force and checks its deadlines."""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sim.model.engine import Model


def run_policy(m: Model) -> Generator:
    """Put each phase into force at its start, and check its targets at its deadline."""
    for i, phase in enumerate(m.timeline.phases):
        start = max(m.timeline.starts[i], 0.0)
        if start > m.env.now:
            yield m.env.timeout(start - m.env.now)
        m.recorder.log(m.env.now, "phase_start", detail=phase.name)
        for j, by in m.timeline.superseded.items():
            if by == i:
                old = m.timeline.phases[j]
                detail = f"{old.name}: deadline {old.deadline} superseded by {phase.name}"
                m.recorder.log(m.env.now, "deadline_superseded", detail=detail)
        m.timeline.start_counts[i] = list(m.force.cap_count)
        m.planner.phase_started(i)
        m.env.process(_check_cap(m, i))
        deadline = m.timeline.due(i)
        if deadline is not None:
            m.env.process(_check_deadline(m, i, deadline))


def _check_cap(m: Model, index: int) -> Generator:
    """A phase's cap binds from the end of its first day: report a force still above it."""
    end_of_day = max(m.timeline.starts[index], 0.0) + 0.999
    if end_of_day > m.env.now:
        yield m.env.timeout(end_of_day - m.env.now)
    if m.timeline.index(m.env.now) != index:
        return  # the next phase has already started
    cap, count = m.scenario.phase_cap(index), m.force.total_cap
    if count > cap:
        name = m.timeline.phases[index].name
        detail = f"{name}: {count:,} counted against a cap of {cap:,}"
        m.recorder.log(m.env.now, "cap_late", people=count - cap, detail=detail)


def _check_deadline(m: Model, index: int, deadline: float) -> Generator:
    # Targets are met "by" the deadline date: judge them at the end of that day.
    end_of_day = deadline + 0.999
    if end_of_day > m.env.now:
        yield m.env.timeout(end_of_day - m.env.now)
    phase = m.timeline.phases[index]
    goal = m.timeline.goal(index, m.force.cap_count)
    missed = goal.misses(m.force.cap_count) if goal else []
    if missed:
        text = ", ".join(
            f"{c:,} counted against a cap of {t:,.0f}"
            if what == "cap"
            else f"{what} {c:,} (target {t:,.0f})"
            for what, c, t in missed
        )
        m.recorder.log(m.env.now, "deadline_missed", detail=f"{phase.name}: {text}")
    else:
        m.recorder.log(m.env.now, "deadline_met", detail=phase.name)
