"""Uncertain inputs: any number in a scenario may be written as a distribution.

    threat:
      attacks_per_month: {distribution: triangular, low: 4, mode: 8, high: 15}

A value written as a plain number stays fixed. Each replication draws one value for each
uncertain input, by inverting the distribution at one uniform draw from the input's own
stream (named after its dotted path). So the same input gets the same value in
replication k of every scenario run with the same seed (common random numbers), and adding
an input never changes the others' draws. Integer fields take the draw rounded to the
nearest whole number.

A date may be uncertain too, drawn from a uniform, triangular or choice distribution over
dates:

    policy:
      phases:
        - start: {distribution: uniform, low: 2021-10-01, high: 2021-10-31}

It is drawn as the numeric distribution over day numbers (``date.toordinal()``), rounded
to the nearest whole day.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import itertools
import math
from statistics import NormalDist
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_validator

from sim.scenario.fields import Day


def poisson_quantile(u: float, mean: float) -> int:
    """Smallest k with P(X <= k) >= u for X ~ Poisson(mean): one uniform draw, any mean."""
    if mean <= 0:
        return 0
    u = min(max(u, 0.0), 1 - 1e-12)  # the summed probabilities never quite reach 1
    if mean > 50:  # normal approximation, where exp(-mean) would lose precision
        return max(0, round(NormalDist(mean, math.sqrt(mean)).inv_cdf(max(u, 1e-12))))
    k, p = 0, math.exp(-mean)
    cdf = p
    while cdf < u and p > 0:
        k += 1
        p *= mean / k
        cdf += p
    return k


Finite = Annotated[float, Field(allow_inf_nan=False)]


class _Dist(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)
    source: str | None = Field(
        default=None, description="Where the distribution comes from, or 'assumption' and why."
    )
    # (file, line) where the distribution was written, set by the loader, so that a draw
    # that makes the scenario invalid can be reported there.
    _written_at: tuple[str, int | None] | None = PrivateAttr(default=None)

    def support(self) -> tuple[float, float]:
        """The bounds of the distribution (infinite where it has none)."""
        raise NotImplementedError

    def extremes(self) -> tuple[float, float]:
        """The smallest and largest value a draw can actually give (always finite)."""
        return (self.quantile(0.0), self.quantile(1.0))

    def central(self) -> float:
        """The value used where a single number is needed (the median)."""
        return self.quantile(0.5)

    def quantile(self, u: float) -> float:
        raise NotImplementedError

    def _finite(self) -> None:
        """Refuse parameters whose draws no float can hold (``exp(1000)``, ``1e308 * 2``)."""
        try:
            ends = (*self.extremes(), self.central())
        except OverflowError:
            ends = (math.inf,)
        if not all(math.isfinite(x) for x in ends):
            raise ValueError("the parameters give draws too large for a number to hold")


class Uniform(_Dist):
    """Every value between ``low`` and ``high`` equally likely."""

    distribution: Literal["uniform"]
    low: Finite
    high: Finite

    @model_validator(mode="after")
    def _order(self) -> Uniform:
        if not self.low < self.high:
            raise ValueError(f"low ({self.low}) must be below high ({self.high})")
        self._finite()
        return self

    def support(self) -> tuple[float, float]:
        return (self.low, self.high)

    def quantile(self, u: float) -> float:
        return self.low + u * (self.high - self.low)


class Triangular(_Dist):
    """From ``low`` to ``high``, most likely at ``mode``."""

    distribution: Literal["triangular"]
    low: Finite
    mode: Finite
    high: Finite

    @model_validator(mode="after")
    def _order(self) -> Triangular:
        if not (self.low <= self.mode <= self.high and self.low < self.high):
            raise ValueError(
                f"need low <= mode <= high and low < high, got {self.low}, {self.mode}, {self.high}"
            )
        self._finite()
        return self

    def support(self) -> tuple[float, float]:
        return (self.low, self.high)

    def quantile(self, u: float) -> float:
        a, c, b = self.low, self.mode, self.high
        split = (c - a) / (b - a)
        if u < split:  # at or below the mode; rounding may not carry it across
            x = min(a + math.sqrt(u * (b - a)) * math.sqrt(c - a), c)  # no product past range
        else:
            x = max(b - math.sqrt((1 - u) * (b - a)) * math.sqrt(b - c), c)
        return min(max(x, a), b)


class Normal(_Dist):
    """Normal with ``mean`` and ``sd``, cut to [``low``, ``high``] when given."""

    distribution: Literal["normal"]
    mean: Finite
    sd: Finite = Field(gt=0)
    low: Finite | None = None
    high: Finite | None = None

    @model_validator(mode="after")
    def _bounds(self) -> Normal:
        if self.low is not None and self.high is not None and not self.low < self.high:
            raise ValueError(f"low ({self.low}) must be below high ({self.high})")
        lo, hi = self._cdf_range()
        if hi - lo < 1e-9:
            raise ValueError("the bounds leave (almost) no probability")
        self._finite()
        return self

    def _cdf_range(self) -> tuple[float, float]:
        d = NormalDist(self.mean, self.sd)
        lo = d.cdf(self.low) if self.low is not None else 0.0
        hi = d.cdf(self.high) if self.high is not None else 1.0
        return lo, hi

    def support(self) -> tuple[float, float]:
        return (
            self.low if self.low is not None else -math.inf,
            self.high if self.high is not None else math.inf,
        )

    def quantile(self, u: float) -> float:
        lo, hi = self._cdf_range()
        p = min(max(lo + u * (hi - lo), 1e-12), 1 - 1e-12)
        x = NormalDist(self.mean, self.sd).inv_cdf(p)
        low, high = self.support()
        return min(max(x, low), high)


class LogNormal(_Dist):
    """exp(N(mu, sigma)): positive, with a long upper tail; its median is exp(mu)."""

    distribution: Literal["lognormal"]
    mu: Finite
    sigma: Finite = Field(gt=0)

    @model_validator(mode="after")
    def _range(self) -> LogNormal:
        self._finite()  # exp(mu) overflows from mu = 710
        return self

    def support(self) -> tuple[float, float]:
        return (0.0, math.inf)

    def quantile(self, u: float) -> float:
        p = min(max(u, 1e-12), 1 - 1e-12)
        return math.exp(NormalDist(self.mu, self.sigma).inv_cdf(p))


class Poisson(_Dist):
    """Whole numbers with the given ``mean``."""

    distribution: Literal["poisson"]
    mean: Finite = Field(ge=0, le=1e6)

    def support(self) -> tuple[float, float]:
        return (0.0, math.inf)

    def quantile(self, u: float) -> float:
        return float(poisson_quantile(u, self.mean))


def _check_weights(values: list, weights: list[float] | None) -> None:
    if weights is not None:
        if len(weights) != len(values):
            raise ValueError(f"{len(weights)} weights for {len(values)} values")
        if max(weights, default=0) <= 0:
            raise ValueError("the weights add up to zero")


def _shares(weights: list[float]) -> list[float]:
    """Weights as chances adding up to 1. Scaled by the largest first, so that weights near
    the float limit (``[1e308, 1e308, 1]``) keep their ratios instead of summing to inf."""
    top = max(weights)
    scaled = [w / top for w in weights]
    total = sum(scaled)
    return [w / total for w in scaled]


class Choice(_Dist):
    """One of ``values``, with chances in proportion to ``weights`` (equal if left out)."""

    distribution: Literal["choice"]
    values: list[Finite] = Field(min_length=1)
    weights: list[Annotated[float, Field(ge=0, allow_inf_nan=False)]] | None = None

    @model_validator(mode="after")
    def _weights(self) -> Choice:
        _check_weights(self.values, self.weights)
        return self

    def support(self) -> tuple[float, float]:
        return (min(self.values), max(self.values))

    def extremes(self) -> tuple[float, float]:
        weights = self.weights or [1.0] * len(self.values)
        possible = [v for v, w in zip(self.values, weights, strict=True) if w > 0]
        return (min(possible), max(possible))

    def quantile(self, u: float) -> float:
        """Values in increasing order, so that a larger draw never gives a smaller value."""
        values, cumulative, last = self._table
        i = bisect.bisect_right(cumulative, u)  # the first value whose running share passes u
        return values[i] if i < len(values) else last

    @functools.cached_property
    def _table(self) -> tuple[list[float], list[float], float]:
        """The values in order, their running shares, and the largest value of any weight:
        worked out once, as each unit may draw from the distribution (a cached property
        lives in the instance's dict, so reading it costs no more than a field)."""
        weights = _shares(self.weights or [1.0] * len(self.values))
        pairs = sorted(zip(self.values, weights, strict=True))
        cumulative = list(itertools.accumulate(share for _, share in pairs))
        last = next(v for v, w in reversed(pairs) if w > 0)
        return ([v for v, _ in pairs], cumulative, last)


Date = Day  # a date as any scenario field takes it (YAML date or ISO text)


class _DateDist(_Dist):
    """A distribution over dates: its numeric twin over day numbers, rounded to whole days."""

    def numeric(self) -> _Dist:
        """The same distribution over day numbers (``date.toordinal()``)."""
        raise NotImplementedError

    def support(self) -> tuple[dt.date, dt.date]:  # type: ignore[override]
        return self.extremes()

    def extremes(self) -> tuple[dt.date, dt.date]:  # type: ignore[override]
        return (self.quantile(0.0), self.quantile(1.0))

    def central(self) -> dt.date:  # type: ignore[override]
        return self.quantile(0.5)

    def quantile(self, u: float) -> dt.date:  # type: ignore[override]
        return dt.date.fromordinal(math.floor(self.numeric().quantile(u) + 0.5))


class DateUniform(_DateDist):
    """Every day from ``low`` to ``high`` (the two ends half as likely: draws are rounded)."""

    distribution: Literal["uniform"]
    low: Date
    high: Date

    @model_validator(mode="after")
    def _order(self) -> DateUniform:
        if not self.low < self.high:
            raise ValueError(f"low ({self.low}) must be before high ({self.high})")
        return self

    def numeric(self) -> Uniform:
        return Uniform(distribution="uniform", low=self.low.toordinal(), high=self.high.toordinal())


class DateTriangular(_DateDist):
    """From ``low`` to ``high``, most likely at ``mode``."""

    distribution: Literal["triangular"]
    low: Date
    mode: Date
    high: Date

    @model_validator(mode="after")
    def _order(self) -> DateTriangular:
        if not (self.low <= self.mode <= self.high and self.low < self.high):
            raise ValueError(
                f"need low <= mode <= high and low before high, got {self.low}, "
                f"{self.mode}, {self.high}"
            )
        return self

    def numeric(self) -> Triangular:
        low, mode, high = (d.toordinal() for d in (self.low, self.mode, self.high))
        return Triangular(distribution="triangular", low=low, mode=mode, high=high)


class DateChoice(_DateDist):
    """One of ``values``, with chances in proportion to ``weights`` (equal if left out)."""

    distribution: Literal["choice"]
    values: list[Date] = Field(min_length=1)
    weights: list[Annotated[float, Field(ge=0, allow_inf_nan=False)]] | None = None

    @model_validator(mode="after")
    def _weights(self) -> DateChoice:
        _check_weights(self.values, self.weights)
        return self

    def numeric(self) -> Choice:
        values = [float(d.toordinal()) for d in self.values]
        return Choice(distribution="choice", values=values, weights=self.weights)


Distribution = Annotated[
    Uniform | Triangular | Normal | LogNormal | Poisson | Choice,
    Field(discriminator="distribution"),
]
KIND_MODELS: dict[str, type[_Dist]] = {
    "uniform": Uniform,
    "triangular": Triangular,
    "normal": Normal,
    "lognormal": LogNormal,
    "poisson": Poisson,
    "choice": Choice,
}
KINDS = tuple(KIND_MODELS)

DateDistribution = Annotated[
    DateUniform | DateTriangular | DateChoice, Field(discriminator="distribution")
]
DATE_KIND_MODELS: dict[str, type[_Dist]] = {
    "uniform": DateUniform,
    "triangular": DateTriangular,
    "choice": DateChoice,
}


def is_distribution(value: object) -> bool:
    """A mapping written in place of a number or date, recognised by its ``distribution`` key."""
    return isinstance(value, dict) and "distribution" in value


def shown(value: Any, digits: int = 6) -> str:
    """A drawn or extreme value as a message shows it: dates as YYYY-MM-DD."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return f"{value:.{digits}g}"
    try:
        text = str(value)
    except ValueError:  # an integer with more digits than Python will print
        return "a number too long to show"
    return text if len(text) <= 40 else text[:37] + "..."
