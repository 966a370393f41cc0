"""Numerical kernels of EM for Gaussian mixtures, one set per covariance type.

Every function here is a plain function of arrays: no estimator state, no
validation of user input. Gaussians are parametrized by the Cholesky factor of
their precision: ``precisions_cholesky`` is upper triangular ``U`` with
``precision = U @ U.T``, so the whitened residual of a sample is
``(x - mean) @ U``.

Shapes, with ``K = n_components`` and ``D = n_features``:

============  ===================  ==================  ==================
type          covariances          precisions_chol     second moments
============  ===================  ==================  ==================
full          (K, D, D)            (K, D, D)           (K, D, D)
tied          (D, D)               (D, D)              (D, D)
diag          (K, D)               (K, D)              (K, D)
spherical     (K,)                 (K,)                (K,)
============  ===================  ==================  ==================

The kernels work on data that the caller has already shifted by a common
point close to the data (the EM driver uses the mixture mean), which keeps
the second moments exact for data far from the origin.

A chunk of samples is passed transposed, as ``Xt`` of shape (D, n), and
per-sample results come back as (K, n): every reduction over components or
features then runs along a long contiguous axis, which numpy does an order
of magnitude faster than along a short last axis.

Sufficient statistics of a chunk with responsibilities ``resp`` (K, n)
(already multiplied by any sample weights) are ``sx`` and ``sxx``:

* ``full``: ``sx[k] = sum_i resp[k, i] (x_i - m_k)`` and
  ``sxx[k] = sum_i resp[k, i] (x_i - m_k)(x_i - m_k)^T`` about the current
  means ``m_k``, so that no precision is lost to cancellation;
* ``tied``: ``sx[k] = sum_i resp[k, i] x_i`` and
  ``sxx = sum_i (sum_k resp[k, i]) x_i x_i^T``;
* ``diag``: ``sx`` as for tied and ``sxx[k] = sum_i resp[k, i] x_i ** 2``;
* ``spherical``: ``sx`` as for tied and ``sxx[k] = sum_i resp[k, i] |x_i|^2``.
"""

import math
import threading
from collections.abc import Callable
from contextlib import contextmanager
from typing import NamedTuple

import numpy as np
from scipy import linalg
from scipy.linalg import blas, lapack

LOG_2PI = math.log(2.0 * math.pi)

COVARIANCE_TYPES = ("full", "tied", "diag", "spherical")


class IllDefinedCovarianceError(ValueError):
    """A covariance is not positive definite even after ``reg_covar``.

    ``components`` lists the offending components, or is None for the tied
    covariance.
    """

    def __init__(self, message, components):
        super().__init__(message)
        self.components = components


def ill_defined_covariance_error(components, reg_covar):
    """Build the error raised when covariances are not positive definite."""
    which = (
        "The tied covariance"
        if components is None
        else "Component(s) " + ", ".join(str(k) for k in components)
    )
    return IllDefinedCovarianceError(
        # scikit-learn's words first, so that code matching them still does.
        "Fitting the mixture model failed because some components have "
        "ill-defined empirical covariance (for instance caused by singleton "
        "or collapsed samples). Try to decrease the number of components, "
        "increase reg_covar, or scale the input data. "
        f"{which} of the mixture has an ill-defined covariance: it is not "
        f"positive definite even after adding reg_covar={reg_covar!r} to its "
        "diagonal. This happens when a component collapses onto one sample, "
        "onto duplicated samples, or onto a constant feature. Try fewer "
        "components (n_components), a larger reg_covar (for example 1e-4), "
        "standardized features (for example with StandardScaler), or "
        "on_collapse='reseed' to re-seed collapsed components and go on.",
        None if components is None else list(components),
    )


# --------------------------------------------------------------------------
# scratch buffers

_SCRATCH = threading.local()


@contextmanager
def reusing_buffers():
    """Within this block, :func:`scratch` hands the calling thread the same
    buffers again and again instead of fresh ones.

    The EM driver wraps each thread's run of chunks in it: the chunks of a
    pass have one size (but the last), so every large temporary is
    allocated once per pass and thread. Fresh multi-megabyte arrays per
    chunk cost page faults whenever the allocator returns them to the system
    (as glibc does for every block above 128 kB when ``MALLOC_TRIM_THRESHOLD_``
    is set, which dask.distributed does for its workers).
    """
    previous = getattr(_SCRATCH, "buffers", None)
    _SCRATCH.buffers = {}
    try:
        yield
    finally:
        _SCRATCH.buffers = previous


