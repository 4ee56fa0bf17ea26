"""Charts of an optimisation: the Pareto set in parallel coordinates, trade-offs between
objectives, convergence.

The tables are made here by hand (a fixed numpy generator) with the columns ``sim
optimize`` writes, so these tests never run the model or the search.
``optimisation_tables`` and ``optimisation_manifest`` also serve the report's tests.
"""

import datetime as dt
import re

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import LineCollection
from matplotlib.colors import to_rgb
from matplotlib.lines import Line2D

import sim
from sim import plots
from sim.plots.optimize import convergence_chart, pareto_parallel, tradeoffs

from .conftest import (
    SCENARIOS,
    assert_nothing_clipped,
    assert_saves_as_png_and_svg,
    assert_takes_title_and_footer,
    data_axes,
    footer_texts,
    legend_texts,
    subtitle_text,
)

LEVERS = [
    "policy.announcements.1.cap",
    "policy.announcements.1.announced",
    "policy.announcements.1.pace",
]
OBJECTIVES = {
    "total_cost_usd": "minimize",
    "adviser_days": "maximize",
    "casualties": "minimize",
    "days_over_cap": "minimize",
}
THRESHOLDS = {
    "days_over_cap": {"min": None, "max": 0},
    "adviser_days": {"min": 150000, "max": None},
}
FIRST_DAY, DAYS = dt.date(2021, 7, 26), 127  # the announcement: 26 Jul to 30 Nov 2021
CAP = (2000, 3000)
N_CANDIDATES, N_GENERATIONS = 80, 8
DOTTED = re.compile(r"[a-z_]+\.[a-z_0-9]+")  # a key path (policy.announcements...)


def _dominated(scores: np.ndarray) -> np.ndarray:
    """Rows some other row beats or equals on every column and beats on one (minimising)."""
    worse = (scores[None, :, :] <= scores[:, None, :]).all(axis=2)
    better = (scores[None, :, :] < scores[:, None, :]).any(axis=2)
    return (worse & better).any(axis=1)


def optimisation_tables() -> dict[str, pd.DataFrame]:
    """``candidates``, ``pareto`` and ``convergence`` as ``sim optimize`` writes them."""
    rng = np.random.default_rng(16)
    n = N_CANDIDATES
    cap = np.round(rng.uniform(*CAP, n))
    delay = rng.integers(0, DAYS + 1, n)
    steady = rng.random(n) < 0.5
    cost = cap * 4.2e5 * (1 + delay / 400) * np.where(steady, 1.05, 1.0) + rng.normal(0, 2e7, n)
    advice = cap * 75 * (1 - delay / 300) + rng.normal(0, 5e3, n)
    casualties = np.round(cap / 250 + rng.normal(0, 1.5, n)).clip(0)
    over = np.where(cap < 2150, rng.integers(1, 30, n), 0).astype(float)
    candidates = pd.DataFrame(
        {
            "candidate": np.arange(n),
            "generation": np.arange(n) * N_GENERATIONS // n,
            "policy.announcements.1.cap": cap,
            "policy.announcements.1.announced": [
                (FIRST_DAY + dt.timedelta(days=int(d))).isoformat() for d in delay
            ],
            LEVERS[2]: np.where(steady, "steady", "at_once"),
            "total_cost_usd": cost,
            "adviser_days": advice,
            "casualties": casualties,
            "days_over_cap": over,
            "total_cost_usd_ci": rng.uniform(5e6, 2e7, n),
            "adviser_days_ci": rng.uniform(1e3, 4e3, n),
            "casualties_ci": np.nan,  # empty in the file
            "days_over_cap_ci": np.nan,
            "replications": rng.choice([10, 20], n),
        }
    )
    candidates["feasible"] = (over <= 0) & (advice >= 150000)
    signed = np.column_stack([cost, -advice, casualties, over])
    feasible = candidates["feasible"].to_numpy()
    best = np.zeros(n, bool)
    best[np.flatnonzero(feasible)[~_dominated(signed[feasible])]] = True
    candidates["pareto"] = best
    pareto = candidates[best].sort_values("total_cost_usd").reset_index(drop=True)
    k = len(pareto)
    pareto.insert(0, "option", [f"option-{i + 1:02d}" for i in range(k)])
    for name in OBJECTIVES:
        pareto[f"fresh_{name}"] = pareto[name] * rng.uniform(0.97, 1.03, k)
    pareto["stays"] = np.arange(k) % 3 != 2  # every third beaten once re-evaluated
    pareto["file"] = [f"pareto/{o}.yaml" for o in pareto["option"]]
    pareto = pareto[
        ["option", "candidate", *LEVERS, *OBJECTIVES]
        + [f"fresh_{o}" for o in OBJECTIVES]
        + ["stays", "file"]
    ]
    evaluations = np.arange(1, N_GENERATIONS + 1) * n // N_GENERATIONS
    convergence = pd.DataFrame(
        {
            "generation": np.arange(N_GENERATIONS),
            "evaluations": evaluations,
            "hypervolume": 0.62 * (1 - np.exp(-evaluations / 25)),
            "pareto_size": np.minimum(np.arange(N_GENERATIONS) + 2, k),
        }
    )
    return {"candidates": candidates, "pareto": pareto, "convergence": convergence}


