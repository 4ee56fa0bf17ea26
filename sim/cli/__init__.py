"""The ``sim`` command line: thin wrappers over importable functions.

This package is the only place that prints, reads argv or exits. ``base`` holds the app,
its one error handler and the helpers the commands share; the commands are in ``runs``
(run, compare, report), ``explore`` (sweep, sensitivity, robustness, optimize),
``history`` (backtest, calibrate) and ``files`` (validate, app, schema), registered in
that order, which is the order ``sim --help`` lists them in. The options several commands
share are defined once, in ``options``; the tables the commands print are made in
``tables``. pandas, matplotlib and the model load inside the commands that need them, so
that ``sim --help`` starts at once.
"""

import importlib

from sim.cli.base import app, main

# Each module registers its commands on import; this order is the order of `sim --help`.
for _module in ("runs", "explore", "history", "files"):
    importlib.import_module(f"sim.cli.{_module}")

__all__ = ["app", "main"]
