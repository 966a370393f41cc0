"""The EM core: chunked E-step to sufficient statistics, and the M-step.

Everything here is a pure function of arrays and a :class:`MixtureParams`.
One pass over the rows of ``X``, a chunk at a time, computes each chunk's
log-likelihoods and responsibilities and reduces them at once to
:class:`SufficientStats`; the M-step reads only the summed statistics. Sums of
statistics are statistics, so any split of the rows (chunks, dask blocks,
processes) gives the same fit.

Working memory is ``O(chunk_rows * K * D + K * D**2)``; no array of shape
``(n_samples, n_components, n_features)`` is ever allocated.
"""

from typing import NamedTuple

import numpy as np
from sklearn import get_config

from ._kernels import KERNELS

# Rows per chunk at most: large enough to amortize the Python overhead of a
# chunk, small enough that the chunk's working set stays in cache.
MAX_CHUNK_ROWS = 4096


class MixtureParams(NamedTuple):
    """Parameters of a Gaussian mixture, in float64.

    Attributes
    ----------
    weights : ndarray of shape (n_components,)
    means : ndarray of shape (n_components, n_features)
    covariances : ndarray, shape per covariance type
    precisions_cholesky : ndarray, shape per covariance type
    """

    weights: np.ndarray
    means: np.ndarray
    covariances: np.ndarray
    precisions_cholesky: np.ndarray


class SufficientStats(NamedTuple):
    """Sums over samples of what the M-step needs, in float64.

    Attributes
    ----------
    nk : ndarray of shape (n_components,)
        Sum of (weighted) responsibilities per component.
    sx, sxx : ndarray
        First and second moments; see :mod:`skgmm_em._kernels`.
    log_likelihood : float
        Sum over samples of (weighted) ``log p(x_i)`` under the parameters
        the E-step used.
    weight_sum : float
        Sum of sample weights (the number of samples when unweighted).
    """

    nk: np.ndarray
    sx: np.ndarray
    sxx: np.ndarray
    log_likelihood: float
    weight_sum: float

    def __add__(self, other):
        return SufficientStats(*(a + b for a, b in zip(self, other, strict=True)))


