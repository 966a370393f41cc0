"""Degenerate data: a finite fit or a ValueError that says what to change.

One test per case of issue 8, point 1. Every fit either gives finite fitted
attributes and finite outputs (``predict``, ``predict_proba``,
``score_samples``, ``score``, ``bic``, ``sample``), or raises a ValueError
whose message names what to change. Warnings are errors (pyproject.toml and
the autouse fixture below), so a RuntimeWarning from numpy inside the
package fails the test. The last test checks that one fitted model predicts
from several threads at once as it does sequentially.
"""

import warnings
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from _data import COVARIANCE_TYPES
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.exceptions import ConvergenceWarning
from sklearn.mixture import GaussianMixture as SklearnGaussianMixture
from threadpoolctl import threadpool_info

from skgmm_em import GaussianMixture, _em
from skgmm_em.initialization import KMeansInit

FITTED = ["weights_", "means_", "covariances_", "precisions_", "precisions_cholesky_"]
# What the ill-defined covariance error must tell the user to change.
FIX_REG_COVAR = r"reg_covar.*StandardScaler"


@pytest.fixture(autouse=True)
def warnings_are_errors():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


def blobs(n_per_blob=20, n_features=2, seed=0):
    """Three well separated blobs; shape (3 * n_per_blob, n_features)."""
    rng = np.random.RandomState(seed)
    centers = 8.0 * np.eye(3, n_features)
    return np.concatenate(
        [c + rng.normal(size=(n_per_blob, n_features)) for c in centers]
    )


def check_finite(gm, X):
    """Fitted attributes and every output on X are finite and consistent."""
    for name in FITTED:
        value = getattr(gm, name)
        assert np.all(np.isfinite(value)), name
    assert np.isfinite(gm.lower_bound_)
    assert_allclose(gm.weights_.sum(), 1.0, rtol=1e-5)
    proba = gm.predict_proba(X)
    log_prob = gm.score_samples(X)
    labels = gm.predict(X)
    assert np.all(np.isfinite(proba)) and np.all(np.isfinite(log_prob))
    assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-5)
    assert labels.min() >= 0 and labels.max() < gm.n_components
    assert np.isfinite(gm.score(X)) and np.isfinite(gm.bic(X))
    samples, _ = gm.sample(20)
    assert np.all(np.isfinite(samples))


def fit_finite(X, **params):
    """Fit, check everything is finite, return the model."""
    gm = GaussianMixture(random_state=0, **params).fit(X)
    check_finite(gm, X)
    return gm


def fit_finite_or_refuse(X, match, **params):
    """Fit X: finite, or a ValueError whose message contains ``match``."""
    gm = GaussianMixture(random_state=0, **params)
    try:
        gm.fit(X)
    except ValueError as exc:
        assert match in str(exc)
    else:
        check_finite(gm, X)


def explicit_start(X, n_components, covariance_type, seed=0):
    """weights_init, means_init, precisions_init from rows of X."""
    rng = np.random.RandomState(seed)
    n_features = X.shape[1]
    means = X[rng.choice(len(X), n_components, replace=False)].astype(np.float64)
    precision = 1.0 / np.var(X, axis=0).mean()
    precisions = {
        "full": np.stack([np.eye(n_features) * precision] * n_components),
        "tied": np.eye(n_features) * precision,
        "diag": np.full((n_components, n_features), precision),
        "spherical": np.full(n_components, precision),
    }[covariance_type]
    return {
        "weights_init": np.full(n_components, 1.0 / n_components),
        "means_init": means,
        "precisions_init": precisions,
    }


def variances(gm):
    """The variances of every component, shape (n_components, n_features)."""
    cov = np.asarray(gm.covariances_, dtype=np.float64)
    k, d = gm.means_.shape
    if gm.covariance_type == "full":
        return np.diagonal(cov, axis1=1, axis2=2)
    if gm.covariance_type == "tied":
        return np.tile(np.diag(cov), (k, 1))
    if gm.covariance_type == "diag":
        return cov
    return np.tile(cov[:, None], (1, d))


