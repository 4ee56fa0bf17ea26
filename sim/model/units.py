"""The life of a unit, as a SimPy process: form, fly in, take over, serve, hand over, fly home."""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING

import simpy

from sim.model.force import ARRIVING, CANCELLED, HOME, IN_COUNTRY, LEAVING, STAGED, Unit
from sim.model.surge import report_late

if TYPE_CHECKING:
    from sim.model.engine import Model


def serve(m: Model, u: Unit) -> Generator:
    """A unit ordered by the planner, from its order to its return home."""
    env = m.env
    # Form and train, then wait for the planned arrival date.
    wait = max(u.ready_at, u.arrive_at) - env.now
    if wait > 0:
        yield env.timeout(wait)
    if u.state == CANCELLED:
        return
    if u.slip > 0:  # not ready when due: the planner learns of it only now
        if u.slip >= 1:
            days = round(u.slip)
            detail = f"ready {days} day{'' if days == 1 else 's'} late"
            m.recorder.log(env.now, "delayed", u, people=u.size, detail=detail)
        yield env.timeout(u.slip)
        if u.state == CANCELLED:
            return
    if u.relieves is None and u.counts and not m.scenario.allow_over_cap:
        # Wait at the staging base until the cap has room for the whole unit.
        if not m.planner.room_for_people(u.size):
            u.state = STAGED
            m.recorder.log(
                env.now, "staged", u, people=u.size, detail="waiting for room under the cap"
            )
            while not m.planner.room_for_people(u.size):
                yield env.timeout(1)
                if u.state == CANCELLED:
                    return
        m.force.reserve(u)
    u.state = ARRIVING
    if u.relieves is None:
        m.force.hold(u, True)  # a new unit holds the mission from its arrival
    yield m.airlift.fly(u, inbound=True)
    m.force.release(u)
    if u.present == 0:  # recalled while still waiting for a seat
        m.planner.cancel(u, "recalled before it flew")
        return
    u.state = IN_COUNTRY
    m.recorder.log(env.now, "arrived", u, people=u.present)
    if u.temporary:
        report_late(m, u, arrived=True)
    else:
        u.tour_end = env.now + u.tour_days + u.extension
        m.planner.projection.update(u)
    if u.relieves is not None:
        yield from relieve_in_place(m, u)
    yield from serve_tour(m, u)


def serve_tour(m: Model, u: Unit) -> Generator:
    """Serve until the tour ends or the unit is recalled; hand over if relieved; go home."""
    env = m.env
    if not u.decided:
        decide_at = u.tour_end - m.planner.notice(u)
        if decide_at > env.now:
            yield timeout_or(env, decide_at - env.now, u.recalled)
        if not u.decided:
            m.planner.decide_relief(u)
    if not u.recalled.triggered and u.tour_end > env.now:
        yield timeout_or(env, u.tour_end - env.now, u.recalled)
    if u.relief is not None:
        yield u.relief.settled  # stay until the relief has taken over (or will not)
    yield from go_home(m, u)


def relieve_in_place(m: Model, u: Unit) -> Generator:
    """Overlap with the unit being relieved, then take over the mission from it."""
    env, old = m.env, u.relieves
    assert old is not None
    if not u.recalled.triggered:
        detail = f"relieving {old.uid}"
        m.recorder.log(env.now, "relief_in_place", u, people=u.present, detail=detail)
        handover = max(old.tour_end, env.now + m.planner.overlap)
        if handover > env.now:
            yield timeout_or(env, handover - env.now, u.recalled)
    if u.recalled.triggered:
        old.relief = None
        u.relieves = None
        m.planner.projection.update(old)
        m.planner.projection.update(u)
        u.settled.succeed(False)
        return
    grows = (u.present - old.present) if u.counts else 0
    if grows > 0 and not m.scenario.allow_over_cap and not m.planner.room_for_people(grows):
        # A larger relief takes over only once the cap has room for the difference.
        why = f"waiting for room under the cap to take over from {old.uid}"
        m.recorder.log(env.now, "held", u, people=u.present, detail=why)
        while not m.planner.room_for_people(grows):
            yield env.timeout(1)
    m.force.hold(old, False)
    old.handed_over = True
    m.force.hold(u, True)
    m.recorder.log(env.now, "transfer_of_authority", u, people=u.size, detail=f"from {old.uid}")
    old.relief = None
    u.relieves = None
    m.planner.projection.update(old)
    m.planner.projection.update(u)
    u.settled.succeed(True)


def go_home(m: Model, u: Unit) -> Generator:
    """Queue for seats and fly out; force protection waits for those it protects."""
    env = m.env
    if not m.planner.may_leave(u):
        why = "protecting those still in the country"
        m.recorder.log(env.now, "held", u, people=u.present, detail=why)
        while not m.planner.may_leave(u):
            yield env.timeout(1)
    u.state = LEAVING
    people = u.present
    yield m.airlift.fly(u, inbound=False)
    m.force.retire(u, HOME)
    m.recorder.log(env.now, "departed", u, people=people)
    if u.temporary:
        report_late(m, u, arrived=False)


def timeout_or(env: simpy.Environment, delay: float, event: simpy.Event) -> simpy.Event:
    """An event fired once ``delay`` has passed or ``event`` has fired, whichever is first.

    It fires where ``env.any_of([env.timeout(delay), event])`` would, at the same point in
    SimPy's order of events, but costs less, as it builds no value.
    """
    done = env.event()

    def fire(_: simpy.Event) -> None:
        if not done.triggered:
            done.succeed()

    env.timeout(delay).callbacks.append(fire)
    if event.callbacks is None:  # already processed
        fire(event)
    else:
        event.callbacks.append(fire)
    return done
