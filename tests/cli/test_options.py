"""The options the commands share (sim/cli/options.py): choices that agree with the modules
that use them, and parsers that say what is wrong."""

from __future__ import annotations

import pytest

from sim.analysis import sensitivity
from sim.cli import options as cli_options
from sim.ensemble import executors
from sim.plots.formats import FORMATS


def test_the_choices_are_those_of_the_modules_that_use_them():
    # Written out again so that `sim --help` need not import pandas or multiprocessing.
    assert cli_options.DESIGNS == sensitivity.DESIGNS
    assert cli_options.METHODS == sensitivity.METHODS
    assert cli_options.EXECUTORS == executors.EXECUTORS
    assert [d.value for d in cli_options.Design] == list(sensitivity.DESIGNS)
    assert [m.value for m in cli_options.Method] == list(sensitivity.METHODS)
    assert [e.value for e in cli_options.ExecutorName] == list(executors.EXECUTORS)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("auto", None),
        ("AUTO", None),
        (" 12 ", 12),
        ("1", 1),
        (200, 200),
    ],
)
def test_replications_or_auto(text, expected):
    assert cli_options.replications_or_auto(text) == expected


@pytest.mark.parametrize(
    ("parse", "text", "message"),
    [
        (cli_options.replications_or_auto, "0", "must be at least 1 (or auto), got 0"),
        (cli_options.replications_or_auto, "x", "expected a whole number (or auto), got 'x'"),
        (cli_options.whole_number(2), "1", "must be at least 2, got 1"),
        (cli_options.whole_number(0), "2.5", "expected a whole number, got '2.5'"),
        (cli_options.positive, "-0.1", "must be above 0, got -0.1"),
        (cli_options.positive, "nan", "must be above 0, got nan"),
        (cli_options.chart_formats, "png,gif", "unknown format gif"),
        (cli_options.chart_formats, "none,png", "unknown format none"),
    ],
)
def test_parsers_say_what_is_wrong(parse, text, message):
    with pytest.raises(ValueError, match="^" + message.replace("(", r"\(").replace(")", r"\)")):
        parse(text)


def test_chart_formats():
    assert cli_options.chart_formats("PNG, svg") == ["png", "svg"]
    assert cli_options.chart_formats("none") == []
    assert set(cli_options.chart_formats(",".join(FORMATS))) == set(FORMATS)
