"""Exact EM for data with missing values (NaN), by missingness pattern.

A row with observed coordinates ``o`` and missing coordinates ``m`` is
scored by its marginal density over ``o``, and contributes to the M-step the
expected complete-data statistics given ``x_o`` (Ghahramani and Jordan,
1994). Under component ``k`` with mean ``mu`` and covariance ``S``:

* ``E[x_m | x_o] = mu_m + B (x_o - mu_o)`` with ``B = S_mo S_oo^-1``;
* ``Cov[x_m | x_o] = C = S_mm - B S_om``, the same for every row of a
  pattern.

The first moment statistic uses the filled-in row ``x_hat``; the second adds
``C`` to ``x_hat x_hat^T`` on the missing block. All four covariance types
use the same formulas on their full matrices (for ``'diag'`` and
``'spherical'``, ``B = 0``: a missing value is filled with the mean).

Rows are grouped by pattern, so the factorizations are done once per
pattern and component per E-step, and rows without NaN never come here.
All computation in this module is in float64.
"""

from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
from scipy import linalg

from ._covariance import LOG_2PI, resolve


class Missingness(NamedTuple):
    """Where the NaNs of X are.

    Attributes
    ----------
    complete : ndarray of int
        Indices of the rows without NaN.
    patterns : list of (ndarray of bool, ndarray of int)
        For each distinct pattern among the other rows, the mask of the
        observed features (n_features,) and the indices of its rows.
    """

    complete: np.ndarray
    patterns: list


def _check_magnitude(chunk, dtype):
    """Refuse values whose squares the kernels cannot form in ``dtype``."""
    limit = np.sqrt(np.finfo(dtype).max) / 64
    if chunk.size == 0:
        return
    top = max(np.fmax.reduce(chunk, axis=None), -np.fmin.reduce(chunk, axis=None))
    if not top > limit:  # also when the chunk is all NaN
        return
    message = (
        f"X has values up to {top:.3g} in magnitude; fitting and scoring a "
        f"Gaussian mixture squares them, which overflows {np.dtype(dtype)} "
        f"beyond about {limit:.1g}. "
    )
    if dtype == np.float32 and top <= np.sqrt(np.finfo(np.float64).max) / 64:
        message += "Convert X to float64 (X.astype(np.float64)) or rescale it, "
    else:
        message += "Rescale X, "
    raise ValueError(message + "for example with sklearn.preprocessing.StandardScaler.")


def find_missing(X, chunk_rows=65536):
    """:class:`Missingness` of X, or None when X has no NaN.

    The same pass refuses values too large for the kernels (ValueError).
    """
    incomplete = []
    for start in range(0, X.shape[0], chunk_rows):
        chunk = X[start : start + chunk_rows]
        _check_magnitude(chunk, X.dtype)
        # A sum is NaN only if a value is (X holds no inf): the fast test
        # for the common case of no missing value.
        with np.errstate(over="ignore", invalid="ignore"):
            if not np.isnan(chunk.sum()):
                continue
        rows = np.isnan(chunk).any(axis=1)
        incomplete.append(np.flatnonzero(rows) + start)
    incomplete = np.concatenate(incomplete) if incomplete else np.empty(0, int)
    if incomplete.size == 0:
        return None
    observed = ~np.isnan(X[incomplete])
    masks, inverse = np.unique(observed, axis=0, return_inverse=True)
    inverse = inverse.reshape(-1)
    order = np.argsort(inverse, kind="stable")
    bounds = np.searchsorted(inverse[order], np.arange(len(masks) + 1))
    patterns = [
        (masks[p], incomplete[order[bounds[p] : bounds[p + 1]]])
        for p in range(len(masks))
    ]
    complete = np.setdiff1d(np.arange(X.shape[0]), incomplete, assume_unique=True)
    return Missingness(complete, patterns)


