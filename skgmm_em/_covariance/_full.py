"""The ``'full'`` model (mclust's VVV): a covariance matrix per component.

Shapes: covariances and precision factors (K, D, D). Statistics are moments
about each component's current mean, ``sx[k] = sum_i r_ki (x_i - m_k)`` and
``sxx[k] = sum_i r_ki (x_i - m_k)(x_i - m_k)^T``, so that no precision is
lost to cancellation.
"""

import numpy as np
from scipy.linalg import blas

from ._base import (
    LAPACK_MIN_FEATURES,
    CovarianceModel,
    ill_defined_covariance_error,
    inverse_from_upper,
    lapack_func,
    log_density,
    no_mass_term,
    per_matrix,
    precision_factor,
    scratch,
    scratch_like,
    symmetric_from_lower,
    triangular_inverses,
    upper_factor,
)


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
        return log_density(maha, log_det, n_features), y.transpose(0, 2, 1)
    # One product whitens every sample for every component at once:
    # y = U_k^T (x - m_k) = [U_k^T, -U_k^T m_k] @ [x; 1]. Row k * D + j of
    # ``stacked`` is column j of U_k followed by -(U_k^T m_k)_j; the column
    # of ones appended to the samples carries the shift into the product.
    stacked = np.empty((n_components, n_features, n_features + 1), dtype=Xt.dtype)
    stacked[:, :, :n_features] = prec_chol.transpose(0, 2, 1)
    stacked[:, :, n_features] = -shifts
    augmented = scratch_like("full.augmented", Xt, n_features + 1)
    augmented[:n_features] = Xt
    augmented[n_features] = 1.0
    y = scratch("full.y", (n_components * n_features, n), Xt.dtype)
    np.matmul(stacked.reshape(-1, n_features + 1), augmented, out=y)
    y3 = y.reshape(n_components, n_features, n)
    np.einsum("kdn,kdn->kn", y3, y3, out=maha)
    return log_density(maha, log_det, n_features), y3


def _accumulate_full(Xt, resp, means):
    """Moments about each current mean: sx (K, D), sxx (K, D, D)."""
    n_components, n_features = means.shape
    sx = np.empty((n_components, n_features), dtype=Xt.dtype)
    sxx = np.empty((n_components, n_features, n_features), dtype=Xt.dtype)
    root_resp = np.sqrt(resp, out=scratch("full.root_resp", resp.shape, resp.dtype))
    for k in range(n_components):
        diff = np.subtract(Xt, means[k][:, None], out=scratch_like("full.diff", Xt))
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
    u_inv = triangular_inverses(prec_chol)
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
    if sx.shape[1] >= LAPACK_MIN_FEATURES:
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


def _prec_chol_full(cov, reg_covar):
    if not np.all(np.isfinite(cov)):
        bad = np.flatnonzero(~np.isfinite(cov).all(axis=(1, 2)))
        raise ill_defined_covariance_error(bad.tolist(), reg_covar)
    if cov.shape[-1] >= LAPACK_MIN_FEATURES:
        prec_chol = np.empty(cov.shape, dtype=cov.dtype)
        bad = []
        for k, matrix in enumerate(cov):
            factor = precision_factor(matrix)
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
    return triangular_inverses(lower.transpose(0, 2, 1))


def _prec_chol_from_precisions_full(precisions):
    return per_matrix(upper_factor, precisions)


def _cov_from_prec_chol_full(prec_chol):
    return per_matrix(inverse_from_upper, prec_chol)


def _precisions_full(prec_chol):
    if prec_chol.shape[-1] < LAPACK_MIN_FEATURES:
        return prec_chol @ prec_chol.transpose(0, 2, 1)
    # U.T in Fortran order is U's memory: lauum forms U @ U.T in its lower
    # triangle at a third of the work of a general product.
    lauum = lapack_func("lauum", prec_chol)
    precisions = np.empty(prec_chol.shape, dtype=prec_chol.dtype)
    for k, u in enumerate(prec_chol):
        product, info = lauum(u.T, lower=1)
        precisions[k] = symmetric_from_lower(product)
    return precisions


def _sample_full(rng, mean, covariances, prec_chol, k, n):
    # numpy's draw, as scikit-learn's sample makes it: the same random_state
    # gives the same samples. The covariance has a Cholesky factor, so
    # numpy's check (which flags positive definite matrices with tiny
    # off-diagonal entries next to a large diagonal) is not needed; skipping
    # it does not change the draw.
    return rng.multivariate_normal(mean, covariances[k], n, check_valid="ignore")


def _add_expected_full(k, filled, r, reference, cond, sx, sxx):
    diff = filled - reference[k]
    weighted = diff * r[:, None]
    sx[k] += weighted.sum(axis=0)
    sxx[k] += weighted.T @ diff + r.sum() * cond


def start_scatter_full(x, resp, weights, means):
    out = np.empty((means.shape[0], means.shape[1], means.shape[1]))
    for k, mean in enumerate(means):
        diff = x - mean
        out[k] = (diff.T * resp[k]) @ diff
    return out, 0.0


def symmetric_inverse(matrices):
    """Inverse of symmetric positive definite matrices, exactly symmetric."""
    inverse = np.linalg.inv(matrices)
    return 0.5 * (inverse + np.swapaxes(inverse, -1, -2))


def add_to_matrix_diagonals(cov, value):
    """A float64 copy of (..., D, D) matrices with ``value`` added to their
    diagonals."""
    cov = np.array(cov, dtype=np.float64, copy=True)
    idx = np.arange(cov.shape[-1])
    cov[..., idx, idx] += value
    return cov


def smallest_matrix_variance(cov, scale, reg_covar):
    """The smallest eigenvalue of (..., D, D) covariances less ``reg_covar``,
    in units of ``outer(scale, scale)``."""
    reduced = (cov - reg_covar * np.eye(len(scale))) / np.outer(scale, scale)
    return np.linalg.eigvalsh(reduced).min()


FULL = CovarianceModel(
    name="full",
    mclust_name="VVV",
    shape=lambda k, d: (k, d, d),
    shape_text="(n_components, n_features, n_features)",
    per_component=True,
    elementwise=False,
    stats_shape=lambda k, d: (k, d, d),
    n_cov_parameters=lambda k, d: k * d * (d + 1) // 2,
    log_prob=_log_prob_full,
    accumulate=_accumulate_full,
    accumulate_about=_accumulate_full,
    estep_accumulate=_accumulate_whitened_full,
    estep_finish=_unwhiten_full,
    estep_reuses=_full_reuses_whitened,
    add_expected=_add_expected_full,
    m_step_kernel=_m_step_full,
    mass_term=no_mass_term,
    start_moment=lambda x, resp, weights: 0.0,
    start_covariances=lambda second, nk_eps, means: None,
    start_scatter=start_scatter_full,
    start_from_scatter=lambda scatter, extra, nk_eps: scatter / nk_eps[:, None, None],
    precision_cholesky=_prec_chol_full,
    prec_chol_from_precisions=_prec_chol_from_precisions_full,
    covariances_from_prec_chol=_cov_from_prec_chol_full,
    precisions_from_prec_chol=_precisions_full,
    from_full=lambda cov, weights: cov,
    to_full=lambda cov, k, d: cov,
    precisions_from_full=lambda cov, weights: symmetric_inverse(cov),
    add_to_diagonal=add_to_matrix_diagonals,
    whiten=lambda centred, prec_chol: np.einsum("kd,kde->ke", centred, prec_chol),
    smallest_variance=smallest_matrix_variance,
    sample=_sample_full,
)
