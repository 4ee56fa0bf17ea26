"""The cap count after each cap binds: from the first day the force is within a new cap.

A cap lowered below the force cannot hold on the day it is set: units leave as tours end
or as airlift allows. "Mean cap count" over the whole run mixes the days before the force
is within the cap with the days after. This table splits them: for each period with one cap,
the first day the mean cap count over replications is within it, and the cap count from
then to the end of the period (the mean of the daily means, and the highest daily 95th
percentile, with the days that percentile is above the cap).
"""

from __future__ import annotations

import pandas as pd

COLUMNS = [
    "scenario",
    "cap",
    "from",
    "to",
    "binds_on",
    "days_after",
    "mean_after",
    "q95_most_after",
    "days_q95_over_after",
]


def after_cap_binds(bands: pd.DataFrame, phases: pd.DataFrame, scenario: str) -> pd.DataFrame:
    """One row per period with one cap for ``scenario`` (from ``bands`` and ``phases`` as
    a comparison holds them). ``binds_on`` is NaT, and the rest empty, for a cap the mean
    never comes within."""
    daily = bands[
        (bands["scenario"] == scenario)
        & (bands["role"] == "total")
        & (bands["measure"] == "cap_count")
    ][["date", "mean", "q95"]].sort_values("date")
    if daily.empty:
        return pd.DataFrame(columns=COLUMNS)
    daily = daily.assign(date=pd.to_datetime(daily["date"])).reset_index(drop=True)
    mine = phases[phases["scenario"] == scenario].sort_values("start")
    starts = pd.to_datetime(mine["start"]).to_numpy()
    caps = mine["cap"].to_numpy()
    # The cap on each day: that of the last phase started (the first phase's before it).
    index = starts.searchsorted(daily["date"].to_numpy(), side="right") - 1
    daily["cap"] = caps[index.clip(0)]
    period = (daily["cap"] != daily["cap"].shift()).cumsum()
    rows = []
    for _, days in daily.groupby(period, sort=True):
        cap = float(days["cap"].iloc[0])
        within = days[days["mean"] <= cap]
        row = {
            "scenario": scenario,
            "cap": cap,
            "from": days["date"].iloc[0],
            "to": days["date"].iloc[-1],
            "binds_on": pd.NaT,
            "days_after": 0,
            "mean_after": float("nan"),
            "q95_most_after": float("nan"),
            "days_q95_over_after": 0,
        }
        if not within.empty:
            after = days[days["date"] >= within["date"].iloc[0]]
            row.update(
                binds_on=within["date"].iloc[0],
                days_after=len(after),
                mean_after=float(after["mean"].mean()),
                q95_most_after=float(after["q95"].max()),
                days_q95_over_after=int((after["q95"] > cap).sum()),
            )
        rows.append(row)
    return pd.DataFrame(rows, columns=COLUMNS)
