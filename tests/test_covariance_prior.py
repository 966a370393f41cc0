"""The conjugate prior's M-step (skgmm_em/_covariance/_prior.py) on every
covariance model: closed forms, the posterior mode, EM's penalized
objective, and the conventions of the EM core (shifted data, reg_covar)."""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy.stats import multivariate_normal

from skgmm_em import _em
from skgmm_em._covariance import (
    ALL_COVARIANCE_TYPES,
    MODELS,
    InnerSettings,
    PriorSettings,
    scale_is_matrix,
)
from skgmm_em._prior import prior_settings
from skgmm_em._source import ArraySource
from skgmm_em._start_stats import responsibility_start
from tests import _mclust

D = 3
RNG = np.random.default_rng(7)
X = np.vstack(
    [
        RNG.normal(size=(60, D)) @ np.diag([1.0, 2.0, 0.5]) + [5.0, 0.0, 1.0],
        RNG.normal(size=(40, D)) @ RNG.normal(size=(D, D)) * 0.7 - 2.0,
        RNG.normal(size=(50, D)) * 1.5 + [0.0, 6.0, -3.0],
    ]
)
SCALE = np.array([[1.0, 0.3, 0.0], [0.3, 2.0, -0.4], [0.0, -0.4, 0.8]])


def _settings(name, offset=0.0):
    """A prior far from mclust's default, so that every term matters."""
    scale = SCALE if scale_is_matrix(MODELS[name].mclust_name) else 1.3
    mean = np.array([1.0, -1.0, 2.0]) + offset
    return PriorSettings(2.0, mean, 7.0, scale)


def _resp(k, seed=0):
    return np.random.default_rng(seed).dirichlet(np.ones(k) * 0.7, X.shape[0])


def _params(name, k, seed=0, offset=0.0):
    """Parameters from a soft start (the MAP M-step of random
    responsibilities), for the data ``X + offset``."""
    settings = _settings(name, offset)
    weights, means, cov = responsibility_start(
        X + offset, _resp(k, seed), k, name, 0.0, prior=settings
    )
    model = MODELS[name]
    return _em.MixtureParams(weights, means, cov, model.precision_cholesky(cov, 0.0))


def _m_step(name, params, settings, reg_covar=0.0, offset=0.0):
    model = MODELS[name].with_prior(settings)
    stats = _em.e_step(X + offset, params, name)
    return stats, _em.m_step(stats, params, model, reg_covar, np.float64)


def _moments(params, name):
    """nk, ybar (K, D), W (K, D, D) of the E-step under ``params``."""
    model = MODELS[name]
    full = model.to_full(params.covariances, *params.means.shape)
    log = np.column_stack(
        [
            np.log(w) + multivariate_normal(m, c).logpdf(X)
            for w, m, c in zip(params.weights, params.means, full, strict=True)
        ]
    )
    resp = np.exp(log - np.logaddexp.reduce(log, axis=1)[:, None])
    nk = resp.sum(axis=0)
    ybar = resp.T @ X / nk[:, None]
    W = np.array([(X - y).T * r @ (X - y) for y, r in zip(ybar, resp.T, strict=True)])
    return nk, ybar, W


def _reference(name, nk, ybar, W, s):
    """The MAP M-step written out from docs/prior.md, for the models with a
    closed form (mclust's formulas)."""
    k, d = ybar.shape
    n = nk.sum()
    kappa, mu, nu = s.shrinkage, s.mean, s.dof
    posterior = (nk[:, None] * ybar + kappa * mu) / (nk + kappa)[:, None]
    dev = ybar - mu
    B = (kappa * nk / (nk + kappa))[:, None, None] * np.einsum("ki,kj->kij", dev, dev)
    T = W + B
    S = s.scale * np.eye(d) if np.ndim(s.scale) == 0 else s.scale
    eye = np.eye(d)
    if k == 1:  # mclust's one-component models
        name = {"EII": "VII", "EEI": "VVI", "EVI": "VVI"}.get(name, name)
        name = "VVV" if name in ("EEE", "EEV") else name
    if name == "EII":
        var = np.trace(T, axis1=1, axis2=2).sum() / (nu + (n + k) * d + 2)
        return posterior, np.broadcast_to(var * eye, (k, d, d))
    if name == "VII":
        var = (np.trace(T, axis1=1, axis2=2) + s.scale) / (nu + (nk + 1) * d + 2)
        return posterior, var[:, None, None] * eye
    if name == "EEI":
        var = (np.diagonal(T, axis1=1, axis2=2).sum(0) + s.scale) / (n + nu + 2)
        return ybar, np.broadcast_to(np.diag(var), (k, d, d))
    if name == "VVI":
        var = (np.diagonal(T, axis1=1, axis2=2) + s.scale) / (nk + nu + 3)[:, None]
        return posterior, var[:, :, None] * eye
    if name == "EVI":
        omega = np.diagonal(T, axis1=1, axis2=2) + s.scale
        g = np.exp(np.log(omega).mean(axis=1))
        volume = g.sum() / (n + nu + 2)
        return posterior, (volume * omega / g[:, None])[:, :, None] * eye
    if name == "EEE":
        cov = (T.sum(0) + S) / (n + k + nu + d + 1)
        return posterior, np.broadcast_to(cov, (k, d, d))
    if name == "EEV":
        omega, vectors = np.linalg.eigh(T + S)
        pooled = omega.sum(axis=0)
        volume = np.exp(np.log(pooled).mean()) / (n + nu + d + 2)
        shape = pooled / np.exp(np.log(pooled).mean())
        return posterior, (vectors * (volume * shape)) @ np.swapaxes(vectors, 1, 2)
    assert name == "VVV"
    return posterior, (T + S) / (nk + nu + d + 2)[:, None, None]


