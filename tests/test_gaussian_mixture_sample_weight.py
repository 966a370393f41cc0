"""sample_weight: repetition, dropping and scaling semantics, validation, routing."""

import warnings

import numpy as np
import pytest
import sklearn
from _data import COVARIANCE_TYPES, anisotropic_blobs
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skgmm_em import GaussianMixture
from skgmm_em.initialization import (
    INITIALIZERS,
    KMeansInit,
    KMeansPlusPlusInit,
    RandomFromDataInit,
    RandomInit,
)

PARAMS = ["weights_", "means_", "covariances_", "precisions_cholesky_"]


def _data():
    X = anisotropic_blobs()[:200]
    weights = np.random.RandomState(0).randint(0, 4, size=len(X))
    return X, weights


def _start(X, covariance_type):
    gm = GaussianMixture(3, covariance_type=covariance_type, max_iter=0, random_state=0)
    gm.fit(X)
    return dict(
        weights_init=gm.weights_, means_init=gm.means_, precisions_init=gm.precisions_
    )


def _assert_same_fit(a, b, rtol=1e-9):
    for name in PARAMS:
        np.testing.assert_allclose(
            getattr(a, name), getattr(b, name), rtol=rtol, atol=1e-12, err_msg=name
        )


def _fit(X, sample_weight=None, **params):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return GaussianMixture(3, **params).fit(X, sample_weight=sample_weight)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_integer_weights_equal_repeated_rows(covariance_type):
    X, w = _data()
    kwargs = dict(
        covariance_type=covariance_type,
        tol=0.0,
        max_iter=15,
        **_start(X, covariance_type),
    )
    weighted = _fit(X, w, **kwargs)
    repeated = _fit(np.repeat(X, w, axis=0), **kwargs)
    _assert_same_fit(weighted, repeated)
    assert weighted.lower_bound_ == pytest.approx(repeated.lower_bound_, rel=1e-12)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_zero_weight_equals_dropping_and_scaling_changes_nothing(covariance_type):
    X, w = _data()
    w = np.where(w == 0, 0, 1)
    kwargs = dict(
        covariance_type=covariance_type,
        tol=0.0,
        max_iter=15,
        **_start(X, covariance_type),
    )
    weighted = _fit(X, w, **kwargs)
    dropped = _fit(X[w > 0], **kwargs)
    _assert_same_fit(weighted, dropped)
    scaled = _fit(X, 7.5 * w, **kwargs)
    _assert_same_fit(weighted, scaled)
    ones = _fit(X, np.ones(len(X)), **kwargs)
    _assert_same_fit(ones, _fit(X, **kwargs), rtol=0)


ORDER_FREE_STARTS = [
    KMeansInit(rows="distinct"),
    KMeansPlusPlusInit(rows="distinct"),
    KMeansPlusPlusInit(rows="distinct", covariances="cell"),
    RandomInit(rows="distinct"),
    RandomFromDataInit(rows="distinct"),
    RandomFromDataInit(rows="distinct", covariances="cell"),
    "moments",
]


@pytest.mark.parametrize("init_params", ORDER_FREE_STARTS, ids=repr)
def test_initializers_see_weights_as_repetitions(init_params):
    # With the starts that see the distinct samples (and 'moments'), the
    # whole fit, initialization included, is the same for weights and for
    # repeated rows, in any row order.
    X, w = _data()
    order = np.random.RandomState(1).permutation(len(X))
    kwargs = dict(init_params=init_params, random_state=0, tol=1e-8, max_iter=200)
    weighted = _fit(X[order], w[order], **kwargs)
    repeated = _fit(np.repeat(X, w, axis=0), **kwargs)
    _assert_same_fit(weighted, repeated, rtol=1e-7)


@pytest.mark.parametrize("init_params", list(INITIALIZERS))
def test_initializers_honour_weights(init_params):
    # Three clusters, one of them weighted out: a two-component start sits
    # on the other two.
    rng = np.random.RandomState(0)
    centers = np.array([[0.0, 0.0], [10.0, 0.0], [0.0, 10.0]])
    X = np.repeat(centers, 50, axis=0) + rng.normal(scale=0.5, size=(150, 2))
    w = np.r_[np.ones(100), np.zeros(50)]
    gm = GaussianMixture(2, init_params=init_params, random_state=0).fit(
        X, sample_weight=w
    )
    assert np.all(gm.means_[:, 1] < 3.0)
    assert sorted(np.round(gm.means_[:, 0] / 10).astype(int).tolist()) == [0, 1]


