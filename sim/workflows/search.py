"""The search behind ``sim optimize``: lever settings in, scored candidates out.

A candidate is one setting of the levers, a point of the search space
(``sim.workflows.space``). pymoo proposes candidates a generation at a time (``ask``) and
is told their scores (``tell``): NSGA-II for two or three objectives, NSGA-III with
Das-Dennis reference directions for more. The algorithm is given the seed, and proposes
no setting twice (duplicates are judged by lever values, not by points of [0, 1)^d); it
stops early if it can find no new one.

Every candidate runs through ``run_sweep`` on one executor opened for the whole search,
in every future with the same replication seeds (common random numbers), so results
depend on the seed only, never on the executor or the number of workers. A setting
proposed again (which only a caller can do) is given the first run's results.

Scores: each objective's mean over replications or, across futures, the experiment's
robustness measure (``sim.analysis.pareto``). Thresholds are constraints (met: feasible)
on the scores, or with ``regret`` on the mean over futures; with ``satisficing`` they are
scored (the share of futures meeting them all, an extra objective) and not constrained.
A candidate whose runs fail is infeasible and has no scores. Regret is against the best
candidate evaluated so far in each future: the search re-scores the population it keeps
at each generation, the tables score every candidate against the best of all of them, and
the fresh runs of the Pareto set against the best of those runs.

Noise: a candidate runs ``replications`` replications or, with ``precision`` P, twice as
many again and again (up to ``PRECISION_CAP`` times the first number) until the 95%
confidence interval of each objective's mean (in every future) is within P of it
(``sim.ensemble.precision``). The Pareto set is then run again with fresh replications,
seeded ``seed + FRESH_SEED``, as many as each option had.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sim.analysis import pareto as par
from sim.ensemble.executors import Executor
from sim.ensemble.precision import Z95, precision_reached
from sim.ensemble.sweep import run_sweep
from sim.workflows.space import Space

FRESH_SEED = 1_000_003  # the re-evaluation's seed is the search's plus this
PRECISION_CAP = 8  # with a precision, at most this many times the first replications

Progress = Callable[[int, int | None], None] | None


@dataclass
class Measured:
    """A candidate's results: each outcome's mean in each future, the half-width of its 95%
    confidence interval, the replications run in each future, and any error."""

    means: np.ndarray  # (futures, objectives)
    half: np.ndarray  # (futures, objectives)
    replications: int
    error: str | None = None
    precise: bool = True  # False: the precision asked was not reached by the cap


@dataclass
class Scores:
    """Candidates' scores: the table, and what pymoo is told (F to minimize, G <= 0)."""

    table: pd.DataFrame  # one column per score, <score>_ci, feasible
    F: np.ndarray
    G: np.ndarray


