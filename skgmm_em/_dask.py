"""The dask backend: EM over the blocks of a ``dask.array``.

The EM core (:mod:`skgmm_em._em`) reduces any set of rows to
:class:`~skgmm_em._em.SufficientStats`, and statistics of a split of the rows
add up. So one EM iteration on a dask array is one pass over its blocks:
every block is reduced by :func:`skgmm_em._em.e_step` where it lives (on a
worker), the per-block statistics are summed in a tree, and only the summed
statistics (``O(K * D**2)`` numbers) come back to the client, which runs the
small M-step. The data are never gathered to the client.

Inference (``predict``, ``predict_proba``, ``score_samples``) maps the core's
functions over the blocks and returns lazy dask arrays.

dask is an optional dependency (the ``dask`` extra). Importing this module
does not import it: every function that needs dask imports it when called
and raises an :class:`ImportError` naming the extra when it is missing.
:func:`is_dask_array` never imports dask: an array cannot be a dask array
unless dask is already imported.

Missing values are not supported on dask input: a block with NaN or
infinity raises a ``ValueError``.
"""

import sys
from functools import partial
from numbers import Integral

import numpy as np

from . import _em, _moments, _threads
from ._validation import check_weight_shape, weight_array

#: Number of partial sums combined by one task of the tree reduction.
SPLIT_EVERY = 8


def _import_dask():
    """``(dask, dask.array)``, or an ImportError that names the extra."""
    try:
        import dask
        import dask.array as da
    except ImportError as exc:
        raise ImportError(
            "Fitting or predicting on a dask array requires dask, which is not "
            'installed. Install the dask extra: pip install "skgmm_em[dask]" '
            "(dask[array] and distributed)."
        ) from exc
    return dask, da


def is_dask_array(X):
    """Whether X is a ``dask.array.Array`` (without importing dask)."""
    da = sys.modules.get("dask.array")
    return da is not None and isinstance(X, da.Array)


def _check_known_chunks(array, name):
    if any(np.isnan(size) for size in array.shape) or any(
        np.isnan(size) for sizes in array.chunks for size in sizes
    ):
        raise ValueError(
            f"The dask array {name} has unknown chunk sizes (shape "
            f"{array.shape}). Call {name}.compute_chunk_sizes() first, or, from "
            "a dask DataFrame, use to_dask_array(lengths=True)."
        )


def validate_dask(X, n_features_expected=None, *, ensure_min_samples=1):
    """Check a dask array as the estimator's input; returns it, lazily fixed.

    Parameters
    ----------
    X : dask.array.Array of shape (n_samples, n_features)
    n_features_expected : int, default=None
        The number of features of the fitted model, checked when given.
    ensure_min_samples : int, default=1

    Returns
    -------
    X : dask.array.Array of shape (n_samples, n_features)
        float32 or float64 (other real dtypes are cast to float64 lazily),
        chunked along rows only: the columns are rechunked into one chunk,
        so that every block holds whole rows.
    """
    _import_dask()
    if X.ndim != 2:
        raise ValueError(
            f"Expected a 2-D dask array of shape (n_samples, n_features), got "
            f"a {X.ndim}-D array of shape {X.shape}. Reshape it, for example "
            "with X.reshape(-1, 1) for a single feature."
        )
    _check_known_chunks(X, "X")
    if X.dtype.kind not in "biuf":
        raise ValueError(
            f"dask array X has dtype {X.dtype}; a real numeric dtype is "
            "required (float32 or float64, or integers, which are cast to "
            "float64)."
        )
    if X.dtype not in (np.float32, np.float64):
        X = X.astype(np.float64)
    n_samples, n_features = X.shape
    if n_samples < ensure_min_samples:
        raise ValueError(
            f"Found array with {n_samples} sample(s) (shape={X.shape}) while a "
            f"minimum of {ensure_min_samples} is required."
        )
    if n_features < 1:
        raise ValueError(
            f"Found array with 0 feature(s) (shape={X.shape}) while a minimum "
            "of 1 is required."
        )
    if n_features_expected is not None and n_features != n_features_expected:
        raise ValueError(
            f"X has {n_features} features, but GaussianMixture is expecting "
            f"{n_features_expected} features as input."
        )
    if X.numblocks[1] > 1:
        X = X.rechunk({1: -1})
    return X


