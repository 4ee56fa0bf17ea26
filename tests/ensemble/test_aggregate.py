"""Streaming histograms give numpy's quantiles and exact means, whatever the batches."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from sim.ensemble.aggregate import QUANTILES, Histograms

QS = (0.0, 0.01, *QUANTILES, 0.99, 1.0)
# numpy interpolates from the upper value when past half way, the histograms always from the
# lower one: the two may differ in the last bit.
TOL = {"rtol": 1e-12, "atol": 0}


def counts(rng: np.random.Generator, n: int) -> np.ndarray:
    """(n, days) whole numbers: constant days, small counts, a force of thousands."""
    return np.column_stack(
        [
            np.full(n, 7),
            rng.integers(0, 4, n),
            rng.integers(0, 40, n),
            rng.integers(2000, 2600, n),
            rng.poisson(3, n),
            np.zeros(n, dtype=np.int64),
        ]
    )


def add_in_chunks(hist: Histograms, data: np.ndarray, rng: np.random.Generator) -> None:
    """Add ``data`` in uneven chunks, in a random order."""
    cuts = np.sort(rng.choice(np.arange(1, len(data)), size=6, replace=False))
    chunks = np.split(data, cuts)
    for i in rng.permutation(len(chunks)):
        hist.add(chunks[i])


def numpy_quantiles(data: np.ndarray, qs=QS) -> np.ndarray:
    return np.quantile(data, qs, axis=0).T


def test_quantiles_and_means_equal_numpy():
    rng = np.random.default_rng(1)
    data = counts(rng, 157)
    hist = Histograms(data.shape[1])
    add_in_chunks(hist, data, rng)
    assert hist.n == len(data)
    assert hist.exact
    np.testing.assert_allclose(hist.quantiles(QS), numpy_quantiles(data), **TOL)
    np.testing.assert_array_equal(hist.mean(), data.mean(axis=0))


def test_order_of_batches_does_not_matter():
    rng = np.random.default_rng(2)
    data = counts(rng, 90)
    one, other = Histograms(data.shape[1]), Histograms(data.shape[1])
    one.add(data)
    add_in_chunks(other, data, rng)
    np.testing.assert_array_equal(one.quantiles(QS), other.quantiles(QS))
    np.testing.assert_array_equal(one.mean(), other.mean())


def test_merging_equals_adding_everything():
    rng = np.random.default_rng(3)
    small = rng.integers(0, 30, (40, 5))  # few bins
    large = rng.integers(0, 3000, (25, 5))  # many more bins
    everything = Histograms(5)
    everything.add(np.vstack([small, large]))
    merged, other = Histograms(5), Histograms(5)
    merged.add(small)
    other.add(large)
    merged.merge(other)
    assert merged.n == everything.n == 65
    assert merged.exact
    np.testing.assert_array_equal(merged.quantiles(QS), everything.quantiles(QS))
    np.testing.assert_array_equal(merged.mean(), everything.mean())
    np.testing.assert_allclose(
        merged.quantiles(QS), numpy_quantiles(np.vstack([small, large])), **TOL
    )


def test_merging_histograms_of_different_widths():
    rng = np.random.default_rng(4)
    small = rng.integers(0, 30, (40, 3))
    large = rng.integers(0, 5000, (30, 3))
    coarse, fine = Histograms(3, max_bins=64), Histograms(3, max_bins=64)
    coarse.add(large)  # must widen its bins
    fine.add(small)  # stays exact
    assert not coarse.exact and fine.exact
    fine.merge(coarse)
    everything = Histograms(3, max_bins=64)
    everything.add(np.vstack([small, large]))
    assert fine.width == everything.width
    np.testing.assert_array_equal(fine.quantiles(QS), everything.quantiles(QS))
    np.testing.assert_array_equal(fine.mean(), everything.mean())


def test_coarsening_keeps_quantiles_within_half_a_bin():
    rng = np.random.default_rng(5)
    data = np.column_stack([rng.integers(0, 100_000, 300), rng.integers(0, 50, 300)])
    hist = Histograms(2, max_bins=64)
    add_in_chunks(hist, data, rng)
    assert not hist.exact
    assert hist.width > 1
    assert hist.counts.shape[1] <= 64
    error = np.abs(hist.quantiles(QS) - numpy_quantiles(data))
    assert (error <= hist.width / 2).all(), (hist.width, error.max())
    np.testing.assert_array_equal(hist.mean(), data.mean(axis=0))  # means stay exact


def test_zero_stays_exact_in_wide_bins():
    # A force drawn down to nobody must read as zero, not as the middle of the lowest bin.
    data = np.array([[144_000, 0, 0, 3], [140_000, 0, 5, 3], [100_000, 0, 0, 3]])
    hist = Histograms(4, max_bins=64)
    hist.add(data)
    assert hist.width > 1
    quantiles = hist.quantiles(QS)
    assert (quantiles[1] == 0).all()  # every replication at zero
    assert quantiles[2, 0] == 0  # the 5% quantile of (0, 5, 0) is zero
    assert (quantiles[3] > 0).all()  # three is not zero, even in a bin of thousands
    assert (np.abs(quantiles - numpy_quantiles(data)) <= hist.width / 2).all()


def test_a_day_on_which_every_replication_agrees_is_exact_in_wide_bins():
    data = np.array([[144_000, 7, 100_001], [144_000, 7, 100_000], [144_000, 7, 99_999]])
    # rows are replications, columns days; quantiles come back as (days, quantiles)
    hist = Histograms(3, max_bins=64)
    hist.add(data[:2])
    hist.add(data[2:])
    assert hist.width > 1
    quantiles = hist.quantiles(QS)
    assert (quantiles[0] == 144_000).all() and (quantiles[1] == 7).all()
    assert ((quantiles[2] >= 99_999) & (quantiles[2] <= 100_001)).all()  # within the data


def test_no_replications_gives_no_quantiles():
    hist = Histograms(3)
    hist.add(np.zeros((0, 3), dtype=np.int64))
    assert hist.n == 0
    assert np.isnan(hist.quantiles()).all()


def test_negative_counts_are_refused():
    with pytest.raises(ValueError, match="negative"):
        Histograms(2).add(np.array([[1, -1]]))


@st.composite
def batches(draw):
    days = draw(st.integers(1, 4))
    n = draw(st.integers(1, 30))
    top = draw(st.sampled_from([1, 10, 300, 20_000]))
    data = draw(arrays(np.int64, (n, days), elements=st.integers(0, top)))
    cuts = sorted(draw(st.sets(st.integers(1, max(n - 1, 1)), max_size=4)) - {n})
    order = draw(st.permutations(range(len(cuts) + 1)))
    max_bins = draw(st.sampled_from([4, 64, 8192]))
    return data, cuts, order, max_bins


@settings(max_examples=150, deadline=None)
@given(batches())
def test_histograms_match_numpy_for_any_batches(case):
    data, cuts, order, max_bins = case
    chunks = np.split(data, cuts)
    hist = Histograms(data.shape[1], max_bins=max_bins)
    for i in order:
        hist.add(chunks[i])
    expected = numpy_quantiles(data)
    np.testing.assert_array_equal(hist.mean(), data.mean(axis=0))
    if hist.exact:
        np.testing.assert_allclose(hist.quantiles(QS), expected, **TOL)
    else:
        assert (np.abs(hist.quantiles(QS) - expected) <= hist.width / 2).all()
