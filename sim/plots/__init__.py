"""Charts of a run: tidy tables in, matplotlib figures out, files only through ``save``.

>>> from sim.plots import composition, save
>>> save(composition(run.timeseries, phases), "charts/composition", formats=("png",))
"""

from sim.plots.charts import FORMATS, MEASURES, composition, movements, save, total_vs_cap
from sim.plots.ensemble import (
    HEADLINE_OUTCOMES,
    OUTCOMES,
    composition_fan,
    difference_chart,
    outcome_distributions,
    total_fan,
)
from sim.plots.style import ROLE_COLOURS, ROLE_HATCHES, apply_style, role_style, role_styles

__all__ = [
    "FORMATS",
    "HEADLINE_OUTCOMES",
    "MEASURES",
    "OUTCOMES",
    "ROLE_COLOURS",
    "ROLE_HATCHES",
    "apply_style",
    "composition",
    "composition_fan",
    "difference_chart",
    "movements",
    "outcome_distributions",
    "role_style",
    "role_styles",
    "save",
    "total_fan",
    "total_vs_cap",
]