def scratch(name, shape, dtype):
    """An uninitialized array of the given shape, reused between calls with
    the same ``name`` inside :func:`reusing_buffers` (same thread only).

    The caller must be done with the previous array of that name; arrays
    from here never leave the chunk computation.
    """
    buffers = getattr(_SCRATCH, "buffers", None)
    if buffers is None:
        return np.empty(shape, dtype=dtype)
    buffer = buffers.get(name)
    if buffer is None or buffer.shape != shape or buffer.dtype != dtype:
        buffer = buffers[name] = np.empty(shape, dtype=dtype)
    return buffer


def _scratch_like(name, Xt, n_rows=None):
    """:func:`scratch` of Xt's dtype and memory layout, with Xt's shape or
    ``n_rows`` rows."""
    shape = (Xt.shape[0] if n_rows is None else n_rows, Xt.shape[1])
    if Xt.flags.c_contiguous:
        return scratch(name, shape, Xt.dtype)
    return scratch(name, shape[::-1], Xt.dtype).T


def _row_sq_norms(A):
    """Squared Euclidean norm of each row; (n, d) -> (n,)."""
    return np.einsum("ij,ij->i", A, A)


def _log_density(maha, log_det, n_features):
    """Gaussian log densities from squared Mahalanobis distances (K, n) and
    the log-determinants of the precision factors (K,) or scalar; in place."""
    np.maximum(maha, 0.0, out=maha)
    maha *= -0.5
    maha += np.reshape(log_det - 0.5 * n_features * LOG_2PI, (-1, 1))
    return maha


# --------------------------------------------------------------------------
# full


def _log_prob_full(Xt, means, prec_chol):
    """Log densities (K, n) of the columns of Xt (D, n), and the whitened
    residuals y (K, D, n) that the E-step statistics reuse."""
    n_features, n = Xt.shape
    n_components = means.shape[0]
    shifts = np.einsum("kd,kde->ke", means, prec_chol)
    maha = scratch("log_prob", (n_components, n), Xt.dtype)
    log_det = np.log(np.diagonal(prec_chol, axis1=1, axis2=2)).sum(axis=1)
    if n <= n_features:
        # Fewer samples than features: one product per component with U_k
        # as it is costs less than copying the K factors into one operand.
        y = scratch("full.y_rows", (n_components, n, n_features), Xt.dtype)
        for k in range(n_components):
            np.matmul(Xt.T, prec_chol[k], out=y[k])
            y[k] -= shifts[k]
            np.einsum("nd,nd->n", y[k], y[k], out=maha[k])
        return _log_density(maha, log_det, n_features), y.transpose(0, 2, 1)
    # One product whitens every sample for every component at once:
    # y = U_k^T (x - m_k) = [U_k^T, -U_k^T m_k] @ [x; 1]. Row k * D + j of
    # ``stacked`` is column j of U_k followed by -(U_k^T m_k)_j; the column
    # of ones appended to the samples carries the shift into the product.
    stacked = np.empty((n_components, n_features, n_features + 1), dtype=Xt.dtype)
    stacked[:, :, :n_features] = prec_chol.transpose(0, 2, 1)
    stacked[:, :, n_features] = -shifts
    augmented = _scratch_like("full.augmented", Xt, n_features + 1)
    augmented[:n_features] = Xt
    augmented[n_features] = 1.0
    y = scratch("full.y", (n_components * n_features, n), Xt.dtype)
    np.matmul(stacked.reshape(-1, n_features + 1), augmented, out=y)
    y3 = y.reshape(n_components, n_features, n)
    np.einsum("kdn,kdn->kn", y3, y3, out=maha)
    return _log_density(maha, log_det, n_features), y3


def _accumulate_full(Xt, resp, means):
    """Moments about each current mean: sx (K, D), sxx (K, D, D)."""
    n_components, n_features = means.shape
    sx = np.empty((n_components, n_features), dtype=Xt.dtype)
    sxx = np.empty((n_components, n_features, n_features), dtype=Xt.dtype)
    root_resp = np.sqrt(resp, out=scratch("full.root_resp", resp.shape, resp.dtype))
    for k in range(n_components):
        diff = np.subtract(Xt, means[k][:, None], out=_scratch_like("full.diff", Xt))
        sx[k] = diff @ resp[k]
        # diff * sqrt(resp) times its own transpose: a symmetric rank-n
        # update (syrk), half the work of the general product.
        z = np.multiply(diff, root_resp[k], out=diff)
        sxx[k] = z @ z.T
    return sx, sxx


