"""The process that puts each phase of the policy into force and checks its deadlines."""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING

from sim.scenario.timeline import misses

if TYPE_CHECKING:
    from sim.model.engine import Model


def run_policy(m: Model) -> Generator:
    """Put each phase into force at its start, and check its targets at its deadline."""
    for i, phase in enumerate(m.timeline.phases):
        start = max(m.timeline.starts[i], 0.0)
        if start > m.env.now:
            yield m.env.timeout(start - m.env.now)
        m.recorder.log(m.env.now, "phase_start", detail=phase.name)
        m.timeline.start_counts[i] = list(m.force.cap_count)
        m.planner.phase_started(i)
        deadline = m.timeline.deadlines[i]
        if deadline is not None:
            m.env.process(_check_deadline(m, i, deadline))


def _check_deadline(m: Model, index: int, deadline: float) -> Generator:
    # Targets are met "by" the deadline date: judge them at the end of that day.
    end_of_day = deadline + 0.999
    if end_of_day > m.env.now:
        yield m.env.timeout(end_of_day - m.env.now)
    phase = m.timeline.phases[index]
    targets = m.timeline.final_targets(index, m.force.cap_count)
    tolerance = m.timeline.tolerance(index, m.force.cap_count)
    missed = misses(m.force.cap_count, targets, tolerance)
    if missed:
        text = ", ".join(f"{m.timeline.roles[r]} {c:,} (target {t:,.0f})" for r, c, t in missed)
        m.recorder.log(m.env.now, "deadline_missed", detail=f"{phase.name}: {text}")
    else:
        m.recorder.log(m.env.now, "deadline_met", detail=phase.name)
