"""The app in headless Chromium, driven as a user drives it.

One page load (module-scoped browser and server) goes through the issue's story in order:
the page loads without console errors; advisory with a cap of 2,000 runs 4 replications
and redraws the charts and the outcome table; a cap of -5 shows the loader's message and
runs nothing; the downloaded YAML run with ``sim run`` gives the app's outcomes; a long run
can be cancelled; a scenario's markup is shown as text. A screenshot of the page after the
run is saved (to docs/app.png only with SIM_UPDATE_SCREENSHOT=1, on purpose).
"""

from __future__ import annotations

import os
import re
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from sim import ScenarioError, load_scenario
from sim.cli import app as cli
from sim.report.html import option_labels, outcome_tables
from sim.workflows.comparison import load_results

from .conftest import HOSTILE_DESCRIPTION, HOSTILE_TITLE, ROOT

SEED = 3
SCREENSHOT = ROOT / "docs" / "app.png"

pytestmark = pytest.mark.usefixtures("server")


def wait(condition: Callable[[], Any], timeout: float = 60, what: str = "") -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            value = condition()
        except Exception:  # the element is being redrawn
            value = None
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what or condition}")


def el(driver, testid: str):
    from selenium.webdriver.common.by import By

    return driver.find_element(By.CSS_SELECTOR, f'[data-testid="{testid}"]')


def els(driver, testid: str) -> list:
    from selenium.webdriver.common.by import By

    return driver.find_elements(By.CSS_SELECTOR, f'[data-testid="{testid}"]')


def type_into(driver, testid: str, text: str) -> None:
    from selenium.webdriver.common.keys import Keys

    field = wait(lambda: el(driver, testid), what=testid)
    field.send_keys(Keys.CONTROL, "a")
    field.send_keys(Keys.DELETE)
    field.send_keys(text, Keys.TAB)


def choose(driver, testid: str, visible_text_part: str) -> None:
    from selenium.webdriver.support.ui import Select

    select = Select(el(driver, testid))
    match = next(o.text for o in select.options if visible_text_part in o.text)
    select.select_by_visible_text(match)


def attr(driver, testid: str, name: str) -> str | None:
    """An attribute read in one go in the page (outputs are redrawn while a run goes on)."""
    return driver.execute_script(
        "const e = document.querySelector(`[data-testid='${arguments[0]}']`);"
        "return e ? e.getAttribute(arguments[1]) : null;",
        testid,
        name,
    )


def text(driver, testid: str) -> str:
    return driver.execute_script(
        "const e = document.querySelector(`[data-testid='${arguments[0]}']`);"
        "return e ? e.innerText : '';",
        testid,
    )


def state(driver) -> str | None:
    return attr(driver, "progress", "data-state")


def chart_run(driver) -> str:
    return attr(driver, "chart-total", "data-run") or ""


def severe(driver) -> list[str]:
    return [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]


def run(driver, timeout: float = 180) -> str:
    """Click Run and wait for the charts of a new run; the run's stamp."""
    before = chart_run(driver)
    el(driver, "run-button").click()
    return wait(
        lambda: state(driver) == "done" and chart_run(driver) != before and chart_run(driver),
        timeout,
        "the run to finish",
    )


def download(driver, server, testid: str) -> bytes:
    href = el(driver, testid).get_attribute("href")
    assert href and href.startswith(server.url), href
    with urllib.request.urlopen(href, timeout=30) as response:
        return response.read()


@pytest.fixture(scope="module")
def page(driver, server):
    driver.get(server.url)
    wait(lambda: el(driver, "cap-input"), what="the controls")
    return driver


def test_the_page_loads_without_console_errors(page) -> None:
    wait(lambda: text(page, "scenario-title"), what="the title")
    assert "Shift to an advisory role" in text(page, "scenario-title")
    assert el(page, "cap-input").get_attribute("value") == "2500"
    assert state(page) in ("initial", "idle")
    assert severe(page) == []


def test_advisory_at_a_cap_of_2000_runs_and_stays_under_it_once_the_cap_binds(page) -> None:
    choose(page, "scenario-select", "advisory.yaml")
    wait(lambda: el(page, "cap-input").get_attribute("value") == "2500", what="advisory")
    type_into(page, "cap-input", "2000")
    type_into(page, "replications-input", "4")
    type_into(page, "seed-input", str(SEED))
    wait(
        lambda: "1 setting changed: Cap (people): 2500 → 2000" in text(page, "notes"),
        what="the change noted",
    )
    assert els(page, "error-message") == []
    run(page)
    assert "4 replications, seed 3" in text(page, "run-summary")
    assert els(page, "stale-note") == []
    src = el(page, "chart-total").get_attribute("src")
    assert src.startswith("data:image/png;base64,") and len(src) > 10_000
    table = el(page, "outcomes-table")
    assert "Mean cap count" in table.text
    cell = table.find_element("css selector", '[data-outcome="mean_cap_count_after_cap_binds"]')
    assert cell.get_attribute("data-cap") == "2000"
    assert 0 < float(cell.get_attribute("data-value")) <= 2000
    # Compared with the status quo, run at the same seed: the difference table is there.
    assert "Difference from" in table.text
    assert severe(page) == []
    page.set_window_size(1280, 1500)
    page.execute_script(
        "document.querySelectorAll('*').forEach(e => { if (e.scrollTop) e.scrollTop = 0; });"
    )
    page.save_screenshot(str(_screenshot_path(page)))
    page.set_window_size(1280, 2000)


