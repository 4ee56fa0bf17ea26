"""Charts of a run: tidy tables in, matplotlib figures out, files only through ``save``.

``charts`` holds the charts of one run (or the mean of a few) and ``save``; ``fans`` the
fan charts of an ensemble's daily bands; ``outcomes`` the charts of its outcomes and
paired differences; ``sensitivity`` and ``robustness`` the charts of an exploration (what
drives the outcomes; regret and where options fail). They share ``frames`` (picking rows
out of the tables) and ``style`` (the house look).

>>> from sim.plots import composition, save
>>> save(composition(run.timeseries, phases), "charts/composition", formats=("png",))
"""

from sim.plots.backtest import backtest_chart
from sim.plots.charts import (
    FORMATS,
    MEASURES,
    composition,
    movements,
    save,
    save_all,
    total_vs_cap,
)
from sim.plots.fans import composition_fan, total_fan
from sim.plots.outcomes import HEADLINE_OUTCOMES, OUTCOMES, difference_chart, outcome_distributions
from sim.plots.robustness import discovered_boxes, regret_heatmap
from sim.plots.sensitivity import outcome_scatter, sensitivity_chart, sensitivity_over_time, tornado
from sim.plots.style import ROLE_COLOURS, ROLE_HATCHES, apply_style, role_style, role_styles

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
    "difference_chart",
    "discovered_boxes",
    "movements",
    "outcome_distributions",
    "outcome_scatter",
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
]
