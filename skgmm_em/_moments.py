"""The data's weighted column means and covariance matrix, a chunk of rows
at a time: the prior's defaults (:mod:`skgmm_em._prior`) come from them.

The covariance is R's ``var(X)`` (the unbiased one, divided by ``n - 1``),
with sample weights in units of their mean over the rows of positive weight
(as :func:`skgmm_em._validation.check_sample_weight` gives them), so that
equal weights give the unweighted moments. Missing values (NaN) are left
out: each column's mean is that of its observed values, and each covariance
that of the rows observing both features (R's ``use =
"pairwise.complete.obs"``).

Two passes: the column means first, then the moments about them, which do
not cancel for data far from the origin. The per-block sums add up, so any
split of the rows gives the same moments (:func:`column_sums` and
:func:`pair_sums` are what a dask block computes, see
:func:`skgmm_em._dask.data_moments`).
"""

from functools import reduce
from operator import add
from typing import NamedTuple

import numpy as np

# Rows per chunk of a pass over a NumPy array (or a memory map).
CHUNK_ROWS = 16384


class ColumnSums(NamedTuple):
    """Per column: the weight of the rows observing it, and their weighted sum."""

    weight: np.ndarray
    total: np.ndarray

    def __add__(self, other):
        return ColumnSums(*(a + b for a, b in zip(self, other, strict=True)))


class PairSums(NamedTuple):
    """Per pair of columns ``(i, j)``, over the rows observing both: their
    weight, the weighted sum of column ``i`` and of ``x_i x_j`` (about the
    shift)."""

    weight: np.ndarray
    total: np.ndarray
    product: np.ndarray

    def __add__(self, other):
        return PairSums(*(a + b for a, b in zip(self, other, strict=True)))


def _weights(block, weights):
    if weights is None:
        return np.ones(block.shape[0])
    return np.asarray(weights, dtype=np.float64)


def column_sums(block, weights=None):
    """:class:`ColumnSums` of a block of rows (n, D), weights (n,) or None."""
    x = np.asarray(block, dtype=np.float64)
    w = _weights(x, weights)
    observed = ~np.isnan(x)
    return ColumnSums(w @ observed, w @ np.where(observed, x, 0.0))


def pair_sums(block, weights, shift):
    """:class:`PairSums` of a block of rows (n, D) about ``shift`` (D,)."""
    x = np.asarray(block, dtype=np.float64) - shift
    w = _weights(x, weights)
    observed = ~np.isnan(x)
    x = np.where(observed, x, 0.0)
    mask = observed.astype(np.float64)
    weighted = x * w[:, None]
    return PairSums((mask.T * w) @ mask, weighted.T @ mask, weighted.T @ x)


def column_means(sums):
    """The weighted means (D,) of the observed values of each column."""
    if np.any(sums.weight <= 0.0):
        empty = np.flatnonzero(sums.weight <= 0.0).tolist()
        raise ValueError(
            f"Feature(s) {empty} of X have no observed value (of positive "
            "weight): the prior's defaults need the mean and variance of every "
            "feature. Drop those features, or give the prior's mean and scale."
        )
    return sums.total / sums.weight


def covariance(sums, shift):
    """The covariance matrix (D, D) from :class:`PairSums` about ``shift``
    (the column means): each entry over the rows observing both features."""
    if np.any(sums.weight <= 1.0):
        raise ValueError(
            "Some pair of features of X is observed together on one sample or "
            "none (weights in units of their mean): the prior's default scale "
            "needs the covariance of every pair. Give the prior's scale."
        )
    mean_i = sums.total / sums.weight
    cov = (sums.product - mean_i * sums.total.T) / (sums.weight - 1.0)
    return 0.5 * (cov + cov.T)


def data_moments(X, sample_weight=None, chunk_rows=CHUNK_ROWS):
    """Weighted column means (D,) and covariance (D, D) of a NumPy array or
    memory map ``X`` (n, D), NaN left out (see the module docstring)."""
    chunks = [slice(i, i + chunk_rows) for i in range(0, X.shape[0], chunk_rows)]

    def weights(rows):
        return None if sample_weight is None else sample_weight[rows]

    def summed(part, *args):
        return reduce(add, (part(X[rows], weights(rows), *args) for rows in chunks))

    mean = column_means(summed(column_sums))
    return mean, covariance(summed(pair_sums, mean), mean)
