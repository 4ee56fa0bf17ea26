"""Charts of a run: tidy tables in, matplotlib figures out, files only through ``save``.

``charts`` holds the charts of one run (or the mean of a few) and ``save``; ``fans`` the
fan charts of an ensemble's daily bands; ``outcomes`` the charts of its outcomes and
paired differences; ``sensitivity`` and ``robustness`` the charts of an exploration (what
drives the outcomes; regret and where options fail); ``optimize`` the charts of an
optimisation (the Pareto set, its trade-offs, how the search converged). They share
``frames`` (picking rows out of the tables), ``style`` (the house look), ``placement``
(labels that never overprint one another) and ``labels`` (an exploration's inputs in
words).

>>> from sim.plots import composition, save
>>> save(composition(run.timeseries, phases), "charts/composition", formats=("png",))
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sim.plots.backtest import backtest_chart
    from sim.plots.charts import FORMATS, MEASURES, composition, movements, save, total_vs_cap
    from sim.plots.fans import composition_fan, total_fan
    from sim.plots.labels import input_label, input_labels
    from sim.plots.optimize import convergence_chart, pareto_parallel, tradeoffs
    from sim.plots.outcomes import (
        HEADLINE_OUTCOMES,
        OUTCOMES,
        difference_chart,
        outcome_distributions,
    )
    from sim.plots.robustness import discovered_boxes, regret_heatmap
    from sim.plots.saving import save_all
    from sim.plots.sensitivity import (
        outcome_scatter,
        sensitivity_chart,
        sensitivity_over_time,
        tornado,
    )
    from sim.plots.style import ROLE_COLOURS, ROLE_HATCHES, apply_style, role_style, role_styles

# Where each name lives: matplotlib loads on first use, not with the package.
_HOME = {
    "FORMATS": "sim.plots.formats",
    "HEADLINE_OUTCOMES": "sim.plots.outcomes",
    "MEASURES": "sim.plots.charts",
    "OUTCOMES": "sim.plots.outcomes",
    "ROLE_COLOURS": "sim.plots.style",
    "ROLE_HATCHES": "sim.plots.style",
    "apply_style": "sim.plots.style",
    "backtest_chart": "sim.plots.backtest",
    "composition": "sim.plots.charts",
    "composition_fan": "sim.plots.fans",
    "convergence_chart": "sim.plots.optimize",
    "difference_chart": "sim.plots.outcomes",
    "discovered_boxes": "sim.plots.robustness",
    "input_label": "sim.plots.labels",
    "input_labels": "sim.plots.labels",
    "movements": "sim.plots.charts",
    "outcome_distributions": "sim.plots.outcomes",
    "outcome_scatter": "sim.plots.sensitivity",
    "pareto_parallel": "sim.plots.optimize",
    "regret_heatmap": "sim.plots.robustness",
    "role_style": "sim.plots.style",
    "role_styles": "sim.plots.style",
    "save": "sim.plots.charts",
    "save_all": "sim.plots.saving",
    "sensitivity_chart": "sim.plots.sensitivity",
    "sensitivity_over_time": "sim.plots.sensitivity",
    "tornado": "sim.plots.sensitivity",
    "total_fan": "sim.plots.fans",
    "total_vs_cap": "sim.plots.charts",
    "tradeoffs": "sim.plots.optimize",
}


def __getattr__(name: str) -> object:
    if name in _HOME:
        return getattr(importlib.import_module(_HOME[name]), name)
    raise AttributeError(f"module 'sim.plots' has no attribute {name!r}")


__all__ = [
    "FORMATS",
    "HEADLINE_OUTCOMES",
    "MEASURES",
    "OUTCOMES",
    "ROLE_COLOURS",
    "ROLE_HATCHES",
    "apply_style",
    "backtest_chart",
    "composition",
    "composition_fan",
    "convergence_chart",
    "difference_chart",
    "discovered_boxes",
    "input_label",
    "input_labels",
    "movements",
    "outcome_distributions",
    "outcome_scatter",
    "pareto_parallel",
    "regret_heatmap",
    "role_style",
    "role_styles",
    "save",
    "save_all",
    "sensitivity_chart",
    "sensitivity_over_time",
    "tornado",
    "total_fan",
    "total_vs_cap",
    "tradeoffs",
]