# From this many features on, the scatter of each component is one syrk.
_SYRK_MIN_FEATURES = 32


def _accumulate_whitened_full(Xt, resp, means, y):
    """The moments of _accumulate_full in whitened coordinates, from the
    E-step's residuals y (K, D, n): no second pass over the samples."""
    n_components, n_features, _ = y.shape
    # sxx[k] = z_k @ z_k.T with z_k = y_k * sqrt(resp_k).
    root_resp = np.sqrt(resp, out=scratch("full.root_resp", resp.shape, resp.dtype))
    if n_features < _SYRK_MIN_FEATURES:
        # Small matrices: one batched product costs less than K calls.
        z = np.multiply(
            y, root_resp[:, None, :], out=scratch("full.z", y.shape, y.dtype)
        )
        return (y @ resp[:, :, None])[:, :, 0], z @ z.transpose(0, 2, 1)
    sx = np.empty((n_components, n_features), dtype=y.dtype)
    sxx = np.empty((n_components, n_features, n_features), dtype=y.dtype)
    z = scratch("full.z", y.shape[1:], y.dtype)
    for k in range(n_components):
        # A matrix times its own transpose: numpy hands it to BLAS as a
        # symmetric rank-n update (syrk), half the work of a general product.
        sx[k] = y[k] @ resp[k]
        np.multiply(y[k], root_resp[k], out=z)
        sxx[k] = z @ z.T
    return sx, sxx


def _unwhiten_full(sx, sxx, prec_chol):
    """Whitened moments back to data coordinates: d = U^-T y for each k."""
    u_inv = _triangular_inverses(prec_chol)
    sx = np.einsum("ke,ked->kd", sx, u_inv)
    sxx = u_inv.transpose(0, 2, 1) @ sxx @ u_inv
    return sx, sxx


# Rows per squared feature from which a pass's full-covariance statistics
# are taken from the E-step's whitened residuals. Both forms cost one
# symmetric rank-n update per component; the whitened one saves the O(n K D)
# centring of the samples but maps the moments back to data coordinates at
# O(K D**3) per pass. Measured on 2 cores, the two break even at a few D**2
# rows, and the direct form is up to 5x faster per pass when n < D**2.
_WHITENED_ROWS_PER_SQUARED_FEATURE = 2.0


def _full_reuses_whitened(n_rows, n_features):
    return n_rows >= _WHITENED_ROWS_PER_SQUARED_FEATURE * n_features**2


def _m_step_full(nk, nk_eps, sx, sxx, means, reg_covar):
    delta = sx / nk_eps[:, None]
    scale = 2.0 * nk_eps - nk
    if sx.shape[1] >= _LAPACK_MIN_FEATURES:
        return means + delta, _wide_covariances(nk_eps, scale, delta, sxx, reg_covar)
    cov = sxx - scale[:, None, None] * delta[:, :, None] * delta[:, None, :]
    cov /= nk_eps[:, None, None]
    cov = 0.5 * (cov + cov.transpose(0, 2, 1))
    idx = np.arange(cov.shape[1])
    cov[:, idx, idx] += reg_covar
    return means + delta, cov


def _wide_covariances(nk_eps, scale, delta, sxx, reg_covar):
    """The covariances of _m_step_full in fewer passes over the (K, D, D)
    arrays, which at large D cost more than the arithmetic: the symmetrized
    moments scaled in one pass, then the means' part subtracted in place by
    a rank-one update (BLAS ger)."""
    cov = np.add(sxx, sxx.transpose(0, 2, 1))
    cov *= (0.5 / nk_eps)[:, None, None]
    ger = blas.get_blas_funcs("ger", (cov,))
    root = delta * np.sqrt(scale / nk_eps)[:, None]
    idx = np.arange(cov.shape[1])
    for k, row in enumerate(root):
        # cov[k].T is cov[k]'s memory in Fortran order; w w^T is symmetric.
        ger(-1.0, row, row, a=cov[k].T, overwrite_a=1)
        cov[k, idx, idx] += reg_covar
    return cov