class Search:
    """Candidates evaluated on ``executor``, kept in the order they were proposed."""

    def __init__(self, space: Space, executor: Executor, seed: int) -> None:
        self.space = space
        self.executor = executor
        self.seed = seed
        self.points: list[np.ndarray] = []  # each candidate's u
        self.rows: list[dict] = []  # candidate, generation, lever values
        self.measured: list[Measured] = []
        self.runs = 0  # replications run (a duplicate costs none)
        self._seen: dict[tuple, int] = {}
        m = len(space.objectives)
        self.best = np.full((space.n_futures, m), np.nan)  # per future, for regret

    def __len__(self) -> int:
        return len(self.rows)

    @property
    def distinct(self) -> int:
        """Candidates with lever values of their own (each one run)."""
        return len(self._seen)

    def keys(self, u: np.ndarray) -> list[tuple[str, ...]]:
        """Each candidate's lever values, as a key: equal keys, the same setting."""
        values = self.space.lever_values(u)
        return [tuple(str(v) for v in row) for row in values.itertuples(index=False)]

    def seen(self, key: tuple[str, ...]) -> bool:
        """Whether a candidate with these lever values was evaluated."""
        return key in self._seen

    def evaluate(self, u: np.ndarray, generation: int) -> list[int]:
        """Run the candidates at ``u`` (one row each); their numbers."""
        u = np.atleast_2d(np.asarray(u, dtype=float))
        values = self.space.lever_values(u)
        first, new, keys = len(self.rows), [], []
        for i, row in enumerate(values.to_dict("records")):
            key = tuple(str(v) for v in row.values())
            keys.append(key)
            if key not in self._seen:
                self._seen[key] = first + i
                new.append(i)
            self.points.append(u[i])
            self.rows.append({"candidate": first + i, "generation": generation, **row})
        results = dict(zip(new, self.measure(u[new], self.seed), strict=True))
        for i, key in enumerate(keys):
            owner = self._seen[key]
            self.measured.append(results[i] if owner == first + i else self.measured[owner])
        means = np.stack([self.best, *(r.means for r in results.values())])
        for j, way in enumerate(self.space.objectives.values()):
            self.best[:, j] = par.best_by_future(means[:, :, j], way)
        return list(range(first, len(self.rows)))

    def measure(
        self, u: np.ndarray, seed: int, replications: Sequence[int] | None = None
    ) -> list[Measured]:
        """Run candidates at ``u``: ``replications`` each, or by the space's precision."""
        if not len(u):
            return []
        if replications is not None:  # as many as given, once
            out: list[Measured | None] = [None] * len(u)
            for count in sorted(set(replications)):
                group = [i for i, r in enumerate(replications) if r == count]
                frames, errors = self._run(u[group], 0, count, seed)
                for i, frame, error in zip(group, frames, errors, strict=True):
                    out[i] = self._reduce(frame, count, error)
            return out  # type: ignore[return-value]
        count = self.space.replications
        frames, errors = self._run(u, 0, count, seed)
        counts = [count] * len(u)
        cap = PRECISION_CAP * count
        while self.space.precision is not None and count * 2 <= cap:
            todo = [i for i, f in enumerate(frames) if errors[i] is None and not self._precise(f)]
            if not todo:
                break
            more, failed = self._run(u[todo], count, count, seed)
            for i, frame, error in zip(todo, more, failed, strict=True):
                frames[i] = pd.concat([frames[i], frame], ignore_index=True)
                errors[i] = errors[i] or error
                counts[i] = 2 * count
            count *= 2
        out = [self._reduce(f, n, e) for f, n, e in zip(frames, counts, errors, strict=True)]
        if self.space.precision is not None:
            for result, frame in zip(out, frames, strict=True):
                result.precise = result.error is not None or self._precise(frame)
        return out

    def _run(
        self, u: np.ndarray, first: int, count: int, seed: int
    ) -> tuple[list[pd.DataFrame], list[str | None]]:
        """Replications ``first`` .. ``first + count - 1`` of each candidate in every future:
        per candidate, its rows (future, replication, outcomes) and its first error."""
        space, k = self.space, self.space.n_futures
        result = run_sweep(
            space.experiment,
            [space.scenario] if space.scenario is not None else [],
            space.design(u),
            self.executor,
            replications=count,
            seed=seed,
            model=space.model,
            first=first,
        )
        self.runs += len(u) * k * count
        names = list(space.objectives)
        rows = result.outcomes
        if rows.empty:
            rows = pd.DataFrame(columns=["sample", "replication", *names])
        for name in names:
            if name not in rows:
                rows[name] = np.nan
        rows = rows.assign(candidate=rows["sample"] // k, future=rows["sample"] % k)
        grouped = dict(tuple(rows.groupby("candidate")))
        frames = [
            grouped.get(i, rows.iloc[:0])[["future", "replication", *names]]
            .apply(pd.to_numeric, errors="coerce")
            .reset_index(drop=True)
            for i in range(len(u))
        ]
        errors: list[str | None] = [None] * len(u)
        for _, failure in result.failures.iterrows():
            i = int(failure["sample"]) // k
            errors[i] = errors[i] or f"future {int(failure['sample']) % k}: {failure['error']}"
        return frames, errors

    def _precise(self, frame: pd.DataFrame) -> bool:
        """Whether each objective's mean in every future is within the precision asked."""
        per_future = frame.rename(columns={"future": "scenario"})
        widths = precision_reached(per_future, list(self.space.objectives))
        return all(w <= self.space.precision for w in widths.values())

    def _reduce(self, frame: pd.DataFrame, replications: int, error: str | None) -> Measured:
        names, k = list(self.space.objectives), self.space.n_futures
        means = np.full((k, len(names)), np.nan)
        half = np.full((k, len(names)), np.nan)
        if error is None and not frame.empty:
            grouped = frame.groupby("future")[names]
            n = grouped.count().reindex(range(k)).to_numpy(float)
            means = grouped.mean().reindex(range(k)).to_numpy(float)
            sd = grouped.std(ddof=1).reindex(range(k)).to_numpy(float)
            with np.errstate(invalid="ignore", divide="ignore"):
                half = np.where(n > 1, Z95 * sd / np.sqrt(n), np.nan)
        return Measured(means, half, replications, error)

    def score(
        self, ids: Sequence[int], measured: Sequence[Measured] | None = None, best=None
    ) -> Scores:
        """The scores of candidates ``ids`` (or of ``measured`` results of them), regret
        against ``best`` (default: the best evaluated so far in each future)."""
        space = self.space
        results = list(measured) if measured is not None else [self.measured[i] for i in ids]
        names, ways = list(space.objectives), list(space.objectives.values())
        means = np.stack([r.means for r in results]) if results else np.zeros((0, 1, len(names)))
        failed = np.array([r.error is not None for r in results], dtype=bool)
        outcome = {o: means[:, :, j] for j, o in enumerate(names)}
        measure = space.measure or "mean"
        best = self.best if best is None else best
        scores: dict[str, np.ndarray] = {}
        for j, (o, way) in enumerate(zip(names, ways, strict=True)):
            if measure == "regret":
                scores[o] = par.regret(outcome[o], way, best[:, j])
            else:
                scores[o] = par.robust_measure(
                    outcome[o], way, measure if measure in ("p10", "p90") else "mean"
                )
        checked = {
            o: (par.robust_measure(outcome[o], w, "mean") if measure == "regret" else scores[o])
            for o, w in zip(names, ways, strict=True)
        }
        if measure == "satisficing":
            scores["satisficing"] = par.satisficing(par.meets(outcome, space.thresholds))
            scores["satisficing"][failed] = np.nan
            gaps = np.zeros((len(results), 0))
        elif space.thresholds:
            gaps = par.threshold_gaps({o: checked[o] for o in space.thresholds}, space.thresholds)
        else:
            gaps = np.zeros((len(results), 0))
        table = pd.DataFrame(scores)
        for j, o in enumerate(names):  # across futures, a score has no interval of its own
            half = [np.nan if space.futures is not None else r.half[0, j] for r in results]
            table[f"{o}_ci"] = np.asarray(half, dtype=float)
        table["feasible"] = ~failed & (gaps <= 0).all(axis=1)
        directions = list(space.scores.values())
        f = table[list(space.scores)].to_numpy(float) * par.signs(directions)
        worst = np.nanmax(f, axis=0) if np.isfinite(f).any() else np.zeros(f.shape[1])
        f = np.where(np.isfinite(f), f, np.nan_to_num(worst, nan=0.0))
        g = np.hstack([gaps, failed[:, None].astype(float)])
        return Scores(table, f, g)


def _new_settings(search: Search) -> Any:
    """pymoo's duplicate elimination, by lever values: an offspring whose setting was
    evaluated already, or that another offspring has, is not proposed (pymoo draws another),
    so no evaluation of the budget goes to a setting twice."""
    from pymoo.core.duplicate import DuplicateElimination

    class NewSettings(DuplicateElimination):
        def _do(self, pop: Any, other: Any, is_duplicate: np.ndarray) -> np.ndarray:
            keys = search.keys(pop.get("X"))
            taken = set() if other is None else set(search.keys(other.get("X")))
            for i, key in enumerate(keys):
                if key in taken or search.seen(key):
                    is_duplicate[i] = True
                elif other is None:
                    taken.add(key)
            return is_duplicate

    return NewSettings()


def _algorithm(search: Search, n_objectives: int, population: int) -> tuple[Any, str]:
    """NSGA-II for up to three objectives, NSGA-III beyond; and its name in words."""
    from pymoo.operators.sampling.lhs import LHS

    options = {"sampling": LHS(), "eliminate_duplicates": _new_settings(search)}
    if n_objectives <= 3:
        from pymoo.algorithms.moo.nsga2 import NSGA2

        return NSGA2(pop_size=population, **options), "NSGA-II"
    from math import comb

    from pymoo.algorithms.moo.nsga3 import NSGA3
    from pymoo.util.ref_dirs import get_reference_directions

    partitions = 1
    while comb(partitions + 1 + n_objectives - 1, n_objectives - 1) <= population:
        partitions += 1
    directions = get_reference_directions("das-dennis", n_objectives, n_partitions=partitions)
    words = (
        f"NSGA-III ({len(directions)} Das-Dennis reference directions, "
        f"{partitions} partition{'s' if partitions > 1 else ''})"
    )
    size = max(population, len(directions))
    algorithm = NSGA3(directions, pop_size=size, **options)
    return algorithm, words


def run_search(
    space: Space,
    executor: Executor,
    *,
    budget: int,
    population: int,
    seed: int,
    progress: Progress = None,
) -> tuple[Search, str]:
    """Evaluate ``budget`` candidates, ``population`` a generation; the search and the
    algorithm's name."""
    from pymoo.core.evaluator import Evaluator
    from pymoo.core.problem import Problem
    from pymoo.problems.static import StaticProblem

    if budget < 1 or population < 2:
        raise ValueError("a search needs a budget of 1 or more and a population of 2 or more")
    search = Search(space, executor, seed)
    n_obj = len(space.scores)
    algorithm, name = _algorithm(search, n_obj, min(population, max(budget, 2)))
    problem = Problem(
        n_var=len(space.levers),
        n_obj=n_obj,
        n_ieq_constr=space.constraints,
        xl=0.0,
        xu=1.0,
    )
    algorithm.setup(problem, termination=("n_evals", budget), seed=seed)
    generation = 0
    if progress:
        progress(0, budget)
    while len(search) < budget:
        offspring = algorithm.ask()
        if offspring is None or not len(offspring):
            break
        generation += 1
        offspring = offspring[: budget - len(search)]
        ids = search.evaluate(offspring.get("X"), generation)
        offspring.set("candidate", np.array(ids))
        if space.measure == "regret" and algorithm.pop is not None and len(algorithm.pop):
            # regret is against the best so far: the survivors' scores move with it
            kept = [int(c) for c in algorithm.pop.get("candidate")]
            algorithm.pop.set("F", search.score(kept).F)
        scored = search.score(ids)
        Evaluator().eval(StaticProblem(problem, F=scored.F, G=scored.G), offspring)
        algorithm.tell(infills=offspring)
        if progress:
            progress(len(search), budget)
    return search, name