def test_score_is_the_weighted_mean():
    X, w = _data()
    gm = GaussianMixture(3, random_state=0).fit(X)
    expected = np.sum(w * gm.score_samples(X)) / w.sum()
    assert gm.score(X, sample_weight=w) == pytest.approx(expected, rel=1e-12)
    assert gm.score(X) == pytest.approx(gm.score_samples(X).mean(), rel=1e-12)


def test_float32_weighted_fit_keeps_float32():
    X, w = _data()
    kwargs = dict(tol=0.0, max_iter=20, **_start(X, "full"))
    gm = _fit(X.astype(np.float32), w, **kwargs)
    assert gm.means_.dtype == np.float32
    ref = _fit(X, w, **kwargs)
    np.testing.assert_allclose(gm.means_, ref.means_, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(gm.covariances_, ref.covariances_, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize(
    "sample_weight, match",
    [
        (-np.ones(200), "non-negative"),
        (np.r_[np.nan, np.ones(199)], "NaN"),
        (np.r_[np.inf, np.ones(199)], "infinity"),
        (np.ones(10), "shape \\(200,\\)"),
        (np.ones((200, 2)), "shape \\(200,\\)"),
        (np.zeros(200), "zero for every sample"),
        (np.r_[1.0, np.zeros(199)], "positive sample_weight"),
        (["a"] * 200, "array of numbers"),
    ],
)
def test_bad_weights_are_clear_errors(sample_weight, match):
    X, _ = _data()
    with pytest.raises(ValueError, match=match):
        GaussianMixture(3).fit(X, sample_weight=sample_weight)


def test_weights_not_modified():
    X, w = _data()
    w = w.astype(float)
    before = w.copy()
    gm = GaussianMixture(3, random_state=0).fit(X, sample_weight=w)
    gm.score(X, sample_weight=w)
    np.testing.assert_array_equal(w, before)


def test_metadata_routing_in_pipeline_and_grid_search():
    X, w = _data()
    w = w.astype(float)
    with sklearn.config_context(enable_metadata_routing=True):
        gm = GaussianMixture(3, random_state=0).set_fit_request(sample_weight=True)
        pipe = make_pipeline(StandardScaler().set_fit_request(sample_weight=False), gm)
        pipe.fit(X, sample_weight=w)
        direct = GaussianMixture(3, random_state=0).fit(
            StandardScaler().fit_transform(X), sample_weight=w
        )
        _assert_same_fit(pipe[-1], direct, rtol=1e-12)

        est = (
            GaussianMixture(random_state=0)
            .set_fit_request(sample_weight=True)
            .set_score_request(sample_weight=True)
        )
        cv = KFold(3)
        search = GridSearchCV(est, {"n_components": [2]}, cv=cv).fit(X, sample_weight=w)
    expected = []
    for train, test in cv.split(X):
        fold = GaussianMixture(2, random_state=0).fit(X[train], sample_weight=w[train])
        expected.append(fold.score(X[test], sample_weight=w[test]))
    assert search.cv_results_["mean_test_score"][0] == pytest.approx(
        np.mean(expected), rel=1e-12
    )


@pytest.mark.parametrize(
    "init_params", ["kmeans", "k-means++", "random", "random_from_data"]
)
def test_weights_of_any_scale_give_the_same_fit(init_params):
    # Only the ratios of the weights matter, whatever their scale: the mass
    # 10 * eps the M-step adds to each component must not compete with them.
    X, w = _data()
    w = w + 0.5
    kwargs = dict(init_params=init_params, random_state=0, tol=1e-8, max_iter=200)
    reference = _fit(X, w, **kwargs)
    for scale in (1e-300, 1e-200, 1e-20, 1e20, 1e200, 1e300):
        scaled = _fit(X, scale * w, **kwargs)
        _assert_same_fit(scaled, reference, rtol=1e-9)
        assert scaled.lower_bound_ == pytest.approx(reference.lower_bound_, rel=1e-12)
        assert scaled.score(X, sample_weight=scale * w) == pytest.approx(
            reference.score(X, sample_weight=w), rel=1e-12
        )


def test_equal_weights_are_the_unweighted_fit():
    # Equal weights of any size are no weights: exactly scikit-learn's fit.
    X, _ = _data()
    kwargs = dict(init_params="random_from_data", random_state=0)
    unweighted = _fit(X, **kwargs)
    for value in (1e-300, 0.25, 7.0, 1e300):
        _assert_same_fit(_fit(X, np.full(len(X), value), **kwargs), unweighted, 0)
