"""The numerical kernels and the chunked EM core against closed forms."""

import numpy as np
import pytest
from scipy.special import logsumexp
from scipy.stats import multivariate_normal
from sklearn import config_context

from skgmm_em import _em, _kernels
from skgmm_em._kernels import KERNELS, add_to_diagonal

COVARIANCE_TYPES = ["full", "tied", "diag", "spherical"]


def _random_params(covariance_type, n_components, n_features, rng):
    weights = rng.dirichlet(np.ones(n_components))
    means = rng.normal(scale=3.0, size=(n_components, n_features))
    full = []
    for _ in range(n_components):
        A = rng.normal(size=(n_features, n_features))
        full.append(A @ A.T / n_features + 0.5 * np.eye(n_features))
    full = np.array(full)
    kernel = KERNELS[covariance_type]
    covariances = kernel.from_full(full, weights)
    prec_chol = kernel.precision_cholesky(covariances, 0.0)
    return _em.MixtureParams(weights, means, covariances, prec_chol)


def _as_full(covariances, covariance_type, n_components, n_features):
    """Covariance matrices (K, D, D) of any covariance type."""
    if covariance_type == "full":
        return covariances
    if covariance_type == "tied":
        return np.broadcast_to(covariances, (n_components, n_features, n_features))
    if covariance_type == "diag":
        return np.array([np.diag(c) for c in covariances])
    return np.array([c * np.eye(n_features) for c in covariances])


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


def _closed_form_m_step(X, resp, covariance_type, reg_covar):
    """Textbook M-step (two-pass, per component)."""
    eps = 10 * np.finfo(np.float64).eps
    nk = resp.sum(axis=0) + eps
    means = resp.T @ X / nk[:, None]
    full = np.array(
        [
            ((X - m) * r[:, None]).T @ (X - m) / n
            for m, r, n in zip(means, resp.T, nk, strict=True)
        ]
    )
    d = X.shape[1]
    if covariance_type == "full":
        cov = full + reg_covar * np.eye(d)
    elif covariance_type == "tied":
        cov = np.tensordot(nk, full, axes=1) / nk.sum() + reg_covar * np.eye(d)
    elif covariance_type == "diag":
        cov = np.array([np.diag(c) for c in full]) + reg_covar
    else:
        cov = np.array([np.diag(c).mean() for c in full]) + reg_covar
    return nk / nk.sum(), means, cov


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
@pytest.mark.parametrize("working_memory", [None, 1e-4, 1e-6])
@pytest.mark.parametrize("n_features", [4, 40, 64])
@pytest.mark.parametrize("whitened", [True, False])
def test_e_step_and_m_step_match_closed_form(
    covariance_type, working_memory, n_features, whitened, monkeypatch
):
    # 40 and 64 features: chunks keep the rows' layout and full covariances
    # accumulate by syrk; 4: transposed chunks and one batched product. Full
    # covariances take their statistics from the whitened residuals or from
    # the centred samples, whichever the shape favours: both are tested.
    monkeypatch.setattr(
        _kernels, "_WHITENED_ROWS_PER_SQUARED_FEATURE", 0.0 if whitened else np.inf
    )
    rng = np.random.RandomState(2)
    params = _random_params(covariance_type, 3, n_features, rng)
    X = rng.normal(scale=3.0, size=(301, n_features)) + 100.0
    params = params._replace(means=params.means + 100.0)
    # Reference responsibilities and log-likelihood from scipy.
    full = _as_full(params.covariances, covariance_type, 3, n_features)
    log_dens = np.column_stack(
        [
            np.log(w) + multivariate_normal(m, c).logpdf(X)
            for w, m, c in zip(params.weights, params.means, full, strict=True)
        ]
    )
    log_norm = logsumexp(log_dens, axis=1)
    resp = np.exp(log_dens - log_norm[:, None])
    with config_context(working_memory=working_memory or 1024):
        stats = _em.e_step(X, params, covariance_type)
    assert stats.log_likelihood == pytest.approx(log_norm.sum(), rel=1e-12)
    assert stats.weight_sum == 301
    np.testing.assert_allclose(stats.nk, resp.sum(axis=0), rtol=1e-10)
    new = _em.m_step(stats, params, covariance_type, 1e-6, np.float64)
    weights, means, cov = _closed_form_m_step(X, resp, covariance_type, 1e-6)
    np.testing.assert_allclose(new.weights, weights, rtol=1e-10)
    np.testing.assert_allclose(new.means, means, rtol=1e-10)
    np.testing.assert_allclose(new.covariances, cov, rtol=1e-8)


def test_chunks_cover_rows_and_follow_working_memory():
    slices = _em.chunk_slices(10_001, 3, 2, 8)
    assert slices[0].start == 0 and slices[-1].stop >= 10_001
    covered = np.concatenate([np.arange(10_001)[s] for s in slices])
    np.testing.assert_array_equal(covered, np.arange(10_001))
    with config_context(working_memory=1e-9):
        assert len(_em.chunk_slices(5, 3, 2, 8)) == 5  # one row per chunk
    with config_context(working_memory=0.01):
        rows = _em.chunk_slices(10_000, 3, 2, 8)[0].stop
    assert rows * 8 * (3 * (2 + 4) + 2 * 2) <= 0.01 * 2**20


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
