"""The kernels of the covariance types against closed forms: log-probabilities,
E-step statistics, the precision parameterizations, regularization.
"""

import numpy as np
import pytest
from _data import COVARIANCE_TYPES
from _data import as_full as _as_full
from _data import random_params as _random_params
from scipy.stats import multivariate_normal

from skgmm_em._covariance import MODELS as KERNELS
from skgmm_em._covariance import add_to_diagonal


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
@pytest.mark.parametrize("n_features", [1, 3, 7, 40, 64])
def test_log_prob_matches_scipy(covariance_type, n_features):
    # 64 features: fewer samples than features (one product per component)
    # and factors from LAPACK one matrix at a time.
    rng = np.random.RandomState(0)
    params = _random_params(covariance_type, 4, n_features, rng)
    X = rng.normal(scale=3.0, size=(50, n_features))
    Xt = np.ascontiguousarray(X.T)
    log_prob = (
        KERNELS[covariance_type]
        .log_prob(Xt, params.means, params.precisions_cholesky)[0]
        .T
    )
    full = _as_full(params.covariances, covariance_type, 4, n_features)
    expected = np.column_stack(
        [
            multivariate_normal(m, c).logpdf(X).reshape(-1)
            for m, c in zip(params.means, full, strict=True)
        ]
    )
    np.testing.assert_allclose(log_prob, expected, rtol=1e-10)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
@pytest.mark.parametrize("n_features", [1, 5, 40])
def test_estep_statistics_equal_direct_statistics(covariance_type, dtype, n_features):
    # The E-step reuses intermediate results (whitened residuals, squares);
    # mapped back, its statistics equal those computed from scratch. Small
    # and large D take different paths (one batched product, per-component
    # syrk).
    rng = np.random.RandomState(5)
    kernel = KERNELS[covariance_type]
    params = _random_params(covariance_type, 3, n_features, rng)
    Xt = rng.normal(scale=3.0, size=(n_features, 60)).astype(dtype)
    resp = rng.dirichlet(np.ones(3), size=60).T.astype(dtype)
    means = params.means.astype(dtype)
    prec_chol = params.precisions_cholesky.astype(dtype)
    _, aux = kernel.log_prob(Xt, means, prec_chol)
    fast = kernel.estep_accumulate(Xt, resp, means, aux)
    fast = kernel.estep_finish(
        *(a.astype(np.float64) for a in fast), prec_chol.astype(np.float64)
    )
    direct = kernel.accumulate(Xt, resp, means)
    rtol = 1e-10 if dtype == np.float64 else 1e-4
    for a, b in zip(fast, direct, strict=True):
        np.testing.assert_allclose(a, b, rtol=rtol, atol=rtol * np.abs(b).max())


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
@pytest.mark.parametrize("n_features", [4, 64])
def test_precisions_round_trip(covariance_type, n_features):
    rng = np.random.RandomState(1)
    kernel = KERNELS[covariance_type]
    params = _random_params(covariance_type, 3, n_features, rng)
    precisions = kernel.precisions_from_prec_chol(params.precisions_cholesky)
    full_cov = _as_full(params.covariances, covariance_type, 3, n_features)
    full_prec = _as_full(precisions, covariance_type, 3, n_features)
    for c, p in zip(full_cov, full_prec, strict=True):
        np.testing.assert_allclose(c @ p, np.eye(n_features), atol=1e-10)
        np.testing.assert_array_equal(c, c.T)
        np.testing.assert_array_equal(p, p.T)
    if covariance_type in ("full", "tied"):
        factors = params.precisions_cholesky.reshape(-1, n_features, n_features)
        np.testing.assert_array_equal(np.tril(factors, -1), 0.0)
    prec_chol = kernel.prec_chol_from_precisions(precisions)
    np.testing.assert_allclose(prec_chol, params.precisions_cholesky, rtol=1e-10)
    np.testing.assert_allclose(
        kernel.covariances_from_prec_chol(prec_chol), params.covariances, rtol=1e-10
    )


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_add_to_diagonal_copies(covariance_type):
    rng = np.random.RandomState(3)
    cov = _random_params(covariance_type, 2, 3, rng).covariances
    before = cov.copy()
    out = add_to_diagonal(cov, covariance_type, 0.5)
    np.testing.assert_array_equal(cov, before)
    full_out = _as_full(out, covariance_type, 2, 3)
    full_in = _as_full(cov, covariance_type, 2, 3)
    np.testing.assert_allclose(
        full_out - full_in, np.broadcast_to(0.5 * np.eye(3), full_in.shape)
    )


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
@pytest.mark.parametrize("n_features", [2, 50])
def test_ill_defined_covariance_names_components(covariance_type, n_features):
    kernel = KERNELS[covariance_type]
    rng = np.random.RandomState(4)
    cov = _random_params(covariance_type, 3, n_features, rng).covariances
    cov = np.array(cov)
    if covariance_type == "tied":
        cov[:] = 0.0
        match = "tied covariance"
    else:
        cov[1] = 0.0
        match = "Component\\(s\\) 1 "
    with pytest.raises(ValueError, match=match + ".*reg_covar"):
        kernel.precision_cholesky(cov, 0.0)
