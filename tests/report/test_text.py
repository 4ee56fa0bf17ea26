"""Values as the report prints them: for people, never as Python or an exponent."""

import pytest

from sim.report.text import escape, money, number, people, table, words, yes_no


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (120_000_000.0, "120,000,000"),
        (2500, "2,500"),
        (0.98, "0.98"),
        (1234.5, "1,234.5"),
        (0.1 + 0.2, "0.3"),
        (-1.5, "-1.5"),
        (3.0, "3"),
        (float("nan"), "n/a"),
        (True, "yes"),
    ],
)
def test_numbers_have_separators_and_no_exponent(value, shown):
    assert number(value) == shown


@pytest.mark.parametrize(
    ("usd", "shown"),
    [
        (120_000_000, "US$120 million"),
        (850_000.0, "US$0.85 million"),
        (2_100_000.0, "US$2.1 million"),
        (1_234_500_000, "US$1,234.5 million"),
    ],
)
def test_money_is_in_us_dollar_millions_with_its_unit(usd, shown):
    assert money(usd) == shown


def test_counts_of_people_flags_and_keys_read_as_words():
    assert people(2500) == "2,500 people"
    assert people(1) == "1 person"
    assert (yes_no(True), yes_no(False)) == ("yes", "no")
    assert words("as_needed") == "as needed"


def test_table_cells_are_text_never_markup():
    html = table(["<b>head</b>"], [["<script>alert('x')</script> & more"]], numeric=[0])
    assert "<script>" not in html and "<b>" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; more" in html
    assert '<td class="num">' in html
    assert escape('"quoted"') == "&quot;quoted&quot;"
