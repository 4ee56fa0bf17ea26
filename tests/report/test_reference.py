"""A report of a folder against another reference (what ``sim report --reference`` asks for):
the differences are worked out again from the folder's summary, paired by replication."""

import pandas as pd
import pytest

import sim
from sim.errors import AnalysisError, SimError
from sim.workflows.comparison import Comparison

KEYS = ["scenario", "outcome"]


@pytest.fixture(scope="module")
def cmp(folder) -> Comparison:
    return sim.load_results(folder)


def _by_key(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.set_index(KEYS).sort_index()


def test_the_run_s_own_reference_gives_the_differences_it_wrote(cmp):
    again = cmp.with_reference(cmp.reference)
    written = _by_key(cmp.differences)
    pd.testing.assert_frame_equal(
        _by_key(again.differences)[written.columns], written, check_dtype=False, rtol=1e-9
    )


def test_another_reference_turns_the_differences_round(cmp):
    first, second = cmp.scenarios[:2]
    other = cmp.with_reference(second)
    assert other.reference == second and cmp.reference == first  # cmp itself is unchanged
    assert set(other.differences["reference"]) == {second}
    assert set(other.differences["scenario"]) == set(cmp.scenarios) - {second}
    back = _by_key(other.differences).xs(first, level="scenario")["mean"]
    forth = _by_key(cmp.differences).xs(second, level="scenario")["mean"]
    pd.testing.assert_series_equal(back, -forth.loc[back.index], check_names=False, rtol=1e-9)


def test_an_unknown_reference_is_a_user_error(cmp):
    with pytest.raises(AnalysisError, match=r"no scenario 'nope'.*status-quo") as caught:
        cmp.with_reference("nope")
    assert isinstance(caught.value, SimError)  # the CLI turns it into one line and exit 2


def test_the_report_compares_with_the_reference_asked_for(cmp, tmp_path, read_page, monkeypatch):
    monkeypatch.setattr(Comparison, "chart_makers", lambda self: {})
    path = cmp.report(tmp_path / "report.html", reference="advisory")
    page = read_page(path.read_text(encoding="utf-8"))
    title = cmp.scenario("advisory")["resolved"]["title"]
    assert f"Difference from {title}" in page.words("results")
    header = page.tables["results"][1][0]
    assert header[1] == f"{cmp.scenario('status-quo')['resolved']['title']} − {title}"
    facts = {row[0]: row[1:] for row in page.tables["provenance"][1]}
    assert facts["Differences from"] == [title]
