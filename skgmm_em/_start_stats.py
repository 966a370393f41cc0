"""The statistics of a start: scikit-learn's initial M-step, hard assignments
to given means, and the distinct rows of the data.

Pure functions of arrays, computed a chunk at a time like the E-step (on the
threads of :mod:`skgmm_em._threads`, through :func:`skgmm_em._em.sum_chunks`);
:mod:`skgmm_em._starts` completes a start with them and the initializers of
:mod:`skgmm_em.initialization` see the distinct rows.
"""

import numpy as np

from ._covariance import MODELS
from ._em import SufficientStats, chunk_slices, sum_chunks, transposed_chunk

# Odd 64-bit multipliers for hashing rows: fixed, so the order is stable.
_HASH_MULTIPLIERS = np.random.RandomState(0).randint(
    1, 2**62, size=4096, dtype=np.int64
).astype(np.uint64) * np.uint64(2) + np.uint64(1)


def distinct_rows(X, sample_weight=None, return_inverse=False):
    """The distinct rows of X with positive weight, in a canonical order.

    Returns ``(rows, weights)``: the rows sorted by a hash of their bits and
    each with the total weight of its copies; ``weights`` is None when every
    total is one. The result depends only on the weighted set of samples,
    not on their order or on whether a sample is repeated or weighted. With
    ``return_inverse``, also ``inverse`` of shape (n_samples,): the index in
    ``rows`` of each row of X, or -1 for a row of zero weight.
    """
    n_samples = X.shape[0]
    kept = np.arange(n_samples)
    if sample_weight is None:
        weights = np.ones(n_samples)
    else:
        kept = np.flatnonzero(sample_weight > 0)
        X, weights = X[kept], sample_weight[kept]
    # Adding 0.0 maps -0.0 to 0.0, so that equal values have equal bits.
    bits = np.ascontiguousarray(X + X.dtype.type(0.0))
    bits = bits.view(np.uint64 if X.itemsize == 8 else np.uint32)
    bits = bits.astype(np.uint64, copy=False)
    n_features = X.shape[1]
    multipliers = np.resize(_HASH_MULTIPLIERS, n_features)
    keys = (bits * multipliers).sum(axis=1)
    keys ^= keys >> np.uint64(31)
    order = np.argsort(keys, kind="stable")
    keys = keys[order]
    new_key = np.r_[True, keys[1:] != keys[:-1]]
    starts = np.flatnonzero(new_key)
    rows = X[order[starts]]
    totals = np.add.reduceat(weights[order], starts)
    if np.all(totals == 1.0):
        totals = None
    if not return_inverse:
        return rows, totals
    inverse = np.full(n_samples, -1, dtype=np.int64)
    inverse[kept[order]] = np.cumsum(new_key) - 1
    return rows, totals, inverse


def assignment_stats(X, means, covariance_type, sample_weight=None):
    """Statistics of the hard assignment of each row to its nearest mean.

    Used to derive initial weights and covariances from initial means.
    The moments of ``full`` are about ``means``.
    """
    kernel = MODELS[covariance_type]
    shift = means.mean(axis=0)
    centered = (means - shift).astype(X.dtype, copy=False)
    sq_norms = np.einsum("kd,kd->k", centered, centered)
    n_samples, n_features = X.shape
    n_components = means.shape[0]
    data_shift = shift.astype(X.dtype, copy=False)

    def one(rows):
        chunk = transposed_chunk(X, rows, data_shift)
        labels = np.argmin(sq_norms[:, None] - 2.0 * (centered @ chunk), axis=0)
        n_rows = chunk.shape[1]
        resp = np.zeros((n_components, n_rows), dtype=X.dtype)
        weights = 1.0 if sample_weight is None else sample_weight[rows]
        resp[labels, np.arange(n_rows)] = weights
        sx, sxx = kernel.accumulate(chunk, resp, centered)
        return SufficientStats(
            resp.sum(axis=1, dtype=np.float64),
            sx.astype(np.float64),
            sxx.astype(np.float64),
            0.0,
            float(resp.sum(dtype=np.float64)),
        )

    slices = chunk_slices(n_samples, n_components, n_features, X.itemsize)
    return sum_chunks(one, slices), shift


class _Sums(tuple):
    """A tuple of arrays that adds elementwise (for ``_em.sum_chunks``)."""

    def __add__(self, other):
        return _Sums(a + b for a, b in zip(self, other, strict=True))


