"""The app's page and its server, in Shiny for Python.

The page is plain HTML inputs, each carrying a ``data-testid``; every text from a scenario
goes in through htmltools, which escapes it. An entry is checked by the loader as a
``--set`` of the same key would be, and its message shown under the control. A run goes
to ``runs.execute`` in a worker thread; the page polls its progress and can cancel it.
"""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from htmltools import Tag, TagList
from shiny import App, Inputs, Outputs, Session, reactive, render, ui

from sim.app.controls import (
    REPLICATIONS,
    SEEDS,
    Check,
    Control,
    Option,
    changes,
    check,
    edited_name,
    export_yaml,
)
from sim.app.runs import Cancelled, Progress, Request, Result, execute
from sim.report.html import option_labels, outcome_tables
from sim.report.text import fixed, number
from sim.scenario.keys import dotted

NO_REFERENCE = "none"
REFUSED = "Nothing was run: correct the setting marked in red first."
DOWNLOADS = {  # a run's files (runs.Result.files) and the names they download as
    "total.png": "total-vs-cap.png",
    "total.svg": "total-vs-cap.svg",
    "composition.png": "composition.png",
    "composition.svg": "composition.svg",
    "report": "report.html",
}
CSS = """
body { font-size: 0.95rem; }
.control-source { font-size: 0.78rem; color: #555; margin: -0.6rem 0 0.6rem; }
.control-error { color: #8b0000; font-weight: 600; margin: -0.4rem 0 0.8rem;
  border-left: 3px solid #8b0000; padding-left: 0.4rem; }
.group-title { font-weight: 700; margin: 1rem 0 0.3rem; border-top: 1px solid #bbb;
  padding-top: 0.5rem; }
.timeline { list-style: none; padding: 0; margin: 0.5rem 0 1rem; }
.timeline li { position: relative; margin: 0 0 0.6rem; padding-left: 7.5rem; }
.timeline .when { position: absolute; left: 0; width: 7rem; font-variant-numeric: tabular-nums; }
.timeline .bar { height: 6px; background: #ddd; margin: 0.2rem 0; position: relative; }
.timeline .bar span { position: absolute; top: 0; height: 6px; background: #333; }
.results img { max-width: 100%; height: auto; }
.results table { border-collapse: collapse; margin: 0.5rem 0 1rem; }
.results th, .results td { border-bottom: 1px solid #ccc; padding: 0.2rem 0.6rem; }
.results td:not(:first-child) { text-align: right; font-variant-numeric: tabular-nums; }
.notes { font-size: 0.85rem; color: #444; }
"""


def _hook(tag: Tag, input_id: str, testid: str) -> Tag:
    """Give the element with ``input_id`` inside ``tag`` its ``data-testid``."""

    def walk(node: Any) -> bool:
        if isinstance(node, Tag):
            if node.attrs.get("id") == input_id:
                node.attrs["data-testid"] = testid
                return True
            return any(walk(child) for child in node.children)
        return False

    if not walk(tag):
        raise ValueError(f"no element {input_id!r} to hook")
    return tag


def _shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _control(c: Control, prefix: str) -> Tag:
    input_id = prefix + c.id
    if c.kind == "date":
        field = ui.input_text(input_id, c.label, _shown(c.value), placeholder="YYYY-MM-DD")
    else:
        step = 0.01 if c.kind == "share" else 1
        field = ui.input_numeric(input_id, c.label, c.value, step=step)
    given = "not set (as before)" if c.value is None and c.optional else _shown(c.value)
    return ui.div(
        _hook(field, input_id, c.testid),
        ui.div(f"In the file: {given or 'not set'} · {c.source}", class_="control-source"),
        id=f"wrap-{input_id}",
    )


def controls_ui(option: Option, prefix: str) -> TagList:
    """The controls of ``option``: the scenario's first, then one group per announcement."""
    parts: list[Any] = [ui.div(id="controls-top")]
    group = "scenario"
    for c in option.controls:
        if c.group != group:
            group = c.group
            parts.append(ui.div(group, class_="group-title"))
        parts.append(_control(c, prefix))
    return TagList(*parts)