def optimisation_manifest(tables: dict[str, pd.DataFrame]) -> dict:
    """The manifest ``sim optimize`` writes beside the tables."""
    advisory = sim.load_scenario(SCENARIOS / "advisory.yaml")
    pareto = tables["pareto"]
    return {
        "kind": "optimize",
        "experiment": {
            "name": "iraq-options",
            "description": "Which cap, start and pace for the advisory shift?",
            "levers": {
                LEVERS[0]: {"low": CAP[0], "high": CAP[1], "scenarios": ["advisory"]},
                LEVERS[1]: {
                    "low": FIRST_DAY.isoformat(),
                    "high": (FIRST_DAY + dt.timedelta(days=DAYS)).isoformat(),
                },
                LEVERS[2]: {"choices": ["at_once", "steady"]},
            },
        },
        "scenario": "advisory",
        "levers": LEVERS,
        "objectives": OBJECTIVES,  # the score columns and their directions
        "outcomes": OBJECTIVES,  # the outcomes as the experiment declares them
        "thresholds": THRESHOLDS,
        "algorithm": "NSGA-II",
        "population": 10,
        "budget": N_CANDIDATES,
        "seed": 1,
        "robust": None,
        "uncertainties_held": {"threat.attacks_per_month": 8.0, "tour_extension_days": 30},
        "uncertainties_as_written": ["airlift.sorties_per_week"],
        "precision": 0.05,
        "max_replications": 80,
        "counts": {
            "evaluated": N_CANDIDATES,
            "distinct": N_CANDIDATES - 2,
            "failed": 1,
            "feasible": int(tables["candidates"]["feasible"].sum()),
            "pareto": len(pareto),
            "stays": int(pareto["stays"].sum()),
        },
        "notes": ["1 candidate(s) failed to run; see failures.csv"],
        "executor": "processes",
        "workers": 4,
        "scenarios": [
            {
                "name": "advisory",
                "hash": "0123456789abcdef" * 4,
                "files": ["scenarios/advisory.yaml", "scenarios/base.yaml"],
                "resolved": advisory.model_dump(mode="json"),
            }
        ],
        "status": "complete",
        "sim_version": "0.test",
        "started_at": "2025-01-01T00:00:00+00:00",
    }


@pytest.fixture(scope="module")
def t() -> dict:
    tables = optimisation_tables()
    return {**tables, "manifest": optimisation_manifest(tables)}


