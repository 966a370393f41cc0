"""StudentMixture: mixtures of multivariate t distributions fit by ECM."""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy import stats
from scipy.stats import multivariate_t
from sklearn.exceptions import ConvergenceWarning
from threadpoolctl import threadpool_limits

from skgmm_em import GaussianMixture, StudentMixture
from skgmm_em._covariance import MCLUST_MODELS, MODELS
from skgmm_em.datasets import CONTAMINATED_MIXTURE, make_contaminated_mixture
from skgmm_em.model_selection import bic, n_parameters

# Every model once, by the name the table gives it first.
MODEL_NAMES = list(dict.fromkeys(MODELS[name].name for name in MCLUST_MODELS))


def _heavy_tailed(n=300, seed=0):
    """Two t3 clusters in 3-D, the second elongated and correlated."""
    rng = np.random.default_rng(seed)
    a = multivariate_t(np.zeros(3), np.eye(3), df=3).rvs(n, random_state=rng)
    scale = [[2.0, 0.6, 0.0], [0.6, 1.0, 0.3], [0.0, 0.3, 0.5]]
    b = multivariate_t([6.0, 3.0, -2.0], scale, df=3).rvs(n, random_state=rng)
    return np.vstack([a, b])


def _fit(X, covariance_type="full", **params):
    """A fit of a fixed number of iterations, its ConvergenceWarning silenced."""
    params = {"n_components": 2, "random_state": 0, **params}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return StudentMixture(covariance_type=covariance_type, **params).fit(X)


def _scipy_log_likelihood(model, X):
    k, d = model.means_.shape
    scales = MODELS[model.covariance_type].to_full(model.covariances_, k, d)
    densities = [
        w * multivariate_t(m, s, df=nu).pdf(X)
        for w, m, s, nu in zip(
            model.weights_, model.means_, scales, model.dofs_, strict=True
        )
    ]
    return np.log(np.sum(densities, axis=0))


@pytest.mark.parametrize("covariance_type", MODEL_NAMES)
def test_log_likelihood_at_the_fit_is_scipys(covariance_type):
    X = _heavy_tailed()
    model = _fit(X, covariance_type, max_iter=30)
    expected = _scipy_log_likelihood(model, X)
    assert_allclose(model.score_samples(X), expected, rtol=1e-10)
    assert model.score(X) == pytest.approx(expected.mean(), rel=1e-10)
    # The lower bound is the mean t log-likelihood of the iteration's start.
    again = _fit(X, covariance_type, max_iter=model.n_iter_ - 1)
    assert model.lower_bounds_[-1] == pytest.approx(again.score(X), rel=1e-10)


@pytest.mark.parametrize("covariance_type", MODEL_NAMES)
def test_ecm_never_decreases_the_likelihood(covariance_type):
    X = _heavy_tailed()
    model = _fit(X, covariance_type, tol=0.0, max_iter=40)
    bounds = np.asarray(model.lower_bounds_)
    assert len(bounds) == 40
    assert np.all(np.diff(bounds) >= -1e-12 * np.abs(bounds[1:]))
    # The model's constraints hold for the scale matrices.
    full = MODELS[covariance_type].to_full(model.covariances_, 2, 3)
    assert MODELS[covariance_type].constraint_violation(full) < 1e-6


def test_fixed_dof_never_decreases_the_likelihood_either():
    model = _fit(_heavy_tailed(), "diag", dof=2.5, tol=0.0, max_iter=30)
    assert np.all(np.diff(model.lower_bounds_) >= -1e-12)
    assert model.dofs_.tolist() == [2.5, 2.5]


def test_degrees_of_freedom_of_t5_data_are_recovered():
    # n = 5000: 2500 rows from each of two t5 components. The standard error
    # of each estimate is about 0.5.
    rng = np.random.default_rng(0)
    a = multivariate_t([0.0, 0.0], [[1.0, 0.3], [0.3, 1.0]], df=5).rvs(
        2500, random_state=rng
    )
    b = multivariate_t([6.0, 2.0], [[2.0, -0.5], [-0.5, 1.0]], df=5).rvs(
        2500, random_state=rng
    )
    model = StudentMixture(2, tol=1e-8, max_iter=500, random_state=0)
    model.fit(np.vstack([a, b]))
    assert model.converged_
    assert np.all(np.abs(model.dofs_ - 5.0) < 1.0), model.dofs_
    order = np.argsort(model.means_[:, 0])
    assert_allclose(model.means_[order], [[0.0, 0.0], [6.0, 2.0]], atol=0.1)


