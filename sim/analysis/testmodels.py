"""Test problems with known answers, run through the same sweep, sensitivity and search
code as the simulator, to check that code: Ishigami (sensitivity indices) and ZDT1 (a
Pareto front).

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


def zdt1(values: dict) -> dict:
    """ZDT1 (Zitzler, Deb and Thiele, 2000) of x1, x2, ... (each in [0, 1]): two outcomes
    ``f1`` and ``f2``, both minimized.

    Its Pareto front is known: f2 = 1 - sqrt(f1) for f1 in [0, 1], reached where x1 = f1
    and every other x is 0 (see ``zdt1_front``). The inputs are taken in the order of
    their names' numbers, so ``x1`` .. ``xn`` may come in any order.
    """
    names = sorted((k for k in values if k.startswith("x")), key=lambda k: int(k[1:]))
    x = [float(values[k]) for k in names]
    if len(x) < 2:
        raise ValueError("ZDT1 needs two inputs or more (x1, x2, ...)")
    f1 = x[0]
    g = 1 + 9 * sum(x[1:]) / (len(x) - 1)
    return {"f1": f1, "f2": g * (1 - math.sqrt(f1 / g))}


def zdt1_front(f1: float) -> float:
    """The true Pareto front of ZDT1: the least f2 for a given f1 in [0, 1]."""
    return 1 - math.sqrt(f1)