def chunk_slices(n_samples, n_components, n_features, itemsize):
    """Row slices covering ``range(n_samples)``; the size follows working_memory."""
    row_bytes = itemsize * (n_components * (n_features + 4) + 2 * n_features)
    budget = get_config()["working_memory"] * 2**20
    rows = int(max(1, min(n_samples, MAX_CHUNK_ROWS, budget // row_bytes)))
    return [slice(start, start + rows) for start in range(0, n_samples, rows)]


def reference_point(params):
    """The mixture mean: the shift applied to every chunk before the kernels."""
    return params.weights @ params.means


def _chunk_operands(params, covariance_type, dtype):
    """What every chunk needs, prepared once per pass."""
    shift = reference_point(params)
    means = (params.means - shift).astype(dtype, copy=False)
    prec_chol = params.precisions_cholesky.astype(dtype, copy=False)
    with np.errstate(divide="ignore"):
        log_weights = np.log(params.weights).astype(dtype, copy=False)
    return shift.astype(dtype, copy=False), means, prec_chol, log_weights


def _log_norm_resp(weighted_log_prob):
    """Row log-normalizers (n,) and responsibilities (n, K), in place."""
    top = weighted_log_prob.max(axis=1, keepdims=True)
    weighted_log_prob -= top
    resp = np.exp(weighted_log_prob, out=weighted_log_prob)
    total = resp.sum(axis=1, keepdims=True)
    resp /= total
    return (np.log(total) + top)[:, 0], resp


def weighted_log_prob_chunks(X, params, covariance_type):
    """Yield ``(rows, log(weights_k) + log N(x | mean_k, cov_k))`` per chunk."""
    kernel = KERNELS[covariance_type]
    shift, means, prec_chol, log_weights = _chunk_operands(
        params, covariance_type, X.dtype
    )
    n_samples, n_features = X.shape
    for rows in chunk_slices(n_samples, means.shape[0], n_features, X.itemsize):
        chunk = X[rows] - shift
        yield rows, kernel.log_prob(chunk, means, prec_chol) + log_weights


def e_step(X, params, covariance_type, sample_weight=None):
    """One pass over X: sufficient statistics under ``params``.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        float32 or float64; the heavy products run in this dtype.
    params : MixtureParams
    covariance_type : {'full', 'tied', 'diag', 'spherical'}
    sample_weight : ndarray of shape (n_samples,), default=None

    Returns
    -------
    stats : SufficientStats
    """
    kernel = KERNELS[covariance_type]
    shift, means, prec_chol, log_weights = _chunk_operands(
        params, covariance_type, X.dtype
    )
    n_samples, n_features = X.shape
    total = None
    for rows in chunk_slices(n_samples, means.shape[0], n_features, X.itemsize):
        chunk = X[rows] - shift
        wlp = kernel.log_prob(chunk, means, prec_chol)
        wlp += log_weights
        log_norm, resp = _log_norm_resp(wlp)
        if sample_weight is None:
            log_likelihood = float(np.sum(log_norm, dtype=np.float64))
            weight_sum = float(chunk.shape[0])
        else:
            weights = sample_weight[rows]
            resp *= weights[:, None].astype(resp.dtype, copy=False)
            log_likelihood = float(np.dot(weights, log_norm.astype(np.float64)))
            weight_sum = float(weights.sum())
        sx, sxx = kernel.accumulate(chunk, resp, means)
        part = SufficientStats(
            resp.sum(axis=0, dtype=np.float64),
            sx.astype(np.float64),
            sxx.astype(np.float64),
            log_likelihood,
            weight_sum,
        )
        total = part if total is None else total + part
    return total


def assignment_stats(X, means, covariance_type, sample_weight=None):
    """Statistics of the hard assignment of each row to its nearest mean.

    Used to derive initial weights and covariances from initial means.
    The moments of ``full`` are about ``means``.
    """
    kernel = KERNELS[covariance_type]
    shift = means.mean(axis=0)
    centered = (means - shift).astype(X.dtype, copy=False)
    sq_norms = np.einsum("kd,kd->k", centered, centered)
    n_samples, n_features = X.shape
    n_components = means.shape[0]
    total = None
    for rows in chunk_slices(n_samples, n_components, n_features, X.itemsize):
        chunk = X[rows] - shift.astype(X.dtype, copy=False)
        labels = np.argmin(sq_norms - 2.0 * (chunk @ centered.T), axis=1)
        resp = np.zeros((chunk.shape[0], n_components), dtype=X.dtype)
        weights = 1.0 if sample_weight is None else sample_weight[rows]
        resp[np.arange(chunk.shape[0]), labels] = weights
        sx, sxx = kernel.accumulate(chunk, resp, centered)
        part = SufficientStats(
            resp.sum(axis=0, dtype=np.float64),
            sx.astype(np.float64),
            sxx.astype(np.float64),
            0.0,
            float(resp.sum(dtype=np.float64)),
        )
        total = part if total is None else total + part
    return total, shift


def m_step(stats, params, covariance_type, reg_covar, eps):
    """New parameters from the statistics an E-step under ``params`` returned.

    ``eps`` is the machine epsilon of the data's dtype: ``10 * eps`` is added
    to every component's mass so that an empty component stays finite.
    """
    kernel = KERNELS[covariance_type]
    shift = reference_point(params)
    nk_eps = stats.nk + 10.0 * eps
    means, covariances = kernel.m_step(
        stats.nk, nk_eps, stats.sx, stats.sxx, params.means - shift, reg_covar
    )
    return MixtureParams(
        weights=nk_eps / nk_eps.sum(),
        means=means + shift,
        covariances=covariances,
        precisions_cholesky=kernel.precision_cholesky(covariances, reg_covar),
    )