@pytest.mark.parametrize("covariance_type", ["full", "diag"])
def test_large_dof_approaches_the_gaussian_fit(covariance_type):
    # log t = log N + O(delta^4 / nu): Gaussian data, whose delta^2 stay
    # within a few dozen.
    X = np.random.default_rng(0).normal(size=(600, 3))
    X[300:] = X[300:] * [2.0, 1.0, 0.5] + [4.0, 0.0, 1.0]
    params = dict(n_components=2, covariance_type=covariance_type, random_state=0)
    params.update(tol=1e-10, max_iter=500)
    gaussian = GaussianMixture(**params).fit(X)
    t = StudentMixture(dof=1e6, **params).fit(X)
    for name in ("weights_", "means_", "covariances_"):
        assert_allclose(getattr(t, name), getattr(gaussian, name), rtol=1e-4)
    assert_allclose(t.score_samples(X), gaussian.score_samples(X), rtol=1e-5)
    assert_array_equal(t.predict(X), gaussian.predict(X))


def _means_error(model, truth):
    """The largest distance of a true mean to its fitted mean (the best
    matching of the two components)."""
    fitted = model.means_
    return min(
        np.linalg.norm(fitted[order] - truth, axis=1).max()
        for order in ([0, 1], [1, 0])
    )


def test_contaminated_data_t_means_are_robust():
    # Two Gaussian clusters of 1000 points and 200 points uniform over a box
    # ten times wider (the data): a Gaussian component goes to the
    # outliers, the t components keep the clusters. k-means spends a cluster
    # on the outliers too, so the t fit starts from data points.
    X, y = make_contaminated_mixture(random_state=0)
    truth = CONTAMINATED_MIXTURE["means"]
    gaussian = GaussianMixture(2, n_init=3, random_state=0).fit(X)
    t = StudentMixture(2, n_init=3, init_params="random_from_data", random_state=0)
    t.fit(X)
    gaussian_error, t_error = _means_error(gaussian, truth), _means_error(t, truth)
    assert gaussian_error > 2.0, gaussian_error
    assert t_error < 0.15, t_error
    # The outliers' share of the t fit: one component's heavy tail.
    assert t.dofs_.min() < 2.0


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_sample_weight_counts_repetitions():
    X = _heavy_tailed(100)
    weight = np.random.default_rng(1).integers(0, 4, len(X))
    start = _fit(X, max_iter=3)
    params = dict(
        weights_init=start.weights_,
        means_init=start.means_,
        precisions_init=start.precisions_,
        tol=0.0,
        max_iter=10,
    )
    weighted = _fit(X, **params)
    weighted.fit(X, sample_weight=weight)
    repeated = _fit(np.repeat(X, weight, axis=0), **params)
    for name in ("weights_", "means_", "covariances_", "dofs_"):
        assert_allclose(getattr(weighted, name), getattr(repeated, name), rtol=1e-9)


def _total_log_likelihood(fitted, X, means, scale, dofs):
    """sum_i log p(x_i) under the weights of ``fitted`` (a 'full' model) and
    the given locations, scale matrices and degrees of freedom."""
    model = StudentMixture(2)
    model.n_features_in_ = X.shape[1]
    model.weights_ = fitted.weights_
    model.means_ = means
    model.covariances_ = scale
    model.precisions_cholesky_ = MODELS["full"].precision_cholesky(scale, 0.0)
    model.dofs_ = dofs
    return model.score(X) * len(X)


def _gradient(fitted, X, means, scale, dofs, h=1e-5):
    """Central differences of the total log-likelihood in a few locations,
    variances and the degrees of freedom."""
    point = {"means": means, "scale": scale, "dofs": dofs}
    steps = [("means", (0, 0)), ("means", (1, 2)), ("scale", (0, 1, 1))]
    steps += [("scale", (1, 0, 0)), ("dofs", (0,)), ("dofs", (1,))]
    gradient = []
    for name, where in steps:
        up, down = dict(point), dict(point)
        up[name], down[name] = point[name].copy(), point[name].copy()
        up[name][where] += h
        down[name][where] -= h
        difference = _total_log_likelihood(fitted, X, **up) - _total_log_likelihood(
            fitted, X, **down
        )
        gradient.append(difference / (2 * h))
    return np.array(gradient)


def test_with_missing_values_the_fit_is_a_stationary_point():
    # At convergence the gradient of the observed-data log-likelihood
    # vanishes: a wrong expected statistic of the rows with NaN (the weight
    # of the conditional covariance, the number of observed coordinates in
    # the equation of the degrees of freedom) would move the fixed point.
    X = _heavy_tailed(200)
    rng = np.random.default_rng(2)
    X[rng.random(X.shape) < 0.15] = np.nan
    X[rng.random(len(X)) < 0.05] = np.nan  # a few rows observe nothing
    # No reg_covar, which moves the fixed point off the maximum likelihood;
    # one BLAS thread for the many tiny solves of the missing patterns.
    model = StudentMixture(2, reg_covar=0.0, tol=1e-12, max_iter=3000, random_state=0)
    with threadpool_limits(1):
        model.fit(X)
        fitted = (model.means_, model.covariances_, model.dofs_)
        at_fit = _gradient(model, X, *fitted)
        moved = (model.means_ + 0.05, model.covariances_ * 1.05, model.dofs_ * 1.1)
        away = np.abs(_gradient(model, X, *moved))
    assert model.converged_
    assert np.all((model.dofs_ > 1.5) & (model.dofs_ < 10))
    # Either mistake above leaves ratios above 0.1.
    assert np.all(np.abs(at_fit) < 2e-3 * away), (at_fit, away)


