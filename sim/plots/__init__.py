"""Charts of a run: tidy tables in, matplotlib figures out, files only through ``save``.

>>> from sim.plots import composition, save
>>> save(composition(run.timeseries, phases), "charts/composition", formats=("png",))
"""

from sim.plots.charts import FORMATS, MEASURES, composition, movements, save, total_vs_cap
from sim.plots.style import ROLE_COLOURS, ROLE_HATCHES, apply_style, role_style, role_styles

__all__ = [
    "FORMATS",
    "MEASURES",
    "ROLE_COLOURS",
    "ROLE_HATCHES",
    "apply_style",
    "composition",
    "movements",
    "role_style",
    "role_styles",
    "save",
    "total_vs_cap",
]