def about_ui(option: Option) -> Tag:
    """Title, description, where the file is, and the announcements as a timeline."""
    span = max((option.end - option.start).days, 1)

    def at(day: Any) -> float:
        if not isinstance(day, dt.date):
            return 0.0
        return min(max((day - option.start).days / span * 100, 0.0), 100.0)

    items = []
    for n, item in enumerate(option.timeline):
        start = item["start"]
        following = option.timeline[n + 1]["start"] if n + 1 < len(option.timeline) else None
        left, right = at(start), at(following) if following else 100.0
        said = []
        if item["announced"] and item["announced"] != start:
            said.append(f"announced {_shown(item['announced'])}")
        if item["deadline"]:
            said.append(f"deadline {_shown(item['deadline'])}")
        if item["cap"] is not None:
            cap = item["cap"]
            said.append(f"cap {number(cap) if isinstance(cap, int | float) else cap}")
        items.append(
            ui.tags.li(
                ui.span(_shown(start) or "uncertain", class_="when"),
                ui.strong(item["name"]),
                f" ({'; '.join(said)})" if said else "",
                ui.div(
                    ui.span(style=f"left: {left:.1f}%; width: {max(right - left, 0.5):.1f}%"),
                    class_="bar",
                ),
                ui.div(item["description"], class_="notes") if item["description"] else "",
            )
        )
    return ui.div(
        ui.h2(option.title, data_testid="scenario-title"),
        ui.p(option.description, data_testid="scenario-description"),
        ui.p(
            f"{_display(option.path)} · {option.start.isoformat()} to {option.end.isoformat()}",
            class_="notes",
        ),
        ui.h4("Announcements" if option.timeline else "Policy"),
        ui.tags.ol(*items, class_="timeline", data_testid="timeline"),
    )


def _png(result: Result, kind: str, testid: str, alt: str) -> Tag:
    data = base64.b64encode(result.files[f"{kind}.png"].read_bytes()).decode("ascii")
    return ui.img(
        src=f"data:image/png;base64,{data}",
        alt=alt,
        data_testid=testid,
        data_run=result.finished.isoformat(),
    )


def cap_table(result: Result) -> Tag:
    """Each cap, when the force came within it and its cap count from then on."""
    rows = []
    for row in result.cap.to_dict("records"):
        binds = row["binds_on"]
        if binds is None or binds != binds:  # NaT
            said = ui.tags.td("never within it (mean over replications)", colspan=3)
            cells = [said]
        else:
            over = int(row["days_q95_over_after"])
            cells = [
                ui.tags.td(binds.date().isoformat()),
                ui.tags.td(
                    fixed(row["mean_after"], 0),
                    data_outcome="mean_cap_count_after_cap_binds",
                    data_value=f"{row['mean_after']:.3f}",
                    data_cap=f"{row['cap']:.0f}",
                ),
                ui.tags.td(
                    f"{fixed(row['q95_most_after'], 0)} ({over} day{'s' if over != 1 else ''})"
                ),
            ]
        rows.append(
            ui.tags.tr(
                ui.tags.td(f"{number(row['cap'])} from {row['from'].date().isoformat()}"),
                *cells,
            )
        )
    return ui.div(
        ui.h4("After the cap binds"),
        ui.p(
            "A cap below the force binds only once enough units have left. From the first "
            "day the mean cap count over replications is within the cap to the end of that "
            "cap: the mean cap count, and the highest daily 95th percentile (with the days it "
            "was above the cap).",
            class_="notes",
        ),
        ui.tags.table(
            ui.tags.thead(
                ui.tags.tr(
                    ui.tags.th("Cap (people)"),
                    ui.tags.th("Within it from"),
                    ui.tags.th("Mean cap count after (people)"),
                    ui.tags.th("Highest 95th percentile after (days above the cap)"),
                )
            ),
            ui.tags.tbody(*rows),
        ),
    )