def _pattern_factors(observed, means, full_covariances):
    """Per component: (mean, log-normalizer, inv(L) with S_oo = L L^T, B, C)
    for one pattern."""
    o = np.flatnonzero(observed)
    m = np.flatnonzero(~observed)
    factors = []
    for mean, cov in zip(means, full_covariances, strict=True):
        if o.size == 0:
            factors.append((mean, 0.0, None, None, cov))
            continue
        lower = linalg.cholesky(cov[np.ix_(o, o)], lower=True, check_finite=False)
        log_norm = -np.log(np.diagonal(lower)).sum() - 0.5 * o.size * LOG_2PI
        if m.size:
            cross = cov[np.ix_(o, m)]
            gain = linalg.cho_solve((lower, True), cross, check_finite=False).T
            cond_cov = cov[np.ix_(m, m)] - gain @ cross
        else:
            gain = cond_cov = None
        # Whitening by a product with the inverse factor: many small
        # triangular solves cost more in call overhead than the arithmetic.
        whiten = linalg.solve_triangular(
            lower, np.eye(o.size), lower=True, check_finite=False
        )
        factors.append((mean, log_norm, whiten, gain, cond_cov))
    return o, m, factors


def _log_prob(rows_o, o, factors):
    """Log densities (K, n) of the observed parts of rows of one pattern."""
    out = np.empty((len(factors), rows_o.shape[0]))
    for k, (mean, log_norm, whiten, _, _) in enumerate(factors):
        if whiten is None:
            out[k] = 0.0
            continue
        z = whiten @ (rows_o - mean[o]).T
        out[k] = log_norm - 0.5 * np.einsum("in,in->n", z, z)
    return out


def _filled(rows, o, m, mean, gain):
    """Rows (n, D) with missing values replaced by their conditional mean."""
    filled = rows.copy()
    if m.size:
        fill = mean[m] + (rows[:, o] - mean[o]) @ gain.T if o.size else mean[m]
        filled[:, m] = fill
    return filled


def _log_norm_resp(wlp):
    top = wlp.max(axis=0)
    with np.errstate(under="ignore"):
        resp = np.exp(wlp - top)
    total = resp.sum(axis=0)
    resp /= total
    return np.log(total) + top, resp


def _chunks(index, rows):
    return [index[i : i + rows] for i in range(0, len(index), rows)]


@dataclass(frozen=True)
class PatternChunk:
    """A chunk of rows of one missingness pattern (see :func:`pattern_chunks`).

    Attributes
    ----------
    rows : ndarray of int
        The indices of the rows in X.
    values : ndarray of shape (n, D)
        The rows, less the shift (NaN where missing).
    log_prob : ndarray of shape (K, n)
        Each component's Gaussian log density of each row's observed part.
    log_norms : ndarray of shape (K,)
        Each component's log density of its own mean on the observed
        coordinates: ``log_prob`` is ``log_norms - delta**2 / 2``, with
        ``delta`` the Mahalanobis distance of the observed part.
    n_observed : int
        The number of observed coordinates.
    """

    rows: np.ndarray
    values: np.ndarray
    log_prob: np.ndarray
    log_norms: np.ndarray
    n_observed: int
    _observed: np.ndarray = field(repr=False)
    _missing: np.ndarray = field(repr=False)
    _factors: list = field(repr=False)

    def expected(self, k):
        """``(filled, cond)`` under component ``k``: the rows (n, D) with
        their missing values replaced by their conditional means, and the
        conditional covariance (D, D) of the missing values (zero on the
        observed coordinates)."""
        o, m, (mean, _, _, gain, cond_cov) = (
            self._observed,
            self._missing,
            self._factors[k],
        )
        n_features = self.values.shape[1]
        cond = np.zeros((n_features, n_features))
        if m.size:
            cond[np.ix_(m, m)] = cond_cov
        return _filled(self.values, o, m, mean, gain), cond


