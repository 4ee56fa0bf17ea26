"""Property tests for the model: random variants of the scenarios, every day of every run checked.

Variants are the three options (status quo, advisory, withdrawal) and the 2020-2021 history,
changed by a few ``--set`` overrides each (unit sizes and supply, caps, totals, deadlines,
phase dates, airlift, tolerances, tours) and run at a random seed; the uncertain inputs are
drawn by the seed as usual. An override reaches a phase the way the file writes it: as
``policy.phases.N``, or, for a policy written as announcements, as the announcement the phase
comes from (where a value set stays in force in the later announcements that do not restate
it). The 2009-2011 history (144,000 people) gets two examples of its own. Each rule is its
own test over the same examples, so a run is simulated once and checked by every rule
(``run_of`` keeps it).

The rules, worked out here from the tables and the scenario, not from the model's code:

* the cap count is never above the day's cap, unless ``allow_over_cap``, or the day is in a
  stretch over the cap that began at the end of a phase's start day with a ``cap_late``
  event for that phase; in such a stretch the cap count never grows;
* no negative counts, and the cap count never above the boots on the ground;
* a ``<phase>_met_on`` date is a day of the phase on which every role is within its
  tolerance (the larger of ``target_tolerance`` times its target and half the role's
  largest counted unit; a target of zero only at zero; ``total`` alone on the total), and
  no earlier day of the phase was (within tolerance and under the phase's own cap, if it
  sets one); with no date, no day of the phase was;
* a phase with ``total`` alone that draws the force down does not leave it below the total
  (less the tolerance) after its deadline, unless the planner reported a shortfall;
* no unit is recalled after it has handed over to its relief;
* ``summary.shortfalls`` is the number of ``shortfall`` events;
* people are conserved: the initial force, plus each ``arrived``, less each ``departed``,
  is the boots on the ground but for the people of one unit partway through landing or
  leaving (the airlift moves one unit at a time each way, first come first served);
* the same seed gives the same tables.

To rerun a falsifying example, paste the ``reproduce`` line hypothesis prints.
"""

from __future__ import annotations

import datetime as dt
import re
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import Phase, assume, example, given, note, seed, settings
from hypothesis import strategies as st

import sim
from sim.scenario.timeline import Timeline

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
FILES = ("status-quo.yaml", "advisory.yaml", "withdrawal.yaml", "history/iraq-2020-2021.yaml")
BIG = "history/iraq-2009-2011.yaml"
EPS = 1e-6  # people: a count this close to the edge of a tolerance is not judged

SETTINGS = settings(max_examples=150, deadline=None, derandomize=True, database=None)
# Every rule's test draws the same examples (one seed for all, where the seed would
# otherwise differ by test), so each run is simulated once and kept by ``run_of``.
SAME_EXAMPLES = seed(20210726)


@dataclass(frozen=True)
class Variant:
    """A scenario file, the overrides applied to it and the seed it runs with."""

    file: str
    overrides: tuple[str, ...]
    seed: int

    def reproduce(self) -> str:
        path = f"scenarios/{self.file}"
        return (
            f"sim.simulate(sim.load_scenario({path!r}, {list(self.overrides)!r}), seed={self.seed})"
        )


# Runs ------------------------------------------------------------------------------------


def load(file: str, overrides: tuple[str, ...] = ()) -> sim.Scenario:
    with warnings.catch_warnings():
        # Targets whole units cannot meet are warned of; the rules below hold regardless.
        warnings.simplefilter("ignore")
        return sim.load_scenario(SCENARIOS / file, list(overrides))


@cache
def facts(file: str) -> sim.Scenario:
    """The scenario as written (strategies build overrides from it)."""
    return load(file)


@cache
def run_of(variant: Variant) -> sim.Run | None:
    """The run of a variant, or None if its overrides make an invalid scenario."""
    try:
        scenario = load(variant.file, variant.overrides)
    except sim.ScenarioError:
        return None
    return sim.simulate(scenario, seed=variant.seed)


def daily(run: sim.Run, column: str) -> np.ndarray:
    """``column`` as an array shaped (days, roles), roles in the scenario's order."""
    wide = run.timeseries.pivot(index="date", columns="role", values=column)
    return wide[list(run.scenario.roles)].to_numpy(dtype=np.int64)


