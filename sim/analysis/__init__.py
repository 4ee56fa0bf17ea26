"""Analysis: pure functions on the tidy tables a run writes (no model, no files).

``statistics`` (outcome means with intervals, paired differences), ``summary`` (headline
tables as text), ``sensitivity`` (SALib designs and indices), ``robustness`` (regret,
satisficing, scenario discovery) and ``backtest`` (fit against observed figures).
"""
