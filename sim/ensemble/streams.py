"""Named random streams, all spawned from one ``numpy.random.SeedSequence`` per run.

Stream ``name`` of replication ``k`` under seed ``s`` is always the same generator: its
key is (k, a fixed number derived from the name), not its position in a list. So two
scenarios run with the same seed see the same draws in every stream they both use
(common random numbers), and adding a stream never shifts the others.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

import numpy as np


def stream_key(name: str) -> int:
    """A stable 32-bit number for a stream name (the same in every Python process)."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:4], "little")


def streams(seed: int, replication: int, names: Iterable[str]) -> dict[str, np.random.Generator]:
    """One generator per name for replication ``replication`` of a run seeded ``seed``."""
    return {
        name: np.random.default_rng(
            np.random.SeedSequence(seed, spawn_key=(replication, stream_key(name)))
        )
        for name in names
    }
