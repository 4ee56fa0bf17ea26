"""Tiny experiments over the real option scenarios, shared by the exploration tests.

An experiment cannot shorten its scenarios (they run thirteen months, about 0.05 s a
replication), so these keep the runs few instead: one or two options, two or three inputs,
a handful of samples and two replications. Files name the scenarios by absolute path and
are written as JSON, which is YAML.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "scenarios"

UNCERTAINTIES = {"threat.attacks_per_month": [2, 20]}
LEVERS = {"cap": [1500, 3000]}
OUTCOMES = {"total_cost_usd": "minimize", "attacks": "minimize"}


def write_experiment(
    folder: Path,
    *,
    name: str = "tiny",
    options: tuple[str, ...] = ("status-quo", "advisory"),
    uncertainties: dict | None = None,
    levers: dict | None = None,
    outcomes: dict | None = None,
    thresholds: dict | None = None,
    replications: int = 2,
    seed: int = 1,
) -> Path:
    """Write an experiment over ``options`` (names of files in scenarios/) into ``folder``."""
    doc = {
        "name": name,
        "scenarios": [str(SCENARIOS / f"{option}.yaml") for option in options],
        "uncertainties": UNCERTAINTIES if uncertainties is None else uncertainties,
        "levers": LEVERS if levers is None else levers,
        "outcomes": OUTCOMES if outcomes is None else outcomes,
        "thresholds": thresholds or {},
        "replications": replications,
        "seed": seed,
    }
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.yaml"
    path.write_text(json.dumps(doc, indent=2), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def experiment_file() -> Callable[..., Path]:
    """``experiment_file(folder, **sections)``: see ``write_experiment``."""
    return write_experiment