CLOSED = ("EII", "VII", "EEI", "VVI", "EVI", "EEE", "EEV", "VVV")


@pytest.mark.parametrize("k", [1, 3])
@pytest.mark.parametrize(
    "name", [n for n in ALL_COVARIANCE_TYPES if MODELS[n].mclust_name in CLOSED]
)
def test_closed_form_posterior_modes(name, k):
    params = _params(name, k)
    settings = _settings(name)
    _, new = _m_step(name, params, settings)
    nk, ybar, W = _moments(params, name)
    means, cov = _reference(MODELS[name].mclust_name, nk, ybar, W, settings)
    assert_allclose(new.means, means, rtol=1e-10, atol=1e-10)
    full = MODELS[name].to_full(new.covariances, k, D)
    assert_allclose(full, cov, rtol=1e-9, atol=1e-12)
    assert_allclose(new.weights, nk / nk.sum(), rtol=1e-12)


def _penalized_q(name, settings, stats_params, means, cov):
    """The expected complete-data log-likelihood under the E-step at
    ``stats_params`` plus the log prior density of ``(means, cov)``."""
    model = MODELS[name]
    k = means.shape[0]
    full = model.to_full(stats_params.covariances, k, D)
    log = np.column_stack(
        [
            np.log(w) + multivariate_normal(m, c).logpdf(X)
            for w, m, c in zip(
                stats_params.weights, stats_params.means, full, strict=True
            )
        ]
    )
    resp = np.exp(log - np.logaddexp.reduce(log, axis=1)[:, None])
    new_full = model.to_full(cov, k, D)
    q = sum(
        resp[:, j] @ multivariate_normal(means[j], new_full[j]).logpdf(X)
        for j in range(k)
    )
    return q + settings.log_density(model, means, cov)


@pytest.mark.parametrize(
    "name", [n for n in ALL_COVARIANCE_TYPES if MODELS[n].mclust_name != "EEI"]
)
def test_m_step_is_the_posterior_mode(name):
    # No feasible point near the M-step's result has a larger penalized
    # expected log-likelihood (mclust's EEI is no posterior mode: below).
    k = 3
    params = _params(name, k)
    settings = _settings(name)
    model = MODELS[name].with_inner(InnerSettings(1e-15, 5000)).with_prior(settings)
    stats = _em.e_step(X, params, name)
    new = _em.m_step(stats, params, model, 0.0, np.float64)
    best = _penalized_q(name, settings, params, new.means, new.covariances)
    rng = np.random.default_rng(1)
    full = model.to_full(new.covariances, k, D)
    for _ in range(20):
        noise = rng.normal(size=full.shape) * 1e-3
        moved = full + noise @ np.swapaxes(noise, 1, 2) + 1e-3 * rng.normal() * full
        cov = model.from_full(moved, new.weights)
        means = new.means + 1e-3 * rng.normal(size=new.means.shape)
        assert _penalized_q(name, settings, params, means, cov) <= best + 1e-9


def _penalized_path(name, settings, params, data=X, n_iter=60):
    """The log-likelihood plus the log prior density at each EM iterate."""
    model = MODELS[name].with_prior(settings)
    values = []
    for _ in range(n_iter):
        stats = _em.e_step(data, params, name)
        log_prior = settings.log_density(model, params.means, params.covariances)
        values.append(stats.log_likelihood + log_prior)
        params = _em.m_step(stats, params, model, 0.0, np.float64)
    return np.array(values)


