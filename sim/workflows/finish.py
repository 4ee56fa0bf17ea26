"""How every command that writes a folder ends it: tables, the manifest, then the charts.

The tables (and whatever else the command keeps) are written first, each safely; then the
manifest says the run is complete. A failure before that removes what was written, so a
folder never claims tables it does not hold. The charts come last and each may fail alone:
a chart that cannot be drawn is named in the manifest's ``charts_failed``, with one
warning, and never costs the tables.
"""

from __future__ import annotations

import shutil
import warnings
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from sim import plots  # a lazy package: matplotlib loads when a chart is drawn
from sim.errors import ChartWarning
from sim.results.layout import RunFolder, write_manifest


def finish(
    folder: RunFolder,
    manifest: dict,
    write: Callable[[list[Path]], None],
    charts: Mapping[str, Callable] | None,
    formats: Sequence[str],
    *,
    files: list[Path] | None = None,
    failed: list[dict[str, str]] | None = None,
    scratch: str | None = None,
    after: Callable[[list[Path]], None] | None = None,
    redraw: bool = False,
) -> list[Path]:
    """End ``folder``: ``write(files)`` appends the paths it writes; then the manifest
    (``status: complete``); then ``scratch`` (a sub-folder of work in progress) goes, the
    ``charts`` are drawn in each of ``formats`` and ``after(files)`` adds what needs them
    (a report). ``failed`` collects the charts not drawn. ``redraw``: the warning says that
    ``sim report`` draws them again. Returns the files written, the manifest last."""
    target = folder.path
    files = [] if files is None else files
    failed = [] if failed is None else failed
    try:
        write(files)
        manifest["status"] = "complete"
        write_manifest(manifest, target, files)  # from here on the tables are safe
        folder.complete = True
    except BaseException:
        for written in files:
            written.unlink(missing_ok=True)
        files.clear()
        raise
    if scratch is not None:
        shutil.rmtree(target / scratch, ignore_errors=True)
    try:
        if formats and charts:  # none asked for: tables only
            files += plots.save_all(charts, target / "charts", formats, failed)
        if after is not None:
            after(files)
    finally:
        if failed:
            manifest["charts_failed"] = failed
            broken = [f for f in failed if f["error"] != "interrupted"]
            if broken:  # (a stop is reported as such by the caller)
                warnings.warn(chart_warning(target, broken, redraw), stacklevel=4)
        files.append(write_manifest(manifest, target, files))
    return files


def chart_warning(folder: Path, failed: Sequence[dict[str, str]], redraw: bool) -> ChartWarning:
    charts = "; ".join(f"{f['chart']} ({f['error']})" for f in failed)
    again = (
        f"; once fixed, `sim report {folder}` draws the charts again in report.html"
        if redraw
        else ""
    )
    return ChartWarning(
        f"chart{'s' if len(failed) > 1 else ''} not drawn: {charts}. The run is complete "
        f"(tables and manifest in {folder}){again}"
    )
