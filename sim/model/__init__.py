"""The SimPy model of the force in the country. It builds from a ``Scenario`` and random
streams, records through a recorder and does no I/O."""

from sim.model.engine import STREAMS, Model, run_model
from sim.model.recorder import Recording

__all__ = ["STREAMS", "Model", "Recording", "run_model"]
