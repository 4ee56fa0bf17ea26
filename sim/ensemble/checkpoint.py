"""What a run saves as it goes, so a stopped run can be resumed: data only, never code.

A run folder being filled holds ``batches/<scenario>-<first replication>.npz``: the batch's
daily counts as an integer array and its summary rows as JSON text, written to a temporary
name and renamed, so a batch file is either whole or absent. Sweeps save each finished task
as ``tasks/<sample>-<option>.json`` the same way. Both formats hold numbers, text and dates
only (NumPy reads the arrays with ``allow_pickle=False``), so a folder prepared by someone
else can at worst be refused, never run code here. Each file records the run it belongs to
(``run_id``, from the manifest) and is read back only by that run, after checks of its
shape: a file that fails them is refused with ``OutputError`` naming it.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.ensemble.worker import MEASURES, BatchResult
from sim.errors import OutputError
from sim.results.layout import atomic, damaged
from sim.scenario.schema import Scenario

BATCHES = "batches"
FORMAT = 1
MAX_COUNT = 100_000_000  # no daily count of people is larger; a file saying so is not ours
_NAME = re.compile(r"^(\d{3})-(\d{8})\.npz$")
_DATE, _TIMESTAMP, _NAT = "$date", "$timestamp", "$nat"  # how dates are written in JSON


def encode(value: Any) -> Any:
    """Rows of results as JSON-ready data: numbers, text, None, lists, dicts and dates
    (a date, a pandas timestamp or NaT as a one-key dict such as ``{"$date": "2021-12-31"}``).
    """
    if isinstance(value, dict):
        return {str(k): encode(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [encode(v) for v in value]
    if value is pd.NaT:
        return {_NAT: None}
    if isinstance(value, dt.datetime):  # a pandas Timestamp is one
        return {_TIMESTAMP: value.isoformat()}
    if isinstance(value, dt.date):
        return {_DATE: value.isoformat()}
    if isinstance(value, np.generic):
        return value.item()
    return value


def decode(value: Any, where: Path) -> Any:
    """The inverse of ``encode``; anything else than its output is refused."""
    if isinstance(value, dict):
        if value == {_NAT: None}:
            return pd.NaT
        for tag, parse in ((_DATE, dt.date.fromisoformat), (_TIMESTAMP, pd.Timestamp)):
            if set(value) == {tag} and isinstance(value[tag], str):
                try:
                    return parse(value[tag])
                except ValueError:
                    raise damaged(where, "a bad date") from None
        return {k: decode(v, where) for k, v in value.items()}
    if isinstance(value, list):
        return [decode(v, where) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    raise damaged(where, f"a value of type {type(value).__name__}")


def batch_path(folder: Path, index: int, first: int) -> Path:
    return folder / BATCHES / f"{index:03d}-{first:08d}.npz"


def save_batch(folder: Path, result: BatchResult, run_id: str) -> Path:
    """Save a batch's counts and rows (not its sample recording, which a resume re-runs)."""
    path = batch_path(folder, result.index, result.first)
    path.parent.mkdir(parents=True, exist_ok=True)
    meta = {
        "format": FORMAT,
        "run_id": run_id,
        "index": result.index,
        "first": result.first,
        "rows": encode(result.rows),
        "sim_events": result.sim_events,
        "seconds": result.seconds,
    }

    def write(tmp: Path) -> None:
        with tmp.open("wb") as fh:
            np.savez_compressed(fh, counts=result.counts, meta=np.array(json.dumps(meta)))

    return atomic(path, write)


def saved_batches(folder: Path) -> list[tuple[int, int, Path]]:
    """(scenario index, first replication, path) of every whole batch file, in order."""
    found = []
    for path in (folder / BATCHES).glob("*.npz"):
        match = _NAME.match(path.name)
        if match:
            found.append((int(match[1]), int(match[2]), path))
    return sorted(found)


def load_batch(path: Path, run_id: str, scenarios: list[Scenario]) -> BatchResult:
    """A saved batch, checked against the run and its scenarios, or ``OutputError``."""
    try:
        with np.load(path, allow_pickle=False) as data:
            if set(data.files) != {"counts", "meta"}:
                raise damaged(path, "unexpected contents")
            counts, text = data["counts"], data["meta"]
    except OutputError:
        raise
    except Exception:  # any reading problem of a foreign file is the same refusal
        raise damaged(path, "not a batch file") from None
    if text.dtype.kind != "U" or text.shape != ():
        raise damaged(path, "no description")
    try:
        meta = json.loads(str(text))
    except (ValueError, RecursionError):
        raise damaged(path, "a bad description") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise damaged(path, "an unknown format")
    if meta.get("run_id") != run_id:
        raise damaged(path, "it belongs to another run")
    index, first, rows = meta.get("index"), meta.get("first"), meta.get("rows")
    if not (isinstance(index, int) and 0 <= index < len(scenarios)):
        raise damaged(path, "no such scenario")
    if not (isinstance(first, int) and first >= 0 and isinstance(rows, list) and rows):
        raise damaged(path, "no replications")
    scenario = scenarios[index]
    days = (scenario.end - scenario.start).days + 1
    if counts.dtype != np.int32 or counts.shape != (
        len(rows),
        len(MEASURES),
        days,
        len(scenario.roles),
    ):
        raise damaged(path, "counts of the wrong shape")
    if counts.size and (counts.min() < 0 or counts.max() > MAX_COUNT):
        raise damaged(path, "impossible counts")
    rows = decode(rows, path)
    for k, row in enumerate(rows):
        if (
            not isinstance(row, dict)
            or row.get("scenario") != scenario.name
            or row.get("replication") != first + k
        ):
            raise damaged(path, "rows of another scenario or replication")
    events, seconds = meta.get("sim_events"), meta.get("seconds")
    if not isinstance(events, int) or not isinstance(seconds, int | float):
        raise damaged(path, "no run statistics")
    return BatchResult(index, first, rows, counts, None, None, events, float(seconds))


def iter_batches(folder: Path, run_id: str, scenarios: list[Scenario]) -> Iterator[BatchResult]:
    for index, first, path in saved_batches(folder):
        batch = load_batch(path, run_id, scenarios)
        if (batch.index, batch.first) != (index, first):
            raise damaged(path, "its name and contents disagree")
        yield batch
