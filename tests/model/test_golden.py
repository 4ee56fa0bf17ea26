"""Golden summaries: each option's outcomes at a fixed seed, checked to the last digit.

A change that moves these numbers changes what users see. If the change is intended,
regenerate with ``SIM_UPDATE_GOLDEN=1 python -m pytest tests/model/test_golden.py`` and say
why in the commit message.
"""

import io
import os
from pathlib import Path

import pandas as pd
import pytest

import sim

GOLDEN = Path(__file__).parent / "golden"
SEED = 7


@pytest.mark.parametrize("name", ["status-quo", "advisory", "withdrawal"])
def test_golden_summary(name):
    summary = sim.simulate(sim.load_scenario(f"scenarios/{name}.yaml"), seed=SEED).summary
    text = summary.to_csv(index=False, date_format="%Y-%m-%d", float_format="%.17g")
    path = GOLDEN / f"{name}.csv"
    if os.environ.get("SIM_UPDATE_GOLDEN"):
        path.write_text(text)
    got, expected = pd.read_csv(io.StringIO(text)), pd.read_csv(path)
    pd.testing.assert_frame_equal(got, expected, check_exact=False, rtol=1e-12)