def day_of(run: sim.Run, d: int) -> str:
    return f"{run.scenario.start + dt.timedelta(days=int(d)):%Y-%m-%d}"


def start_day(s: sim.Scenario, i: int) -> int:
    """The day phase ``i`` starts, as a day of the run (a phase may start before the run)."""
    return max((s.policy.phases[i].start - s.start).days, 0)


def deadline_day(s: sim.Scenario, i: int) -> int | None:
    deadline = s.policy.phases[i].deadline
    return None if deadline is None else (deadline - s.start).days


# Rules -----------------------------------------------------------------------------------

CAP_LATE = re.compile(
    r"^(?P<phase>.+): (?P<count>[\d,]+) counted against a cap of (?P<cap>[\d,]+)$"
)


def stretches(flags: np.ndarray) -> Iterator[tuple[int, int]]:
    """(first, last) day of each run of consecutive True days."""
    d, n = 0, len(flags)
    while d < n:
        if flags[d]:
            first = d
            while d + 1 < n and flags[d + 1]:
                d += 1
            yield first, d
        d += 1


def cap_is_respected(run: sim.Run) -> None:
    s = run.scenario
    if s.allow_over_cap:
        return
    timeline = Timeline(s)
    names = [p.name for p in s.policy.phases]
    ev = run.events[run.events.event == "cap_late"]
    late: set[tuple[str, int]] = set()
    for time, detail in zip(ev.time, ev.detail, strict=True):
        m = CAP_LATE.match(detail)
        assert m, f"cap_late detail {detail!r} is not '<phase>: <count> counted against ...'"
        assert m["phase"] in names, f"cap_late for no phase: {detail!r}"
        i = names.index(m["phase"])
        count, cap = int(m["count"].replace(",", "")), int(m["cap"].replace(",", ""))
        assert cap == s.phase_cap(i), f"{detail!r}: the phase's cap is {s.phase_cap(i):,}"
        assert count > cap, f"cap_late while under the cap: {detail!r}"
        assert int(time) == start_day(s, i), (
            f"{detail!r} logged on {day_of(run, int(time))}, not at the end of the phase's "
            f"start day {day_of(run, start_day(s, i))}"
        )
        late.add((m["phase"], int(time)))
    total = daily(run, "cap_count").sum(axis=1)
    caps = np.array([timeline.cap(d) for d in range(len(total))])
    binds = {start_day(s, i): i for i in range(len(names))}
    for first, last in stretches(total > caps):
        what = (
            f"{total[first]:,} counted against a cap of {caps[first]:,} "
            f"from {day_of(run, first)} to {day_of(run, last)}"
        )
        i = binds.get(first)
        assert i is not None, f"{what}: the cap was broken (no phase started that day)"
        assert (names[i], first) in late, f"{what}: no cap_late for phase {names[i]!r}"
        grew = [d for d in range(first + 1, last + 1) if total[d] > total[d - 1]]
        assert not grew, (
            f"{what}: the cap count grew while over the cap, first on {day_of(run, grew[0])} "
            f"({total[grew[0] - 1]:,} to {total[grew[0]]:,})"
        )


def counts_are_sound(run: sim.Run) -> None:
    ts = run.timeseries
    columns = ["boots_on_ground", "cap_count", "arrivals", "departures"]
    negative = ts[(ts[columns] < 0).any(axis=1)]
    assert negative.empty, f"negative counts:\n{negative.head()}"
    above = ts[ts.cap_count > ts.boots_on_ground]
    assert above.empty, f"cap count above boots on the ground:\n{above.head()}"


@dataclass(frozen=True)
class Goal:
    """What a phase asks for at its deadline: targets by role, or a total, each ± tolerance."""

    targets: dict[int, tuple[float, float]]  # role -> (target, tolerance)
    total: tuple[float, float] | None = None

    def margin(self, counts: np.ndarray) -> float:
        """The smallest room left within tolerance (negative: some target is missed)."""
        pairs = [(counts[r], t, tol) for r, (t, tol) in self.targets.items()]
        if self.total is not None:
            pairs.append((counts.sum(), *self.total))
        return min(tol - abs(float(c) - t) for c, t, tol in pairs)


