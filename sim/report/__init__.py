"""The HTML reports: of a run or comparison folder (``html``), and of an optimisation
folder (``optimize``)."""

from sim.report.html import render, write_report
from sim.report.optimize import render_optimization, write_optimization_report

__all__ = ["render", "render_optimization", "write_optimization_report", "write_report"]
