"""The EM core of t mixtures (skgmm_em._student_em) and the table's M-step
with masses apart from the weights of the statistics."""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy.optimize import minimize_scalar
from scipy.special import digamma, gammaln
from scipy.stats import multivariate_t

from skgmm_em import _em, _missing, _student_em
from skgmm_em._covariance import MCLUST_MODELS, MODELS
from skgmm_em._covariance._constrained import constrained_covariances
from skgmm_em._student_em import (
    DOF_BOUNDS,
    StudentCore,
    StudentParams,
    update_dofs,
)

K, D = 3, 3
# Every model once, by the name the table gives it first.
MODEL_NAMES = list(dict.fromkeys(MODELS[name].name for name in MCLUST_MODELS))


def _params(covariance_type, dofs=(1.5, 4.0, 60.0), seed=0):
    """Parameters of a t mixture of the model, from random full matrices."""
    rng = np.random.default_rng(seed)
    model = MODELS[covariance_type]
    weights = np.array([0.2, 0.3, 0.5])
    means = rng.normal(scale=3.0, size=(K, D))
    A = rng.normal(size=(K, D, D))
    full = A @ A.transpose(0, 2, 1) + np.eye(D)
    covariances = model.add_to_diagonal(model.from_full(full, weights), 0.0)
    prec_chol = model.precision_cholesky(covariances, 0.0)
    return StudentParams(weights, means, covariances, prec_chol, np.array(dofs))


def _scipy_log_likelihood(X, params, covariance_type):
    full = MODELS[covariance_type].to_full(params.covariances, K, D)
    densities = [
        w * multivariate_t(m, s, df=nu).pdf(X)
        for w, m, s, nu in zip(
            params.weights, params.means, full, params.dofs, strict=True
        )
    ]
    return np.log(np.sum(densities, axis=0))


def _data(n=500, seed=1):
    rng = np.random.default_rng(seed)
    return rng.standard_t(3, size=(n, D)) * 3.0


@pytest.mark.parametrize("covariance_type", MODEL_NAMES)
def test_log_likelihood_is_scipys(covariance_type):
    X = _data()
    params = _params(covariance_type)
    expected = _scipy_log_likelihood(X, params, covariance_type)
    assert_allclose(
        _student_em.score_samples(X, params, covariance_type), expected, rtol=1e-12
    )
    stats = _student_em.e_step(X, params, covariance_type)
    assert stats.log_likelihood == pytest.approx(expected.sum(), rel=1e-12)
    assert stats.masses.sum() == pytest.approx(len(X))


def test_log_likelihood_of_missing_values_is_the_marginal_t():
    X = _data()
    X[::3, 1] = np.nan
    X[1::5, [0, 2]] = np.nan
    X[7] = np.nan
    params = _params("full")
    missing = _missing.find_missing(X)
    log_prob = _student_em.score_samples(X, params, "full", missing)
    assert log_prob[7] == 0.0  # nothing observed
    for i in (0, 1, 2):
        o = np.flatnonzero(~np.isnan(X[i]))
        density = sum(
            w * multivariate_t(m[o], s[np.ix_(o, o)], df=nu).pdf(X[i, o])
            for w, m, s, nu in zip(
                params.weights,
                params.means,
                params.covariances,
                params.dofs,
                strict=True,
            )
        )
        assert log_prob[i] == pytest.approx(np.log(density), rel=1e-12)


def _brute_force_stats(X, params):
    """The 'full' model's t statistics of complete rows, written out."""
    diff = X[None] - params.means[:, None]
    precisions = np.linalg.inv(params.covariances)
    maha = np.einsum("kni,kij,knj->kn", diff, precisions, diff)
    log_t = (
        np.array(
            [
                multivariate_t(m, s, df=nu).logpdf(X)
                for m, s, nu in zip(
                    params.means, params.covariances, params.dofs, strict=True
                )
            ]
        )
        + np.log(params.weights)[:, None]
    )
    resp = np.exp(log_t - np.logaddexp.reduce(log_t, axis=0))
    nu = params.dofs[:, None]
    u = (nu + D) / (nu + maha)
    ru = resp * u
    expect = np.log(u) - u + digamma((nu + D) / 2) - np.log((nu + D) / 2)
    sxx = np.einsum("kn,kni,knj->kij", ru, diff, diff)
    return (
        ru.sum(1),
        np.einsum("kn,kni->ki", ru, diff),
        sxx,
        resp.sum(1),
        (resp * expect).sum(1),
    )


def test_statistics_are_the_written_out_ones():
    X = _data()
    params = _params("full")
    stats = _student_em.e_step(X, params, "full")
    nk, sx, sxx, masses, scale_terms = _brute_force_stats(X, params)
    assert_allclose(stats.nk, nk, rtol=1e-10)
    assert_allclose(stats.sx, sx, rtol=1e-9, atol=1e-9 * np.abs(sx).max())
    assert_allclose(stats.sxx, sxx, rtol=1e-9)
    assert_allclose(stats.masses, masses, rtol=1e-10)
    assert_allclose(stats.scale_terms, scale_terms, rtol=1e-10)


def test_statistics_add_over_any_split_of_the_rows():
    X = _data(3000)
    params = _params("diag")
    whole = _student_em.e_step(X, params, "diag")
    parts = _student_em.e_step(X[:1234], params, "diag") + _student_em.e_step(
        X[1234:], params, "diag"
    )
    for a, b in zip(whole, parts, strict=True):
        assert_allclose(a, b, rtol=1e-10)


def test_float32_rows_give_the_float64_statistics_to_float32_rounding():
    X = _data()
    params = _params("full")
    stats64 = _student_em.e_step(X, params, "full")
    stats32 = _student_em.e_step(X.astype(np.float32), params, "full")
    assert_allclose(stats32.nk, stats64.nk, rtol=1e-4)
    assert_allclose(stats32.scale_terms, stats64.scale_terms, rtol=1e-4)
    assert stats32.log_likelihood == pytest.approx(stats64.log_likelihood, rel=1e-5)