CHARTS = {
    "pareto": lambda t, **kw: pareto_parallel(t["pareto"], LEVERS, OBJECTIVES, t["manifest"], **kw),
    "tradeoffs": lambda t, **kw: tradeoffs(
        t["candidates"], OBJECTIVES, t["manifest"], pareto=t["pareto"], **kw
    ),
    "convergence": lambda t, **kw: convergence_chart(t["convergence"], t["manifest"], **kw),
}


def _option_lines(ax) -> list[Line2D]:
    return [line for line in ax.lines if line.get_label().startswith("option-")]


def _grey(colour) -> float:
    return float(np.dot(to_rgb(colour), [0.299, 0.587, 0.114]))


# --- every chart -------------------------------------------------------------------------


def test_the_tables_are_a_fair_test(t):
    pareto = t["pareto"]
    assert 5 <= len(pareto) <= 12  # enough lines to tell apart, few enough to name
    assert 0 < (~pareto["stays"]).sum() < len(pareto)
    assert 0 < t["candidates"]["feasible"].sum() < N_CANDIDATES


@pytest.mark.parametrize("chart", CHARTS)
def test_chart_is_complete(chart, t):
    before = plt.get_fignums()
    fig = CHARTS[chart](t)
    assert plt.get_fignums() == before  # detached: pyplot never sees it
    assert fig.get_suptitle()
    assert subtitle_text(fig).strip()
    for ax in data_axes(fig):
        assert ax.get_ylabel(), ax
    assert all(ax.get_xlabel() for ax in data_axes(fig) if ax.get_xaxis().get_visible())
    assert len(legend_texts(fig)) > 1
    (footer,) = footer_texts(fig)
    assert (
        footer == "Source: sim optimize; scenario advisory, NSGA-II, budget 80 evaluations, seed 1"
    )


@pytest.mark.parametrize("chart", CHARTS)
def test_chart_takes_title_and_footer(chart, t):
    assert_takes_title_and_footer(CHARTS[chart], t)


@pytest.mark.parametrize("chart", CHARTS)
def test_chart_saves_as_png_and_svg(chart, t, tmp_path):
    assert_saves_as_png_and_svg(CHARTS[chart](t), tmp_path / chart)


@pytest.mark.parametrize("chart", CHARTS)
def test_nothing_falls_off_the_figure(chart, t):
    fig = CHARTS[chart](t)
    fig.draw_without_rendering()
    assert_nothing_clipped(fig)


@pytest.mark.parametrize("chart", CHARTS)
def test_labels_are_words_not_key_paths(chart, t):
    fig = CHARTS[chart](t)
    fig.draw_without_rendering()
    for ax in data_axes(fig):
        texts = [ax.get_xlabel(), ax.get_ylabel(), *(x.get_text() for x in ax.get_xticklabels())]
        for text in texts:
            assert not DOTTED.search(text), text
    assert not DOTTED.search(subtitle_text(fig))


@pytest.mark.parametrize("chart", CHARTS)
def test_the_charts_are_offered_by_sim_plots(chart):
    name = {"pareto": "pareto_parallel", "tradeoffs": "tradeoffs"}.get(chart, "convergence_chart")
    assert name in plots.__all__
    assert getattr(plots, name) is {"pareto": pareto_parallel, "tradeoffs": tradeoffs}.get(
        chart, convergence_chart
    )


# --- the Pareto set in parallel coordinates ----------------------------------------------


def test_one_line_per_option_dashed_where_it_does_not_stay(t):
    (ax,) = data_axes(CHARTS["pareto"](t))
    lines = _option_lines(ax)
    pareto = t["pareto"]
    assert [line.get_label() for line in lines] == list(pareto["option"])
    for line, stays in zip(lines, pareto["stays"], strict=True):
        assert (line.get_linestyle() == "-") == stays, line.get_label()
        assert len(line.get_xdata()) == len(LEVERS) + len(OBJECTIVES)