# From this many features on, the full kernels factor, invert and multiply
# triangular matrices one at a time with LAPACK (potrf, trtri, lauum,
# potri): a third to a half of the work of numpy's general routines, which
# ignore the triangles. Below, one batched numpy call costs less than K
# calls from Python.
_LAPACK_MIN_FEATURES = 48


def _lapack(name, array):
    return lapack.get_lapack_funcs(name, (array,))


def _symmetric_from_lower(a):
    """The symmetric matrix whose lower triangle is that of ``a`` (D, D)."""
    lower = np.tril(a)
    symmetric = np.add(lower, lower.T, order="C")
    np.fill_diagonal(symmetric, np.diagonal(lower))
    return symmetric


def _triangular_inverses(upper):
    """Inverses (K, D, D) of upper-triangular matrices (K, D, D), exactly
    upper triangular."""
    if upper.shape[-1] < _LAPACK_MIN_FEATURES:
        return np.triu(np.linalg.inv(upper))
    trtri = _lapack("trtri", upper)
    inverses = np.empty(upper.shape, dtype=upper.dtype)
    for k, matrix in enumerate(upper):
        # The transpose of a C-ordered matrix is a Fortran-ordered one that
        # LAPACK reads without a copy.
        inverse, info = trtri(matrix.T, lower=1)
        if info != 0:
            raise np.linalg.LinAlgError("singular triangular matrix")
        inverses[k] = np.triu(inverse.T)
    return inverses


def _precision_factor(cov):
    """Upper-triangular U with inv(cov) = U @ U.T for one (D, D) matrix, in
    C order, or None when cov is not positive definite."""
    # Read in Fortran order, the memory of cov holds cov.T; LAPACK factors
    # its lower triangle (cov's upper one): cov = L @ L.T.
    factor, info = _lapack("potrf", cov)(cov.T, lower=1)
    if info != 0:
        return None
    # inv(cov) = inv(L).T @ inv(L), so U = inv(L).T: the inverse of the
    # lower-triangular L in Fortran order is U's memory in C order.
    inverse, info = _lapack("trtri", factor)(factor, lower=1, overwrite_c=1)
    return inverse.T if info == 0 else None


def _cholesky_upper_inverse(cov, reg_covar, component=None):
    """Upper-triangular U with inv(cov) = U @ U.T, for one (D, D) matrix."""
    factor = _precision_factor(cov)
    if factor is None:
        raise ill_defined_covariance_error(
            None if component is None else [component], reg_covar
        )
    return np.ascontiguousarray(factor)


def _prec_chol_full(cov, reg_covar):
    if not np.all(np.isfinite(cov)):
        bad = np.flatnonzero(~np.isfinite(cov).all(axis=(1, 2)))
        raise ill_defined_covariance_error(bad.tolist(), reg_covar)
    if cov.shape[-1] >= _LAPACK_MIN_FEATURES:
        prec_chol = np.empty(cov.shape, dtype=cov.dtype)
        bad = []
        for k, matrix in enumerate(cov):
            factor = _precision_factor(matrix)
            if factor is None:
                bad.append(k)
            else:
                prec_chol[k] = factor
        if bad:
            raise ill_defined_covariance_error(bad, reg_covar)
        return prec_chol
    try:
        # One batched call: K small LAPACK calls from Python cost more than
        # the arithmetic.
        lower = np.linalg.cholesky(cov)
    except np.linalg.LinAlgError:
        bad = []
        for k in range(cov.shape[0]):
            try:
                np.linalg.cholesky(cov[k])
            except np.linalg.LinAlgError:
                bad.append(k)
        raise ill_defined_covariance_error(bad, reg_covar) from None
    # U = inv(L).T is the inverse of the upper-triangular L.T.
    return _triangular_inverses(lower.transpose(0, 2, 1))


def _upper_factor(precision):
    """Upper-triangular U with precision = U @ U.T, for one (D, D) matrix."""
    # The Cholesky factor of the row- and column-reversed matrix, reversed
    # back, is the upper-triangular factor we need.
    flipped = linalg.cholesky(precision[::-1, ::-1], lower=True, check_finite=False)
    return np.ascontiguousarray(flipped[::-1, ::-1])