def tolerance(share: float, target: float, largest_unit: int) -> float:
    """The issue's rule: zero only at zero, else share of the target or half a unit."""
    return 0.0 if target <= 0 else max(share * target, largest_unit / 2)


def goal(s: sim.Scenario, i: int) -> Goal | None:
    """Phase ``i``'s goal, from the scenario as the schema documents it (None: no target)."""
    p = s.policy.phases[i]
    roles = list(s.roles)
    largest = [
        max(
            (u.size for u in s.unit_types.values() if u.role == r and u.counts_toward_cap),
            default=0,
        )
        for r in roles
    ]
    share = s.target_tolerance
    if p.targets is not None:
        wanted = {roles.index(r): float(n) for r, n in p.targets.items()}
    elif p.mix is not None:
        total = p.total if p.total is not None else s.fill * s.phase_cap(i)
        wanted = {r: total * p.mix.get(role, 0.0) for r, role in enumerate(roles)}
    elif p.total is not None:
        return Goal({}, (float(p.total), tolerance(share, p.total, max(largest))))
    else:
        return None
    if not wanted:
        return None
    return Goal({r: (t, tolerance(share, t, largest[r])) for r, t in wanted.items()})


def phases_are_judged_by_their_tolerance(run: sim.Run) -> None:
    s, summary = run.scenario, run.summary.iloc[0]
    counts = daily(run, "cap_count")
    n_days = len(counts)
    for i, phase in enumerate(s.policy.phases):
        g = goal(s, i)
        first = start_day(s, i)
        if g is None or first >= n_days:
            continue
        key = f"{phase.slug}_met_on"
        assert key in summary.index, f"no {key} in the summary"
        end = chain_end(s, i) + 1  # phases carrying its deadline on are judged with it
        last = start_day(s, end) if end < len(s.policy.phases) else n_days
        days = range(first, min(last, n_days))
        margins = [g.margin(counts[d]) for d in days]
        # A day clearly meets the phase if every target is within tolerance, and the count
        # is under the phase's own cap if it sets one (met above its cap is not met).
        cap = phase.cap if phase.cap is not None else np.inf
        clear = [m >= EPS and counts[d].sum() <= cap for d, m in zip(days, margins, strict=True)]
        met_on = summary[key]
        if pd.isna(met_on):
            met = [d for d, ok in zip(days, clear, strict=True) if ok]
            shown = dict(zip(s.roles, counts[met[0]].tolist(), strict=True)) if met else {}
            assert not met, (
                f"{phase.name!r}: never met, but every role is within tolerance on "
                f"{day_of(run, met[0])} ({shown})"
            )
            continue
        d = (pd.Timestamp(met_on) - pd.Timestamp(s.start)).days
        assert first <= d < last, f"{phase.name!r}: met on {met_on:%Y-%m-%d}, outside the phase"
        shown = dict(zip(s.roles, counts[d].tolist(), strict=True))
        assert margins[d - first] >= -EPS, (
            f"{phase.name!r}: met on {met_on:%Y-%m-%d} with {shown}, outside the tolerance of {g}"
        )
        earlier = [first + k for k, ok in enumerate(clear[: d - first]) if ok]
        assert not earlier, (
            f"{phase.name!r}: met on {day_of(run, earlier[0])}, before {met_on:%Y-%m-%d}"
        )
        deadline = deadline_day(s, i)
        late = summary[f"{phase.slug}_days_late"]
        if deadline is not None and overtaken(s, i):
            # a later phase starts before the deadline: it carries the deadline on (same
            # goal, judged there) or supersedes it (never judged): no days late here
            assert pd.isna(late), f"{phase.name!r}: {late} days late on an overtaken deadline"
        elif deadline is not None:
            assert late == max(0, d - deadline), f"{phase.name!r}: {late} days late"


def same_goal(p, q) -> bool:
    return (p.total, p.mix, p.targets, p.deadline) == (q.total, q.mix, q.targets, q.deadline)


