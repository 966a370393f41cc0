"""The ``'spherical'`` model (mclust's VII): a single variance per
component.

Shapes: variances and precision factors (K,). Statistics are
``sx[k] = sum_i r_ki x_i`` and ``sxx[k] = sum_i r_ki |x_i|^2``.
"""

import numpy as np

from ._base import (
    CovarianceModel,
    always,
    log_density,
    no_change,
    prec_chol_vector,
    row_sq_norms,
    scratch,
)
from ._diag import accumulate_diag_about, add_to_variances, start_scatter_diag


def _log_prob_spherical(Xt, means, prec_chol):
    n_features, n = Xt.shape
    precisions = prec_chol**2
    sq_norms = np.einsum("dn,dn->n", Xt, Xt)
    maha = np.matmul(
        -2.0 * means, Xt, out=scratch("log_prob", (means.shape[0], n), Xt.dtype)
    )
    maha += sq_norms
    maha += row_sq_norms(means)[:, None]
    maha *= precisions[:, None]
    log_det = n_features * np.log(prec_chol)
    return log_density(maha, log_det, n_features), sq_norms


def _accumulate_spherical(Xt, resp, means, sq_norms=None):
    if sq_norms is None:
        sq_norms = np.einsum("dn,dn->n", Xt, Xt)
    return resp @ Xt.T, resp @ sq_norms


def _accumulate_spherical_about(Xt, resp, centres):
    """Moments about each centre: sx (K, D), sxx (K,) of squared norms."""
    sx, sxx = accumulate_diag_about(Xt, resp, centres)
    return sx, sxx.sum(axis=1)


def _m_step_spherical(nk, nk_eps, sx, sxx, means, reg_covar):
    n_features = sx.shape[1]
    delta = sx / nk_eps[:, None]
    scale = 2.0 * nk_eps - nk
    cov = (sxx - scale * np.sum(delta**2, axis=1)) / (nk_eps * n_features)
    return delta, np.maximum(cov, 0.0) + reg_covar


def _sample_spherical(rng, mean, covariances, prec_chol, k, n):
    return mean + rng.standard_normal((n, mean.shape[0])) * np.sqrt(covariances[k])


def _mass_term_spherical(extra, nk_eps, means):
    return extra / nk_eps * np.mean(means**2, axis=1)


def _add_expected_spherical(k, filled, r, reference, cond, sx, sxx):
    sx[k] += r @ filled
    sxx[k] += r @ np.einsum("nd,nd->n", filled, filled) + r.sum() * np.trace(cond)


SPHERICAL = CovarianceModel(
    name="spherical",
    mclust_name="VII",
    shape=lambda k, d: (k,),
    shape_text="(n_components,)",
    per_component=True,
    elementwise=True,
    stats_shape=lambda k, d: (k,),
    n_cov_parameters=lambda k, d: k,
    log_prob=_log_prob_spherical,
    accumulate=_accumulate_spherical,
    accumulate_about=_accumulate_spherical_about,
    estep_accumulate=_accumulate_spherical,
    estep_finish=no_change,
    estep_reuses=always,
    add_expected=_add_expected_spherical,
    m_step_kernel=_m_step_spherical,
    mass_term=_mass_term_spherical,
    start_moment=lambda x, resp, weights: resp @ (x * x),
    start_covariances=lambda second, nk_eps, means: (
        second / nk_eps[:, None] - means**2
    ).mean(axis=1),
    start_scatter=start_scatter_diag,
    start_from_scatter=lambda scatter, extra, nk_eps: (scatter / nk_eps[:, None]).mean(
        axis=1
    ),
    precision_cholesky=prec_chol_vector,
    prec_chol_from_precisions=np.sqrt,
    covariances_from_prec_chol=lambda u: 1.0 / u**2,
    precisions_from_prec_chol=lambda u: u**2,
    from_full=lambda cov, weights: np.diagonal(cov, axis1=1, axis2=2).mean(1),
    to_full=lambda cov, k, d: cov[:, None, None] * np.eye(d),
    precisions_from_full=lambda cov, weights: (
        1.0 / np.diagonal(cov, axis1=1, axis2=2).mean(1)
    ),
    add_to_diagonal=add_to_variances,
    whiten=lambda centred, prec_chol: centred * prec_chol[:, None],
    smallest_variance=lambda cov, scale, reg_covar: (
        (cov - reg_covar).min() / np.mean(scale**2)
    ),
    sample=_sample_spherical,
)
