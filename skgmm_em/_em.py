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

from functools import reduce
from operator import add
from typing import NamedTuple

import numpy as np
from sklearn import get_config

from . import _missing, _threads
from ._covariance import (
    FULL,
    ill_defined_covariance_error,
    resolve,
    reusing_buffers,
    scratch,
)
from .exceptions import IllDefinedCovarianceError

# Chunk sizes: large enough to amortize the Python overhead of a chunk (a few
# dozen NumPy calls) and to keep matrix products efficient, small enough to
# keep the working memory small. Measured on 2 cores, 8 MB chunks made small-D
# E-steps 20-35 % faster than 2 MB ones.
CHUNK_BYTES = 2**23
MIN_CHUNK_ROWS = 1024
MAX_CHUNK_ROWS = 16384

# The chunks of a pass run on the threads of skgmm_em._threads, which decides
# how many (chunk_slices makes the number of chunks a multiple of it).


def _reusing_buffers(run_group):
    def run(group):
        with reusing_buffers():
            return run_group(group)

    return run


def _in_groups(run_group, slices):
    """``[run_group(g) for g in groups]`` over contiguous groups of chunks,
    one group per thread when there are several chunks and threads."""
    n_threads = _threads.n_threads()
    if n_threads < 2 or len(slices) < 2:
        return [_reusing_buffers(run_group)(slices)]
    n_groups = min(n_threads, len(slices))
    bounds = np.linspace(0, len(slices), n_groups + 1).round().astype(int)
    groups = [slices[a:b] for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
    return _threads.map_groups(_reusing_buffers(run_group), groups)


def _for_chunks(func, slices):
    """Call ``func(rows)`` for every chunk, in parallel when it pays."""

    def run_group(group):
        for rows in group:
            func(rows)

    _in_groups(run_group, slices)


def sum_chunks(func, slices):
    """Sum of ``func(rows)`` over the chunks, in parallel when it pays.

    Each thread sums the results of its run of chunks as they come, so that
    one partial result per thread is alive at a time; the partial sums are
    then added in order. The rounding depends only on the chunks and the
    number of threads.
    """
    return reduce(add, _in_groups(lambda group: reduce(add, map(func, group)), slices))


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


def params_of(model):
    """The fitted parameters of a mixture model as float64 MixtureParams."""
    return MixtureParams(
        *(
            np.asarray(getattr(model, name), dtype=np.float64)
            for name in ("weights_", "means_", "covariances_", "precisions_cholesky_")
        )
    )


class SufficientStats(NamedTuple):
    """Sums over samples of what the M-step needs, in float64.

    Attributes
    ----------
    nk : ndarray of shape (n_components,)
        Sum of (weighted) responsibilities per component.
    sx, sxx : ndarray
        First and second moments; see :mod:`skgmm_em._covariance`.
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
    """Row slices of near-equal size covering ``range(n_samples)``.

    A chunk's working set (about ``rows * K * (D + 4)`` values) is kept near
    ``CHUNK_BYTES``, with at least ``MIN_CHUNK_ROWS`` rows for efficient
    matrix products and at most ``MAX_CHUNK_ROWS``; it never exceeds
    scikit-learn's ``working_memory`` setting. Several chunks come in a
    multiple of the number of threads.
    """
    if n_samples == 0:
        return []
    row_bytes = itemsize * (n_components * (n_features + 4) + 2 * n_features)
    rows = min(MAX_CHUNK_ROWS, max(MIN_CHUNK_ROWS, CHUNK_BYTES // row_bytes))
    budget = get_config()["working_memory"] * 2**20
    rows = int(max(1, min(n_samples, rows, budget // row_bytes)))
    n_chunks = -(-n_samples // rows)
    if 1 < n_chunks:
        # A multiple of the number of threads, so that each gets as much.
        n_threads = _threads.n_threads()
        n_chunks = min(n_samples, -(-n_chunks // n_threads) * n_threads)
    rows = -(-n_samples // n_chunks)
    return [slice(start, start + rows) for start in range(0, n_samples, rows)]


def _row_chunks(X, n_components, missing):
    """Chunks of the rows the fast kernels handle: all, or the complete ones."""
    n_rows = X.shape[0] if missing is None else len(missing.complete)
    slices = chunk_slices(n_rows, n_components, X.shape[1], X.itemsize)
    if missing is None:
        return slices
    return [missing.complete[rows] for rows in slices]


def reference_point(params):
    """The mixture mean: the shift applied to every chunk before the kernels.

    The weights of a start need not sum to one (see
    :func:`skgmm_em._start_stats.responsibility_start`).
    """
    return params.weights @ params.means / params.weights.sum()


def _chunk_operands(params, covariance_type, dtype):
    """What every chunk needs, prepared once per pass."""
    shift = reference_point(params)
    means = (params.means - shift).astype(dtype, copy=False)
    prec_chol = params.precisions_cholesky.astype(dtype, copy=False)
    with np.errstate(divide="ignore"):
        log_weights = np.log(params.weights).astype(dtype, copy=False)
    return shift.astype(dtype, copy=False), means, prec_chol, log_weights


def log_norm_resp(weighted_log_prob):
    """Log-normalizers (n,) and responsibilities (K, n), in place."""
    top = weighted_log_prob.max(axis=0)
    weighted_log_prob -= top
    # Underflow to zero is the intended result for improbable components.
    with np.errstate(under="ignore"):
        resp = np.exp(weighted_log_prob, out=weighted_log_prob)
    total = resp.sum(axis=0)
    resp /= total
    return np.log(total) + top, resp


# From this many features on, a chunk keeps the rows' layout (see below).
ROW_MAJOR_MIN_FEATURES = 16


def transposed_chunk(X, rows, shift):
    """Rows of X minus shift, as a (D, n) array.

    Narrow rows are copied into a C-contiguous (D, n) array, so that the
    kernels' reductions over features run along long contiguous rows. Wide
    rows are shifted in their own layout and handed over as the transposed
    view (Fortran order): a transposing copy of wide rows costs more than
    the kernels then save, and matrix products take either layout.
    """
    block = X[rows]
    n_rows, n_features = block.shape
    if n_features >= ROW_MAJOR_MIN_FEATURES:
        chunk = scratch("chunk", (n_rows, n_features), X.dtype)
        np.subtract(block, shift, out=chunk)
        return chunk.T
    chunk = scratch("chunk", (n_features, n_rows), X.dtype)
    np.subtract(block.T, shift[:, None], out=chunk)
    return chunk


def _log_prob_operands(X, params, covariance_type, missing=None):
    """A function of row chunks giving weighted log-probabilities (K, n)."""
    kernel = resolve(covariance_type)
    shift, means, prec_chol, log_weights = _chunk_operands(
        params, covariance_type, X.dtype
    )

    def weighted_log_prob(rows):
        chunk = transposed_chunk(X, rows, shift)
        wlp, aux = kernel.log_prob(chunk, means, prec_chol)
        wlp += log_weights[:, None]
        return chunk, wlp, aux

    slices = _row_chunks(X, means.shape[0], missing)
    return weighted_log_prob, slices, kernel, means, prec_chol


def _incomplete_outputs(X, params, covariance_type, missing, expect=False):
    """Per-chunk outputs of the rows with NaN (see _missing.pattern_outputs)."""
    if missing is None:
        return []
    shift = reference_point(params)
    with np.errstate(divide="ignore"):
        log_weights = np.log(params.weights)
    return _missing.pattern_outputs(
        X,
        missing,
        params.means - shift,
        resolve(covariance_type).to_full(params.covariances, *params.means.shape),
        log_weights,
        shift,
        expect,
    )


def predict(X, params, covariance_type, missing=None):
    """Most probable component of each row; (n_samples,) int64."""
    labels = np.empty(X.shape[0], dtype=np.int64)
    weighted_log_prob, slices, *_ = _log_prob_operands(
        X, params, covariance_type, missing
    )

    def one(rows):
        labels[rows] = np.argmax(weighted_log_prob(rows)[1], axis=0)

    _for_chunks(one, slices)
    for rows, _, resp, _ in _incomplete_outputs(X, params, covariance_type, missing):
        labels[rows] = np.argmax(resp, axis=0)
    return labels


def score_samples(X, params, covariance_type, missing=None):
    """``log p(x)`` of each row (of its observed part); (n_samples,)."""
    out = np.empty(X.shape[0], dtype=X.dtype)
    weighted_log_prob, slices, *_ = _log_prob_operands(
        X, params, covariance_type, missing
    )

    def one(rows):
        out[rows] = log_norm_resp(weighted_log_prob(rows)[1])[0]

    _for_chunks(one, slices)
    for rows, log_norm, _, _ in _incomplete_outputs(
        X, params, covariance_type, missing
    ):
        out[rows] = log_norm
    return out


def predict_proba(X, params, covariance_type, missing=None):
    """Responsibilities of each row; (n_samples, n_components) in X's dtype."""
    out = np.empty((X.shape[0], params.weights.shape[0]), dtype=X.dtype)
    weighted_log_prob, slices, *_ = _log_prob_operands(
        X, params, covariance_type, missing
    )

    def one(rows):
        out[rows] = log_norm_resp(weighted_log_prob(rows)[1])[1].T

    _for_chunks(one, slices)
    for rows, _, resp, _ in _incomplete_outputs(X, params, covariance_type, missing):
        out[rows] = resp.T
    return out


def conditional_expectation(X, params, covariance_type, missing):
    """X with each NaN replaced by its conditional expectation given the
    row's observed values under the mixture; (n_samples, n_features)."""
    out = np.array(X, dtype=X.dtype, copy=True)
    shift = reference_point(params)
    for rows, _, _, expectation in _incomplete_outputs(
        X, params, covariance_type, missing, expect=True
    ):
        block = out[rows]
        # Only the missing entries change; observed values are kept exactly.
        out[rows] = np.where(np.isnan(block), expectation + shift, block)
    return out


def e_step(X, params, covariance_type, sample_weight=None, missing=None, about=None):
    """One pass over X: sufficient statistics under ``params``.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        float32 or float64; the heavy products run in this dtype.
    params : MixtureParams
    covariance_type : {'full', 'tied', 'diag', 'spherical'}
    sample_weight : ndarray of shape (n_samples,), default=None
    missing : Missingness, default=None
        Where X has NaNs (from ``_missing.find_missing``); None when it has
        none. Rows with NaN contribute their expected statistics.
    about : ndarray of shape (n_components, n_features), default=None
        With X complete: the responsibilities are those under ``params``,
        but the statistics are taken about these means (in data
        coordinates), per component (``'full'`` ones for ``'tied'``); see
        :func:`recentred_m_step`.

    Returns
    -------
    stats : SufficientStats
        The statistics of the chunks, summed in a fixed order.
    """
    if about is not None and missing is not None:
        raise ValueError("e_step: 'about' needs complete data.")
    total = _complete_stats(X, params, covariance_type, sample_weight, missing, about)
    if missing is None:
        return total
    part = _incomplete_stats(X, params, covariance_type, sample_weight, missing)
    return part if total is None else total + part


def _weighted_likelihood(log_norm, resp, sample_weight, rows):
    """A chunk's (weighted) log-likelihood and weight; weights ``resp`` in place."""
    if sample_weight is None:
        return float(np.sum(log_norm, dtype=np.float64)), float(resp.shape[1])
    weights = sample_weight[rows]
    resp *= weights.astype(resp.dtype, copy=False)
    log_likelihood = float(np.dot(weights, log_norm.astype(np.float64)))
    return log_likelihood, float(weights.sum())


def _complete_stats(X, params, covariance_type, sample_weight, missing, about):
    """The statistics of the rows without NaN (see :func:`e_step`), or None
    when there are none."""
    weighted_log_prob, slices, kernel, means, prec_chol = _log_prob_operands(
        X, params, covariance_type, missing
    )
    if about is not None:
        centres = (about - reference_point(params)).astype(X.dtype)
    n_features = params.means.shape[1]
    n_complete = X.shape[0] if missing is None else len(missing.complete)
    reuse = kernel.estep_reuses(n_complete, n_features)

    def one(rows):
        chunk, wlp, aux = weighted_log_prob(rows)
        log_norm, resp = log_norm_resp(wlp)
        log_likelihood, weight_sum = _weighted_likelihood(
            log_norm, resp, sample_weight, rows
        )
        if about is not None:
            sx, sxx = kernel.accumulate_about(chunk, resp, centres)
        elif reuse:
            sx, sxx = kernel.estep_accumulate(chunk, resp, means, aux)
        else:
            sx, sxx = kernel.accumulate(chunk, resp, means)
        return SufficientStats(
            resp.sum(axis=1, dtype=np.float64),
            sx.astype(np.float64, copy=False),
            sxx.astype(np.float64, copy=False),
            log_likelihood,
            weight_sum,
        )

    if not n_complete:
        return None
    total = sum_chunks(one, slices)
    if reuse and about is None:
        sx, sxx = kernel.estep_finish(
            total.sx, total.sxx, params.precisions_cholesky.astype(np.float64)
        )
        total = total._replace(sx=sx, sxx=sxx)
    return total


def _incomplete_stats(X, params, covariance_type, sample_weight, missing):
    """The expected statistics of the rows with NaN (see :mod:`skgmm_em._missing`)."""
    kernel = resolve(covariance_type)
    n_components, n_features = params.means.shape
    shift = reference_point(params)
    sxx_shape = kernel.stats_shape(n_components, n_features)
    with np.errstate(divide="ignore"):
        log_weights = np.log(params.weights)
    return SufficientStats(
        *_missing.pattern_stats(
            X,
            missing,
            params.means - shift,
            kernel.to_full(params.covariances, n_components, n_features),
            log_weights,
            covariance_type,
            sxx_shape,
            sample_weight,
            shift,
        )
    )


def reseed(stats, params, covariance_type, reg_covar, dtype, collapsed):
    """The M-step with collapsed components re-seeded by splitting.

    Each component in ``collapsed`` takes half of the heaviest healthy
    component: the two start one standard deviation apart along its
    principal axis, with its covariance and half its weight each.
    """
    kernel = resolve(covariance_type)
    nk_eps, means, covariances = _means_covariances(
        stats, params, covariance_type, reg_covar, dtype
    )
    weights = nk_eps / nk_eps.sum()
    healthy = [k for k in range(len(weights)) if k not in set(collapsed)]
    if not healthy:
        raise ValueError("Every component collapsed; nothing to re-seed from.")
    full = kernel.to_full(covariances, *means.shape)
    for k in collapsed:
        donor = max(healthy, key=lambda j: weights[j])
        values, vectors = np.linalg.eigh(full[donor])
        step = np.sqrt(max(values[-1], 0.0)) * vectors[:, -1]
        means[k] = means[donor] + step
        means[donor] = means[donor] - step
        covariances[k] = covariances[donor]
        weights[k] = weights[donor] = weights[donor] / 2
    return MixtureParams(
        weights / weights.sum(),
        means,
        covariances,
        kernel.precision_cholesky(covariances, reg_covar),
    )


def m_step(stats, params, covariance_type, reg_covar, dtype):
    """New parameters from the statistics an E-step under ``params`` returned.

    ``dtype`` is the data's: ten times its machine epsilon is added to every
    component's mass so that an empty component stays finite, and a
    precision too large for it is an ill-defined covariance (see
    :func:`check_factor_range`).
    """
    nk_eps, means, covariances = _means_covariances(
        stats, params, covariance_type, reg_covar, dtype
    )
    prec_chol = resolve(covariance_type).precision_cholesky(covariances, reg_covar)
    check_factor_range(prec_chol, covariance_type, dtype, reg_covar)
    return MixtureParams(
        weights=nk_eps / nk_eps.sum(),
        means=means,
        covariances=covariances,
        precisions_cholesky=prec_chol,
    )


def _means_covariances(stats, params, covariance_type, reg_covar, dtype):
    """``n_k + 10 eps``, means and covariances of the M-step (see m_step)."""
    kernel = resolve(covariance_type)
    shift = reference_point(params)
    nk_eps = stats.nk + 10.0 * np.finfo(dtype).eps
    means, covariances = _kernel_m_step(
        kernel, stats, nk_eps, params.means - shift, reg_covar, params
    )
    return nk_eps, means + shift, covariances


def _kernel_m_step(kernel, stats, nk_eps, means, reg_covar, params):
    """The kernel's M-step, started from ``params``' covariances; ``means``
    and the statistics are shifted by ``reference_point(params)``."""
    nk, sx, sxx, shift = stats.nk, stats.sx, stats.sxx, reference_point(params)
    return kernel.m_step(nk, nk_eps, sx, sxx, means, reg_covar, None, params[2], shift)


def recentred_m_step(X, stats, params, covariance_type, reg_covar, dtype, weights=None):
    """The M-step of :func:`m_step` again where its covariances are
    ill-defined: from second moments about the new means, and where a
    covariance is still singular, with scikit-learn's term for the mass
    added to ``n_k``.

    :func:`m_step` forms each covariance from moments about the previous
    means (full) or the mixture mean (the other types); when a mean moves by
    far more than its spread in one step, when the tied covariance is tiny
    next to the spread of the means, or when a component shrinks onto a
    single sample, that subtraction cancels and the covariance can come out
    indefinite or zero. With ``X`` (complete data in memory; None skips
    this), a second pass takes the moments about the new means, which do not
    cancel. A component on a single sample then still has a variance of
    zero to rounding, while scikit-learn's formulas about the origin give it
    ``extra * m**2 / (n_k + 10 eps)`` (``extra`` the mass added to ``n_k``,
    see ``mass_term`` in the kernels), with which it fits on; for components
    of less than two samples' weight that term is added last, so that the
    fit goes on where scikit-learn's does. Raises
    the ill-defined covariance error when the covariances are ill-defined
    even so. ``weights`` are the sample weights.
    """
    kernel = resolve(covariance_type)
    if X is None:
        nk_eps, means, covariances = _means_covariances(
            stats, params, covariance_type, reg_covar, dtype
        )
    else:
        nk_eps, means, covariances = _recentred_means_covariances(
            X, stats, params, covariance_type, reg_covar, dtype, weights
        )
    try:
        prec_chol = kernel.precision_cholesky(covariances, reg_covar)
    except IllDefinedCovarianceError:
        # Only components of less than two samples' weight: a component
        # collapsed onto several copies or a constant feature stays an error.
        single = stats.nk < 2.0
        if not np.any(single):
            raise
        extra = np.where(single, nk_eps - stats.nk, 0.0)
        covariances = covariances + kernel.mass_term(extra, nk_eps, means)
        prec_chol = kernel.precision_cholesky(covariances, reg_covar)
    check_factor_range(prec_chol, covariance_type, dtype, reg_covar)
    return MixtureParams(nk_eps / nk_eps.sum(), means, covariances, prec_chol)


def _recentred_means_covariances(
    X, stats, params, covariance_type, reg_covar, dtype, weights
):
    """``n_k + 10 eps``, means, covariances of :func:`recentred_m_step`."""
    kernel = resolve(covariance_type)
    shift = reference_point(params)
    nk_eps = stats.nk + 10.0 * np.finfo(dtype).eps
    means, _ = _kernel_m_step(
        kernel, stats, nk_eps, params.means - shift, reg_covar, params
    )
    centred = e_step(X, params, covariance_type, weights, about=means + shift)
    # The first moments about the new means are zero up to rounding.
    means = means + centred.sx / nk_eps[:, None]
    if not kernel.per_component:
        _, per_component = FULL.m_step(
            centred.nk, nk_eps, centred.sx, centred.sxx, means, 0.0
        )
        covariances = pooled_covariance(nk_eps, per_component, reg_covar)
    else:
        _, covariances = _kernel_m_step(
            kernel, centred, nk_eps, means, reg_covar, params
        )
    return nk_eps, means + shift, covariances


def pooled_covariance(nk_eps, per_component, reg_covar):
    """The tied covariance from per-component covariances (without
    ``reg_covar``), each weighted by its component's mass."""
    pooled = np.tensordot(nk_eps, per_component, axes=1) / nk_eps.sum()
    pooled.flat[:: pooled.shape[0] + 1] += reg_covar
    return pooled


def check_factor_range(prec_chol, covariance_type, dtype, reg_covar):
    """Raise the ill-defined covariance error for the components whose
    precision factor cannot be squared in ``dtype``.

    A variance below about ``1 / finfo(dtype).max`` (1e-38 in float32) is
    positive, but the kernels, which run in the data's dtype, would
    overflow on it.
    """
    limit = np.sqrt(np.finfo(dtype).max)
    size = np.abs(prec_chol)
    if not resolve(covariance_type).per_component:
        if size.max() >= limit:
            raise ill_defined_covariance_error(None, reg_covar)
        return
    bad = size.reshape(size.shape[0], -1).max(axis=1) >= limit
    if np.any(bad):
        raise ill_defined_covariance_error(np.flatnonzero(bad).tolist(), reg_covar)