def carries(s, i: int) -> bool:
    """Does phase ``i + 1`` carry phase ``i``'s deadline on (the same goal and deadline)?"""
    phases = s.policy.phases
    if i + 1 >= len(phases) or phases[i].deadline is None:
        return False
    # the same goal and deadline, even one already past: judged once, where it was set
    return same_goal(phases[i], phases[i + 1])


def chain_end(s, i: int) -> int:
    while carries(s, i):
        i += 1
    return i


def overtaken(s, i: int) -> bool:
    """Is phase ``i``'s deadline not judged under its name: carried on from an earlier
    phase, or superseded (a phase with another goal starts before it)?"""
    if i and carries(s, i - 1):
        return True
    phases = s.policy.phases
    end = chain_end(s, i)
    if end + 1 >= len(phases) or phases[i].deadline is None:
        return False
    p, q = phases[end], phases[end + 1]
    return q.start < p.deadline


def a_total_is_not_undershot(run: sim.Run) -> None:
    """A phase with ``total`` alone that draws down: not below total - tolerance after its
    deadline (unless the planner reported a shortfall in the phase)."""
    s = run.scenario
    total = daily(run, "cap_count").sum(axis=1)
    n_days = len(total)
    ev = run.events
    for i, p in enumerate(s.policy.phases):
        g, deadline = goal(s, i), deadline_day(s, i)
        if g is None or g.total is None or deadline is None:
            continue
        target, tol = g.total
        first = start_day(s, i)
        end = chain_end(s, i) + 1  # phases carrying its deadline on are judged with it
        last = start_day(s, end) if end < len(s.policy.phases) else n_days
        if first >= n_days or total[first] <= target + tol:
            continue  # not a draw-down
        short = ev[(ev.event == "shortfall") & (ev.time >= first) & (ev.time < last)]
        if not short.empty:
            continue
        days = range(deadline, min(last, n_days))
        under = [d for d in days if total[d] < target - tol - EPS]
        assert not under, (
            f"{p.name!r} asks for {target:,.0f} ± {tol:,.0f}; the force is "
            f"{total[under[0]]:,} on {day_of(run, under[0])} ({len(under)} days below)"
        )


def nobody_is_recalled_after_handing_over(run: sim.Run) -> None:
    ev = run.events.reset_index(drop=True)
    handover = ev[ev.event == "transfer_of_authority"]
    handed = {
        d.removeprefix("from "): k for k, d in zip(handover.index, handover.detail, strict=True)
    }
    recalled = ev[ev.event == "recalled"]
    wrong = [
        (unit, date)
        for k, unit, date in zip(recalled.index, recalled.unit, recalled.date, strict=True)
        if unit in handed and k > handed[unit]
    ]
    assert not wrong, f"recalled after handing over: {wrong[:5]}"


def shortfalls_are_counted(run: sim.Run) -> None:
    logged = int((run.events.event == "shortfall").sum())
    assert run.summary.iloc[0].shortfalls == logged, (
        f"summary says {run.summary.iloc[0].shortfalls} shortfalls, the log has {logged}"
    )


def ledger(run: sim.Run) -> np.ndarray:
    """People by day and role from the scenario's initial force and the event log alone."""
    s = run.scenario
    roles = list(s.roles)
    n_days = run.timeseries.date.nunique()
    change = np.zeros((n_days, len(roles)), dtype=np.int64)
    for group in s.initial_force:
        ut = s.unit_types[group.unit_type]
        change[0, roles.index(ut.role)] += group.count * ut.size
    ev = run.events
    for event, sign in (("arrived", 1), ("departed", -1)):
        moved = ev[ev.event == event]
        days = np.floor(moved.time.to_numpy()).astype(int)
        np.add.at(change, (days, [roles.index(r) for r in moved.role]), sign * moved.people)
    return np.cumsum(change, axis=0)


def partway(run: sim.Run, event: str) -> np.ndarray:
    """By day and role, the most people that may be partway through a move at the end of the
    day: those of the next unit to finish ``event`` (the airlift moves one unit at a time
    each way), or, once none finishes before the run ends, the largest unit of each role."""
    s = run.scenario
    roles = list(s.roles)
    largest = [
        max((u.size for u in s.unit_types.values() if u.role == r), default=0) for r in roles
    ]
    n_days = run.timeseries.date.nunique()
    out = np.zeros((n_days, len(roles)), dtype=np.int64)
    moved = run.events[run.events.event == event]
    times, people, role = moved.time.to_numpy(), moved.people.to_numpy(), moved.role.to_numpy()
    for d in range(n_days):
        k = np.searchsorted(times, d + 1, side="left")  # the first move finished after day d
        if k < len(times):
            out[d, roles.index(role[k])] = people[k]
        else:
            out[d] = largest
    return out