# ---------------------------------------------------------------------------
# duplicated points


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_duplicated_points(covariance_type):
    X = np.repeat(blobs(4), 5, axis=0)
    gm = fit_finite(X, n_components=3, covariance_type=covariance_type)
    assert_array_equal(np.sort(np.bincount(gm.predict(X))), [20, 20, 20])


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_each_component_on_one_repeated_point(covariance_type):
    # Four distinct points, ten copies each, four components: every
    # component collapses onto one point and keeps the variance reg_covar.
    points = np.array([[0.0, 0.0], [5.0, 0.0], [0.0, 5.0], [5.0, 5.0]])
    X = np.repeat(points, 10, axis=0)
    gm = fit_finite(X, n_components=4, covariance_type=covariance_type)
    assert_allclose(np.sort(gm.means_, axis=0), np.sort(points, axis=0), atol=1e-6)
    assert_allclose(variances(gm), 1e-6, rtol=1e-3)
    with pytest.raises(ValueError, match=FIX_REG_COVAR):
        GaussianMixture(
            4, covariance_type=covariance_type, reg_covar=0.0, random_state=0
        ).fit(X)


# ---------------------------------------------------------------------------
# constant features


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_constant_feature(covariance_type):
    X = blobs()
    X[:, 1] = 3.0
    gm = fit_finite(X, n_components=3, covariance_type=covariance_type)
    assert_allclose(gm.means_[:, 1], 3.0)
    if covariance_type != "spherical":
        assert_allclose(variances(gm)[:, 1], 1e-6, rtol=1e-3)
    no_reg = GaussianMixture(
        3, covariance_type=covariance_type, reg_covar=0.0, random_state=0
    )
    if covariance_type == "spherical":
        # One variance per component, pooled over the features: still > 0.
        check_finite(no_reg.fit(X), X)
    else:
        with pytest.raises(ValueError, match=FIX_REG_COVAR):
            no_reg.fit(X)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_all_samples_identical(covariance_type):
    X = np.full((30, 2), 7.0)
    gm = fit_finite(X, n_components=1, covariance_type=covariance_type)
    assert_allclose(gm.means_, [[7.0, 7.0]])
    assert_allclose(variances(gm), 1e-6, rtol=1e-6)
    with pytest.raises(ValueError, match=FIX_REG_COVAR):
        GaussianMixture(1, covariance_type=covariance_type, reg_covar=0.0).fit(X)


def test_identical_float32_samples_without_reg_covar():
    # The random start's variance is positive but below 1e-38: its precision
    # would overflow float32 in the kernels, so it is an ill-defined covariance.
    X = np.full((2, 1), -7.2968623e-06, dtype=np.float32)
    for covariance_type in ("diag", "spherical"):
        with pytest.raises(ValueError, match=FIX_REG_COVAR):
            GaussianMixture(
                1,
                covariance_type=covariance_type,
                init_params="random",
                reg_covar=0.0,
                random_state=0,
            ).fit(X)


# ---------------------------------------------------------------------------
# n_samples == n_components, and more components than distinct points


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_n_samples_equals_n_components(covariance_type):
    X = np.array([[0.0, 0.0], [1.0, 3.0], [4.0, -1.0]])
    gm = fit_finite(X, n_components=3, covariance_type=covariance_type)
    assert_allclose(np.sort(gm.means_, axis=0), np.sort(X, axis=0), atol=1e-6)
    assert_allclose(gm.weights_, 1 / 3, rtol=1e-6)
    no_reg = GaussianMixture(
        3, covariance_type=covariance_type, reg_covar=0.0, random_state=0
    )
    if covariance_type == "tied":
        # The pooled covariance of three samples in two dimensions is
        # positive definite.
        check_finite(no_reg.fit(X), X)
    else:
        # One sample per component: a covariance of zero. (scikit-learn's
        # formulas give a lone sample away from the origin a tiny positive
        # variance; the sample at the origin gets none.)
        with pytest.raises(ValueError, match=FIX_REG_COVAR):
            no_reg.fit(X)
    with pytest.raises(ValueError, match="n_components = 3.*use fewer components"):
        GaussianMixture(3, covariance_type=covariance_type).fit(X[:2])


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
@pytest.mark.parametrize(
    "init_params", ["kmeans", "k-means++", "random", "random_from_data", "moments"]
)
def test_more_components_than_distinct_points(covariance_type, init_params):
    # Where scikit-learn fits, this fits: the extra components sit on the
    # same points or are left empty, k-means warning that it found fewer
    # clusters (its own ConvergenceWarning, as in scikit-learn).
    X = np.repeat([[0.0, 1.0], [3.0, -2.0]], 10, axis=0)
    params = dict(n_components=3, covariance_type=covariance_type)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        gm = fit_finite(X, init_params=init_params, **params)
    messages = [str(w.message) for w in caught]
    if init_params == "kmeans":
        assert any("Number of distinct clusters (2)" in m for m in messages)
    if init_params != "moments":
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            theirs = SklearnGaussianMixture(
                init_params=init_params, random_state=0, **params
            ).fit(X)
        assert_allclose(gm.weights_, theirs.weights_, rtol=1e-7, atol=1e-9)
        # A component left with no mass keeps its previous mean here, where
        # scikit-learn's drifts towards the origin: compare the others.
        held = theirs.weights_ > 1e-6
        assert_allclose(gm.means_[held], theirs.means_[held], rtol=1e-7, atol=1e-9)


