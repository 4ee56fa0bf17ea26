"""Text from users is text: titles, footers and phase names with dollar signs, never TeX.

A ``$`` pair in a title used to be read as mathtext (drawn in italics, or a pyparsing
error that lost the whole run at the chart step); a ``text.usetex`` set by the user's
matplotlibrc would send every label to a LaTeX that may not be installed.
"""

import matplotlib as mpl
import pytest
from matplotlib.figure import Figure

from sim import plots

# Each with a pair of dollar signs: read as mathtext, the pair would be swallowed and the
# text between drawn in italics, or refused with a pyparsing error (the title, from the
# issue that lost a run).
TITLE = "Save 10% ($1M) or 20% ($2M)"
FOOTER = "Source: costs $5 to $10 a day"
PHASE = "Cut from $2M to $1M a month"
DOLLAR_GLYPH = 'id="DejaVuSans-24"'  # the glyph of "$" in an SVG drawn with text as paths


def _charts(bands, phases, summary, differences) -> dict[str, Figure]:
    named = phases.assign(name=PHASE)
    text = {"title": TITLE, "footer": FOOTER}
    return {
        "total_fan": plots.total_fan(bands, named, scenario="advisory", **text),
        "composition_fan": plots.composition_fan(bands, named, scenario="advisory", **text),
        "outcomes": plots.outcome_distributions(summary, reference="status-quo", **text),
        "differences": plots.difference_chart(differences, **text),
    }


def _texts(fig: Figure) -> list:
    return [t for t in fig.findobj(mpl.text.Text) if t.get_text()]


@pytest.fixture(scope="module")
def svgs(bands, phases, summary, differences, tmp_path_factory) -> dict[str, str]:
    folder = tmp_path_factory.mktemp("user-text")
    out = {}
    for name, fig in _charts(bands, phases, summary, differences).items():
        (path,) = plots.save(fig, folder / name, formats=("svg",))
        out[name] = path.read_text(encoding="utf-8")
    return out


@pytest.mark.parametrize("name", ["total_fan", "composition_fan", "outcomes", "differences"])
def test_dollar_signs_are_drawn_as_dollar_signs(svgs, name):
    svg = svgs[name]
    assert TITLE in svg and FOOTER in svg  # each text's comment: the string as given
    assert DOLLAR_GLYPH in svg  # and the "$" itself drawn, not swallowed by mathtext


def test_phase_names_are_plain_text(svgs):
    assert PHASE in svgs["total_fan"]


def test_no_text_is_mathtext_or_tex(bands, phases, summary, differences):
    # A user's matplotlibrc may turn TeX on; the charts must not follow it.
    with mpl.rc_context({"text.usetex": True, "text.parse_math": True}):
        figures = _charts(bands, phases, summary, differences)
        for name, fig in figures.items():
            fig.canvas.draw()  # ticks and legends made now, too
            for text in _texts(fig):
                assert not text.get_parse_math(), (name, text.get_text())
                assert not text.get_usetex(), (name, text.get_text())