@pytest.mark.parametrize(
    "name", [n for n in ALL_COVARIANCE_TYPES if MODELS[n].mclust_name != "EEI"]
)
def test_em_never_decreases_the_penalized_objective(name):
    for k in (2, 4):
        values = _penalized_path(name, _settings(name), _params(name, k, seed=k))
        steps = np.diff(values) / np.abs(values[1:])
        assert steps.min() >= -1e-12, (name, k, steps.min())
        assert values[-1] > values[0]


def test_eei_is_mclusts_not_a_posterior_mode():
    # mclust's EEI keeps the maximum likelihood means (and puts the means'
    # term into the variances): EM is not monotone in the penalized
    # objective. With mclust's default prior the falls are tiny; with a
    # strong prior they are not.
    params = _params("EEI", 3)
    _, new = _m_step("EEI", params, _settings("EEI"))
    _, ybar, _ = _moments(params, "EEI")
    assert_allclose(new.means, ybar, rtol=1e-12)
    strong = _penalized_path("EEI", _settings("EEI"), _params("EEI", 4, seed=4))
    assert np.min(np.diff(strong)) < 0.0
    iris = _mclust.data("iris")
    source = ArraySource(iris)
    for k in (3, 6):
        settings = prior_settings("conjugate", source, "EEI", k)
        resp = np.random.default_rng(k).dirichlet(np.ones(k), iris.shape[0])
        weights, means, cov = responsibility_start(
            iris, resp, k, "EEI", 0.0, None, settings
        )
        start = _em.MixtureParams(
            weights, means, cov, MODELS["EEI"].precision_cholesky(cov, 0.0)
        )
        values = _penalized_path("EEI", settings, start, iris, 150)
        assert np.min(np.diff(values) / np.abs(values[1:])) >= -1e-5


@pytest.mark.parametrize("name", ["full", "tied", "diag", "spherical", "EII", "VEV"])
def test_m_step_does_not_depend_on_the_origin(name):
    # The EM core shifts the data by the mixture mean; the prior's mean is in
    # data coordinates.
    _, near = _m_step(name, _params(name, 3), _settings(name))
    offset = np.array([1e4, -3e3, 50.0])
    far_params = _params(name, 3, offset=offset)
    _, far = _m_step(name, far_params, _settings(name, offset), offset=offset)
    assert_allclose(far.means - offset, near.means, rtol=1e-9, atol=1e-9)
    assert_allclose(far.covariances, near.covariances, rtol=1e-7, atol=1e-10)


@pytest.mark.parametrize("name", ["full", "tied", "diag", "spherical", "EII", "VVV"])
def test_reg_covar_is_added_to_the_posterior_mode(name):
    params = _params(name, 3)
    settings = _settings(name)
    _, plain = _m_step(name, params, settings)
    _, regularized = _m_step(name, params, settings, reg_covar=0.25)
    model = MODELS[name]
    expected = model.add_to_diagonal(plain.covariances, 0.25)
    assert_allclose(regularized.covariances, expected, rtol=1e-12)
    assert_allclose(regularized.means, plain.means, rtol=1e-12)


@pytest.mark.parametrize("name", ["EEE", "VII", "VVI", "VVV"])
def test_scikit_learn_names_take_the_same_prior(name):
    alias = {"EEE": "tied", "VII": "spherical", "VVI": "diag", "VVV": "full"}[name]
    _, mclust = _m_step(name, _params(name, 3), _settings(name))
    _, sklearn = _m_step(alias, _params(alias, 3), _settings(alias))
    assert_allclose(sklearn.means, mclust.means, rtol=1e-10)
    full = MODELS[alias].to_full(sklearn.covariances, 3, D)
    assert_allclose(full, MODELS[name].to_full(mclust.covariances, 3, D), rtol=1e-9)


def test_no_prior_is_maximum_likelihood():
    model = MODELS["VEV"]
    assert model.with_prior(None) is model
    assert model.with_prior(_settings("VEV")).prior is not None
    assert model.with_prior(_settings("VEV")).with_prior(None).prior is None


def test_four_models_without_mclusts_prior_take_vvv_terms():
    # VEE, EVE, VVE, EVV: each component's scatter and mass augmented as
    # VVV's; with one component they are VVV.
    params = _params("VVV", 1)
    settings = _settings("VVV")
    _, vvv = _m_step("VVV", params, settings)
    for name in ("VEE", "EVE", "VVE", "EVV"):
        _, new = _m_step(name, params, settings)
        assert_allclose(new.covariances, vvv.covariances, rtol=1e-9)
        assert_allclose(new.means, vvv.means, rtol=1e-12)
