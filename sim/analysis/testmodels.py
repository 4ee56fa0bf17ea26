"""Test problems with known answers, run through the same sweep and sensitivity code as the
simulator, to check that code.

They live in the package, not under ``tests/``, because worker processes import a model
function by its module name, and so that a user can run the same known-answer checks.
"""

from __future__ import annotations

import math


def ishigami(values: dict, a: float = 7.0, b: float = 0.1) -> dict:
    """The Ishigami function of x1, x2, x3 (each uniform on [-pi, pi]).

    Its Sobol indices are known in closed form: first order 0.3139, 0.4424, 0 and total
    0.5576, 0.4424, 0.2437 for a = 7, b = 0.1 (Ishigami and Homma, 1990).
    """
    x1, x2, x3 = values["x1"], values["x2"], values["x3"]
    if values.get("fail") is not None and values["fail"]:
        raise ValueError("failure injected by the test")
    return {"y": math.sin(x1) + a * math.sin(x2) ** 2 + b * x3**4 * math.sin(x1)}


def ishigami_indices(a: float = 7.0, b: float = 0.1) -> dict[str, tuple[float, float]]:
    """(first-order, total) Sobol index of each input, exactly."""
    v1 = 0.5 * (1 + b * math.pi**4 / 5) ** 2
    v2 = a**2 / 8
    v13 = b**2 * math.pi**8 * (1 / 18 - 1 / 50)
    v = v1 + v2 + v13
    return {"x1": (v1 / v, (v1 + v13) / v), "x2": (v2 / v, v2 / v), "x3": (0.0, v13 / v)}
