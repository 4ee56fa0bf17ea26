"""The provenance manifest: what ran, with what, when, so a result can be reproduced.

It records each scenario as resolved (after ``extends`` and overrides) with its hash and
the files it was read from, the seed and replications, the versions of Python and of the
packages that shape the numbers, and the run's start time and duration.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import platform
import sys
from importlib import metadata

from sim.scenario.schema import Scenario

PACKAGES = ("sim", "simpy", "numpy", "pandas", "matplotlib", "pydantic", "ruamel.yaml", "typer")


def scenario_hash(scenario: Scenario) -> str:
    """SHA-256 of the resolved scenario's canonical JSON: equal hashes, equal inputs.

    The distributions of uncertain inputs are part of it, not only their medians.
    """
    data = scenario.model_dump(mode="json")
    data["uncertainties"] = {
        p: d.model_dump(mode="json") for p, d in scenario.uncertainties.items()
    }
    text = json.dumps(data, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def package_versions() -> dict[str, str]:
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def build_manifest(
    scenarios: list[Scenario],
    *,
    seed: int,
    replications: int | None,
    overrides: list[str],
    started_at: dt.datetime,
    run_seconds: float,
    command: list[str] | None = None,
) -> dict:
    return {
        "sim_version": package_versions()["sim"],
        "command": command or [],
        "seed": seed,
        "replications": replications,
        "overrides": list(overrides),
        "started_at": started_at.astimezone(dt.UTC).isoformat(timespec="seconds"),
        "run_seconds": round(run_seconds, 3),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "packages": package_versions(),
        "scenarios": [
            {
                "name": s.name,
                "files": s.files,
                "hash": scenario_hash(s),
                "resolved": s.model_dump(mode="json", exclude={"extends"}),
                # what the files and overrides wrote (the rest are the schema's defaults)
                "written": s.model_dump(mode="json", exclude={"extends"}, exclude_unset=True),
                # the phases the policy amounts to (for announcements, worked out from them)
                "phases": [p.model_dump(mode="json") for p in s.policy.phases or []],
                "notes": s.notes,
                "uncertainties": {
                    path: dist.model_dump(mode="json") for path, dist in s.uncertainties.items()
                },
            }
            for s in scenarios
        ],
    }