def responsibility_start(
    X, start, n_components, covariance_type, reg_covar, sample_weight=None, prior=None
):
    """The parameters of scikit-learn's initial M-step for given
    responsibilities (with a prior, the M-step of EM with that prior).

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    start : ndarray
        Labels of shape (n_samples,) (a component per row, -1 for none) or
        responsibilities of shape (n_samples, n_components).
    n_components : int
    covariance_type : {'full', 'tied', 'diag', 'spherical'}
    reg_covar : float
    sample_weight : ndarray of shape (n_samples,), default=None
        Multiplies the responsibilities of each row.
    prior : PriorSettings, default=None
        A prior (see :mod:`skgmm_em._covariance._prior`): the means and
        covariances are then its posterior mode given the responsibilities,
        as the first M-step of mclust's EM from a classification.

    Returns
    -------
    weights : ndarray of shape (n_components,)
        ``n_k / n`` with ``n_k`` the sum of the (weighted) responsibilities
        plus ``10 * eps`` of X's dtype and ``n`` the number (total weight) of
        the rows; they sum to less than one when rows belong to no
        component, as scikit-learn's do.
    means : ndarray of shape (n_components, n_features)
    covariances : ndarray, the shape of ``covariance_type``

    Notes
    -----
    scikit-learn's formulas, in the same order of operations, so that the
    start is the one it computes, rounding included (a seed's variance is
    ``reg_covar`` plus a rounding-size term that its first lower bound
    depends on). They form the tied, diagonal and spherical covariances
    from second moments about the origin; where that cancels to a
    covariance that is not positive definite (data far from the origin),
    the same quantities are computed from moments about each mean instead
    (:func:`_stable_start_covariances`).
    """
    n_samples, n_features = X.shape
    labels = start if start.ndim == 1 else None

    def chunk(rows):
        """Rows (n, D), their weighted responsibilities (K, n) and their
        weights (n,), in float64."""
        # C order whatever X's, so that the products, and the start, do not
        # depend on the memory layout of the data.
        x = np.ascontiguousarray(X[rows], dtype=np.float64)
        if labels is None:
            resp = np.asarray(start[rows], dtype=np.float64).T
        else:
            lab = labels[rows]
            resp = np.zeros((n_components, x.shape[0]))
            assigned = np.flatnonzero(lab >= 0)
            resp[lab[assigned], assigned] = 1.0
        weights = np.ones(x.shape[0]) if sample_weight is None else sample_weight[rows]
        return x, resp * weights, weights

    model = MODELS[covariance_type]

    def first(rows):
        x, resp, weights = chunk(rows)
        second = model.start_moment(x, resp, weights)
        return _Sums((resp.sum(axis=1), resp @ x, second))

    slices = chunk_slices(n_samples, n_components, n_features, 8)
    nk, sx, second = sum_chunks(first, slices)
    nk_eps = nk + 10.0 * np.finfo(X.dtype).eps
    total = n_samples if sample_weight is None else float(np.sum(sample_weight))
    if prior is not None:
        means, covariances = _posterior_start(
            chunk, slices, model.with_prior(prior), nk, nk_eps, sx, reg_covar
        )
        return nk_eps / total, means, covariances
    means = sx / nk_eps[:, None]
    covariances = model.start_covariances(second, nk_eps, means)
    stable = _stable_start_covariances(chunk, slices, model, nk_eps, means)
    if covariances is None or not _close(
        model.add_to_diagonal(covariances, reg_covar),
        model.add_to_diagonal(stable, reg_covar),
    ):
        covariances = stable
    covariances = model.add_to_diagonal(covariances, reg_covar)
    if model.constrained:
        covariances = model.from_full(covariances, nk_eps)
    return nk_eps / total, means, covariances


def _posterior_start(chunk, slices, model, nk, nk_eps, sx, reg_covar):
    """Means and covariances of the start with a prior: the model's M-step
    (its ``prior``) on the model's statistics of the rows, taken about the
    mean of the assigned mass; ``chunk(rows)`` gives the rows, their
    weighted responsibilities and weights; ``sx`` (K, D) sums the rows."""
    shift = sx.sum(axis=0) / nk.sum()
    means = sx / nk_eps[:, None] - shift

    def moments(rows):
        x, resp, _ = chunk(rows)
        return _Sums(model.accumulate((x - shift).T, resp, means))

    sx_shifted, sxx = sum_chunks(moments, slices)
    means, covariances = model.m_step(
        nk, nk_eps, sx_shifted, sxx, means, reg_covar, shift=shift
    )
    return means + shift, covariances


def _stable_start_covariances(chunk, slices, model, nk_eps, means):
    """The covariances of :func:`responsibility_start` (without reg_covar)
    from moments about each mean, which do not cancel; ``chunk(rows)`` gives
    the rows, their weighted responsibilities and weights."""

    def scatter(rows):
        x, resp, weights = chunk(rows)
        return _Sums(model.start_scatter(x, resp, weights, means))

    total, extra = sum_chunks(scatter, slices)
    return model.start_from_scatter(total, extra, nk_eps)


# scikit-learn's rounding is kept where it is this close to the exact value.
_START_RTOL = 1e-4


def _close(covariances, exact):
    """Whether covariances agree with the exact ones to _START_RTOL: each
    variance relative to itself, each matrix relative to its diagonal."""
    if not np.all(np.isfinite(covariances)):
        return False
    if exact.ndim >= 2 and exact.shape[-1] == exact.shape[-2] and covariances.ndim > 1:
        # Matrices (tied, full): errors relative to sqrt(var_i var_j).
        scale = np.sqrt(np.abs(np.diagonal(exact, axis1=-2, axis2=-1)))
        scale = scale[..., :, None] * scale[..., None, :]
    else:
        scale = np.abs(exact)
    return bool(np.all(np.abs(covariances - exact) <= _START_RTOL * scale))