def pattern_chunks(X, missing, means, full_covariances, shift=0.0, chunk_rows=4096):
    """Yield the rows with NaN, a chunk of one pattern at a time, as
    :class:`PatternChunk`; ``means`` (K, D) are relative to ``shift``, which
    is subtracted from the rows of X."""
    for observed, index in missing.patterns:
        o, m, factors = _pattern_factors(observed, means, full_covariances)
        log_norms = np.array([factor[1] for factor in factors])
        for rows in _chunks(index, chunk_rows):
            chunk = X[rows] - shift
            log_prob = _log_prob(chunk[:, o], o, factors)
            yield PatternChunk(rows, chunk, log_prob, log_norms, o.size, o, m, factors)


def pattern_stats(
    X,
    missing,
    means,
    full_covariances,
    log_weights,
    covariance_type,
    shape_sxx,
    sample_weight=None,
    shift=0.0,
    chunk_rows=4096,
):
    """Expected sufficient statistics of the incomplete rows.

    ``means`` (K, D) are relative to ``shift``, which is subtracted from the
    rows of X; returns ``(nk, sx, sxx, log_likelihood, weight_sum)`` in float64
    with the conventions of the covariance model ``covariance_type``
    (:mod:`skgmm_em._covariance`).
    """
    n_components, n_features = means.shape
    nk = np.zeros(n_components)
    sx = np.zeros((n_components, n_features))
    sxx = np.zeros(shape_sxx)
    log_likelihood = weight_sum = 0.0
    add = resolve(covariance_type).add_expected
    for part in pattern_chunks(X, missing, means, full_covariances, shift, chunk_rows):
        rows = part.rows
        log_norm, resp = _log_norm_resp(part.log_prob + log_weights[:, None])
        if sample_weight is None:
            log_likelihood += log_norm.sum()
            weight_sum += len(rows)
        else:
            w = sample_weight[rows]
            resp *= w
            log_likelihood += w @ log_norm
            weight_sum += w.sum()
        nk += resp.sum(axis=1)
        for k in range(n_components):
            filled, cond_full = part.expected(k)
            add(k, filled, resp[k], means, cond_full, sx, sxx)
    return nk, sx, sxx, log_likelihood, weight_sum


def pattern_outputs(X, missing, means, full_covariances, log_weights, shift, expect):
    """Yield ``(rows, log_norm, resp, expectation)`` for the rows with NaN.

    Per chunk of rows of one pattern: ``log_norm`` (n,) the log-likelihood of
    the observed part, ``resp`` (K, n) the responsibilities and, when
    ``expect``, ``expectation`` (n, D) the row's conditional expectation
    under the mixture (relative to ``shift``, like ``means``), else None.
    """
    for part in pattern_chunks(X, missing, means, full_covariances, shift):
        log_norm, resp = _log_norm_resp(part.log_prob + log_weights[:, None])
        expectation = None
        if expect:
            expectation = np.zeros(part.values.shape)
            for k in range(len(resp)):
                expectation += resp[k][:, None] * part.expected(k)[0]
        yield part.rows, log_norm, resp, expectation


def initialization_data(X, sample_weight, missing, n_components):
    """Rows for the initializer: the complete rows if there are enough,
    else every row with missing values replaced by the feature's mean.

    Rows with zero weight take no part in either.
    """
    if missing is None:
        return X, sample_weight
    complete = missing.complete
    if sample_weight is not None:
        complete = complete[sample_weight[complete] > 0]
    if len(complete) >= max(2, 3 * n_components):
        weights = None if sample_weight is None else sample_weight[complete]
        return X[complete], weights
    w = np.ones(X.shape[0]) if sample_weight is None else sample_weight
    observed = ~np.isnan(X)
    mass = w @ observed
    if np.any(mass == 0):
        raise ValueError(
            "Feature(s) "
            + ", ".join(str(j) for j in np.flatnonzero(mass == 0))
            + " have no observed value (with positive weight): remove them "
            "before fitting."
        )
    means = (w @ np.where(observed, X, 0.0)) / mass
    return np.where(observed, X, means.astype(X.dtype)), sample_weight