def results_ui(result: Result) -> Tag:
    c = result.comparison
    labels = option_labels(c)
    request = result.request
    against = f" against {request.reference.title}" if request.reference else ""
    downloads = [
        ui.download_button(
            f"download_{kind}_{fmt}",
            f"{words} ({fmt.upper()})",
            data_testid=f"download-{kind}-{fmt}",
        )
        for kind, words in (("total", "Total vs cap"), ("composition", "Composition"))
        for fmt in ("png", "svg")
    ]
    downloads.append(
        ui.download_button("download_report", "Report (HTML)", data_testid="download-report")
    )
    return ui.div(
        ui.p(
            f"{request.option.title} as edited{against}: {request.replications:,} "
            f"replication{'s' if request.replications != 1 else ''}, seed {request.seed}, "
            f"finished {result.finished:%H:%M:%S}.",
            class_="notes",
            data_testid="run-summary",
        ),
        _png(result, "total", "chart-total", "Boots on the ground and cap count against the cap"),
        _png(result, "composition", "chart-composition", "People by role over time"),
        ui.div(
            ui.HTML(outcome_tables(c, labels)),  # built by the report: every text escaped
            cap_table(result),
            data_testid="outcomes-table",
        ),
        ui.div(*downloads, class_="d-flex flex-wrap gap-2"),
        class_="results",
    )


def page(options: Sequence[Option], reference: int | None) -> Tag:
    choices = {str(n): f"{o.title} ({o.path.name})" for n, o in enumerate(options)}
    references = {NO_REFERENCE: "(none)", **choices}
    first = next((str(n) for n, o in enumerate(options) if o.path.stem == "advisory"), "0")
    sidebar = ui.sidebar(
        _hook(
            ui.input_select("scenario", "Option", choices, selected=first),
            "scenario",
            "scenario-select",
        ),
        _hook(
            ui.input_select(
                "reference",
                "Compare with",
                references,
                selected=str(reference) if reference is not None else NO_REFERENCE,
            ),
            "reference",
            "reference-select",
        ),
        ui.output_ui("controls"),
        ui.input_action_button(
            "reset",
            "Reset to the files' values",
            class_="btn-sm btn-outline-secondary",
            data_testid="reset-button",
        ),
        ui.div("Run", class_="group-title"),
        ui.div(
            _hook(
                ui.input_numeric(
                    "replications", "Replications", 4, min=REPLICATIONS[0], max=REPLICATIONS[1]
                ),
                "replications",
                "replications-input",
            ),
            id="wrap-replications",
        ),
        ui.div(
            _hook(
                ui.input_numeric("seed", "Seed", 1, min=SEEDS[0], max=SEEDS[1]),
                "seed",
                "seed-input",
            ),
            id="wrap-seed",
        ),
        ui.input_task_button("run", "Run", label_busy="Running…", data_testid="run-button"),
        ui.input_action_button(
            "cancel", "Cancel", class_="btn-outline-secondary", data_testid="cancel-button"
        ),
        ui.output_ui("progress"),
        ui.output_ui("download_yaml_ui"),
        width=380,
    )
    return ui.page_sidebar(
        sidebar,
        ui.head_content(ui.tags.link(rel="icon", href="data:,"), ui.tags.style(CSS)),
        ui.output_ui("about"),
        ui.output_ui("notes"),
        ui.output_ui("stale"),
        ui.output_ui("results"),
        title="sim: change an option, see the consequences",
        window_title="sim app",
        lang="en",
    )