def test_the_axes_are_named_in_words_with_units(t):
    (ax,) = data_axes(CHARTS["pareto"](t))
    names = [" ".join(x.get_text().split()) for x in ax.get_xticklabels()]
    assert names == [
        "End of the combat mission: cap (people)",
        "End of the combat mission: announced",
        "End of the combat mission: pace",
        "Total cost (US$ million) (lower is better)",
        "Adviser-days delivered (person-days) (higher is better)",
        "Casualties (count) (lower is better)",
        "Days over the cap (days) (lower is better)",
    ]


def _ends(ax, axis: int) -> tuple[str, str]:
    """The texts at the bottom and the top of one axis."""
    mine = [a for a in ax.texts if a.xy[0] == axis]
    return (
        next(a.get_text() for a in mine if a.xy[1] == 0),
        next(a.get_text() for a in mine if a.xy[1] == 1),
    )


def test_each_axis_gives_its_real_range_at_its_ends(t):
    (ax,) = data_axes(CHARTS["pareto"](t))
    pareto = t["pareto"]
    assert _ends(ax, 0) == ("2,000", "3,000")  # the cap: the range searched
    assert _ends(ax, 1) == ("26 Jul 2021", "30 Nov 2021")  # dates as dates
    assert _ends(ax, 2) == ("at once", "steady")  # the choices, in words
    cost = pareto["total_cost_usd"] * 1e-6
    assert _ends(ax, 3) == (f"${cost.max():,.0f}M", f"${cost.min():,.0f}M")  # lowest on top
    advice = pareto["adviser_days"]
    assert _ends(ax, 4) == (f"{advice.min():,.0f}", f"{advice.max():,.0f}")  # highest on top


def test_better_is_up_on_a_known_table():
    pareto = pd.DataFrame(
        {
            "option": ["option-01", "option-02", "option-03"],
            "cap": [2000.0, 2500.0, 3000.0],
            "total_cost_usd": [100e6, 200e6, 300e6],
            "adviser_days": [1e5, 2e5, 4e5],
            "stays": [True, True, False],
        }
    )
    objectives = {"total_cost_usd": "minimize", "adviser_days": "maximize"}
    fig = pareto_parallel(pareto, ["cap"], objectives)
    (ax,) = data_axes(fig)
    heights = np.array([line.get_ydata() for line in _option_lines(ax)])
    np.testing.assert_allclose(heights[:, 0], [0, 0.5, 1])  # a lever: up is more
    np.testing.assert_allclose(heights[:, 1], [1, 0.5, 0])  # cost: the cheapest on top
    np.testing.assert_allclose(heights[:, 2], [0, 1 / 3, 1])  # advice: the most on top
    assert _ends(ax, 1) == ("$300M", "$100M")
    assert "better is up" in subtitle_text(fig)
    # directions from the registry when only names are given: the same chart
    by_name = pareto_parallel(pareto, ["cap"], list(objectives))
    again = np.array([line.get_ydata() for line in _option_lines(data_axes(by_name)[0])])
    np.testing.assert_allclose(again, heights)


def test_a_robust_search_names_its_measure_on_the_axes(t):
    manifest = {**t["manifest"], "robust": {"futures": 50, "measure": "regret"}}
    ways = dict.fromkeys(OBJECTIVES, "minimize")  # regret: lower is better for every outcome
    fig = pareto_parallel(t["pareto"], LEVERS, ways, {**manifest, "objectives": ways})
    (ax,) = data_axes(fig)
    names = [" ".join(x.get_text().split()) for x in ax.get_xticklabels()]
    assert names[4] == (
        "Adviser-days delivered: mean regret over futures (person-days) (lower is better)"
    )
    fig = tradeoffs(t["candidates"], ways, manifest)
    assert data_axes(fig)[0].get_xlabel() == ("Total cost: mean regret over futures (US$ million)")
    assert footer_texts(fig)[0].endswith("robust: regret over 50 futures")