def check_sample_weight(sample_weight, X, n_components=None):
    """Validated float64 dask weights with the row chunks of X, rescaled to a
    mean of one over the positive ones, or None (no weights, or all equal).

    ``sample_weight`` may be a dask array (rechunked to the rows of X when
    its chunks differ), a NumPy array or a scalar. One pass over the
    weights checks that they are finite and non-negative and that some are
    positive; for fitting ``n_components``, that at least
    ``max(2, n_components)`` are (the estimator's rules).
    """
    if sample_weight is None:
        return None
    dask, da = _import_dask()
    n_samples = X.shape[0]
    if is_dask_array(sample_weight):
        weights = sample_weight
        if weights.dtype.kind not in "biuf":
            raise ValueError("sample_weight must be an array of numbers.")
    else:
        weights = weight_array(sample_weight, n_samples)
        if weights.shape == (n_samples,):
            weights = da.from_array(weights, chunks=(X.chunks[0],))
    check_weight_shape(weights, n_samples)
    _check_known_chunks(weights, "sample_weight")
    weights = weights.astype(np.float64)
    if weights.chunks[0] != X.chunks[0]:
        weights = weights.rechunk((X.chunks[0],))
    finite, lowest, highest, n_positive = dask.compute(
        da.isfinite(weights).all(),
        weights.min(),
        weights.max(),
        da.count_nonzero(weights > 0),
    )
    if not finite:
        raise ValueError("sample_weight contains NaN or infinity.")
    if lowest < 0:
        raise ValueError("sample_weight must be non-negative.")
    if n_positive == 0:
        raise ValueError("sample_weight is zero for every sample.")
    if n_components is not None and n_positive < max(2, n_components):
        raise ValueError(
            f"Only {n_positive} sample(s) have a positive sample_weight; "
            f"fitting n_components={n_components} needs at least "
            f"{max(2, n_components)}."
        )
    if lowest == highest:
        # Equal weights are no weights (as for NumPy input).
        return None
    # Rescaled to a mean of one over the positive weights, whatever their
    # scale (as the estimator does for NumPy input).
    scaled = weights / highest
    total = float(dask.compute(scaled.sum())[0])
    return scaled * (n_positive / total)


def _all_finite(block):
    """Whether a block holds no NaN or infinity (cheap when it holds none)."""
    with np.errstate(over="ignore", invalid="ignore"):
        if np.isfinite(block.sum()):
            return True
    return bool(np.isfinite(block).all())


def _non_finite_error():
    return ValueError(
        "Input X contains NaN or infinity. Missing values are not supported "
        "for dask input: drop or impute them (for example with "
        "dask.array.nan_to_num or a dask-ml imputer) before fitting, or fit "
        "a NumPy array."
    )


def _block_stats(block, sample_weight, params, covariance_type):
    """Sufficient statistics of one block of rows."""
    if not _all_finite(block):
        raise _non_finite_error()
    with _threads.one_block_at_a_time():
        return _em.e_step(block, params, covariance_type, sample_weight)


def _block_moments(block, sample_weight, part, *args):
    """``part(block, sample_weight, *args)`` of :mod:`skgmm_em._moments` for
    one block of rows."""
    if not _all_finite(block):
        raise _non_finite_error()
    with _threads.one_block_at_a_time():
        return part(block, sample_weight, *args)


def data_moments(X, sample_weight=None):
    """The weighted column means (D,) and covariance (D, D) of the rows of
    X, as :func:`skgmm_em._moments.data_moments` gives them for NumPy
    arrays: two passes over the blocks."""
    mean = _moments.column_means(
        _tree_sum(_block_moments, X, sample_weight, _moments.column_sums)
    )
    pairs = _tree_sum(_block_moments, X, sample_weight, _moments.pair_sums, mean)
    return mean, _moments.covariance(pairs, mean)


def _sum_stats(*parts):
    """Sum of some blocks' statistics (one node of the tree reduction)."""
    total = parts[0]
    for part in parts[1:]:
        total = total + part
    return total


def e_step(X, params, covariance_type, sample_weight=None, missing=None):
    """One pass over the blocks of X: sufficient statistics under ``params``.

    Every block is reduced by :func:`skgmm_em._em.e_step` on the worker that
    holds it, the per-block statistics are summed in a tree of
    ``SPLIT_EVERY``-ary sums, and the total is computed with the current
    scheduler (the default ``distributed.Client`` when one exists). The
    parameters enter the task graph once and are shipped to each worker
    once per call, not once per block.

    Parameters
    ----------
    X : dask.array.Array of shape (n_samples, n_features)
        float32 or float64, as returned by :func:`validate_dask`.
    params : MixtureParams
    covariance_type : {'full', 'tied', 'diag', 'spherical'}
    sample_weight : dask.array.Array of shape (n_samples,), default=None
        Chunked as the rows of X (see :func:`check_sample_weight`).
    missing : None
        Must be None (dask input has no missing values); present so that
        this function takes the arguments of :func:`skgmm_em._em.e_step`.

    Returns
    -------
    stats : SufficientStats
        Equal to the statistics :func:`skgmm_em._em.e_step` gives on the
        whole of X, up to the rounding of a different order of summation.
    """
    dask, _ = _import_dask()
    _no_missing(missing)
    params = dask.delayed(params, traverse=False)
    return _tree_sum(_block_stats, X, sample_weight, params, covariance_type)


