"""Builds one replication of the model from a scenario and random streams, and runs it.

The model is a handful of SimPy processes: one per unit (``units.serve``), the policy
(``policy.run_policy``), the planner's periodic review and the airlift's flights. They
share one ``Model``, which holds the state; the recorder is the only output. The threat's
attacks, which change nothing in the force, are added to the record once the run is over.
"""

from __future__ import annotations

from collections.abc import Generator, Mapping

import numpy as np
import simpy
from simpy.core import BoundClass

from sim.model.airlift import Airlift, phase_specs, planned_per_day, seats_by_phase
from sim.model.force import IN_COUNTRY, Force
from sim.model.luck import UnitLuck
from sim.model.planner import Planner
from sim.model.policy import run_policy
from sim.model.recorder import Recorder, Recording
from sim.model.threat import log_attacks
from sim.model.units import serve_tour
from sim.scenario.schema import Scenario
from sim.scenario.timeline import Timeline

STREAMS = ("threat", "airlift", "units")


class Environment(simpy.Environment):
    """SimPy's environment, counting the processes it starts and the events it processes
    (for benchmarks), through SimPy's public methods only."""

    processes = 0
    processed = 0

    def __init__(self) -> None:
        super().__init__()
        # SimPy binds ``timeout``, ``event`` and the like to the instance once, for speed,
        # but only those its own class defines, so none for a subclass: bind them here.
        for name, attr in vars(simpy.Environment).items():
            if isinstance(attr, BoundClass) and name != "process":
                setattr(self, name, getattr(self, name))

    def process(self, generator: Generator) -> simpy.Process:
        self.processes += 1
        return simpy.Process(self, generator)

    def step(self) -> None:
        self.processed += 1  # counted before: the last step ends the run by raising
        super().step()


class Model:
    """The shared state of one replication: environment, force, planner, airlift, recorder."""

    def __init__(self, scenario: Scenario, rngs: Mapping[str, np.random.Generator]) -> None:
        self.scenario = scenario
        self.env = Environment()
        self.n_days = (scenario.end - scenario.start).days + 1
        self.recorder = Recorder(list(scenario.roles))
        self.timeline = Timeline(scenario)
        bases = [(name, b.closes_below) for name, b in scenario.cost.bases.items()]
        self.force = Force(self.env, list(scenario.roles), self.recorder, bases)
        specs = phase_specs(scenario.airlift, [p.airlift for p in self.timeline.phases])
        seats = seats_by_phase(specs, self.timeline.starts, self.n_days, rngs["airlift"])
        planned = [planned_per_day(spec) for spec in specs]
        self.airlift = Airlift(self.env, planned, seats, self.force)
        self.luck = UnitLuck(scenario.per_unit, rngs["units"])
        self.planner = Planner(self)
        self.force.on_change = self.planner.projection.update
        self._place_initial_force()
        self.env.process(run_policy(self))
        self.env.process(self._review())
        self._threat_rng = rngs["threat"]

    def run(self) -> Recording:
        self.env.run(until=self.n_days)
        log_attacks(self, self._threat_rng)  # attacks change nothing: worked out afterwards
        rec = self.recorder.finish(self.n_days, sim_events=self.env.processed)
        rec.processes = self.env.processes
        return rec

    def _place_initial_force(self) -> None:
        """Units in the country at the start, their tours evenly staggered."""
        s, env = self.scenario, self.env
        for group in s.initial_force:
            ut = s.unit_types[group.unit_type]
            tour = s.tour_days(group.unit_type)
            for k in range(group.count):
                _, extension = self.luck.draw(group.unit_type)
                tour_end = (k + 0.5) / group.count * tour + extension
                u = self.force.new_unit(
                    group.unit_type,
                    ut,
                    tour,
                    ready_at=tour_end - tour,
                    plan_in=tour_end - tour,
                    tour_end=tour_end,
                    state=IN_COUNTRY,
                    holding=True,
                )
                self.force.add(u)
                self.force.place(u)
                env.process(serve_tour(self, u))
        self.force.close_bases()

    def _review(self) -> Generator:
        """Review the force every planning interval (the phase in force may change it)."""
        while True:
            phase = self.timeline.phase(self.env.now)
            interval = phase.planning_interval_days or self.scenario.planning_interval_days
            yield self.env.timeout(interval)
            self.planner.review()


def run_model(scenario: Scenario, rngs: Mapping[str, np.random.Generator]) -> Recording:
    """Run one replication and return what the recorder saw."""
    return Model(scenario, rngs).run()