def test_a_satisficing_score_is_a_share_of_futures(t):
    candidates = t["candidates"].assign(satisficing=np.linspace(0, 1, N_CANDIDATES))
    ways = {"total_cost_usd": "minimize", "satisficing": "maximize"}
    manifest = {**t["manifest"], "robust": {"futures": 50, "measure": "satisficing"}}
    (ax,) = data_axes(tradeoffs(candidates, ways, manifest))
    assert ax.get_ylabel() == "Share of futures meeting every threshold"
    assert ax.get_title(loc="right") == "better \u2196"


def test_options_differ_in_grey_and_marker(t):
    (ax,) = data_axes(CHARTS["pareto"](t))
    lines = _option_lines(ax)
    looks = [(round(_grey(line.get_color()), 2), line.get_marker()) for line in lines]
    assert len(set(looks)) == len(lines)
    greys = sorted(g for g, _ in looks)
    assert greys[-1] - greys[0] >= 0.4  # a spread of grey levels, not one colour
    assert greys[-1] <= 0.7  # none too light to see on white
    markers = [m for _, m in looks]
    assert len(set(markers)) == min(len(lines), 8)
    assert legend_texts(ax.figure) == list(t["pareto"]["option"])


def test_darker_lines_do_better_on_the_first_objective(t):
    (ax,) = data_axes(CHARTS["pareto"](t))
    lines = _option_lines(ax)
    greys = [_grey(line.get_color()) for line in lines]
    cost = t["pareto"]["total_cost_usd"].to_numpy()
    assert np.argmin(greys) == np.argmin(cost) and np.argmax(greys) == np.argmax(cost)


# --- trade-offs --------------------------------------------------------------------------


def test_a_panel_per_pair_of_objectives_with_words_and_units(t):
    fig = CHARTS["tradeoffs"](t)
    axes = data_axes(fig)
    assert len(axes) == 6  # 4 objectives, 6 pairs
    assert (axes[0].get_xlabel(), axes[0].get_ylabel()) == (
        "Total cost (US$ million)",
        "Adviser-days delivered (person-days)",
    )
    assert axes[-1].get_ylabel() == "Days over the cap (days)"
    assert "levers (End of the combat mission: cap, announced and pace)" in subtitle_text(fig)


def test_candidates_feasible_and_pareto_are_drawn_apart(t):
    fig = CHARTS["tradeoffs"](t)
    ax = data_axes(fig)[0]
    c = t["candidates"]
    layers = {
        layer.get_label().split(" (")[0]: layer for layer in ax.collections if layer.get_label()
    }
    every = layers["Every candidate evaluated"]
    feasible = layers["Feasible: meets every threshold"]
    best = layers["Pareto set"]
    cost, advice = c["total_cost_usd"] * 1e-6, c["adviser_days"]
    np.testing.assert_allclose(every.get_offsets(), np.column_stack([cost, advice]))
    mask = c["feasible"].to_numpy()
    np.testing.assert_allclose(feasible.get_offsets(), np.column_stack([cost, advice])[mask])
    mask = c["pareto"].to_numpy()
    np.testing.assert_allclose(best.get_offsets(), np.column_stack([cost, advice])[mask])
    # apart in greyscale: faint, hollow, filled
    assert every.get_alpha() < 0.6
    assert feasible.get_facecolor().size == 0 or feasible.get_facecolor()[0][3] == 0
    assert _grey(best.get_facecolor()[0][:3]) < 0.6
    assert {"Every candidate evaluated", "Pareto set"} <= {
        text.split(" (")[0] for text in legend_texts(fig)
    }


def test_pareto_options_are_named_and_better_corners_shown(t):
    fig = CHARTS["tradeoffs"](t)
    ax = data_axes(fig)[0]
    names = [text.get_text() for text in ax.texts]
    assert sorted(names, key=int) == [str(k + 1) for k in range(len(t["pareto"]))]  # option-NN
    assert ax.get_title(loc="right") == "better \u2196"  # cost down (left), advice up
    assert data_axes(fig)[1].get_title(loc="right") == "better \u2199"  # cost and casualties