def _inverse_from_upper(prec_chol):
    """Covariance inv(U @ U.T) from one upper-triangular (D, D) factor."""
    # With J the exchange matrix, J U J is lower triangular and the Cholesky
    # factor of J (U U.T) J, whose inverse LAPACK's potri forms from it.
    flipped = np.asfortranarray(prec_chol[::-1, ::-1])
    inverse, info = _lapack("potri", flipped)(flipped, lower=1)
    if info != 0:
        raise np.linalg.LinAlgError("singular precision factor")
    return _symmetric_from_lower(inverse)[::-1, ::-1]


def _per_matrix(func, stack):
    """``func`` applied to each (D, D) matrix of a (K, D, D) stack."""
    out = np.empty(stack.shape, dtype=stack.dtype)
    for k, matrix in enumerate(stack):
        out[k] = func(matrix)
    return out


def _prec_chol_from_precisions_full(precisions):
    return _per_matrix(_upper_factor, precisions)


def _cov_from_prec_chol_full(prec_chol):
    return _per_matrix(_inverse_from_upper, prec_chol)


def _precisions_full(prec_chol):
    if prec_chol.shape[-1] < _LAPACK_MIN_FEATURES:
        return prec_chol @ prec_chol.transpose(0, 2, 1)
    # U.T in Fortran order is U's memory: lauum forms U @ U.T in its lower
    # triangle at a third of the work of a general product.
    lauum = _lapack("lauum", prec_chol)
    precisions = np.empty(prec_chol.shape, dtype=prec_chol.dtype)
    for k, u in enumerate(prec_chol):
        product, info = lauum(u.T, lower=1)
        precisions[k] = _symmetric_from_lower(product)
    return precisions


def _sample_full(rng, mean, covariances, prec_chol, k, n):
    # numpy's draw, as scikit-learn's sample makes it: the same random_state
    # gives the same samples. The covariance has a Cholesky factor, so
    # numpy's check (which flags positive definite matrices with tiny
    # off-diagonal entries next to a large diagonal) is not needed; skipping
    # it does not change the draw.
    return rng.multivariate_normal(mean, covariances[k], n, check_valid="ignore")


# --------------------------------------------------------------------------
# tied


# Largest rounding error (absolute) allowed in a squared distance computed
# as |y|^2 - 2 y.mu + |mu|^2; columns that may exceed it are recomputed as
# |y - mu|^2 (float32 data far from the mixture mean in whitened units).
_EXPANDED_SQUARE_TOL = 1e-3


def _log_prob_tied(Xt, means, prec_chol):
    n_features, n = Xt.shape
    y = np.matmul(prec_chol.T, Xt, out=scratch("tied.y", Xt.shape, Xt.dtype))
    mu = means @ prec_chol
    y_sq = np.einsum("dn,dn->n", y, y)
    mu_sq = _row_sq_norms(mu)
    # One product for all components: |y|^2 - 2 mu.y + |mu|^2.
    maha = np.matmul(
        -2.0 * mu, y, out=scratch("log_prob", (means.shape[0], n), Xt.dtype)
    )
    maha += y_sq
    maha += mu_sq[:, None]
    bound = 4.0 * np.finfo(Xt.dtype).eps * (y_sq + mu_sq.max())
    rough = np.flatnonzero(bound > _EXPANDED_SQUARE_TOL)
    if rough.size:
        diff = y[:, rough] - mu[:, :, None]
        maha[:, rough] = np.einsum("kdn,kdn->kn", diff, diff)
    log_det = np.log(np.diagonal(prec_chol)).sum()
    return _log_density(maha, log_det, n_features), None


def _accumulate_tied(Xt, resp, means, aux=None):
    # The M-step subtracts the means' part from this second moment about the
    # mixture mean; when the tied covariance is small next to the spread of
    # the means, that cancels every digit float32 holds, so the moment is
    # always accumulated in float64.
    Xt = Xt.astype(np.float64, copy=False)
    sx = resp @ Xt.T
    # z @ z.T with z = x * sqrt(sum_k resp): a symmetric rank-n update.
    z = np.multiply(
        Xt, np.sqrt(resp.sum(axis=0)), out=_scratch_like("tied.weighted", Xt)
    )
    return sx, z @ z.T


def _m_step_tied(nk, nk_eps, sx, sxx, means, reg_covar):
    delta = sx / nk_eps[:, None]
    scale = 2.0 * nk_eps - nk
    cov = sxx - (delta.T * scale) @ delta
    cov /= nk_eps.sum()
    cov = 0.5 * (cov + cov.T)
    cov.flat[:: cov.shape[0] + 1] += reg_covar
    return delta, cov


