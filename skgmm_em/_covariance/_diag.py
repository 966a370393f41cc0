"""The ``'diag'`` model (mclust's VVI): a diagonal covariance per
component.

Shapes: variances and precision factors (K, D). Statistics are
``sx[k] = sum_i r_ki x_i`` and ``sxx[k] = sum_i r_ki x_i ** 2``.
"""

import numpy as np

from ._base import (
    CovarianceModel,
    always,
    log_density,
    no_change,
    prec_chol_vector,
    scratch,
    scratch_like,
)


def _log_prob_diag(Xt, means, prec_chol):
    n_features, n = Xt.shape
    shape = (means.shape[0], n)
    precisions = prec_chol**2
    squares = np.multiply(Xt, Xt, out=scratch_like("diag.squares", Xt))
    # sum_d p_d x_d^2 - 2 sum_d p_d m_d x_d + sum_d p_d m_d^2, per component.
    maha = np.matmul(precisions, squares, out=scratch("log_prob", shape, Xt.dtype))
    maha += np.matmul(
        -2.0 * means * precisions, Xt, out=scratch("cross", shape, Xt.dtype)
    )
    maha += np.sum(means**2 * precisions, axis=1)[:, None]
    log_det = np.log(prec_chol).sum(axis=1)
    return log_density(maha, log_det, n_features), squares


def _accumulate_diag(Xt, resp, means, squares=None):
    if squares is None:
        squares = Xt * Xt
    return resp @ Xt.T, resp @ squares.T


def accumulate_diag_about(Xt, resp, centres):
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


def _sample_diag(rng, mean, covariances, prec_chol, k, n):
    return mean + rng.standard_normal((n, mean.shape[0])) * np.sqrt(covariances[k])


def _mass_term_diag(extra, nk_eps, means):
    return (extra / nk_eps)[:, None] * means**2


def _add_expected_diag(k, filled, r, reference, cond, sx, sxx):
    sx[k] += r @ filled
    sxx[k] += r @ (filled * filled) + r.sum() * np.diagonal(cond)


def start_scatter_diag(x, resp, weights, means):
    """Squared deviations (K, D) of rows from each mean, weighted by resp."""
    return np.stack([resp[k] @ (x - mean) ** 2 for k, mean in enumerate(means)]), 0.0


def add_to_variances(cov, value):
    """A float64 copy of variances with ``value`` added."""
    return np.array(cov, dtype=np.float64, copy=True) + value


DIAG = CovarianceModel(
    name="diag",
    mclust_name="VVI",
    shape=lambda k, d: (k, d),
    shape_text="(n_components, n_features)",
    per_component=True,
    elementwise=True,
    stats_shape=lambda k, d: (k, d),
    n_cov_parameters=lambda k, d: k * d,
    log_prob=_log_prob_diag,
    accumulate=_accumulate_diag,
    accumulate_about=accumulate_diag_about,
    estep_accumulate=_accumulate_diag,
    estep_finish=no_change,
    estep_reuses=always,
    add_expected=_add_expected_diag,
    m_step_kernel=_m_step_diag,
    mass_term=_mass_term_diag,
    start_moment=lambda x, resp, weights: resp @ (x * x),
    start_covariances=lambda second, nk_eps, means: second / nk_eps[:, None] - means**2,
    start_scatter=start_scatter_diag,
    start_from_scatter=lambda scatter, extra, nk_eps: scatter / nk_eps[:, None],
    precision_cholesky=prec_chol_vector,
    prec_chol_from_precisions=np.sqrt,
    covariances_from_prec_chol=lambda u: 1.0 / u**2,
    precisions_from_prec_chol=lambda u: u**2,
    from_full=lambda cov, weights: np.diagonal(cov, axis1=1, axis2=2).copy(),
    to_full=lambda cov, k, d: cov[:, :, None] * np.eye(d),
    precisions_from_full=lambda cov, weights: 1.0 / np.diagonal(cov, axis1=1, axis2=2),
    add_to_diagonal=add_to_variances,
    whiten=lambda centred, prec_chol: centred * prec_chol,
    smallest_variance=lambda cov, scale, reg_covar: (
        (cov - reg_covar) / scale**2
    ).min(),
    sample=_sample_diag,
)
