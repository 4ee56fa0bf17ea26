"""Headline outcomes across replications, as short text tables: pure functions on DataFrames.

The rows are the headline outcomes of the registry (:data:`sim.scenario.outcomes.HEADLINE`)
and each phase's targets, named by their headings and shown in their units.
"""

from __future__ import annotations

import pandas as pd

from sim.scenario.outcomes import HEADLINE, outcome_info, phase_of
from sim.scenario.schema import slug


def headline(summary: pd.DataFrame, phases: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per headline outcome (and per phase target), one column per scenario.

    Numbers are means over replications (with the 5-95% range when there are several);
    dates are the median date, "never" when it did not happen in most replications, and
    blank for a phase the scenario does not have (when ``phases`` is given).
    """
    columns = _columns(summary)
    has = None
    if phases is not None:
        slugs = phases.assign(slug=phases["name"].map(slug))
        has = slugs.groupby("scenario")["slug"].apply(set).to_dict()
    table = {}
    for name, group in summary.groupby("scenario", sort=False):
        table[name] = {
            outcome_info(c).heading: "" if _foreign(c, has, name) else _cell(group[c], c)
            for c in columns
        }
    return pd.DataFrame(table)


def difference_headline(summary: pd.DataFrame, reference: str) -> pd.DataFrame:
    """Each other scenario minus ``reference``, paired by replication (mean, 5-95% range)."""
    numeric = [c for c in _columns(summary) if pd.api.types.is_numeric_dtype(summary[c])]
    base = summary[summary["scenario"] == reference].set_index("replication")[numeric]
    table = {}
    for name, group in summary.groupby("scenario", sort=False):
        if name == reference:
            continue
        paired = group.set_index("replication")[numeric].sub(base)
        table[f"{name} - {reference}"] = {
            outcome_info(c).heading: _cell(paired[c], c) for c in numeric if paired[c].notna().any()
        }
    return pd.DataFrame(table).fillna("")


def _columns(summary: pd.DataFrame) -> list[str]:
    """Headline columns, then each phase's: its dates, and its numbers where there are any."""
    phase_cols = [
        c
        for c in summary.columns
        if phase_of(c) is not None and (not outcome_info(c).numeric or summary[c].notna().any())
    ]
    return [c for c in HEADLINE if c in summary.columns] + phase_cols


def _foreign(column: str, has: dict | None, scenario: str) -> bool:
    """A phase column of a phase this scenario does not have."""
    phase = phase_of(column)
    if has is None or phase is None:
        return False
    return phase not in has.get(scenario, set())


def _cell(values: pd.Series, column: str) -> str:
    """The median date, or the mean number (5-95% range) in the outcome's unit."""
    if pd.api.types.is_datetime64_any_dtype(values):
        if values.isna().mean() > 0.5:
            return "never"
        return f"{values.dropna().sort_values().iloc[len(values.dropna()) // 2]:%Y-%m-%d}"
    numbers = pd.to_numeric(values, errors="coerce").dropna() * outcome_info(column).scale
    if numbers.empty:
        return "n/a"
    mean = numbers.mean()
    whole = abs(mean) >= 10 or float(mean).is_integer()
    text = f"{mean:,.0f}" if whole else f"{mean:,.2f}"
    if len(numbers) > 1:
        low, high = numbers.quantile([0.05, 0.95])
        text += f" ({low:,.0f} to {high:,.0f})"
    return text