def _prec_chol_tied(cov, reg_covar):
    if not np.all(np.isfinite(cov)):
        raise ill_defined_covariance_error(None, reg_covar)
    return _cholesky_upper_inverse(cov, reg_covar)


def _cov_from_prec_chol_tied(prec_chol):
    return np.ascontiguousarray(_inverse_from_upper(prec_chol))


def _sample_tied(rng, mean, covariances, prec_chol, k, n):
    return rng.multivariate_normal(mean, covariances, n, check_valid="ignore")


# --------------------------------------------------------------------------
# diag


def _log_prob_diag(Xt, means, prec_chol):
    n_features, n = Xt.shape
    shape = (means.shape[0], n)
    precisions = prec_chol**2
    squares = np.multiply(Xt, Xt, out=_scratch_like("diag.squares", Xt))
    # sum_d p_d x_d^2 - 2 sum_d p_d m_d x_d + sum_d p_d m_d^2, per component.
    maha = np.matmul(precisions, squares, out=scratch("log_prob", shape, Xt.dtype))
    maha += np.matmul(
        -2.0 * means * precisions, Xt, out=scratch("cross", shape, Xt.dtype)
    )
    maha += np.sum(means**2 * precisions, axis=1)[:, None]
    log_det = np.log(prec_chol).sum(axis=1)
    return _log_density(maha, log_det, n_features), squares


def _accumulate_diag(Xt, resp, means, squares=None):
    if squares is None:
        squares = Xt * Xt
    return resp @ Xt.T, resp @ squares.T


def _accumulate_diag_about(Xt, resp, centres):
    """Moments about each centre: sx (K, D), sxx (K, D) of squares."""
    n_components, n_features = centres.shape
    sx = np.empty((n_components, n_features), dtype=Xt.dtype)
    sxx = np.empty((n_components, n_features), dtype=Xt.dtype)
    for k in range(n_components):
        diff = Xt - centres[k][:, None]
        sx[k] = diff @ resp[k]
        sxx[k] = (diff * diff) @ resp[k]
    return sx, sxx


def _m_step_diag(nk, nk_eps, sx, sxx, means, reg_covar):
    delta = sx / nk_eps[:, None]
    scale = 2.0 * nk_eps - nk
    cov = (sxx - scale[:, None] * delta**2) / nk_eps[:, None]
    return delta, np.maximum(cov, 0.0) + reg_covar


def _prec_chol_vector(cov, reg_covar):
    bad = ~(np.isfinite(cov) & (cov > 0.0))
    if np.any(bad):
        rows = bad if bad.ndim == 1 else bad.any(axis=1)
        raise ill_defined_covariance_error(np.flatnonzero(rows).tolist(), reg_covar)
    return 1.0 / np.sqrt(cov)


def _sample_diag(rng, mean, covariances, prec_chol, k, n):
    return mean + rng.standard_normal((n, mean.shape[0])) * np.sqrt(covariances[k])


# --------------------------------------------------------------------------
# spherical


def _log_prob_spherical(Xt, means, prec_chol):
    n_features, n = Xt.shape
    precisions = prec_chol**2
    sq_norms = np.einsum("dn,dn->n", Xt, Xt)
    maha = np.matmul(
        -2.0 * means, Xt, out=scratch("log_prob", (means.shape[0], n), Xt.dtype)
    )
    maha += sq_norms
    maha += _row_sq_norms(means)[:, None]
    maha *= precisions[:, None]
    log_det = n_features * np.log(prec_chol)
    return _log_density(maha, log_det, n_features), sq_norms


def _accumulate_spherical(Xt, resp, means, sq_norms=None):
    if sq_norms is None:
        sq_norms = np.einsum("dn,dn->n", Xt, Xt)
    return resp @ Xt.T, resp @ sq_norms


def _accumulate_spherical_about(Xt, resp, centres):
    """Moments about each centre: sx (K, D), sxx (K,) of squared norms."""
    sx, sxx = _accumulate_diag_about(Xt, resp, centres)
    return sx, sxx.sum(axis=1)