def test_pareto_scores_carry_their_confidence_intervals(t):
    fig = CHARTS["tradeoffs"](t)
    ax = data_axes(fig)[0]  # cost against advice: both have intervals
    bars = [c for c in ax.collections if isinstance(c, LineCollection)]
    best = t["candidates"].query("pareto")
    segments = [seg for c in bars for seg in c.get_segments()]
    assert len(segments) == 2 * len(best)  # one across, one up, per option
    widths = sorted(np.ptp(seg[:, 0]) for seg in segments if np.ptp(seg[:, 0]) > 0)
    np.testing.assert_allclose(widths, sorted(2e-6 * best["total_cost_usd_ci"]))
    assert "Bars: 95% confidence intervals" in subtitle_text(fig)
    no_ci = t["candidates"].drop(columns=[c for c in t["candidates"] if c.endswith("_ci")])
    fig = tradeoffs(no_ci, OBJECTIVES, t["manifest"])
    assert not [c for c in data_axes(fig)[0].collections if isinstance(c, LineCollection)]
    assert "Bars" not in subtitle_text(fig)


def test_without_the_pareto_table_candidates_go_by_number(t):
    fig = tradeoffs(t["candidates"], OBJECTIVES)
    ax = data_axes(fig)[0]
    numbers = {f"#{c}" for c in t["candidates"].query("pareto")["candidate"]}
    assert numbers <= {text.get_text() for text in ax.texts}


# --- convergence -------------------------------------------------------------------------


def test_convergence_draws_hypervolume_and_pareto_size(t):
    fig = CHARTS["convergence"](t)
    ax, twin = data_axes(fig)
    conv = t["convergence"]
    (volume,) = ax.lines
    (size,) = twin.lines
    np.testing.assert_allclose(volume.get_xdata(), conv["evaluations"])
    np.testing.assert_allclose(volume.get_ydata(), conv["hypervolume"])
    np.testing.assert_allclose(size.get_ydata(), conv["pareto_size"])
    assert ax.get_xlabel() == "Candidates evaluated"
    assert twin.get_ylabel() == "Options in the Pareto set"
    assert volume.get_linestyle() != size.get_linestyle()  # apart in greyscale
    assert volume.get_marker() != size.get_marker()


# --- mistakes ----------------------------------------------------------------------------

EMPTY = pd.DataFrame()
MISTAKES = {
    "pareto: empty": (
        lambda t: pareto_parallel(EMPTY, LEVERS, OBJECTIVES),
        "the Pareto table is empty",
    ),
    "pareto: no lever column": (
        lambda t: pareto_parallel(t["pareto"], ["nope"], OBJECTIVES),
        "the Pareto table has no column nope",
    ),
    "pareto: unknown direction": (
        lambda t: pareto_parallel(t["pareto"], LEVERS, ["own_outcome"]),
        "objective 'own_outcome': say 'minimize' or 'maximize'",
    ),
    "pareto: bad direction": (
        lambda t: pareto_parallel(t["pareto"], LEVERS, {"casualties": "up"}),
        "objective 'casualties': say 'minimize' or 'maximize' \\(not 'up'\\)",
    ),
    "tradeoffs: one objective": (
        lambda t: tradeoffs(t["candidates"], ["casualties"]),
        "a trade-off needs two objectives or more",
    ),
    "tradeoffs: empty": (
        lambda t: tradeoffs(EMPTY, OBJECTIVES),
        "the candidates table is empty",
    ),
    "convergence: columns": (
        lambda t: convergence_chart(t["convergence"].drop(columns="hypervolume")),
        "the convergence table has no column hypervolume",
    ),
}


@pytest.mark.parametrize("mistake", MISTAKES)
def test_mistakes_raise_value_error_saying_what_is_wrong(mistake, t):
    make, said = MISTAKES[mistake]
    with pytest.raises(ValueError, match=f"^{said}"):
        make(t)
