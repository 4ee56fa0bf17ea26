"""A comparison folder written by ``sim compare`` (with its report.html), the report read
as text (``Page``, through the ``read_page`` fixture), and a browser.

The folder is made once per session through typer's CliRunner: three options, 6
replications, run to 2022-01-31, charts as SVG only. The browser is headless Chromium
driven by selenium (the ``driver`` fixture of tests/conftest.py).
"""

import re
from collections import Counter
from html.parser import HTMLParser
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
# Attributes through which a page loads or links to something.
LINKING = {
    "src",
    "href",
    "xlink:href",
    "srcset",
    "action",
    "formaction",
    "poster",
    "data",
    "background",
    "longdesc",
    "manifest",
    "ping",
}
URL = re.compile(r"url\(\s*['\"]?([^'\")]*)", re.IGNORECASE)


class Page(HTMLParser):
    """What the tests look at: tags, ids, links, and each section's text and tables."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: Counter[str] = Counter()
        self.ids: list[str] = []
        self.links: list[tuple[str, str, str]] = []  # (tag, attribute, value)
        self.styles: list[str] = []  # style attributes and <style> contents
        self.headings: dict[str, str] = {}  # section id -> its h2
        self.text: dict[str, str] = {}  # section id -> its text
        self.tables: dict[str, list[list[list[str]]]] = {}  # section id -> tables -> rows
        self.figure_svgs: list[str] = []  # ids of the figures holding an svg
        self.title = ""
        self._section = "header"
        self._in: Counter[str] = Counter()
        self._figure = ""
        self._svg_depth = 0
        self._cell: list[str] | None = None
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        self._attributes(tag, attrs)
        self._in[tag] += 1
        self._space()
        attrs = dict(attrs)
        if tag == "section":
            self._section = attrs.get("id", "")
            self.text[self._section] = ""
        elif tag == "figure":
            self._figure = attrs.get("id", "")
        elif tag == "svg":
            if self._in["figure"] and self._svg_depth == 0:
                self.figure_svgs.append(self._figure)
            self._svg_depth += 1
        elif tag == "table":
            self.tables.setdefault(self._section, []).append([])
        elif tag == "tr" and self._section in self.tables:
            self.tables[self._section][-1].append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_startendtag(self, tag, attrs):
        self._attributes(tag, attrs)

    def handle_endtag(self, tag):
        self._in[tag] -= 1
        self._space()
        if tag == "svg":
            self._svg_depth -= 1
        elif tag in ("td", "th") and self._cell is not None:
            self.tables[self._section][-1][-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "section":
            self._section = "footer"

    def handle_data(self, data):
        if self._in["title"]:
            self.title += data
        if self._in["style"]:
            self.styles.append(data)
        if self._in["h2"] and self._section:
            self.headings[self._section] = self.headings.get(self._section, "") + data
        if self._section:
            self.text[self._section] = self.text.get(self._section, "") + data
        if self._cell is not None:
            self._cell.append(data)

    def _attributes(self, tag, attrs):
        self.tags[tag] += 1
        for name, value in attrs:
            if name == "id":
                self.ids.append(value)
            elif name.lower() in LINKING:
                self.links.append((tag, name, value or ""))
            elif name.lower() == "style":
                self.styles.append(value or "")

    def _space(self) -> None:
        """Keep the text of neighbouring elements apart."""
        if self._section:
            self.text[self._section] = self.text.get(self._section, "") + " "

    def words(self, section: str) -> str:
        return " ".join(self.text.get(section, "").split())


@pytest.fixture(scope="session")
def read_page() -> type[Page]:
    """``Page``: call it with a report's HTML to read its sections and tables."""
    return Page


@pytest.fixture(scope="session")
def settings() -> SimpleNamespace:
    """How the comparison was run: its scenarios, seed, replications and override."""
    return SimpleNamespace(
        scenarios=SCENARIOS, names=NAMES, seed=SEED, replications=REPLICATIONS, override=SHORT
    )


@pytest.fixture(scope="session")
def compared(tmp_path_factory):
    """``sim compare`` of the three options: the folder it wrote and the CliRunner result."""
    folder = tmp_path_factory.mktemp("report") / "three-options"
    args = [
        "compare",
        *(str(SCENARIOS / f"{n}.yaml") for n in NAMES),
        "--replications",
        str(REPLICATIONS),
        "--seed",
        str(SEED),
        "--set",
        SHORT,
        "--out",
        str(folder),
        "--format",
        "svg",
    ]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, (result.output, result.exception)
    return folder, result


@pytest.fixture(scope="session")
def folder(compared) -> Path:
    return compared[0]


@pytest.fixture(scope="session")
def report(folder) -> Path:
    return folder / "report.html"
