"""A comparison folder written by ``sim compare`` (with its report.html), and a browser.

The folder is made once per session through typer's CliRunner: three options, 6
replications, run to 2022-01-31, charts as SVG only. The browser is headless Chromium
driven by selenium; the tests that need it are skipped, saying what is missing, when
Chromium or its driver is not installed or does not start.
"""

import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest
from typer.testing import CliRunner

from sim.cli import app

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
NAMES = ["status-quo", "advisory", "withdrawal"]
SEED = 7
REPLICATIONS = 6
SHORT = "end=2022-01-31"  # a month past the last phase start (2021-12-31)
CHROMIUM = ["chromium", "chromium-browser", "google-chrome"]
CHROMEDRIVER = "chromedriver"
INSTALL = "apt-get install chromium chromium-driver"


@pytest.fixture(scope="session")
def settings() -> SimpleNamespace:
    """How the comparison was run: its scenarios, seed, replications and override."""
    return SimpleNamespace(scenarios=SCENARIOS, names=NAMES, seed=SEED,
                           replications=REPLICATIONS, override=SHORT)  # fmt: skip


@pytest.fixture(scope="session")
def compared(tmp_path_factory):
    """``sim compare`` of the three options: the folder it wrote and the CliRunner result."""
    folder = tmp_path_factory.mktemp("report") / "three-options"
    args = ["compare", *(str(SCENARIOS / f"{n}.yaml") for n in NAMES), "--replications",
            str(REPLICATIONS), "--seed", str(SEED), "--set", SHORT, "--out", str(folder),
            "--format", "svg"]  # fmt: skip
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, (result.output, result.exception)
    return folder, result


@pytest.fixture(scope="session")
def folder(compared) -> Path:
    return compared[0]


@pytest.fixture(scope="session")
def report(folder) -> Path:
    return folder / "report.html"


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
        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        f"--user-data-dir={profile}", "--window-size=1280,2000",
    ]:  # fmt: skip
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
