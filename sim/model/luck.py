"""Per-unit chance: each unit draws its own readiness slip and tour extension.

Every (quantity, unit type) pair has its own random stream, seeded from the replication's
``units`` stream and the pair's name, and the k-th unit of a type takes the k-th draw. So
two options run with the same seed give their k-th unit of each type the same luck
(common random numbers) however differently they order units, and a quantity or type
added to a scenario never shifts the draws of the others.
"""

from __future__ import annotations

import functools
import hashlib

import numpy as np

from sim.scenario.schema import PerUnit

QUANTITIES = ("readiness_slip_days", "tour_extension_days")


@functools.cache
def _name_key(name: str) -> int:
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "little")


BATCH = 16  # uniforms drawn at a time from a stream: the same numbers, fewer calls


class UnitLuck:
    """Draws each unit's slip and extension, in the order units of a type are created."""

    def __init__(self, spec: PerUnit, rng: np.random.Generator) -> None:
        self._base = int(rng.integers(2**63))
        values = {q: getattr(spec, q) for q in QUANTITIES}
        self._fixed = {q: float(v) for q, v in values.items() if isinstance(v, float | int)}
        self._dists = {q: v for q, v in values.items() if q not in self._fixed}
        self._uniforms: dict[tuple[str, str], list[float]] = {}  # next draws, last first
        self._streams: dict[tuple[str, str], np.random.Generator] = {}

    def draw(self, type_name: str, temporary: bool = False) -> tuple[float, float]:
        """The next unit of ``type_name``: (readiness slip, tour extension), in days.

        Temporary deployments draw from streams of their own, so a surge in one option
        does not shift the luck of the regular units that follow it.
        """
        key = f"{type_name}:temporary" if temporary else type_name
        slip, extension = QUANTITIES
        return self._value(slip, key), self._value(extension, key)

    def _value(self, quantity: str, type_name: str) -> float:
        fixed = self._fixed.get(quantity)
        if fixed is not None:
            return fixed
        key = (quantity, type_name)
        uniforms = self._uniforms.get(key)
        if not uniforms:
            uniforms = self._uniforms[key] = self._stream(key).random(BATCH).tolist()[::-1]
        return float(self._dists[quantity].quantile(uniforms.pop()))

    def _stream(self, key: tuple[str, str]) -> np.random.Generator:
        rng = self._streams.get(key)
        if rng is None:
            seq = np.random.SeedSequence([self._base, _name_key(":".join(key))])
            rng = self._streams[key] = np.random.default_rng(seq)
        return rng
