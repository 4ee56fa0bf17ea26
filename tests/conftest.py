"""Scenarios, experiments and helpers shared by tests in several folders.

The option scenarios run for thirteen months; the ensemble and CLI tests need many
replications, not long ones, so they cut the advisory option to five months (its dates
moved earlier) and keep everything else as written. Tests whose expected numbers must not
move when the scenario files gain or lose uncertain inputs pin those inputs at their
medians (``pins``).

An experiment cannot shorten its scenarios, so the exploration tests keep the runs few
instead: one or two options, two or three inputs, a handful of samples and two
replications. Experiment files name the scenarios by absolute path and are written as
JSON, which is YAML.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

import sim
import sim.workflows.finish
from sim.ensemble.executors import make_executor
from sim.ensemble.runner import Ensemble, EnsembleResult, Plan
from sim.scenario import Scenario

ADVISORY = "scenarios/advisory.yaml"
STATUS_QUO = "scenarios/status-quo.yaml"
END = "end=2021-10-31"
# The advisory option in five months: the same three announcements, the combat mission to
# end by mid-September and the last announced and in force then.
SHORT_ADVISORY = [
    END,
    "policy.announcements.1.deadline=2021-09-15",
    "policy.announcements.2.announced=2021-09-15",
    "policy.announcements.2.takes_effect=2021-09-15",
]
SHORT_STATUS_QUO = [END]
# One uncertain float and one uncertain whole number, so drawn columns are exercised.
UNCERTAIN = [
    "threat.casualties_per_attack={distribution: triangular, low: 0.1, mode: 0.2, high: 0.6}",
    "unit_types.adviser_team.lead_time_days={distribution: uniform, low: 45, high: 135}",
]


def load(path: str, *overrides: str) -> Scenario:
    return sim.load_scenario(path, list(overrides))


def pins(path: str, *overrides: str) -> list[str]:
    """``--set`` values that fix every uncertain input of the scenario at its median."""
    scenario = load(path, *overrides)
    data = scenario.model_dump(mode="json")
    pinned = []
    for dotted in scenario.uncertainties:
        value = data
        for part in dotted.split("."):
            value = value[int(part)] if isinstance(value, list) else value[part]
        pinned.append(f"{dotted}={value}")
    return pinned


@pytest.fixture(scope="session")
def short_advisory() -> Scenario:
    return load(ADVISORY, *SHORT_ADVISORY, *UNCERTAIN)


@pytest.fixture(scope="session")
def short_status_quo() -> Scenario:
    return load(STATUS_QUO, *SHORT_STATUS_QUO, *UNCERTAIN)


def run_ensemble(
    scenarios: list[Scenario],
    plan: Plan,
    kind: str = "processes",
    workers: int = 1,
    folder: Path | None = None,
    progress=None,
) -> EnsembleResult:
    """Run ``scenarios`` on a fresh executor (``workers=1``: in this process)."""
    with make_executor(kind, workers) as ex:
        return Ensemble(scenarios, plan, ex, folder=folder, progress=progress).run()


@pytest.fixture(scope="session")
def ensemble():
    """``ensemble(scenarios, plan, kind="processes", workers=1, folder=None, progress=None)``."""
    return run_ensemble


@pytest.fixture
def no_charts(monkeypatch):
    """Skip the charts in ``run_scenarios``: the tests using this are about the numbers and
    the run folder, and the fan charts for several replications are written elsewhere."""
    monkeypatch.setattr(sim.workflows.finish.plots, "save_all", lambda *args, **kwargs: [])


ROOT = Path(__file__).resolve().parents[1]
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


# A headless browser, for the report and the app. The tests that need it are skipped, saying
# what is missing, when Chromium or its driver is not installed or does not start.
CHROMIUM = ["chromium", "chromium-browser", "google-chrome"]
CHROMEDRIVER = "chromedriver"
INSTALL = "apt-get install chromium chromium-driver"


def _find_chromium() -> tuple[str, str]:
    """Paths of the Chromium binary and chromedriver, or skip naming what is missing."""
    browser = next((path for name in CHROMIUM if (path := shutil.which(name))), None)
    driver = shutil.which(CHROMEDRIVER)
    if browser is None and driver is None:
        pytest.skip(f"Chromium and chromedriver not installed: {INSTALL}")
    if browser is None:
        pytest.skip(f"Chromium not installed (looked for {', '.join(CHROMIUM)}): {INSTALL}")
    if driver is None:
        pytest.skip(f"chromedriver not installed: {INSTALL}")
    return browser, driver


@pytest.fixture(scope="module")
def driver(tmp_path_factory):
    """Headless Chromium, 1280x2000, keeping its console and network (performance) logs."""
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium not installed")
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.chrome.service import Service

    browser, chromedriver = _find_chromium()
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    profile = tmp_path_factory.mktemp("chromium-profile")
    for argument in [
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        "--window-size=1280,2000",
    ]:
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    try:
        chrome = webdriver.Chrome(options=options, service=Service(chromedriver))
    except WebDriverException as error:
        first = (error.msg or str(error)).strip().splitlines()[0]
        pytest.skip(f"Chromium ({browser}) did not start with {chromedriver}: {first}")
    chrome.set_window_size(1280, 2000)
    yield chrome
    chrome.quit()