def people_are_conserved(run: sim.Run) -> None:
    diff = daily(run, "boots_on_ground") - ledger(run)
    low, high = -partway(run, "departed"), partway(run, "arrived")
    bad = np.argwhere((diff < low) | (diff > high))
    assert not len(bad), (
        f"boots on the ground differ from the event log by {diff[tuple(bad[0])]:,} "
        f"({run.scenario.roles[bad[0][1]]}, {day_of(run, bad[0][0])}), more than one unit "
        "partway through its move"
    )


RULES: list[Callable[[sim.Run], None]] = [
    cap_is_respected,
    counts_are_sound,
    phases_are_judged_by_their_tolerance,
    a_total_is_not_undershot,
    nobody_is_recalled_after_handing_over,
    shortfalls_are_counted,
    people_are_conserved,
]


# Strategies ------------------------------------------------------------------------------


def date_after(day: dt.date, days: int) -> str:
    return f"{day + dt.timedelta(days=days):%Y-%m-%d}"


@dataclass(frozen=True)
class Where:
    """Where ``--set`` reaches a phase: its dotted path (the phase, or the announcement it
    comes from), its index among the loaded phases, and the key that moves its start."""

    path: str
    phase: int
    start: str


def reachable(s: sim.Scenario) -> list[Where]:
    """The phases of ``s`` as overrides reach them, in order."""
    items = s.policy.announcements
    if items is None:
        return [Where(f"policy.phases.{i}", i, "start") for i in range(len(s.policy.phases))]
    return [
        Where(
            f"policy.announcements.{j}",
            i,
            "takes_effect" if items[j].takes_effect is not None else "announced",
        )
        for i, j in enumerate(s.policy.origin)
    ]