@pytest.mark.parametrize("covariance_type", MODEL_NAMES)
def test_m_step_masses_with_masses_nk_is_the_m_step(covariance_type):
    model = MODELS[covariance_type]
    X = _data()
    params = _params(covariance_type)
    stats = _em.e_step(X, _em.MixtureParams(*params[:4]), model)
    shift = _em.reference_point(params)
    nk_eps = stats.nk + 1e-12
    args = (stats.nk, nk_eps, stats.sx, stats.sxx, params.means - shift, 1e-3)
    expected = model.m_step(*args, previous=params.covariances)
    actual = model.m_step_masses(stats.nk, *args, previous=params.covariances)
    assert_allclose(actual[0], expected[0], rtol=1e-12)
    assert_allclose(actual[1], expected[1], rtol=1e-10)


@pytest.mark.parametrize("covariance_type", MODEL_NAMES)
def test_m_step_masses_minimizes_the_objective_with_the_masses(covariance_type):
    # The covariances for the masses m_k and the r u-weighted scatter W_k are
    # the model's M-step for (m_k, W_k): constrained_covariances of the
    # model's three letters, with reg_covar = 0.
    model = MODELS[covariance_type]
    X = _data()
    params = _params(covariance_type)
    stats = _student_em.e_step(X, params, covariance_type)
    shift = _em.reference_point(params)
    nk_eps = stats.nk + 1e-12
    means, covariances = model.m_step_masses(
        stats.masses,
        stats.nk,
        nk_eps,
        stats.sx,
        stats.sxx,
        params.means - shift,
        0.0,
        None,
    )
    # About the new means, the r u-weighted first moments vanish (they are
    # the r u-weighted means), and the second are the scatter matrices.
    full_params = params._replace(
        covariances=model.to_full(params.covariances, K, D),
        precisions_cholesky=model.to_full(params.precisions_cholesky, K, D),
    )
    about = _student_em.e_step(X, full_params, "full", about=means + shift)
    assert_allclose(about.sx, 0.0, atol=1e-10 * np.abs(X).max() * len(X))
    expected = constrained_covariances(
        model.mclust_name, stats.masses + 1e-12, about.sxx
    )
    full = model.to_full(covariances, K, D)
    assert_allclose(full, expected, rtol=1e-6, atol=1e-9)


def test_dof_update_maximizes_the_expected_log_likelihood():
    X = _data()
    params = _params("full")
    stats = _student_em.e_step(X, params, "full")
    new = update_dofs(stats.masses, stats.scale_terms, params.dofs)
    for k in range(K):
        mass, term = stats.masses[k], stats.scale_terms[k]

        def negative_q(nu, mass=mass, term=term):
            return -(
                mass * (0.5 * nu * np.log(0.5 * nu) - gammaln(0.5 * nu))
                + 0.5 * nu * term
            )

        best = minimize_scalar(
            negative_q, bounds=DOF_BOUNDS, method="bounded", options={"xatol": 1e-10}
        ).x
        assert new[k] == pytest.approx(best, rel=1e-6)


def test_dof_update_stays_within_the_bounds():
    low, high = DOF_BOUNDS
    # E[log tau - tau] near -1 (no spread of tau): nu beyond the upper bound;
    # far below: nu below the lower one. No mass: unchanged.
    new = update_dofs(
        np.array([10.0, 10.0, 0.0]), np.array([-10.0001, -100.0, 0.0]), [7.0] * 3
    )
    assert new.tolist() == [high, low, 7.0]


def test_fixed_core_keeps_the_degrees_of_freedom():
    X = _data()
    params = _params("tied")
    stats = _student_em.e_step(X, params, "tied")
    fixed = StudentCore(fixed=True).m_step(stats, params, "tied", 1e-6, X.dtype)
    free = StudentCore().m_step(stats, params, "tied", 1e-6, X.dtype)
    assert fixed.dofs.tolist() == params.dofs.tolist()
    assert not np.allclose(free.dofs, params.dofs)
    assert_allclose(fixed.covariances, free.covariances, rtol=1e-14)


@pytest.mark.parametrize(
    "covariance_type", ["full", "tied", "diag", "spherical", "VEV"]
)
def test_recentred_m_step_is_the_m_step_to_rounding(covariance_type):
    X = _data() + 100.0
    params = _params(covariance_type)._replace(
        means=_params(covariance_type).means + 100
    )
    stats = _student_em.e_step(X, params, covariance_type)
    core = StudentCore()
    plain = core.m_step(stats, params, covariance_type, 1e-6, X.dtype)
    again = core.recentred_m_step(X, stats, params, covariance_type, 1e-6, X.dtype)
    none = core.recentred_m_step(None, stats, params, covariance_type, 1e-6, X.dtype)
    for a, b, c in zip(plain, again, none, strict=True):
        assert_allclose(b, a, rtol=1e-7)
        assert_allclose(c, a, rtol=0)


def test_reseed_gives_the_donors_degrees_of_freedom():
    X = _data()
    params = _params("full")
    stats = _student_em.e_step(X, params, "full")
    new = StudentCore().reseed(stats, params, "full", 1e-6, X.dtype, [0])
    plain = StudentCore().m_step(stats, params, "full", 1e-6, X.dtype)
    donor = int(np.argmax(plain.weights[1:])) + 1
    assert new.dofs[0] == new.dofs[donor] == plain.dofs[donor]
    assert new.weights[0] == pytest.approx(new.weights[donor])
    assert_allclose(new.covariances[0], new.covariances[donor])