def test_distinct_rows_start_refuses_more_components_than_points():
    X = np.repeat([[0.0, 1.0], [3.0, -2.0]], 10, axis=0)
    with pytest.raises(ValueError, match="only 2 distinct sample.*fewer components"):
        GaussianMixture(3, init_params=KMeansInit(rows="distinct")).fit(X)


# ---------------------------------------------------------------------------
# a component collapses during the fit


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_component_collapses_mid_fit(covariance_type):
    # A broad start on a lone outlier: the component shrinks onto it over
    # the iterations, down to the variance reg_covar.
    X = np.r_[np.random.RandomState(0).normal(size=(50, 2)), [[8.0, 8.0]]]
    start = {
        "weights_init": [0.5, 0.5],
        "means_init": [[0.0, 0.0], [8.0, 8.0]],
        "precisions_init": {
            "full": np.stack([np.eye(2)] * 2),
            "tied": np.eye(2),
            "diag": np.ones((2, 2)),
            "spherical": np.ones(2),
        }[covariance_type],
    }
    gm = fit_finite(X, n_components=2, covariance_type=covariance_type, **start)
    assert gm.n_iter_ >= 2
    assert_allclose(gm.weights_[1], 1 / 51, rtol=1e-6)
    assert_allclose(gm.means_[1], [8.0, 8.0], atol=1e-6)
    if covariance_type != "tied":
        assert_allclose(variances(gm)[1], 1e-6, rtol=1e-3)
    no_reg = GaussianMixture(2, covariance_type=covariance_type, reg_covar=0.0, **start)
    if covariance_type == "full":
        with pytest.raises(ValueError, match=r"Component\(s\) 1 .*" + FIX_REG_COVAR):
            no_reg.fit(X)
    else:
        # A diagonal or spherical component on a single sample keeps the
        # tiny positive variance scikit-learn's formulas give it, and goes on
        # (as scikit-learn does); its precision is huge but finite.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            fitted = no_reg.fit(X)
        check_finite(fitted, X)
        if covariance_type != "tied":
            assert np.all(variances(fitted)[1] < 1e-12)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_component_left_empty(covariance_type):
    # A component started far from every sample gets no responsibility.
    X = np.random.RandomState(0).normal(size=(50, 2))
    gm = fit_finite(
        X,
        n_components=2,
        covariance_type=covariance_type,
        means_init=[[0.0, 0.0], [1e3, 1e3]],
    )
    assert gm.weights_[1] < 1e-10
    assert_array_equal(gm.predict(X), 0)


# ---------------------------------------------------------------------------
# magnitudes from 1e-150 to 1e150, and huge offsets


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
@pytest.mark.parametrize("scale", [1e-150, 1e150])
def test_extreme_scale_is_equivariant(covariance_type, scale):
    # reg_covar is an absolute variance, so it scales with the data.
    X = blobs()
    start = explicit_start(X, 3, covariance_type)
    common = {"n_components": 3, "covariance_type": covariance_type, "tol": 0.0}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ref = fit_finite(X, max_iter=5, **common, **start)
        scaled_start = {
            "weights_init": start["weights_init"],
            "means_init": start["means_init"] * scale,
            "precisions_init": start["precisions_init"] / scale**2,
        }
        gm = fit_finite(
            X * scale,
            max_iter=5,
            reg_covar=1e-6 * scale**2,
            **common,
            **scaled_start,
        )
    assert_allclose(gm.weights_, ref.weights_, rtol=1e-9)
    assert_allclose(gm.means_ / scale, ref.means_, rtol=1e-9, atol=1e-9)
    assert_allclose(gm.covariances_ / scale**2, ref.covariances_, rtol=1e-8, atol=1e-9)
    assert_allclose(gm.predict_proba(X * scale), ref.predict_proba(X), atol=1e-9)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