@st.composite
def tweaks(draw: st.DrawFn, file: str) -> list[str]:
    """One change to ``file``, as one or more overrides."""
    s = facts(file)
    phases = s.policy.phases
    where = reachable(s)
    n = len(where)
    types = sorted(s.unit_types)
    initial = {t: sum(g.count for g in s.initial_force if g.unit_type == t) for t in types}
    kinds = [
        "size",
        "supply",
        "cap",
        "phase_cap",
        "total",
        "drawdown",
        "airlift",
        "deadline",
        "early_return",
        "allow_over_cap",
        "tolerance",
        "interval",
        "overlap",
        "extension",
    ]
    if n > 1:  # phases after the first can move
        kinds += ["start", "announced"]
    kind = draw(st.sampled_from(kinds))
    if kind == "size":
        t = draw(st.sampled_from(types))
        size = max(1, round(s.unit_types[t].size * draw(st.floats(0.3, 3.0))))
        return [f"unit_types.{t}.size={size}"]
    if kind == "supply":
        t = draw(st.sampled_from(types))
        return [f"unit_types.{t}.supply={max(1, initial[t] + draw(st.integers(0, 4)))}"]
    if kind == "cap":
        return [f"cap={round(s.cap * draw(st.floats(0.75, 1.1)))}"]
    if kind == "phase_cap":
        w = draw(st.sampled_from(where))
        return [f"{w.path}.cap={round(s.phase_cap(w.phase) * draw(st.floats(0.6, 1.1)))}"]
    if kind == "total":
        w = draw(st.sampled_from(where))
        return [f"{w.path}.total={round(s.phase_cap(w.phase) * draw(st.floats(0.0, 1.0)))}"]
    if kind == "drawdown":  # a phase with a total alone, a deadline and early return
        alone = [
            w for w in where if phases[w.phase].mix is None and phases[w.phase].targets is None
        ]
        w = draw(st.sampled_from(alone))
        total = round(s.phase_cap(w.phase) * draw(st.floats(0.3, 0.95)))
        deadline = date_after(max(phases[w.phase].start, s.start), draw(st.integers(30, 150)))
        how = draw(st.sampled_from(["as_needed", "immediate"]))
        return [
            f"{w.path}.total={total}",
            f"{w.path}.deadline={deadline}",
            f"{w.path}.early_return={how}",
        ]
    if kind == "airlift":
        if s.airlift.seats_per_day is not None:
            return [f"airlift.seats_per_day={draw(st.integers(200, 3000))}"]
        return [f"airlift.sorties_per_week={draw(st.sampled_from([1, 1.5, 2, 5, 10, 20]))}"]
    if kind == "start":
        w = draw(st.sampled_from(where[1:]))
        return [
            f"{w.path}.{w.start}={date_after(phases[w.phase].start, draw(st.integers(-45, 45)))}"
        ]
    if kind == "announced":  # told earlier, in force on the same day
        w = draw(st.sampled_from(where[1:]))
        start = phases[w.phase].start
        told = [f"{w.path}.announced={date_after(start, -draw(st.integers(0, 120)))}"]
        return told if w.start != "announced" else [*told, f"{w.path}.takes_effect={start}"]
    if kind == "deadline":
        w = draw(st.sampled_from(where))
        start = max(phases[w.phase].start, s.start)
        return [f"{w.path}.deadline={date_after(start, draw(st.integers(0, 180)))}"]
    if kind == "early_return":
        w = draw(st.sampled_from(where))
        how = draw(st.sampled_from(["none", "as_needed", "immediate"]))
        return [f"{w.path}.early_return={how}"]
    if kind == "allow_over_cap":
        return [f"allow_over_cap={draw(st.sampled_from(['true', 'false']))}"]
    if kind == "tolerance":
        return [f"target_tolerance={draw(st.sampled_from([0, 0.01, 0.05, 0.1, 0.2]))}"]
    if kind == "interval":
        return [f"planning_interval_days={draw(st.integers(1, 30))}"]
    if kind == "overlap":
        return [f"relief_in_place.overlap_days={draw(st.integers(0, 30))}"]
    return [f"tour_extension_days={draw(st.integers(0, 90))}"]


@st.composite
def variants(draw: st.DrawFn, files: tuple[str, ...] = FILES) -> Variant:
    file = draw(st.sampled_from(files))
    changes = draw(st.lists(tweaks(file), max_size=3))
    seed = draw(st.integers(0, 2**16))
    variant = Variant(file, tuple(o for change in changes for o in change), seed)
    note(f"reproduce: {variant.reproduce()}")
    return variant


def check(rule: Callable[[sim.Run], None], variant: Variant) -> None:
    run = run_of(variant)
    assume(run is not None)
    rule(run)


# Tests -----------------------------------------------------------------------------------


# The cases issue 11 names, tried first by every rule.
ISSUE_11 = [
    Variant("status-quo.yaml", ("unit_types.sof_task_unit.supply=3",), 0),
    Variant("advisory.yaml", ("cap=2000", "policy.announcements.1.announced=2021-10-01"), 0),
    Variant("history/iraq-2020-2021.yaml", (), 0),
]


def issue_examples(test):
    for variant in reversed(ISSUE_11):
        test = example(variant=variant)(test)
    return test


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.__name__)
@SAME_EXAMPLES
@SETTINGS
@given(variant=variants())
@issue_examples
def test_every_variant_obeys(rule, variant):
    check(rule, variant)


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.__name__)
@SAME_EXAMPLES
@settings(SETTINGS, max_examples=2, phases=[Phase.explicit, Phase.generate])  # no shrinking
@given(variant=variants(files=(BIG,)))
def test_the_2009_force_obeys(rule, variant):
    check(rule, variant)


@settings(SETTINGS, max_examples=15)
@given(variant=variants())
def test_the_same_seed_gives_the_same_tables(variant):
    first = run_of(variant)
    assume(first is not None)
    again = sim.simulate(load(variant.file, variant.overrides), seed=variant.seed)
    pd.testing.assert_frame_equal(first.timeseries, again.timeseries)
    pd.testing.assert_frame_equal(first.events, again.events)
    pd.testing.assert_frame_equal(first.summary, again.summary)
