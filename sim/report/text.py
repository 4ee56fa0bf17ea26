"""Values as the report prints them for people, and the escaped HTML every section is made of.

Numbers get thousands separators and never an exponent; money is in US$ millions with its
unit; a count of people says "people"; booleans read yes or no. Everything from a scenario
file (titles, descriptions, notes) goes through :func:`escape`: it is text, never markup.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable


def escape(value: object) -> str:
    return html.escape(str(value), quote=True)


def table(
    header: Iterable[str], rows: Iterable[Iterable[object]], numeric: Iterable[int] = ()
) -> str:
    """An HTML table of escaped text; the columns in ``numeric`` are aligned right."""
    numeric = set(numeric)
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="num">{escape(v)}</td>' if i in numeric else f"<td>{escape(v)}</td>"
            for i, v in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def number(x: float) -> str:
    """``120,000,000``, ``0.98``, ``1,234.5``: separators, at most six decimals, no exponent."""
    if isinstance(x, bool):
        return yes_no(x)
    if isinstance(x, int):
        return f"{x:,}"
    if not math.isfinite(x):
        return "n/a" if math.isnan(x) else ("-" if x < 0 else "") + "infinity"
    if x.is_integer():
        return f"{int(x):,}"
    if abs(x) < 1e-4:
        return f"{x:.2g}"  # too small for six decimals (no scenario value is this small)
    return f"{x:,.6f}".rstrip("0").rstrip(".")


def places(values: Iterable[float]) -> int:
    """Decimals to give a set of numbers shown together: none for whole numbers or any of
    10 or more, else one for any of 1 or more, else two (missing values are skipped)."""
    known = [float(x) for x in values if x is not None and not math.isnan(x)]
    largest = max((abs(x) for x in known), default=0.0)
    whole = all(x.is_integer() for x in known)
    return 0 if whole or largest >= 10 else 1 if largest >= 1 else 2


def fixed(x: float, decimals: int) -> str:
    """``1,234.5`` to ``decimals`` places, ``n/a`` for a missing value, never ``-0``."""
    if x is None or math.isnan(x):
        return "n/a"
    text = f"{x:,.{decimals}f}"
    return text[1:] if text.startswith("-") and not text.strip("-0.,") else text


def count(value: object) -> str:
    """A whole number with separators (``2,000``); anything else as given."""
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return "not recorded" if value is None else str(value)


def money(usd: float) -> str:
    """An amount in US dollars, in millions: ``US$120 million``, ``US$0.85 million``."""
    return f"US${number(round(usd / 1e6, 6))} million"


def people(n: int) -> str:
    return f"{n:,} {'person' if n == 1 else 'people'}"


def yes_no(value: bool) -> str:
    return "yes" if value else "no"


def words(identifier: str) -> str:
    """A key or choice as written in a scenario file, as words: ``as_needed`` -> as needed."""
    return identifier.replace("_", " ")


def join(items: list[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def plural(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"
