"""The on-disk layout of a run folder, and writing it so that it is whole or absent.

A run folder holds ``timeseries.csv``, ``summary.csv``, ``events.csv``, ``phases.csv``,
``manifest.json`` and ``charts/``. Everything is written into a hidden staging folder
beside the target and renamed into place at the end, so an interrupted run leaves no
half-written results and never touches an earlier run.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from sim.errors import OutputError


def default_run_dir(root: Path, name: str, when: dt.datetime | None = None) -> Path:
    """``root/<name>-<YYYYmmdd-HHMMSS>``, with ``-2``, ``-3``... if that name is taken."""
    when = when or dt.datetime.now()
    base = root / f"{name}-{when:%Y%m%d-%H%M%S}"
    path, n = base, 1
    while path.exists():
        n += 1
        path = base.with_name(f"{base.name}-{n}")
    return path


def check_out_dir(out: Path) -> None:
    """Refuse a target that exists and is not an empty folder."""
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        what = "is a file" if not out.is_dir() else "exists and is not empty"
        raise OutputError(f"{out}: {what}; choose a new folder (results are never overwritten)")


@contextlib.contextmanager
def staged_dir(out: Path) -> Iterator[Path]:
    """Yield a staging folder; on success it becomes ``out``, on failure it is removed."""
    check_out_dir(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.partial-", dir=out.parent))
    try:
        yield staging
        check_out_dir(out)  # someone may have written there meanwhile
        if out.exists():
            out.rmdir()
        os.replace(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def write_csv(frame: pd.DataFrame, path: Path) -> Path:
    """CSV with ISO dates, numbers in full (they read back exactly), empty cells for missing."""
    frame.to_csv(path, index=False, date_format="%Y-%m-%d")
    return path


def write_json(data: dict, path: Path) -> Path:
    path.write_text(json.dumps(data, indent=2, default=str) + "\n", encoding="utf-8")
    return path
