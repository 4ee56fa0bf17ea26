"""Headline outcomes across replications, as short text tables: pure functions on DataFrames."""

from __future__ import annotations

import pandas as pd

from sim.scenario.schema import slug

HEADLINE = {
    "peak_cap_count": "Peak cap count (people)",
    "mean_cap_count": "Mean cap count (people)",
    "peak_boots_on_ground": "Peak boots on the ground (people)",
    "people_flown": "People flown in or out",
    "days_over_cap": "Days over the cap",
    "adviser_days": "Adviser-days delivered",
    "attacks": "Attacks",
    "casualties": "Casualties",
    "total_cost_usd": "Total cost (US$ million)",
    "zero_on": "Force reaches zero on",
}
SCALE = {"total_cost_usd": 1e-6}


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
            _label(c): "" if _foreign(c, has, name) else _cell(group[c], SCALE.get(c, 1.0))
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
            _label(c): _cell(paired[c], SCALE.get(c, 1.0))
            for c in numeric
            if paired[c].notna().any()
        }
    return pd.DataFrame(table).fillna("")


def _columns(summary: pd.DataFrame) -> list[str]:
    phase_cols = [
        c for c in summary.columns
        if c.endswith("_met_on") or (c.endswith("_days_late") and summary[c].notna().any())
    ]  # fmt: skip
    return [c for c in HEADLINE if c in summary.columns] + phase_cols


def _foreign(column: str, has: dict | None, scenario: str) -> bool:
    """A phase column of a phase this scenario does not have."""
    if has is None or column in HEADLINE:
        return False
    slug = column.removesuffix("_met_on").removesuffix("_days_late")
    return slug not in has.get(scenario, set())


def _label(column: str) -> str:
    if column in HEADLINE:
        return HEADLINE[column]
    if column.endswith("_met_on"):
        return f"Targets met: {column.removesuffix('_met_on').replace('_', ' ')}"
    return f"Days late: {column.removesuffix('_days_late').replace('_', ' ')}"


def _cell(values: pd.Series, scale: float) -> str:
    if pd.api.types.is_datetime64_any_dtype(values):
        if values.isna().mean() > 0.5:
            return "never"
        return f"{values.dropna().sort_values().iloc[len(values.dropna()) // 2]:%Y-%m-%d}"
    numbers = pd.to_numeric(values, errors="coerce").dropna() * scale
    if numbers.empty:
        return "n/a"
    mean = numbers.mean()
    whole = abs(mean) >= 10 or float(mean).is_integer()
    text = f"{mean:,.0f}" if whole else f"{mean:,.2f}"
    if len(numbers) > 1:
        low, high = numbers.quantile([0.05, 0.95])
        text += f" ({low:,.0f} to {high:,.0f})"
    return text