def test_the_charts_and_the_report_download(page, server) -> None:
    assert download(page, server, "download-total-png").startswith(b"\x89PNG\r\n")
    assert b"<svg" in download(page, server, "download-composition-svg")[:2000]
    report = download(page, server, "download-report").decode("utf-8")
    assert report.lstrip().lower().startswith("<!doctype html")
    assert "Shift to an advisory role (edited in the app)" in report
    assert "Status quo" in report


def _screenshot_path(driver) -> Path:
    if os.environ.get("SIM_UPDATE_SCREENSHOT") == "1":
        SCREENSHOT.parent.mkdir(exist_ok=True)
        return SCREENSHOT
    return Path(os.environ.get("TMPDIR", "/tmp")) / "sim-app-screenshot.png"


def test_the_downloaded_yaml_reproduces_the_app_run_with_sim_run(page, server, tmp_path) -> None:
    text = download(page, server, "download-yaml").decode("utf-8")
    assert text.splitlines()[0].startswith("# Made with sim app")
    assert "extends: advisory.yaml" in text
    changed = [line for line in text.splitlines() if line.endswith("# changed in sim app")]
    assert [line.split(":")[0].strip() for line in changed] == ["title", "cap"]
    assert re.search(r"^cap: 2000 +# changed in sim app$", text, re.M)
    path = server.folder / "scenarios" / "advisory-edited.yaml"
    path.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(
        cli,
        ["run", str(path), "--seed", str(SEED), "-n", "4", "--format", "none", "--out", str(out)],
    )
    assert result.exit_code == 0, result.output
    c = load_results(out)
    expected = _first_column(outcome_tables(c, option_labels(c)))
    shown = _first_column(el(page, "outcomes-table").get_attribute("innerHTML"))
    assert expected and shown == expected


def _first_column(html: str) -> list[tuple[str, str]]:
    """(outcome, first option's cell) of the first table in ``html``."""
    table = html[html.index("<table") : html.index("</table>")]
    rows = re.findall(r"<tr>(.*?)</tr>", table, re.S)
    cells = [re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S) for row in rows]
    return [(row[0], row[1]) for row in cells[1:] if len(row) > 1]


def test_a_cap_of_minus_5_shows_the_loaders_message_and_runs_nothing(page) -> None:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(ROOT / "scenarios" / "advisory.yaml", ["cap=-5"])
    before = chart_run(page)
    type_into(page, "cap-input", "-5")
    message = wait(lambda: text(page, "error-message"), what="the error message")
    assert "run again" in text(page, "stale-note")  # the results shown are not for -5
    assert caught.value.message in message and message.startswith("cap:")
    # Next to the control: inside the cap's own wrapper.
    wrapper = el(page, "cap-input").find_element(
        "xpath", "./ancestor::div[starts-with(@id,'wrap-')]"
    )
    assert wrapper.find_elements("css selector", '[data-testid="error-message"]')
    el(page, "run-button").click()
    wait(lambda: "Nothing was run" in text(page, "notes"), what="the refusal")
    time.sleep(1)
    assert state(page) == "done" and chart_run(page) == before
    assert els(page, "download-yaml") == []
    type_into(page, "cap-input", "2000")
    wait(lambda: els(page, "error-message") == [], what="the message to go")
    wait(lambda: "Nothing was run" not in text(page, "notes"), what="the refusal to go")


def test_a_run_in_progress_can_be_cancelled(page) -> None:
    before = chart_run(page)
    type_into(page, "replications-input", "200")
    wait(lambda: els(page, "error-message") == [], what="no error")
    el(page, "run-button").click()
    wait(lambda: state(page) == "running", what="the run to start")
    el(page, "cancel-button").click()
    wait(lambda: state(page) == "cancelled", what="the run to be cancelled")
    time.sleep(2)
    assert state(page) == "cancelled" and chart_run(page) == before
    # The server still runs the next one.
    type_into(page, "replications-input", "2")
    assert run(page) != before


def test_reset_brings_back_the_files_values(page) -> None:
    type_into(page, "cap-input", "1234")
    wait(lambda: "Cap (people): 2500 → 1234" in text(page, "notes"), what="the change")
    el(page, "reset-button").click()
    wait(lambda: attr(page, "cap-input", "value") == "2500", what="the file's cap")
    wait(lambda: "changed" not in text(page, "notes"), what="no change left")


def test_a_scenarios_markup_is_shown_as_text(page) -> None:
    choose(page, "scenario-select", "markup.yaml")
    title = wait(
        lambda: HOSTILE_TITLE in text(page, "scenario-title") and el(page, "scenario-title")
    )
    assert title.find_elements("css selector", "img, b") == []
    assert HOSTILE_DESCRIPTION in el(page, "scenario-description").text
    assert page.title != "pwned"
    assert severe(page) == []