def _m_step_spherical(nk, nk_eps, sx, sxx, means, reg_covar):
    n_features = sx.shape[1]
    delta = sx / nk_eps[:, None]
    scale = 2.0 * nk_eps - nk
    cov = (sxx - scale * np.sum(delta**2, axis=1)) / (nk_eps * n_features)
    return delta, np.maximum(cov, 0.0) + reg_covar


def _sample_spherical(rng, mean, covariances, prec_chol, k, n):
    return mean + rng.standard_normal((n, mean.shape[0])) * np.sqrt(covariances[k])


# --------------------------------------------------------------------------
# the mass added to n_k
#
# scikit-learn's M-step divides by n_k + 10 eps (eps of the data's dtype) and
# forms the tied, diagonal and spherical covariances from second moments
# about the origin, E[x x^T] - m m^T with m = S1 / (n_k + 10 eps). In exact
# arithmetic that is the covariance about m plus ``extra * m m^T / n_k_eps``
# (``extra`` = n_k_eps - n_k, the mass the addition actually made, which
# rounds to zero from n_k of about 32 on), pooled over the components for
# tied. The kernels compute the covariance about m without that term; the
# driver adds it only where a covariance is otherwise singular (a component
# on a single sample), so that such a fit goes on where scikit-learn's does.


def _no_mass_term(extra, nk_eps, means):
    return 0.0


def _mass_term_tied(extra, nk_eps, means):
    return (means.T * extra) @ means / nk_eps.sum()


def _mass_term_diag(extra, nk_eps, means):
    return (extra / nk_eps)[:, None] * means**2


def _mass_term_spherical(extra, nk_eps, means):
    return extra / nk_eps * np.mean(means**2, axis=1)


# --------------------------------------------------------------------------
# the dispatch table


def _no_change(sx, sxx, prec_chol):
    return sx, sxx


def _always(n_rows, n_features):
    return True


class CovarianceKernel(NamedTuple):
    """The numerical kernels of one covariance type.

    Attributes
    ----------
    log_prob : callable ``(Xt, means, prec_chol) -> (log_prob, aux)``
        Log densities (K, n) of each sample under each component (no
        mixture weights); samples are the columns of ``Xt`` (D, n). ``aux``
        holds intermediate results that ``estep_accumulate`` reuses.
    accumulate : callable ``(Xt, resp, means) -> (sx, sxx)``
        Sufficient statistics from scratch; ``resp`` has shape (K, n).
    accumulate_about : callable ``(Xt, resp, centres) -> (sx, sxx)``
        The statistics of this type taken about a centre per component
        (``'full'`` ones for tied), for an M-step whose moments must not
        cancel.
    estep_accumulate : callable ``(Xt, resp, means, aux) -> (sx, sxx)``
        The same statistics, reusing the E-step's ``aux``, possibly in
        coordinates of the current parameters;
    estep_finish : callable ``(sx, sxx, prec_chol) -> (sx, sxx)``
        maps summed ``estep_accumulate`` statistics to those of
        ``accumulate``.
    estep_reuses : callable ``(n_rows, n_features) -> bool``
        Whether a pass over ``n_rows`` rows pays for ``estep_accumulate``
        and ``estep_finish``; where not, the pass calls ``accumulate``.
    m_step : callable ``(nk, nk_eps, sx, sxx, means, reg_covar) -> (means, cov)``
        Means and covariances (``reg_covar`` added) from summed statistics.
    mass_term : callable ``(extra, nk_eps, means) -> term``
        What scikit-learn's formula adds to the covariances for the mass
        ``extra`` (K,) added to ``nk`` (means in data coordinates); see "the
        mass added to n_k" above.
    precision_cholesky : callable ``(covariances, reg_covar) -> prec_chol``
        Raises ValueError when a covariance is not positive definite.
    prec_chol_from_precisions : callable ``(precisions) -> prec_chol``
    covariances_from_prec_chol : callable ``(prec_chol) -> covariances``
    precisions_from_prec_chol : callable ``(prec_chol) -> precisions``
    from_full : callable ``(full (K, D, D), weights (K,)) -> covariances``
        Reduce full covariance matrices to this type.
    to_full : callable ``(covariances, K, D) -> full (K, D, D)``
        The covariance matrices of this type as full matrices.
    sample : callable ``(rng, mean, covariances, prec_chol, k, n) -> (n, D)``
    n_cov_parameters : callable ``(K, D) -> int``
    """

    log_prob: Callable
    accumulate: Callable
    accumulate_about: Callable
    estep_accumulate: Callable
    estep_finish: Callable
    estep_reuses: Callable
    m_step: Callable
    mass_term: Callable
    precision_cholesky: Callable
    prec_chol_from_precisions: Callable
    covariances_from_prec_chol: Callable
    precisions_from_prec_chol: Callable
    from_full: Callable
    to_full: Callable
    sample: Callable
    n_cov_parameters: Callable


