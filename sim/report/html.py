"""The HTML report: one self-contained file that opens anywhere, with no network access.

Charts are inlined as SVG, styles are inline, there is no script. The report states the
question, each option and its phases, the outcomes with their intervals, every parameter
with its value and source, and the provenance of the numbers.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

import pandas as pd

from sim.analysis.summary import HEADLINE, SCALE

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from sim.workflows.comparison import Comparison

STYLE = """
body { font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; color: #1a1a1a;
       max-width: 1100px; margin: 2em auto; padding: 0 1.5em; line-height: 1.45; }
h1 { font-size: 1.7em; margin-bottom: 0.2em; }
h2 { border-bottom: 2px solid #1a1a1a; padding-bottom: 0.15em; margin-top: 2em; }
h3 { margin-bottom: 0.3em; }
.lede { font-size: 1.15em; }
.meta, .note, figcaption { color: #555; font-size: 0.9em; }
table { border-collapse: collapse; margin: 0.6em 0 1.2em; font-size: 0.88em; width: 100%; }
th, td { border-bottom: 1px solid #ccc; padding: 0.3em 0.5em; text-align: left;
         vertical-align: top; }
th { background: #eee; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
figure { margin: 1.2em 0 2em; }
figure svg { width: 100%; height: auto; display: block; }
nav ol { columns: 2; }
code { font-size: 0.95em; }
"""

SKIP = {"name", "title", "description", "extends", "source", "sources", "policy"}


def write_report(comparison: Comparison, path) -> object:
    """Write the report to ``path`` (via a temporary file) and return the path."""
    text = render(comparison)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    return path


def render(comparison: Comparison, question: str | None = None) -> str:
    """The report as one HTML string."""
    c = comparison
    titles = [c.scenario(n)["resolved"].get("title") or n for n in c.scenarios]
    question = question or (
        "What happens to the force in the country, role by role and day by day, under "
        + _join(titles)
        + "? How near the cap does the official count stay, how many people are really "
        "there, and at what cost and risk?"
    )
    sections = [
        ("options", "The options", _options(c)),
        ("results", "Outcomes", _results(c)),
        ("charts", "Charts", _charts(c)),
        ("assumptions", "Assumptions", _assumptions(c)),
        ("provenance", "Provenance", _provenance(c)),
    ]
    nav = "".join(f'<li><a href="#{key}">{title}</a></li>' for key, title, _ in sections)
    body = "".join(f'<section id="{key}"><h2>{title}</h2>{content}</section>'
                   for key, title, content in sections)  # fmt: skip
    heading = "Options compared: " + _join(titles) if len(titles) > 1 else titles[0]
    m = c.manifest
    meta = (
        f"{_runs(c.replications)} per option, seed {m.get('seed')}; sim {m.get('sim_version')};"
        f" run {m.get('started_at', '')}; report {dt.date.today().isoformat()}"
    )
    caveat = (
        "This is a model with stated assumptions, not a forecast: every number below comes "
        "from the scenario files, whose sources are listed under Assumptions."
    )
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(heading)}</title><style>{STYLE}</style></head><body>"
        f'<header><h1>{_e(heading)}</h1><p class="lede">{_e(question)}</p>'
        f'<p class="meta">{_e(meta)}</p><p class="note">{_e(caveat)}</p></header>'
        f"<nav><ol>{nav}</ol></nav>{body}</body></html>\n"
    )


def _runs(n: int) -> str:
    return f"{n:,} replication{'s' if n != 1 else ''}"


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _table(
    header: Iterable[str], rows: Iterable[Iterable[object]], numeric: set[int] = frozenset()
) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(
            f'<td class="num">{_e(v)}</td>' if i in numeric else f"<td>{_e(v)}</td>"
            for i, v in enumerate(row)
        ) + "</tr>"
        for row in rows
    )  # fmt: skip
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _options(c: Comparison) -> str:
    parts = []
    for name in c.scenarios:
        record = c.scenario(name)
        s = record["resolved"]
        status = _deadline_status(c, name)
        phases = [
            (
                p["name"],
                p.get("announced") or p["start"],
                p["start"],
                " ".join(x for x in (p.get("deadline") or "", status.get(p["name"], "")) if x),
                _targets(p, s),
                ", ".join(r for r, keep in (p.get("replace") or {}).items() if not keep) or "none",
                p.get("early_return", "none"),
                p.get("cap") or s["cap"],
                p.get("description") or "",
            )
            # the phases the policy amounts to (older run folders: as written)
            for p in record.get("phases") or s["policy"]["phases"]
        ]
        parts.append(
            f"<h3>{_e(s.get('title') or name)} <code>{_e(name)}</code></h3>"
            f"<p>{_e(s.get('description') or '')}</p>"
            + _announcements(s)
            + _table(
                [
                    "Phase",
                    "Announced",
                    "In force from",
                    "Deadline",
                    "Targets",
                    "Not replaced",
                    "Early return",
                    "Cap",
                    "Description",
                ],
                phases,
                {7},
            )
        )
    return "".join(parts)


ANNOUNCED_KEYS = (
    "deadline", "cap", "total", "mix", "targets", "replace", "early_return", "pace",
    "halfway_share", "attacks_per_month", "airlift", "planning_interval_days", "detachments",
    "drift_per_month", "temporary", "convert",
)  # fmt: skip


def _announcements(s: dict) -> str:
    """The announcements as made: when, from when, what each set, and on what condition."""
    items = (s.get("policy") or {}).get("announcements")
    if not items:
        return ""
    rows = []
    for a in items:
        said = ", ".join(k for k in ANNOUNCED_KEYS if a.get(k) not in (None, [], {}))
        if a.get("alternatives"):
            chance = "one of " + ", ".join(
                f"{alt.get('name') or 'alternative'} (weight {alt.get('weight', 0):g})"
                for alt in a["alternatives"]
            )
        elif a.get("probability") is not None:
            chance = f"holds with probability {a['probability']:g}"
        else:
            chance = "certain"
        rows.append((a["name"], a["announced"], a.get("takes_effect") or a["announced"],
                     said or "nothing new (a hold)", chance))  # fmt: skip
    return "<p>Announcements, as made:</p>" + _table(
        ["Announcement", "Announced", "Takes effect", "Sets", "Condition"], rows, set()
    )


def _deadline_status(c: Comparison, name: str) -> dict[str, str]:
    """Phase name -> how its deadline ended, where it did not simply bind (phases.csv)."""
    table = c.phases
    if "deadline_status" not in table.columns:
        return {}
    rows = table[table["scenario"] == name]
    out = {}
    for _, r in rows.iterrows():
        if r["deadline_status"] == "superseded":
            out[r["name"]] = f"(superseded by {r['superseded_by']})"
        elif r["deadline_status"] == "carried from an earlier phase":
            out[r["name"]] = "(carried on from the phase that set it)"
    return out


def _targets(phase: dict, scenario: dict) -> str:
    if phase.get("targets"):
        return ", ".join(f"{r} {v:,}" for r, v in phase["targets"].items())
    if phase.get("mix"):
        total = phase.get("total")
        of = f"{total:,}" if total is not None else f"{scenario['fill']:.0%} of the cap"
        return ", ".join(f"{r} {v:.0%}" for r, v in phase["mix"].items()) + f" of {of}"
    if phase.get("total") == 0:
        return "everyone leaves"
    if phase.get("total") is not None:
        return f"total {phase['total']:,}, mix as it is"
    return "hold the force as it is"


def _results(c: Comparison) -> str:
    outcomes = c.outcomes.set_index(["scenario", "outcome"])
    rows = []
    for column, label in HEADLINE.items():
        if column == "zero_on" or (c.scenarios[0], column) not in outcomes.index:
            continue
        scale = SCALE.get(column, 1.0)
        rows.append([label] + [_interval(outcomes.loc[(n, column)], scale) for n in c.scenarios])
    text = (
        f"<p>Mean over replications, with the 90% interval (5th to 95th percentile) in "
        f"brackets. {_runs(c.replications)} per option, with common random numbers.</p>"
        + _table(["Outcome", *c.scenarios], rows, set(range(1, len(c.scenarios) + 1)))
    )
    if not c.differences.empty:
        diffs = c.differences.set_index(["scenario", "outcome"])
        others = [n for n in c.scenarios if n != c.reference]
        rows = []
        for column, label in HEADLINE.items():
            if (others[0], column) not in diffs.index:
                continue
            scale = SCALE.get(column, 1.0)
            rows.append(
                [label] + [_interval(diffs.loc[(n, column)], scale, ci=True) for n in others]
            )
        text += (
            f"<h3>Difference from {_e(c.reference)}</h3><p>Each option minus {_e(c.reference)} "
            "in the same replication (the same random world): mean, 90% interval of the "
            "differences, and the 95% confidence interval of the mean difference.</p>"
            + _table(
                ["Outcome", *(f"{n} − {c.reference}" for n in others)],
                rows,
                set(range(1, len(others) + 1)),
            )
        )
    return text


def _interval(row: pd.Series, scale: float, ci: bool = False) -> str:
    mean, low, high = row["mean"] * scale, row["q05"] * scale, row["q95"] * scale
    text = f"{_num(mean)} ({_num(low)} to {_num(high)})"
    if ci and pd.notna(row["ci_low"]):
        text += f"; CI {_num(row['ci_low'] * scale)} to {_num(row['ci_high'] * scale)}"
    return text


def _num(x: float) -> str:
    if pd.isna(x):
        return "n/a"
    return f"{x:,.0f}" if abs(x) >= 10 or float(x).is_integer() else f"{x:,.2f}"


def _charts(c: Comparison) -> str:
    captions = {
        "total-vs-cap": "Boots on the ground and the cap count against the cap",
        "composition": "People by role (cap count)",
        "movements": "People arriving and leaving per week",
        "outcomes": "Spread of the headline outcomes across replications",
        "differences": f"Difference of each option from {c.reference}",
    }
    parts = []
    for n, (stem, draw) in enumerate(c.chart_makers().items()):
        kind = next((k for k in captions if stem.startswith(k)), stem)
        scenario = stem.removeprefix(kind).lstrip("-")
        caption = captions.get(kind, stem) + (f": {scenario}" if scenario else "")
        try:
            drawing = _svg(draw(), f"c{n}-")
        except Exception as error:  # one chart's bug must not cost the report
            message = " ".join(str(error).split())
            drawing = f'<p class="note">This chart could not be drawn: {_e(message)}</p>'
        parts.append(f'<figure id="chart-{_e(stem)}">{drawing}'
                     f"<figcaption>{_e(caption)}</figcaption></figure>")  # fmt: skip
    return "".join(parts)


def _svg(fig: Figure, prefix: str) -> str:
    """The figure as inline SVG, its ids made unique within the page."""
    from sim.plots.style import style_context

    buffer = io.StringIO()
    with style_context():  # the house settings, as when the chart files are saved
        fig.savefig(buffer, format="svg", bbox_inches="tight", pad_inches=0.1)
    text = buffer.getvalue()
    text = text[text.index("<svg") :]
    text = re.sub(r'\bid="([^"]+)"', lambda m: f'id="{prefix}{m[1]}"', text)
    text = re.sub(r"url\(#([^)]+)\)", lambda m: f"url(#{prefix}{m[1]})", text)
    return re.sub(r'href="#([^"]+)"', lambda m: f'href="#{prefix}{m[1]}"', text)


def _assumptions(c: Comparison) -> str:
    names = c.scenarios
    values: dict[str, dict[str, str]] = {}
    sources: dict[str, str] = {}
    for name in names:
        record = c.scenario(name)
        drawn = record.get("uncertainties") or {}
        for path, value in _leaves(record["resolved"]):
            shown = _distribution(drawn[path]) if path in drawn else _value(value)
            values.setdefault(path, {})[name] = shown
            sources.setdefault(path, _source(path, record) or "(no note in the files)")
    rows = []
    for path in sorted(values):
        per = values[path]
        if len(set(per.values())) == 1 and len(per) == len(names):
            shown = next(iter(per.values()))
        else:
            shown = "; ".join(f"{n}: {per.get(n, '(not set)')}" for n in names)
        rows.append([path, shown, sources.get(path, "")])
    return (
        "<p>Every parameter of the options as they ran (after <code>extends</code> and any "
        "<code>--set</code>), with the note or source written next to it in the scenario "
        "files; where the options differ, each option's value is given. Distributions are "
        "drawn once per replication.</p>" + _table(["Parameter", "Value", "Source or note"], rows)
    )


def _leaves(data: object, path: str = "") -> Iterable[tuple[str, object]]:
    if isinstance(data, dict):
        for key, value in data.items():
            if (not path and key in SKIP) or key == "source":
                continue
            yield from _leaves(value, f"{path}.{key}" if path else str(key))
    elif isinstance(data, list) and data and isinstance(data[0], dict):
        for i, value in enumerate(data):
            yield from _leaves(value, f"{path}.{i}")
    else:
        yield path, data


def _source(path: str, record: dict) -> str:
    """The note written next to the key, or the nearest ``source`` above it."""
    notes = record.get("notes") or {}
    parts = path.split(".")
    for n in range(len(parts), 0, -1):
        prefix = ".".join(parts[:n])
        if prefix in notes and (n == len(parts) or not notes[prefix][:1].isdigit()):
            return notes[prefix]
        node = record["resolved"]
        for part in parts[:n]:
            node = node[int(part)] if isinstance(node, list) else node.get(part, {})
        if isinstance(node, dict) and node.get("source"):
            return str(node["source"])
    return ""


def _distribution(dist: dict) -> str:
    params = ", ".join(
        f"{k}={v}" for k, v in dist.items() if k not in ("distribution", "source") and v is not None
    )
    return f"{dist['distribution']}({params})"


def _value(value: object) -> str:
    if isinstance(value, float):
        return f"{value:,.6g}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if value is None:
        return "none"
    return str(value)


def _provenance(c: Comparison) -> str:
    m = c.manifest
    rows = [[s["name"], s["hash"][:16], ", ".join(s.get("files", []))] for s in m["scenarios"]]
    facts = [
        ["Seed", m.get("seed")],
        ["Replications per option", f"{c.replications:,}"],
        ["Precision reached", _precision(m.get("precision_reached"))],
        ["Executor", f"{m.get('executor')} ({m.get('workers')} workers)"],
        ["sim version", m.get("sim_version")],
        ["Python", m.get("python")],
        ["Packages", ", ".join(f"{k} {v}" for k, v in (m.get("packages") or {}).items())],
        ["Run started", m.get("started_at")],
        ["Run time", f"{m.get('run_seconds', 0):,.1f} s"],
        ["Command", " ".join(m.get("command") or []) or "(from Python)"],
        ["Overrides", ", ".join(m.get("overrides") or []) or "none"],
    ]
    return (
        _table(["Scenario", "Hash (SHA-256, first 16)", "Files"], rows)
        + _table(["", ""], facts)
        + '<p class="note">The same scenario files, seed and version give the same numbers; '
        "the full resolved scenarios are in the run folder's <code>manifest.json</code>.</p>"
    )


def _precision(reached: dict | None) -> str:
    if not reached:
        return "not requested"
    worst = max(reached, key=reached.get)
    return f"widest 95% confidence interval: {worst} ±{reached[worst]:.2%} of its mean"
