"""The on-disk layout of a run folder, and writing it so that it is whole or absent.

A run folder holds tables (``summary.csv``, ``bands.csv``, ...), ``manifest.json`` and
``charts/``. Two ways keep it honest:

- ``RunFolder`` is a folder claimed by one process for a run that writes as it goes (``sim
  run``, ``sim sweep``): created, or found empty, and locked (``.sim.lock``, a file lock
  held for the whole run), before anything else, so two runs never share a folder. On
  failure it removes only what the run created (a folder the user made stays, empty).
- ``staged_dir`` is for results written in one go: everything goes into a hidden staging
  folder beside the target and is renamed into place at the end.

Every file is written to a temporary name and renamed (``atomic``), so a table is whole or
absent. Problems with the folder itself (a file in the way, no permission, a read-only or
full disk) are ``OutputError``: one line naming the folder.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import json
import os
import re
import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd
from filelock import FileLock, Timeout

from sim.errors import OutputError, RunInterrupted

LOCK = ".sim.lock"
# Errors that say the disk or the folder cannot take the results (and a retry may succeed).
_NAMES = (
    "ENOSPC",
    "EDQUOT",
    "EROFS",
    "EACCES",
    "EPERM",
    "EIO",
    "ENOENT",
    "ENOTDIR",
    "EISDIR",
    "ENAMETOOLONG",
    "EFBIG",
)
DISK_ERRORS = {getattr(errno, name) for name in _NAMES if hasattr(errno, name)}


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
    if out.is_symlink() and not out.exists():
        raise OutputError(f"{out}: a broken symbolic link; choose a new folder")
    try:
        if out.exists() and (not out.is_dir() or any(_entries(out))):
            what = "is a file" if not out.is_dir() else "exists and is not empty"
            raise OutputError(f"{out}: {what}; choose a new folder (results are never overwritten)")
    except OSError as error:
        raise folder_error(out, error) from None


def _entries(folder: Path) -> Iterator[Path]:
    return (p for p in folder.iterdir() if p.name != LOCK)


def folder_error(folder: Path, error: OSError, doing: str = "cannot use it") -> OutputError:
    """An ``OSError`` about an output folder as one line: the folder, what failed, why."""
    reason = error.strerror or type(error).__name__
    where = f" ({error.filename})" if error.filename and str(error.filename) != str(folder) else ""
    return OutputError(f"{folder}: {doing}: {reason}{where}")


def damaged(path: Path, what: str) -> OutputError:
    return OutputError(
        f"{path}: not a file this run wrote ({what}); move it away, or start a new run"
    )


def read_json(path: Path) -> Any:
    """JSON data from a file a run saved, or ``OutputError`` naming it."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeError, ValueError, RecursionError):
        raise damaged(path, "not readable JSON") from None


def read_manifest(folder: Path, doing: str = "") -> dict:
    """The manifest of the run folder ``folder``: ``OutputError`` if there is none (``doing``
    says what was asked, e.g. "and nothing to resume") or it is not one a run wrote."""
    path = folder / "manifest.json"
    if not path.is_file():
        missing = f"{folder}: not a run folder (no manifest.json)"
        raise OutputError(f"{missing} {doing}" if doing else missing)
    manifest = read_json(path)
    if not isinstance(manifest, dict):
        raise damaged(path, "not a manifest")
    return manifest


def atomic(path: Path, write: Callable[[Path], object]) -> Path:
    """Write ``path`` through ``write(tmp)`` to a hidden temporary name, then rename it."""
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


