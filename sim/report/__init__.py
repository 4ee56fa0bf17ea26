"""The HTML report of a run or comparison folder."""

from sim.report.html import render, write_report

__all__ = ["render", "write_report"]