def make_app(options: Sequence[Option], workers: int | None = None) -> App:
    """The Shiny app for ``options`` (the scenarios found at start)."""
    options = list(options)
    reference = next((n for n, o in enumerate(options) if o.path.stem == "status-quo"), None)

    def server(input: Inputs, output: Outputs, session: Session) -> None:
        state = Progress()
        last: reactive.Value[Result | None] = reactive.value(None)
        message: reactive.Value[str] = reactive.value("")

        @reactive.calc
        def chosen() -> tuple[int, Option]:
            try:
                n = int(input.scenario())
                return n, options[n]
            except (ValueError, IndexError):  # only the listed options, whatever is sent
                return 0, options[0]

        @reactive.calc
        def reference() -> Option | None:
            """The option chosen to compare with (none: none, or the edited option itself)."""
            pick = input.reference()
            ref = options[int(pick)] if pick.isdigit() and int(pick) < len(options) else None
            if ref is not None and ref.name == edited_name(chosen()[1]):
                return None
            return ref

        def prefix(n: int) -> str:
            return f"s{n}_"

        @reactive.calc
        def edits() -> tuple[Option, dict, Check, tuple[str, str] | None]:
            n, option = chosen()
            entered = {
                c.id: input[prefix(n) + c.id]()
                for c in option.controls
                if prefix(n) + c.id in input
            }
            changed = changes(option.controls, entered)
            settings = _settings_problem(input.replications(), input.seed())
            return option, changed, check(option.path, changed), settings

        @render.ui
        def controls() -> TagList:
            input.reset()  # drawn again, with the files' values, when Reset is clicked
            n, option = chosen()
            return controls_ui(option, prefix(n))

        @render.ui
        def about() -> Tag:
            return about_ui(chosen()[1])

        @reactive.effect
        def _show_error() -> None:
            n, option = chosen()
            _, _, result, settings = edits()
            ui.remove_ui("#app-error", multiple=True)
            if result.error is not None:
                err = result.error
                target = _wrapper(option, prefix(n), err.key)
                text = f"{err.key}: {err.message}" if err.key else err.message
                ui.insert_ui(_error(text), selector=target, where="beforeEnd")
            elif settings is not None:
                where, text = settings
                ui.insert_ui(_error(text), selector=f"#wrap-{where}", where="beforeEnd")
            else:
                with reactive.isolate():
                    if message() == REFUSED:  # said of a mistake since corrected
                        message.set("")

        @render.ui
        def notes() -> Tag | None:
            option, changed, result, _ = edits()
            said = []
            if changed:
                n = len(changed)
                said.append(
                    f"{n} setting{'s' if n != 1 else ''} changed: "
                    + "; ".join(describe_change(option, k, v) for k, v in changed.items())
                )
            here = f"{Path.cwd().resolve()}/"
            said += [f"Warning: {w.replace(here, '')}" for w in result.warnings]
            if message():
                said.append(message())
            if not said:
                return None
            return ui.div(*(ui.p(s) for s in said), class_="notes", data_testid="notes")

        @ui.bind_task_button(button_id="run")
        @reactive.extended_task
        async def job(request: Request) -> Result:
            return await asyncio.to_thread(execute, request, state)

        @reactive.effect
        @reactive.event(input.run)
        def _run() -> None:
            option, changed, result, settings = edits()
            if result.error is not None or settings is not None:
                message.set(REFUSED)
                return
            ref = reference()
            message.set("")
            state.cancel.clear()
            state.stage, state.done = "running", 0
            state.options = 2 if ref is not None else 1
            state.total = int(input.replications()) * state.options
            job(
                Request(option, changed, ref, int(input.replications()), int(input.seed()), workers)
            )

        @reactive.effect
        @reactive.event(input.cancel)
        def _cancel() -> None:
            if job.status() == "running":
                state.cancel.set()
                job.cancel()
                state.stage = "cancelled"

        @reactive.effect
        def _finished() -> None:
            status = job.status()
            if status == "success":
                result = job.result()
                with reactive.isolate():
                    old = last()
                last.set(result)
                if old is not None:
                    old.remove()
            elif status == "error":
                try:
                    job.result()
                except Cancelled:
                    state.stage = "cancelled"
                except Exception as err:  # shown on the page; the server goes on
                    state.stage = "failed"
                    message.set(f"The run failed: {' '.join(str(err).split())}")

        @render.ui
        def progress() -> Tag:
            status = job.status()
            if status == "running":
                reactive.invalidate_later(0.25)
            stage = state.stage if status in ("running", "cancelled", "error") else status
            if status == "success":
                stage = "done"
            done, total = state.done, max(state.total, 1)
            words = {
                "initial": "Not run yet.",
                "idle": "Not run yet.",
                "running": f"Running: {done:,} of {total:,} replications (both options)"
                if state.options == 2
                else f"Running: {done:,} of {total:,} replications",
                "drawing": "Drawing the charts",
                "done": "Done.",
                "cancelled": "Cancelled: the results shown, if any, are from the run before.",
                "failed": "The run failed (see the note above the charts).",
            }
            return ui.div(
                ui.tags.progress(value=str(done), max=str(total)),
                ui.span(words.get(stage, stage)),
                data_testid="progress",
                data_state=stage,
                data_done=str(done),
                data_total=str(total),
            )

        @render.ui
        def results() -> Tag:
            result = last()
            if result is None:
                return ui.div(
                    ui.p("Run the option to see its charts and outcomes here."),
                    ui.div(data_testid="chart-total", data_run=""),
                    class_="results",
                )
            return results_ui(result)

        @render.ui
        def stale() -> Tag | None:
            result = last()
            if result is None:
                return None
            option, changed, _, _ = edits()
            asked = result.request
            ref = reference()
            now = (option.path, changed, _int(input.replications(), 0), _int(input.seed(), -1))
            then = (asked.option.path, asked.changed, asked.replications, asked.seed)
            if now == then and _path(ref) == _path(asked.reference):
                return None
            return ui.div(
                "The settings have changed since the run shown below: run again to see "
                "their consequences.",
                class_="control-error",
                data_testid="stale-note",
            )

        @render.ui
        def download_yaml_ui() -> Tag:
            _option, _changed, result, _ = edits()
            if result.error is not None:
                return ui.p(
                    "Correct the setting marked in red to download the scenario.", class_="notes"
                )
            return ui.download_button(
                "download_yaml", "Download the scenario (YAML)", data_testid="download-yaml"
            )

        @render.download_button(filename=lambda: f"{edited_name(chosen()[1])}.yaml")
        def download_yaml() -> Any:
            option, changed, _result, _ = edits()
            target = option.path.parent / f"{edited_name(option)}.yaml"
            yield export_yaml(
                option,
                changed,
                target,
                seed=_int(input.seed(), 1),
                replications=_int(input.replications(), 4),
            )

        def offer(key: str, name: str) -> None:
            @output(id=f"download_{key.replace('.', '_')}")
            @render.download_button(filename=lambda: f"{_stem()}-{name}")
            async def _download() -> Any:
                result = last()
                if result is None:
                    return
                # The report is drawn on the first download: off the server's event loop.
                path = await asyncio.to_thread(result.file, key)
                yield path.read_bytes()

        for key, name in DOWNLOADS.items():
            offer(key, name)

        def _stem() -> str:
            result = last()
            return result.name if result is not None else "sim"

        def _ended() -> None:
            state.cancel.set()
            with reactive.isolate():
                result = last()
            if result is not None:
                result.remove()

        session.on_ended(_ended)

    return App(page(options, reference), server)


