"""Workflows: what each command does, importable, between the CLI and the building blocks.

The building blocks form one flow, scenario -> model -> ensemble -> results ->
analysis, plots and report; each workflow strings some of them together:

- ``simulate``: one replication in this process (``sim.simulate``), tables back.
- ``run``: ``sim run`` and ``sim compare`` (``sim.compare``): options side by side,
  written to a run folder.
- ``comparison``: the ``Comparison`` a run returns or a run folder holds, with its charts.
- ``explore``: ``sim sweep``, ``sim sensitivity`` and ``sim robustness`` over an experiment.
- ``backtest`` and ``calibrate``: the model against history.

The CLI (``sim/cli/``) parses, calls one workflow and prints; nothing here prints or exits.
"""
