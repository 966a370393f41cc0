"""The ``'tied'`` model (mclust's EEE): one covariance matrix shared by
all components.

Shapes: covariance and precision factor (D, D). Statistics are
``sx[k] = sum_i r_ki x_i`` and ``sxx = sum_i (sum_k r_ki) x_i x_i^T``.
"""

import numpy as np

from ._base import (
    CovarianceModel,
    always,
    cholesky_upper_inverse,
    ill_defined_covariance_error,
    inverse_from_upper,
    log_density,
    no_change,
    row_sq_norms,
    scratch,
    scratch_like,
    upper_factor,
)
from ._full import FULL, smallest_matrix_variance, start_scatter_full, symmetric_inverse

# Largest rounding error (absolute) allowed in a squared distance computed
# as |y|^2 - 2 y.mu + |mu|^2; columns that may exceed it are recomputed as
# |y - mu|^2 (float32 data far from the mixture mean in whitened units).
_EXPANDED_SQUARE_TOL = 1e-3


def _log_prob_tied(Xt, means, prec_chol):
    n_features, n = Xt.shape
    y = np.matmul(prec_chol.T, Xt, out=scratch("tied.y", Xt.shape, Xt.dtype))
    mu = means @ prec_chol
    y_sq = np.einsum("dn,dn->n", y, y)
    mu_sq = row_sq_norms(mu)
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
    return log_density(maha, log_det, n_features), None


def _accumulate_tied(Xt, resp, means, aux=None):
    # The M-step subtracts the means' part from this second moment about the
    # mixture mean; when the tied covariance is small next to the spread of
    # the means, that cancels every digit float32 holds, so the moment is
    # always accumulated in float64.
    Xt = Xt.astype(np.float64, copy=False)
    sx = resp @ Xt.T
    # z @ z.T with z = x * sqrt(sum_k resp): a symmetric rank-n update.
    z = np.multiply(
        Xt, np.sqrt(resp.sum(axis=0)), out=scratch_like("tied.weighted", Xt)
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
    return cholesky_upper_inverse(cov, reg_covar)


def _cov_from_prec_chol_tied(prec_chol):
    return np.ascontiguousarray(inverse_from_upper(prec_chol))


def _sample_tied(rng, mean, covariances, prec_chol, k, n):
    return rng.multivariate_normal(mean, covariances, n, check_valid="ignore")


def _mass_term_tied(extra, nk_eps, means):
    return (means.T * extra) @ means / nk_eps.sum()


def _add_expected_tied(k, filled, r, reference, cond, sx, sxx):
    weighted = filled * r[:, None]
    sx[k] += weighted.sum(axis=0)
    sxx += weighted.T @ filled + r.sum() * cond


def _start_scatter_tied(x, resp, weights, means):
    # scikit-learn's X.T @ X also holds the second moment about the origin
    # of the rows' mass assigned to no component (a sum of positive terms:
    # nothing cancels).
    scatter, _ = start_scatter_full(x, resp, weights, means)
    unassigned = weights - resp.sum(axis=0)
    return scatter, (x.T * unassigned) @ x


def _add_to_tied_diagonal(cov, value):
    cov = np.array(cov, dtype=np.float64, copy=True)
    cov.flat[:: cov.shape[0] + 1] += value
    return cov


TIED = CovarianceModel(
    name="tied",
    mclust_name="EEE",
    shape=lambda k, d: (d, d),
    shape_text="(n_features, n_features)",
    per_component=False,
    elementwise=False,
    stats_shape=lambda k, d: (d, d),
    n_cov_parameters=lambda k, d: d * (d + 1) // 2,
    log_prob=_log_prob_tied,
    accumulate=_accumulate_tied,
    accumulate_about=FULL.accumulate,
    estep_accumulate=_accumulate_tied,
    estep_finish=no_change,
    estep_reuses=always,
    add_expected=_add_expected_tied,
    m_step_kernel=_m_step_tied,
    mass_term=_mass_term_tied,
    start_moment=lambda x, resp, weights: (x.T * weights) @ x,
    start_covariances=lambda second, nk_eps, means: (
        (second - (nk_eps * means.T) @ means) / nk_eps.sum()
    ),
    start_scatter=_start_scatter_tied,
    start_from_scatter=lambda scatter, extra, nk_eps: (
        (scatter.sum(axis=0) + extra) / nk_eps.sum()
    ),
    precision_cholesky=_prec_chol_tied,
    prec_chol_from_precisions=upper_factor,
    covariances_from_prec_chol=_cov_from_prec_chol_tied,
    precisions_from_prec_chol=lambda u: u @ u.T,
    from_full=lambda cov, weights: np.tensordot(weights, cov, axes=1),
    to_full=lambda cov, k, d: np.broadcast_to(cov, (k, d, d)),
    precisions_from_full=lambda cov, weights: symmetric_inverse(
        np.tensordot(weights, cov, axes=1)
    ),
    add_to_diagonal=_add_to_tied_diagonal,
    whiten=lambda centred, prec_chol: centred @ prec_chol,
    smallest_variance=smallest_matrix_variance,
    sample=_sample_tied,
)
