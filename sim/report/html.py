"""The HTML report: one self-contained file that opens anywhere, with no network access.

Charts are inlined as SVG, styles are inline, there is no script. The report states the
question, each option and its phases, the outcomes with their intervals, every parameter
with its value and source (see ``assumptions``), and the provenance of the numbers.

Options are called by their titles; each option's heading also gives its name, which the
charts use. Everything a scenario file says is escaped: text, never markup.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import TYPE_CHECKING

import pandas as pd

from sim.report.assumptions import assumptions
from sim.report.text import escape as _e
from sim.report.text import fixed, join, people, places, plural, table, words
from sim.scenario.outcomes import HEADLINE, outcome_info
from sim.scenario.policy import PLAN_KEYS

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
    labels = option_labels(c)
    titles = [labels[n] for n in c.scenarios]
    question = question or (
        "What happens to the force in the country, role by role and day by day, under "
        + join(titles)
        + "? How near the cap does the official count stay, how many people are really "
        "there, and at what cost and risk?"
    )
    sections = [
        ("options", "The options", _options(c, labels)),
        ("results", "Outcomes", outcome_tables(c, labels)),
        ("charts", "Charts", _charts(c, labels)),
        ("assumptions", "Assumptions", assumptions(c, labels)),
        ("provenance", "Provenance", _provenance(c, labels)),
    ]
    nav = "".join(f'<li><a href="#{key}">{title}</a></li>' for key, title, _ in sections)
    body = "".join(
        f'<section id="{key}"><h2>{title}</h2>{content}</section>'
        for key, title, content in sections
    )
    heading = "Options compared: " + join(titles) if len(titles) > 1 else titles[0]
    m = c.manifest
    meta = (
        f"{plural(c.replications, 'replication')} per option, seed {m.get('seed')};"
        f" sim {m.get('sim_version')}; run {m.get('started_at', '')};"
        f" report {dt.date.today().isoformat()}"
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


def option_labels(c: Comparison) -> dict[str, str]:
    """What the report calls each option: its title, or its name where it has none; with
    the name in brackets where two options share a title."""
    titles = {n: c.scenario(n)["resolved"].get("title") or n for n in c.scenarios}
    shared = {t for t in titles.values() if list(titles.values()).count(t) > 1}
    return {n: f"{t} ({n})" if t in shared and t != n else t for n, t in titles.items()}


def _named(label: str, name: str) -> str:
    """``Title (name)``, unless the label already is or ends with the name."""
    return label if label == name or label.endswith(f"({name})") else f"{label} ({name})"


def _options(c: Comparison, labels: dict[str, str]) -> str:
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
                words(p.get("early_return") or "none"),
                people(s["cap"] if p.get("cap") is None else p["cap"]),
                p.get("description") or "",
            )
            # the phases the policy amounts to (older run folders: as written)
            for p in record.get("phases") or s["policy"]["phases"]
        ]
        parts.append(
            f"<h3>{_e(labels[name])}"
            + ("" if _named(labels[name], name) == labels[name] else f" (<code>{_e(name)}</code>)")
            + "</h3>"
            f"<p>{_e(s.get('description') or '')}</p>"
            + _announcements(s)
            + table(
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


ANNOUNCED_KEYS = (*PLAN_KEYS, "temporary", "convert")  # what an announcement may set


def _announcements(s: dict) -> str:
    """The announcements as made: when, from when, what each set, and on what condition."""
    items = (s.get("policy") or {}).get("announcements")
    if not items:
        return ""
    rows = []
    for a in items:
        said = ", ".join(words(k) for k in ANNOUNCED_KEYS if a.get(k) not in (None, [], {}))
        if a.get("alternatives"):
            chance = "one of " + ", ".join(
                f"{alt.get('name') or 'alternative'} (weight {alt.get('weight', 0):g})"
                for alt in a["alternatives"]
            )
        elif a.get("probability") is not None:
            chance = f"holds with probability {a['probability']:g}"
        else:
            chance = "certain"
        rows.append(
            (
                a["name"],
                a["announced"],
                a.get("takes_effect") or a["announced"],
                said or "nothing new (a hold)",
                chance,
            )
        )
    return "<p>Announcements, as made:</p>" + table(
        ["Announcement", "Announced", "Takes effect", "Sets", "Condition"], rows
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


def outcome_tables(c: Comparison, labels: dict[str, str]) -> str:
    """The outcome table (mean and 90% interval per option) and, for two or more options,
    the paired differences from the reference, as HTML with every text escaped."""
    one = c.replications == 1
    outcomes = c.outcomes.set_index(["scenario", "outcome"])
    rows = []
    for column in HEADLINE:
        info = outcome_info(column)
        if not info.numeric or (c.scenarios[0], column) not in outcomes.index:
            continue
        label, scale = info.heading, info.scale
        rows.append(
            [label] + [_interval(outcomes.loc[(n, column)], scale, one=one) for n in c.scenarios]
        )
    said = (
        "<p>The outcomes of the single replication (no intervals: run more replications "
        "for them).</p>"
        if one
        else "<p>Mean over replications, with the 90% interval (5th to 95th percentile) in "
        f"brackets. {plural(c.replications, 'replication')} per option, with common random "
        "numbers.</p>"
    )
    text = said + table(
        ["Outcome", *(labels[n] for n in c.scenarios)], rows, range(1, len(c.scenarios) + 1)
    )
    if not c.differences.empty:
        diffs = c.differences.set_index(["scenario", "outcome"])
        others = [n for n in c.scenarios if n != c.reference]
        rows = []
        for column in HEADLINE:
            if (others[0], column) not in diffs.index:
                continue
            label, scale = outcome_info(column).heading, outcome_info(column).scale
            rows.append(
                [label]
                + [_interval(diffs.loc[(n, column)], scale, ci=True, one=one) for n in others]
            )
        reference = labels[c.reference]
        how = (
            "in the same (and only) replication."
            if one
            else "in the same replication (the same random world): mean, 90% interval of the "
            "differences, and the 95% confidence interval of the mean difference."
        )
        text += (
            f"<h3>Difference from {_e(reference)}</h3><p>Each option minus {_e(reference)} "
            + how
            + "</p>"
            + table(
                ["Outcome", *(f"{labels[n]} − {reference}" for n in others)],
                rows,
                range(1, len(others) + 1),
            )
        )
    return text


def _interval(row: pd.Series, scale: float, ci: bool = False, one: bool = False) -> str:
    """``mean (q05 to q95)``, and ``; CI low to high`` with ``ci``, all to the same decimals;
    ``one`` replication: its value alone."""
    numbers = [row["mean"], row["q05"], row["q95"]]
    if ci and not one and pd.notna(row["ci_low"]):
        numbers += [row["ci_low"], row["ci_high"]]
    numbers = [x * scale for x in numbers]
    decimals = places(numbers)
    mean, low, high, *bounds = (fixed(x, decimals) for x in numbers)
    if one:
        return mean
    text = f"{mean} ({low} to {high})"
    if bounds:
        text += f"; CI {bounds[0]} to {bounds[1]}"
    return text


def _charts(c: Comparison, labels: dict[str, str]) -> str:
    captions = {
        "total-vs-cap": "Boots on the ground and the cap count against the cap",
        "composition": "People by role (cap count)",
        "movements": "People arriving and leaving per week",
        "outcomes": "Spread of the headline outcomes across replications",
        "differences": f"Difference of each option from {labels[c.reference]}",
    }
    parts = []
    for n, (stem, draw) in enumerate(c.chart_makers().items()):
        kind = next((k for k in captions if stem.startswith(k)), stem)
        scenario = stem.removeprefix(kind).lstrip("-")
        caption = captions.get(kind, stem)
        if scenario in labels:  # the chart names the option; say which one it is
            caption += f": {_named(labels[scenario], scenario)}"
        try:
            drawing = inline_svg(draw(), f"c{n}-")
        except Exception as error:  # one chart's bug must not cost the report
            message = " ".join(str(error).split())
            drawing = f'<p class="note">This chart could not be drawn: {_e(message)}</p>'
        parts.append(
            f'<figure id="chart-{_e(stem)}">{drawing}'
            f"<figcaption>{_e(caption)}</figcaption></figure>"
        )
    return "".join(parts)


def inline_svg(fig: Figure, prefix: str) -> str:
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


def _provenance(c: Comparison, labels: dict[str, str]) -> str:
    m = c.manifest
    rows = [
        [_named(labels[s["name"]], s["name"]), s["hash"][:16], ", ".join(s.get("files", []))]
        for s in m["scenarios"]
    ]
    facts = [
        ["Seed", m.get("seed")],
        *([["Differences from", labels[c.reference]]] if len(c.scenarios) > 1 else []),
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
        table(["Scenario", "Hash (SHA-256, first 16)", "Files"], rows)
        + table(["", ""], facts)
        + '<p class="note">The same scenario files, seed and version give the same numbers; '
        "the full resolved scenarios are in the run folder's <code>manifest.json</code>.</p>"
    )


def _precision(reached: dict | None) -> str:
    if not reached:
        return "not requested"
    worst = max(reached, key=reached.get)
    return f"widest 95% confidence interval: {worst} ±{reached[worst]:.2%} of its mean"