def test_missing_values_never_decrease_the_likelihood():
    X = _heavy_tailed()
    X[::4, 0] = np.nan
    X[1::7, 1:] = np.nan
    model = _fit(X, "VVI", tol=0.0, max_iter=30)
    assert np.all(np.diff(model.lower_bounds_) >= -1e-12)
    assert np.all(np.isfinite(model.predict_proba(X)))


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_warm_start_continues_the_degrees_of_freedom():
    X = _heavy_tailed()
    once = _fit(X, tol=0.0, max_iter=20)
    twice = _fit(X, tol=0.0, max_iter=10, warm_start=True)
    twice.fit(X)
    assert_allclose(twice.dofs_, once.dofs_, rtol=1e-10)
    assert_allclose(twice.means_, once.means_, rtol=1e-10)
    # Fixing dof on a warm start replaces the previous estimates.
    twice.set_params(dof=3.0).fit(X)
    assert twice.dofs_.tolist() == [3.0, 3.0]


def test_fit_predict_equals_fit_then_predict_and_labels():
    X = _heavy_tailed()
    model = StudentMixture(2, random_state=0)
    labels = model.fit_predict(X)
    assert_array_equal(labels, model.predict(X))
    assert_array_equal(labels, model.labels_)
    proba = model.predict_proba(X)
    assert_allclose(proba.sum(axis=1), 1.0)
    assert_array_equal(np.argmax(proba, axis=1), labels)


def test_float32_fit():
    X = _heavy_tailed()
    model64 = StudentMixture(2, random_state=0).fit(X)
    model32 = StudentMixture(2, random_state=0).fit(X.astype(np.float32))
    assert model32.means_.dtype == np.float32
    assert model32.dofs_.dtype == np.float64
    assert_allclose(model32.means_, model64.means_, rtol=1e-3, atol=1e-3)
    assert_allclose(model32.dofs_, model64.dofs_, rtol=1e-2)


def test_parameters_counted_by_the_criteria():
    X = _heavy_tailed()
    estimated = StudentMixture(2, covariance_type="diag", random_state=0).fit(X)
    fixed = StudentMixture(2, covariance_type="diag", dof=4.0).fit(X)
    # 1 weight, 6 means, 6 variances; 2 degrees of freedom when estimated.
    assert n_parameters(estimated) == estimated._n_parameters() == 15
    assert n_parameters(fixed) == fixed._n_parameters() == 13
    assert estimated.bic(X) == pytest.approx(bic(estimated, X))
    expected = -2 * estimated.score(X) * len(X) + 15 * np.log(len(X))
    assert estimated.bic(X) == pytest.approx(expected)


def test_sample_draws_from_the_t_mixture():
    X = _heavy_tailed()
    model = StudentMixture(1, covariance_type="full", random_state=0).fit(X[:300])
    sample, labels = model.sample(20000)
    assert sample.shape == (20000, 3) and np.all(labels == 0)
    # delta^2 / D of a t draw follows an F(D, nu) distribution.
    diff = sample - model.means_[0]
    maha = np.einsum("ni,ij,nj->n", diff, model.precisions_[0], diff)
    nu = model.dofs_[0]
    result = stats.kstest(maha / 3, stats.f(3, nu).cdf)
    assert result.pvalue > 1e-3
    again, _ = model.sample(20000)
    assert_array_equal(again, sample)
    with pytest.raises(ValueError, match="n_samples"):
        model.sample(0)


@pytest.mark.parametrize("dof", [0.0, -1.0, np.inf, np.nan, "5"])
def test_dof_must_be_positive_and_finite(dof):
    with pytest.raises(ValueError, match="'dof' parameter of StudentMixture"):
        StudentMixture(dof=dof).fit(_heavy_tailed())


@pytest.mark.parametrize("covariance_type", ["diag", "spherical"])
def test_reseed_on_collapse(covariance_type):
    # Three copies of a point and spread data: with too many components one
    # collapses onto the copies; re-seeded, the fit goes on.
    rng = np.random.default_rng(0)
    X = np.vstack([rng.standard_t(3, (60, 2)), np.repeat([[40.0, 40.0]], 3, axis=0)])
    model = StudentMixture(
        4,
        covariance_type=covariance_type,
        reg_covar=0.0,
        on_collapse="reseed",
        random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X)
    assert model.n_reseeds_ >= 1
    assert np.all(np.isfinite(model.score_samples(X)))
    assert np.all((model.dofs_ >= 1.0) & (model.dofs_ <= 200.0))