class RunFolder:
    """An output folder claimed by this process for one run; see the module docstring.

    ``claim`` makes (or takes an empty) folder for a new run; ``reopen`` takes an existing
    run folder to complete it. Either holds the folder's lock until ``release``; a second
    process asking for the same folder meanwhile gets an ``OutputError`` at once.
    ``run_id`` names the run: files saved as it goes carry it, and only files that carry
    it are read back.
    """

    def __init__(self, path: Path, lock: FileLock, created: Path | None, resumed: bool) -> None:
        self.path = path
        self._lock = lock
        self._created = created  # the topmost folder this run made, if it made any
        self.resumed = resumed
        self.run_id = uuid.uuid4().hex
        self.complete = False  # set once the manifest saying so is written
        self.previous: dict = {}  # the manifest found, when resuming

    @contextlib.contextmanager
    def guard(self, manifest: dict) -> Iterator[None]:
        """Whatever stops the run, leave the folder saying where it stands, then unlock it.

        Stopped (Ctrl-C, or SIGTERM as the CLI handles it): ``interrupted`` and
        ``RunInterrupted``, or, once complete, ``RunInterrupted`` saying so. A disk problem
        (``OSError``): ``failed``, the saved work kept for a resume, and ``OutputError``.
        Any other error: a new run removes what it created; a resumed one says ``failed``.
        ``manifest`` is the run's manifest as far as it is known (empty: none written yet).
        """
        try:
            yield
        except KeyboardInterrupt as stop:
            if self.complete:
                raise RunInterrupted(self.path, "complete") from stop
            if manifest:
                self._status(manifest, "interrupted")
                raise RunInterrupted(self.path, "interrupted") from stop
            if not self.resumed:
                self.discard()
            raise
        except OSError as error:
            if error.errno not in DISK_ERRORS:  # not about the folder (a connection, a bug)
                self._failed(manifest)
                raise
            if manifest:
                self._status(manifest, "failed", error=f"{type(error).__name__}: {error}")
            elif not self.resumed:
                self.discard()
            raise folder_error(self.path, error, "could not write the results") from None
        except BaseException:
            self._failed(manifest)
            raise
        finally:
            self.release()

    def _failed(self, manifest: dict) -> None:
        """A new run removes what it created; a resumed one says it failed."""
        if not self.resumed:
            self.discard()
        elif manifest:
            self._status(manifest, "failed")

    def _status(self, manifest: dict, status: str, **details: object) -> None:
        """Record where a stopped run stands, as far as the disk allows."""
        manifest.update(status=status, **details)
        with contextlib.suppress(OSError):
            write_json(manifest, self.path / "manifest.json")

    @classmethod
    def claim(cls, path: Path) -> RunFolder:
        check_out_dir(path)
        created = _first_missing(path)
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise folder_error(path, error, "cannot create the folder") from None
        folder = cls(path, cls._lock(path), created, resumed=False)
        try:
            check_out_dir(path)  # another run may have written there before the lock
        except OutputError:
            folder._lock.release()
            raise
        return folder

    @classmethod
    def reopen(cls, path: Path) -> RunFolder:
        """An unfinished run's folder, locked, with its manifest (``previous``) and run id."""
        if not (path / "manifest.json").is_file():  # read once the folder is locked
            read_manifest(path, "and nothing to resume")
        folder = cls(path, cls._lock(path), None, resumed=True)
        try:
            folder.previous = was = read_manifest(path)
            if was.get("status") == "complete":
                raise OutputError(f"{path}: that run is complete; there is nothing to resume")
            run_id = was.get("run_id")
            if not (isinstance(run_id, str) and re.fullmatch(r"[0-9a-f]{32}", run_id)):
                raise OutputError(
                    f"{path}: the manifest names no run (written by an older sim?); start a new run"
                )
        except BaseException:
            folder.release()
            raise
        folder.run_id = run_id
        return folder

    @staticmethod
    def _lock(path: Path) -> FileLock:
        lock = FileLock(path / LOCK, thread_local=False)
        try:
            lock.acquire(timeout=0)
        except Timeout:
            raise OutputError(
                f"{path}: another sim process is writing to this folder; wait for it to "
                "finish or choose a new folder"
            ) from None
        except OSError as error:
            raise folder_error(path, error, "cannot write to the folder") from None
        return lock

    def discard(self) -> None:
        """Remove what this run created: the folder if it made it, else its contents (the
        folder was empty when claimed). The lock is still held; ``release`` it after."""
        if self._created is not None:
            shutil.rmtree(self._created, ignore_errors=True)
        else:
            for entry in _entries(self.path):
                if entry.is_dir() and not entry.is_symlink():
                    shutil.rmtree(entry, ignore_errors=True)
                else:
                    entry.unlink(missing_ok=True)
            (self.path / LOCK).unlink(missing_ok=True)

    def release(self) -> None:
        """Unlock the folder (a complete run leaves no lock file behind)."""
        if self.complete:
            (self.path / LOCK).unlink(missing_ok=True)
        self._lock.release()


def _first_missing(path: Path) -> Path | None:
    """The topmost folder of ``path`` that does not exist yet (None if it exists)."""
    missing = None
    for folder in (path, *path.parents):
        if folder.exists() or folder.is_symlink():
            break
        missing = folder
    return missing


@contextlib.contextmanager
def staged_dir(out: Path) -> Iterator[Path]:
    """Yield a staging folder; on success it becomes ``out``, on failure it is removed."""
    check_out_dir(out)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.partial-", dir=out.parent))
    except OSError as error:
        raise folder_error(out, error, "cannot create the folder") from None
    try:
        yield staging
        check_out_dir(out)  # someone may have written there meanwhile
        try:
            if out.exists():
                out.rmdir()
            os.replace(staging, out)
        except OSError as error:
            raise folder_error(out, error, "cannot put the results in place") from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def write_csv(frame: pd.DataFrame, path: Path) -> Path:
    """CSV with ISO dates, numbers in full (they read back exactly), empty cells for missing."""
    frame.to_csv(path, index=False, date_format="%Y-%m-%d")
    return path


def write_manifest(manifest: dict, target: Path, files: list[Path]) -> Path:
    """``target/manifest.json``, listing ``files`` (relative to ``target``) under ``files``."""
    listed = [f for f in files if f.name != "manifest.json"]
    manifest["files"] = sorted(str(f.relative_to(target)) for f in listed)
    return write_json(manifest, target / "manifest.json")


def write_json(data: dict, path: Path) -> Path:
    """JSON, indented; replaced whole (a reader never sees half a manifest)."""
    text = json.dumps(data, indent=2, default=str) + "\n"
    return atomic(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))
