"""Headline outcomes across replications: pure functions on the summary table."""

from __future__ import annotations

import pandas as pd

HEADLINE = {
    "peak_cap_count": "Peak cap count (people)",
    "mean_cap_count": "Mean cap count (people)",
    "peak_boots_on_ground": "Peak boots on the ground (people)",
    "days_over_cap": "Days over the cap",
    "adviser_days": "Adviser-days delivered",
    "attacks": "Attacks",
    "casualties": "Casualties",
    "total_cost_usd": "Total cost (US$ million)",
    "zero_on": "Force reaches zero on",
}
SCALE = {"total_cost_usd": 1e-6}


def headline(summary: pd.DataFrame, reference: str | None = None) -> pd.DataFrame:
    """One row per headline outcome (and per phase target), one column per scenario.

    Numbers are means over replications (with the 5-95% range when there are several);
    dates are the median date, or empty when it never happened in most replications.
    With a ``reference``, one more column per other scenario gives its difference from the
    reference, paired by replication (mean and 5-95% range of the differences).
    """
    phase_cols = [
        c for c in summary.columns
        if c.endswith("_met_on") or (c.endswith("_days_late") and summary[c].notna().any())
    ]  # fmt: skip
    columns = [c for c in HEADLINE if c in summary.columns] + phase_cols
    table = {}
    for name, group in summary.groupby("scenario", sort=False):
        table[name] = {_label(c): _cell(group[c], SCALE.get(c, 1.0)) for c in columns}
    if reference is not None:
        base = summary[summary["scenario"] == reference].set_index("replication")
        numeric = [c for c in columns if pd.api.types.is_numeric_dtype(summary[c])]
        for name, group in summary.groupby("scenario", sort=False):
            if name == reference:
                continue
            paired = group.set_index("replication")[numeric].sub(base[numeric])
            table[f"{name} - {reference}"] = {
                _label(c): _cell(paired[c], SCALE.get(c, 1.0)) if c in numeric else ""
                for c in columns
            }
    return pd.DataFrame(table)


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
        text += f" ({low:,.0f}-{high:,.0f})"
    return text