KERNELS = {
    "full": CovarianceKernel(
        log_prob=_log_prob_full,
        accumulate=_accumulate_full,
        accumulate_about=_accumulate_full,
        estep_accumulate=_accumulate_whitened_full,
        estep_finish=_unwhiten_full,
        estep_reuses=_full_reuses_whitened,
        m_step=_m_step_full,
        mass_term=_no_mass_term,
        precision_cholesky=_prec_chol_full,
        prec_chol_from_precisions=_prec_chol_from_precisions_full,
        covariances_from_prec_chol=_cov_from_prec_chol_full,
        precisions_from_prec_chol=_precisions_full,
        from_full=lambda cov, weights: cov,
        to_full=lambda cov, k, d: cov,
        sample=_sample_full,
        n_cov_parameters=lambda k, d: k * d * (d + 1) // 2,
    ),
    "tied": CovarianceKernel(
        log_prob=_log_prob_tied,
        accumulate=_accumulate_tied,
        accumulate_about=_accumulate_full,
        estep_accumulate=_accumulate_tied,
        estep_finish=_no_change,
        estep_reuses=_always,
        m_step=_m_step_tied,
        mass_term=_mass_term_tied,
        precision_cholesky=_prec_chol_tied,
        prec_chol_from_precisions=_upper_factor,
        covariances_from_prec_chol=_cov_from_prec_chol_tied,
        precisions_from_prec_chol=lambda u: u @ u.T,
        from_full=lambda cov, weights: np.tensordot(weights, cov, axes=1),
        to_full=lambda cov, k, d: np.broadcast_to(cov, (k, d, d)),
        sample=_sample_tied,
        n_cov_parameters=lambda k, d: d * (d + 1) // 2,
    ),
    "diag": CovarianceKernel(
        log_prob=_log_prob_diag,
        accumulate=_accumulate_diag,
        accumulate_about=_accumulate_diag_about,
        estep_accumulate=_accumulate_diag,
        estep_finish=_no_change,
        estep_reuses=_always,
        m_step=_m_step_diag,
        mass_term=_mass_term_diag,
        precision_cholesky=_prec_chol_vector,
        prec_chol_from_precisions=np.sqrt,
        covariances_from_prec_chol=lambda u: 1.0 / u**2,
        precisions_from_prec_chol=lambda u: u**2,
        from_full=lambda cov, weights: np.diagonal(cov, axis1=1, axis2=2).copy(),
        to_full=lambda cov, k, d: cov[:, :, None] * np.eye(d),
        sample=_sample_diag,
        n_cov_parameters=lambda k, d: k * d,
    ),
    "spherical": CovarianceKernel(
        log_prob=_log_prob_spherical,
        accumulate=_accumulate_spherical,
        accumulate_about=_accumulate_spherical_about,
        estep_accumulate=_accumulate_spherical,
        estep_finish=_no_change,
        estep_reuses=_always,
        m_step=_m_step_spherical,
        mass_term=_mass_term_spherical,
        precision_cholesky=_prec_chol_vector,
        prec_chol_from_precisions=np.sqrt,
        covariances_from_prec_chol=lambda u: 1.0 / u**2,
        precisions_from_prec_chol=lambda u: u**2,
        from_full=lambda cov, weights: np.diagonal(cov, axis1=1, axis2=2).mean(1),
        to_full=lambda cov, k, d: cov[:, None, None] * np.eye(d),
        sample=_sample_spherical,
        n_cov_parameters=lambda k, d: k,
    ),
}


def add_to_diagonal(covariances, covariance_type, value):
    """Return a copy of covariances with value added to every variance."""
    cov = np.array(covariances, dtype=np.float64, copy=True)
    if covariance_type == "full":
        idx = np.arange(cov.shape[1])
        cov[:, idx, idx] += value
    elif covariance_type == "tied":
        cov.flat[:: cov.shape[0] + 1] += value
    else:
        cov += value
    return cov
