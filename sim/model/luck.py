"""Per-unit chance: each unit draws its own readiness slip and tour extension.

Every (quantity, unit type) pair has its own random stream, seeded from the replication's
``units`` stream and the pair's name, and the k-th unit of a type takes the k-th draw. So
two options run with the same seed give their k-th unit of each type the same luck
(common random numbers) however differently they order units, and a quantity or type
added to a scenario never shifts the draws of the others.
"""

from __future__ import annotations

import hashlib

import numpy as np

from sim.scenario.schema import PerUnit

QUANTITIES = ("readiness_slip_days", "tour_extension_days")


def _name_key(name: str) -> int:
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "little")


class UnitLuck:
    """Draws each unit's slip and extension, in the order units of a type are created."""

    def __init__(self, spec: PerUnit, rng: np.random.Generator) -> None:
        self._base = int(rng.integers(2**63))
        self._fixed = {q: getattr(spec, q) for q in QUANTITIES}
        self._streams: dict[tuple[str, str], np.random.Generator] = {}

    def draw(self, type_name: str, temporary: bool = False) -> tuple[float, float]:
        """The next unit of ``type_name``: (readiness slip, tour extension), in days.

        Temporary deployments draw from streams of their own, so a surge in one option
        does not shift the luck of the regular units that follow it.
        """
        key = f"{type_name}:temporary" if temporary else type_name
        slip, extension = (self._value(q, key) for q in QUANTITIES)
        return slip, extension

    def _value(self, quantity: str, type_name: str) -> float:
        spec = self._fixed[quantity]
        if isinstance(spec, float | int):
            return float(spec)
        key = (quantity, type_name)
        rng = self._streams.get(key)
        if rng is None:
            seq = np.random.SeedSequence([self._base, _name_key(f"{quantity}:{type_name}")])
            rng = self._streams[key] = np.random.default_rng(seq)
        return float(spec.quantile(float(rng.random())))