def describe_change(option: Option, key: tuple, value: Any) -> str:
    """``cap 2,500 → 2,000``: a change in words, named by its control."""
    control = next((c for c in option.controls if c.key == key), None)
    if control is None:
        return f"{dotted(key)} → {_shown(value) or 'not set'}"
    where = "" if control.group == "scenario" else f" ({control.group})"
    before = _shown(control.value) or "not set"
    return f"{control.label}{where}: {before} → {_shown(value) or 'not set'}"


def _display(path: Path) -> str:
    """The path from where the app was started, if it is below it."""
    try:
        return str(path.relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _path(option: Option | None) -> Path | None:
    return option.path if option is not None else None


def _int(value: Any, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _settings_problem(replications: Any, seed: Any) -> tuple[str, str] | None:
    """The run's own settings (not the scenario's): replications and seed within bounds."""
    low, high = REPLICATIONS
    if not isinstance(replications, int | float) or replications != int(replications):
        return "replications", "replications: give a whole number"
    if not low <= replications <= high:
        return "replications", f"replications: give {low} to {high} (the app's bound)"
    if not isinstance(seed, int | float) or seed != int(seed) or not SEEDS[0] <= seed <= SEEDS[1]:
        return "seed", f"seed: give a whole number from {SEEDS[0]} to {SEEDS[1]:,}"
    return None


def _wrapper(option: Option, prefix: str, key: str | None) -> str:
    """Where an error about ``key`` goes: under its control, else above the controls."""
    if key:
        for c in option.controls:
            if dotted(c.key) == key:
                return f"#wrap-{prefix}{c.id}"
        for c in option.controls:
            if dotted(c.key).startswith(key + "."):
                return f"#wrap-{prefix}{c.id}"
    return "#controls-top"


def _error(text: str) -> Tag:
    return ui.div(
        text, id="app-error", class_="control-error", data_testid="error-message", role="alert"
    )
