"""Streaming aggregation of daily counts across replications, in bounded memory.

Counts are whole people, so the distribution of a count on a day across replications is a
histogram of integers. Keeping one histogram per day and series gives exact quantiles
(equal to ``numpy.quantile`` on all the data, linear interpolation) and exact means, in
memory that does not grow with the number of replications, and the result does not depend
on the order in which batches arrive. A series whose counts outgrow ``max_bins`` is
re-binned to wider bins (quantiles then good to half a bin, and ``exact`` turns false).
Zero keeps a bin of its own at every width (bin k > 0 holds the values from
(k - 1) * width + 1 to k * width), so "none left" is always reported exactly, and each
day's smallest and largest values are kept, so a quantile never leaves the range of the
data and a day on which every replication agrees is exact at any width.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)


@dataclass
class Histograms:
    """Per-day histograms of one integer series across replications."""

    n_days: int
    max_bins: int = 8192
    width: int = 1
    counts: np.ndarray = field(init=False)  # (days, bins): replications per value bin
    total: np.ndarray = field(init=False)  # (days,): sum of values, for exact means
    low: np.ndarray = field(init=False)  # (days,): smallest value seen
    high: np.ndarray = field(init=False)  # (days,): largest value seen
    n: int = 0

    def __post_init__(self) -> None:
        self.counts = np.zeros((self.n_days, 1), dtype=np.int32)
        self.total = np.zeros(self.n_days, dtype=np.int64)
        self.low = np.full(self.n_days, np.iinfo(np.int64).max, dtype=np.int64)
        self.high = np.full(self.n_days, -1, dtype=np.int64)

    @property
    def exact(self) -> bool:
        return self.width == 1

    def add(self, values: np.ndarray) -> None:
        """Add replications: ``values`` shaped (replications, days), whole numbers >= 0."""
        values = np.asarray(values, dtype=np.int64)
        if values.size == 0:
            return
        low, high = values.min(axis=0), values.max(axis=0)
        if low.min() < 0:
            raise ValueError("counts must not be negative")
        self._fit(int(high.max()))
        cells = (np.arange(self.n_days) * self.counts.shape[1])[None, :] + self._bin(values)
        cells, added = np.unique(cells, return_counts=True)  # only the cells these touch
        self.counts.reshape(-1)[cells] += added.astype(np.int32)  # a view: counts is contiguous
        self.total += values.sum(axis=0)
        np.minimum(self.low, low, out=self.low)
        np.maximum(self.high, high, out=self.high)
        self.n += values.shape[0]

    def _bin(self, values: np.ndarray | int) -> np.ndarray | int:
        """The bin of each value at the current width: zero alone in bin 0 (a ceiling)."""
        return -(-values // self.width)

    def merge(self, other: Histograms) -> None:
        """Add another set of histograms (from a checkpoint or another driver)."""
        while self.width < other.width:
            self._coarsen()
        while other.width < self.width:
            other._coarsen()
        self._fit((other.counts.shape[1] - 1) * other.width)
        self.counts[:, : other.counts.shape[1]] += other.counts
        self.total += other.total
        np.minimum(self.low, other.low, out=self.low)
        np.maximum(self.high, other.high, out=self.high)
        self.n += other.n

    def _fit(self, largest: int) -> None:
        """Make room for values up to ``largest``, widening bins if it would take too many."""
        while self._bin(largest) + 1 > self.max_bins:
            self._coarsen()
        need = self._bin(largest) + 1
        have = self.counts.shape[1]
        if need > have:
            grown = max(need, min(2 * have, self.max_bins))
            pad = np.zeros((self.n_days, grown - have), dtype=np.int32)
            self.counts = np.concatenate([self.counts, pad], axis=1)

    def _coarsen(self) -> None:
        """Double the width: bins 2j - 1 and 2j become bin j; zero stays in bin 0."""
        zero, rest = self.counts[:, :1], self.counts[:, 1:]
        if rest.shape[1] % 2:
            rest = np.concatenate([rest, np.zeros((self.n_days, 1), dtype=np.int32)], axis=1)
        self.counts = np.concatenate([zero, rest.reshape(self.n_days, -1, 2).sum(axis=2)], axis=1)
        self.width *= 2

    def mean(self) -> np.ndarray:
        return self.total / max(self.n, 1)

    def quantiles(self, qs: tuple[float, ...] = QUANTILES) -> np.ndarray:
        """(days, len(qs)) quantiles, as ``numpy.quantile(..., axis=0)`` would give them."""
        if self.n == 0:
            return np.full((self.n_days, len(qs)), np.nan)
        cum = np.cumsum(self.counts, axis=1, dtype=np.int64)
        out = np.empty((self.n_days, len(qs)))
        for j, q in enumerate(qs):
            h = (self.n - 1) * q
            lo = int(np.floor(h))
            frac = h - lo
            low = self._order_statistic(cum, lo)
            if frac > 0:
                high = self._order_statistic(cum, min(lo + 1, self.n - 1))
                out[:, j] = low + frac * (high - low)
            else:
                out[:, j] = low
        return out

    def _order_statistic(self, cum: np.ndarray, j: int) -> np.ndarray:
        """The j-th smallest value (0-based) on each day."""
        bins = np.argmax(cum > j, axis=1)
        if self.width == 1:
            return bins.astype(float)
        middle = np.where(bins == 0, 0.0, (bins - 1) * self.width + (self.width + 1) / 2)
        return np.clip(middle, self.low, self.high)