def _tree_sum(func, X, sample_weight, *args):
    """``func(block, weight, *args)`` summed over the row blocks of X (with
    their weights, or None) in a tree of ``SPLIT_EVERY``-ary sums, computed
    with the current scheduler; ``args`` enter the graph once."""
    dask, _ = _import_dask()
    if X.numblocks[1] > 1:
        X = X.rechunk({1: -1})
    blocks = X.to_delayed().ravel()
    if sample_weight is None:
        weights = [None] * len(blocks)
    else:
        if sample_weight.chunks[0] != X.chunks[0]:
            sample_weight = sample_weight.rechunk((X.chunks[0],))
        weights = sample_weight.to_delayed().ravel()
    on_block = dask.delayed(func, pure=True)
    parts = [
        on_block(block, weight, *args)
        for block, weight, n_rows in zip(blocks, weights, X.chunks[0], strict=True)
        if n_rows > 0
    ]
    if not parts:
        raise ValueError("X has no rows: the E-step needs at least one.")
    sum_stats = dask.delayed(_sum_stats, pure=True)
    while len(parts) > 1:
        parts = [
            sum_stats(*parts[start : start + SPLIT_EVERY])
            for start in range(0, len(parts), SPLIT_EVERY)
        ]
    (total,) = dask.compute(parts[0])
    return total


def _no_missing(missing):
    if missing is not None:
        raise ValueError("Missing values are not supported for dask input.")


def _on_block(core_function, block, params, covariance_type):
    """``core_function(block, params, covariance_type)`` for one dask block:
    refused when the block holds NaN or inf, one block at a time per
    process. Empty blocks give empty results of the right shape."""
    if not _all_finite(block):
        raise _non_finite_error()
    with _threads.one_block_at_a_time():
        return core_function(block, params, covariance_type)


# Partials of module-level functions: they pickle by reference for workers.
_block_predict = partial(_on_block, _em.predict)
_block_score_samples = partial(_on_block, _em.score_samples)
_block_predict_proba = partial(_on_block, _em.predict_proba)


def predict(X, params, covariance_type, missing=None):
    """Most probable component of each row; lazy (n_samples,) int64."""
    dask, _ = _import_dask()
    _no_missing(missing)
    return X.map_blocks(
        _block_predict,
        dask.delayed(params, traverse=False),
        covariance_type,
        drop_axis=1,
        dtype=np.int64,
        meta=np.empty(0, dtype=np.int64),
    )


def score_samples(X, params, covariance_type, missing=None):
    """``log p(x)`` of each row; lazy (n_samples,) in X's dtype."""
    dask, _ = _import_dask()
    _no_missing(missing)
    return X.map_blocks(
        _block_score_samples,
        dask.delayed(params, traverse=False),
        covariance_type,
        drop_axis=1,
        dtype=X.dtype,
        meta=np.empty(0, dtype=X.dtype),
    )


def predict_proba(X, params, covariance_type, missing=None):
    """Responsibilities of each row; lazy (n_samples, n_components)."""
    dask, _ = _import_dask()
    _no_missing(missing)
    n_components = params.weights.shape[0]
    return X.map_blocks(
        _block_predict_proba,
        dask.delayed(params, traverse=False),
        covariance_type,
        chunks=(X.chunks[0], (n_components,)),
        dtype=X.dtype,
        meta=np.empty((0, 0), dtype=X.dtype),
    )


def score(X, params, covariance_type, sample_weight=None):
    """(Weighted) mean of ``score_samples``, computed: a float.

    ``sample_weight`` is validated by :func:`check_sample_weight`.
    """
    dask, _ = _import_dask()
    log_prob = score_samples(X, params, covariance_type).astype(np.float64)
    weights = check_sample_weight(sample_weight, X)
    if weights is None:
        total, weight_sum = dask.compute(log_prob.sum())[0], X.shape[0]
    else:
        total, weight_sum = dask.compute((log_prob * weights).sum(), weights.sum())
    return float(total / weight_sum)


def init_sample(X, sample_weight, n_samples, random_state):
    """A uniform random sample of rows of X, in memory, for the initializers.

    Parameters
    ----------
    X : dask.array.Array or ndarray of shape (n_rows, n_features)
        A dask array (the sample is computed by the current scheduler) or a
        NumPy array such as a :class:`numpy.memmap` (only the sampled rows
        are read).
    sample_weight : array of shape (n_rows,) or None
        Same kind as X; the sampled rows keep their weights.
    n_samples : int
        Size of the sample; all rows when X has no more.
    random_state : numpy.random.RandomState
        Draws the rows (one draw, only when sampling is needed).

    Returns
    -------
    X_sample : ndarray of shape (min(n_samples, n_rows), n_features)
        The sampled rows in their order in X.
    weight_sample : ndarray of shape (min(n_samples, n_rows),) or None
    """
    if not isinstance(n_samples, Integral) or n_samples < 1:
        raise ValueError(f"n_samples must be a positive integer, got {n_samples!r}.")
    n_rows = X.shape[0]
    rows = slice(None)
    if n_samples < n_rows:
        # Generator.choice draws without replacement in O(n_samples) memory
        # when n_samples is small against n_rows (no permutation of n_rows).
        rng = np.random.default_rng(random_state.randint(np.iinfo(np.int32).max))
        rows = np.sort(rng.choice(n_rows, size=n_samples, replace=False))
    parts = [X[rows], None if sample_weight is None else sample_weight[rows]]
    if is_dask_array(X):
        dask, _ = _import_dask()
        parts = list(dask.compute(*parts))
        if not _all_finite(parts[0]):
            raise _non_finite_error()
    return tuple(None if part is None else np.asarray(part) for part in parts)