@pytest.mark.parametrize("scale", [1e-150, 1e150])
def test_extreme_scale_default_parameters(covariance_type, scale):
    fit_finite(blobs() * scale, n_components=3, covariance_type=covariance_type)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_features_of_opposite_extreme_scales(covariance_type):
    X = blobs() * np.array([1e-150, 1e150])
    fit_finite(X, n_components=3, covariance_type=covariance_type)


def _spanning_feature():
    rng = np.random.RandomState(0)
    magnitudes = np.logspace(-150, 150, 60) * rng.choice([-1.0, 1.0], 60)
    return np.c_[magnitudes, rng.normal(size=60)]


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_feature_spanning_1e_minus_150_to_1e150(covariance_type):
    # Moments about the previous means (full) or the mixture mean (tied)
    # cancel here: the M-step and the k-means start's tied covariance are
    # redone from moments about the new means: finite fits. (At this range
    # of magnitudes rounding is large enough that the log-likelihood of
    # every covariance type can step down, so that is not asserted.)
    X = _spanning_feature()
    for n_components in (1, 2, 3):
        fit_finite(X, n_components=n_components, covariance_type=covariance_type)


def test_recentred_m_step_equals_the_m_step_where_nothing_cancels():
    X = blobs(200, n_features=3) + 5.0
    sample_weight = np.random.RandomState(1).uniform(0.5, 2.0, size=len(X))
    for covariance_type in ("full", "tied"):
        gm = GaussianMixture(
            3, covariance_type=covariance_type, max_iter=1, random_state=0
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            gm.fit(X)
        params = _em.params_of(gm)
        stats = _em.e_step(X, params, covariance_type, sample_weight)
        direct = _em.m_step(stats, params, covariance_type, 1e-6, np.float64)
        recentred = _em.recentred_m_step(
            X, stats, params, covariance_type, 1e-6, np.float64, sample_weight
        )
        for a, b in zip(direct[:4], recentred[:4], strict=True):
            assert_allclose(a, b, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
@pytest.mark.parametrize("offset", [1e8, -1e12, 1e15])
def test_huge_offset(covariance_type, offset):
    X = blobs()
    start = explicit_start(X, 3, covariance_type)
    ref = fit_finite(X, n_components=3, covariance_type=covariance_type, **start)
    shifted_start = dict(start, means_init=start["means_init"] + offset)
    gm = fit_finite(
        X + offset, n_components=3, covariance_type=covariance_type, **shifted_start
    )
    # The data keep about 16 - log10(offset) significant digits.
    resolution = np.spacing(abs(offset))
    assert_allclose(gm.means_ - offset, ref.means_, atol=100 * resolution)
    assert_allclose(gm.covariances_, ref.covariances_, rtol=1e-3, atol=1e3 * resolution)


def test_values_beyond_1e150_fit_or_clear_error():
    for covariance_type in COVARIANCE_TYPES:
        for scale in (1e160, 1e300):
            fit_finite_or_refuse(
                blobs() * scale,
                "StandardScaler",
                n_components=3,
                covariance_type=covariance_type,
            )


def test_queries_beyond_1e150_finite_or_clear_error():
    X = blobs()
    for covariance_type in COVARIANCE_TYPES:
        gm = fit_finite(X, n_components=3, covariance_type=covariance_type)
        far = X + 1e160
        try:
            log_prob = gm.score_samples(far)
        except ValueError as exc:
            assert "StandardScaler" in str(exc)
        else:
            assert np.all(np.isfinite(log_prob))
            assert np.all(np.isfinite(gm.predict_proba(far)))


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
@pytest.mark.parametrize("distance", [1e6, 1e100, 1e150])
def test_queries_far_from_the_data(covariance_type, distance):
    X = blobs()
    gm = fit_finite(X, n_components=3, covariance_type=covariance_type)
    far = np.r_[X[:5] + distance, X[:5] - distance]
    assert np.all(np.isfinite(gm.score_samples(far)))
    assert_allclose(gm.predict_proba(far).sum(axis=1), 1.0)


# ---------------------------------------------------------------------------
# one feature, one component


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
@pytest.mark.parametrize("n_components", [1, 2, 3])
def test_single_feature_agrees_with_sklearn(covariance_type, n_components):
    X = blobs(n_features=1)
    start = explicit_start(X, n_components, covariance_type)
    params = {
        "n_components": n_components,
        "covariance_type": covariance_type,
        "tol": 1e-10,
        "max_iter": 500,
        **start,
    }
    gm = fit_finite(X, **params)
    ref = SklearnGaussianMixture(**params).fit(X)
    assert_allclose(gm.weights_, ref.weights_, rtol=1e-6, atol=1e-8)
    assert_allclose(gm.means_, ref.means_, rtol=1e-6, atol=1e-8)
    assert_allclose(gm.covariances_, ref.covariances_, rtol=1e-6, atol=1e-8)
    assert_allclose(gm.score_samples(X), ref.score_samples(X), rtol=1e-6)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_single_component_is_the_sample_moments(covariance_type):
    # On degenerate data: duplicated rows and a constant feature.
    X = np.repeat(blobs(5, n_features=3), 3, axis=0)
    X[:, 2] = -4.0
    gm = fit_finite(X, n_components=1, covariance_type=covariance_type)
    mean = X.mean(axis=0)
    cov = np.cov(X, rowvar=False, bias=True) + 1e-6 * np.eye(3)
    expected = {
        "full": cov[None],
        "tied": cov,
        "diag": np.diag(cov)[None],
        "spherical": np.trace(cov)[None] / 3,
    }[covariance_type]
    assert_allclose(gm.weights_, [1.0])
    assert_allclose(gm.means_, mean[None], rtol=1e-12, atol=1e-12)
    assert_allclose(gm.covariances_, expected, rtol=1e-10, atol=1e-12)


def test_correlated_features_of_different_scales():
    Z = np.random.RandomState(0).normal(size=(200, 3))
    X = Z @ np.array([[1.0, 0.0, 0.0], [50.0, 1.0, 0.0], [3.0, 20.0, 0.1]]).T
    for covariance_type in ("full", "tied"):
        gm = fit_finite(X, n_components=2, covariance_type=covariance_type)
        factors = gm.precisions_cholesky_.reshape(-1, 3, 3)
        assert_array_equal(np.tril(factors, -1), 0.0)


# ---------------------------------------------------------------------------
# float32 near its limits


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
@pytest.mark.parametrize("scale", [1e-15, 1e15])
def test_float32_large_and_small_values(covariance_type, scale):
    X = (blobs() * scale).astype(np.float32)
    gm = fit_finite(X, n_components=3, covariance_type=covariance_type)
    assert gm.means_.dtype == np.float32
    assert gm.predict_proba(X).dtype == np.float32


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
@pytest.mark.parametrize("init_params", ["random", "moments", "random_from_data"])
@pytest.mark.parametrize("scale", [1e-30, 1e-40])
def test_float32_tiny_and_subnormal_values(covariance_type, init_params, scale):
    # 1e-40 is subnormal in float32; squared, both scales underflow to zero.
    X = (blobs() * scale).astype(np.float32)
    fit_finite(
        X, n_components=3, covariance_type=covariance_type, init_params=init_params
    )


def test_float32_tiny_values_kmeans_start():
    # Squared distances underflow float32: k-means runs on rescaled data.
    for covariance_type in COVARIANCE_TYPES:
        for scale in (1e-30, 1e-40):
            X = (blobs() * scale).astype(np.float32)
            fit_finite(X, n_components=3, covariance_type=covariance_type)


def test_values_too_large_are_refused_with_advice():
    with pytest.raises(ValueError, match="StandardScaler"):
        GaussianMixture(3).fit(blobs() * 1e160)
    with pytest.raises(ValueError, match=r"X.astype\(np.float64\)"):
        GaussianMixture(3).fit((blobs() * 1e20).astype(np.float32))
    gm = GaussianMixture(3, random_state=0).fit(blobs())
    for method in (gm.predict, gm.predict_proba, gm.score_samples, gm.score):
        with pytest.raises(ValueError, match="StandardScaler"):
            method(blobs() + 1e160)


def test_float32_values_whose_squares_overflow():
    for covariance_type in COVARIANCE_TYPES:
        for scale in (1e20, 1e37):
            fit_finite_or_refuse(
                (blobs() * scale).astype(np.float32),
                "float64",
                n_components=3,
                covariance_type=covariance_type,
            )


def test_float32_tied_fit_with_a_sharp_covariance():
    # Found by the dev profile of the property tests: three samples, three
    # components, a tied covariance that shrinks to about reg_covar, so that
    # the means lie about 1500 standard deviations apart. Expanded squares
    # (|y|^2 - 2 y.mu + |mu|^2) and the second moment about the mixture
    # mean both cancel in float32 there; the kernel recomputes such
    # distances as |y - mu|^2 and accumulates the moment in float64, so the
    # float32 fit follows the float64 one whatever the row order.
    X = np.array(
        [
            [-5.6142135, 4.238934, -10.655455],
            [9.401293, -3.9129128, 2.3204696],
            [9.658948, -2.6877375, 1.6508087],
        ],
        dtype=np.float32,
    )
    start = {
        "weights_init": np.full(3, 1 / 3),
        "means_init": X[[2, 1, 0]].astype(np.float64),
        "precisions_init": np.eye(3) / np.var(X.astype(np.float64), axis=0).mean(),
    }
    params = {"covariance_type": "tied", "tol": 0.0, "max_iter": 5, "reg_covar": 4e-5}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        reference = fit_finite(X.astype(np.float64), n_components=3, **params, **start)
        for perm in ([0, 1, 2], [1, 0, 2], [2, 1, 0], [1, 2, 0]):
            gm = fit_finite(X[perm], n_components=3, **params, **start)
            assert_allclose(gm.weights_, reference.weights_, atol=1e-5)
            assert_allclose(gm.means_, reference.means_, rtol=1e-5)
            assert_allclose(
                gm.covariances_, reference.covariances_, rtol=1e-4, atol=1e-7
            )
            # The log-likelihood itself is evaluated in float32: with
            # components 6e-3 wide at values near 10, float32's resolution
            # of the data (1e-6) moves it by up to about 1e-2.
            assert_allclose(
                gm.history_["log_likelihood"],
                reference.history_["log_likelihood"],
                atol=2e-2,
            )


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_float32_with_offset(covariance_type):
    X = blobs() + 1e4
    X32 = X.astype(np.float32)
    gm = fit_finite(X32, n_components=3, covariance_type=covariance_type)
    ref = fit_finite(
        X32.astype(np.float64), n_components=3, covariance_type=covariance_type
    )
    order, ref_order = np.argsort(gm.means_[:, 0]), np.argsort(ref.means_[:, 0])
    assert_allclose(gm.means_[order], ref.means_[ref_order], rtol=1e-6)


def test_float32_collinear_features():
    x = np.random.RandomState(0).normal(size=200) * 1000
    X = np.c_[x, 2 * x, 5 - x].astype(np.float32)
    for covariance_type in ("full", "tied"):
        fit_finite_or_refuse(
            X, "reg_covar", n_components=1, covariance_type=covariance_type
        )


# ---------------------------------------------------------------------------
# numpy set to raise: no FloatingPointError escapes


def test_no_floating_point_error_when_numpy_raises():
    # Clusters 100 standard deviations apart: the responsibilities of the
    # far components underflow to exactly zero, which is correct.
    X = blobs() + np.repeat(92.0 * np.eye(3, 2), 20, axis=0)
    for covariance_type in COVARIANCE_TYPES:
        with np.errstate(all="raise"):
            gm = GaussianMixture(3, covariance_type=covariance_type, random_state=0)
            gm.fit(X)
            check_finite(gm, X)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_no_floating_point_error_on_overflow_divide_invalid(covariance_type):
    X = np.r_[np.repeat(blobs(4), 5, axis=0), blobs(10) + 92.0]
    X[:, 1] = 0.0
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        fit_finite(X, n_components=4, covariance_type=covariance_type)


# ---------------------------------------------------------------------------
# concurrency


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_concurrent_predictions_match_sequential(covariance_type, dtype):
    rng = np.random.RandomState(0)
    X = blobs(200, n_features=4).astype(dtype)
    gm = GaussianMixture(3, covariance_type=covariance_type, random_state=0).fit(X)
    # Inputs of different sizes, some spanning several chunks of rows.
    inputs = [
        (rng.normal(size=(n, 4)) * 6).astype(dtype)
        for n in (1, 7, 500, 9000, 3, 4097, 60, 12000)
    ]
    methods = ("predict_proba", "score_samples", "predict")
    tasks = [(m, i) for m in methods for i in range(len(inputs))] * 3
    rng.shuffle(tasks)
    expected = {(m, i): getattr(gm, m)(inputs[i]) for m, i in set(tasks)}

    def call(task):
        method, i = task
        return getattr(gm, method)(inputs[i])

    blas_threads = [p["num_threads"] for p in threadpool_info()]
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(call, tasks))
    for task, result in zip(tasks, results, strict=True):
        assert_array_equal(result, expected[task])
    # The passes hold BLAS to one thread while they run; overlapping passes
    # leave it as it was.
    assert [p["num_threads"] for p in threadpool_info()] == blas_threads
