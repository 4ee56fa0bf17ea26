"""report.html in a real browser: it loads with no errors, shows every chart, stays on disk.

Headless Chromium (see conftest.py) opens the report ``sim compare`` wrote, straight from
its file, as someone would from a USB stick. Skipped when Chromium is not installed.
"""

import base64
import io
import json
from types import SimpleNamespace

import numpy as np
import pytest

LOCAL = ("file://", "data:")


@pytest.fixture(scope="module")
def opened(driver, report) -> SimpleNamespace:
    """The report loaded in the browser, with the console and network logs of its loading."""
    driver.get("about:blank")
    driver.get_log("browser")  # reading a log empties it: start from the report alone
    driver.get_log("performance")
    url = report.resolve().as_uri()
    driver.get(url)
    return SimpleNamespace(
        driver=driver,
        url=url,
        console=driver.get_log("browser"),
        network=[json.loads(e["message"])["message"] for e in driver.get_log("performance")],
    )


def test_the_page_loads(opened):
    d = opened.driver
    assert d.title.strip()
    assert d.execute_script("return document.readyState") == "complete"
    assert d.execute_script("return document.querySelectorAll('section').length") == 5


def test_no_console_errors(opened):
    errors = [e["message"] for e in opened.console if e["level"] == "SEVERE"]
    assert errors == []


def test_every_chart_is_visible_and_fits_the_page(opened):
    d = opened.driver
    width = d.execute_script("return document.documentElement.clientWidth")
    boxes = d.execute_script(
        "return [...document.querySelectorAll('figure svg')].map(e => {"
        " const r = e.getBoundingClientRect();"
        " return {id: e.closest('figure').id, left: r.left, right: r.right,"
        "         width: r.width, height: r.height}; })"
    )
    assert len(boxes) == d.execute_script("return document.querySelectorAll('figure').length")
    assert len(boxes) == 11
    for box in boxes:
        assert box["width"] > 0 and box["height"] > 0, box
        assert box["left"] >= 0 and box["right"] <= width, (box, width)
    assert d.execute_script("return document.documentElement.scrollWidth") <= width


def test_no_request_leaves_the_file(opened):
    requests = [
        m["params"]
        for m in opened.network
        if m["method"] == "Network.requestWillBeSent"
        and m["params"].get("documentURL") == opened.url
    ]
    urls = [p["request"]["url"] for p in requests]
    assert opened.url in urls  # the log did record the page itself
    assert [u[:100] for u in urls if not u.startswith(LOCAL)] == []


def test_a_screenshot_of_the_whole_page_is_not_blank(opened):
    from PIL import Image  # matplotlib depends on Pillow

    d = opened.driver
    size = d.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]
    assert size["height"] > 2000  # eleven charts and the tables: longer than the window
    clip = {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 0.25}
    shot = d.execute_cdp_cmd(
        "Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True, "clip": clip}
    )
    image = Image.open(io.BytesIO(base64.b64decode(shot["data"])))
    pixels = np.asarray(image.convert("L"), dtype=float)
    assert pixels.shape[0] > 400
    assert pixels.std() > 10
    assert (pixels < 250).mean() > 0.02  # more than a few specks of ink on white
