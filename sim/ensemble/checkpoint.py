"""Batch files: each finished batch is saved at once, so a stopped run can be resumed.

A run folder being filled holds ``batches/<scenario>-<first replication>.pkl.gz``, each
written to a temporary name and renamed, so a batch file is either whole or absent. They
are this program's own files, read back only by it (pickle is safe here for that reason).
"""

from __future__ import annotations

import gzip
import os
import pickle
import re
from collections.abc import Iterator
from pathlib import Path

from sim.ensemble.worker import BatchResult

BATCHES = "batches"
_NAME = re.compile(r"^(\d+)-(\d+)\.pkl\.gz$")


def batch_path(folder: Path, index: int, first: int) -> Path:
    return folder / BATCHES / f"{index:03d}-{first:08d}.pkl.gz"


def save_batch(folder: Path, result: BatchResult) -> Path:
    path = batch_path(folder, result.index, result.first)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    with gzip.open(tmp, "wb", compresslevel=1) as fh:
        pickle.dump(result, fh, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(tmp, path)
    return path


def saved_batches(folder: Path) -> list[tuple[int, int, Path]]:
    """(scenario index, first replication, path) of every whole batch file, in order."""
    found = []
    for path in (folder / BATCHES).glob("*.pkl.gz"):
        match = _NAME.match(path.name)
        if match:
            found.append((int(match[1]), int(match[2]), path))
    return sorted(found)


def load_batch(path: Path) -> BatchResult:
    with gzip.open(path, "rb") as fh:
        return pickle.load(fh)


def iter_batches(folder: Path) -> Iterator[BatchResult]:
    for _, _, path in saved_batches(folder):
        yield load_batch(path)
