"""Properties of EM and of the estimator's fitting loop."""

import math
import pickle
import warnings

import numpy as np
import pytest
from _data import DATASETS, anisotropic_blobs
from scipy.stats import multivariate_normal
from sklearn import config_context
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning

from skgmm_em import GaussianMixture

COVARIANCE_TYPES = ["full", "tied", "diag", "spherical"]
PARAMS = ["weights_", "means_", "covariances_", "precisions_cholesky_"]


def _start(X, n_components, covariance_type, random_state=0):
    """Explicit initial parameters: k-means start of a short fit."""
    gm = GaussianMixture(
        n_components,
        covariance_type=covariance_type,
        max_iter=0,
        random_state=random_state,
    ).fit(X)
    return {
        "weights_init": gm.weights_,
        "means_init": gm.means_,
        "precisions_init": gm.precisions_,
    }


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
@pytest.mark.parametrize("dataset", DATASETS)
def test_log_likelihood_never_decreases(dataset, covariance_type):
    make, n_components = DATASETS[dataset]
    X = make()
    gm = GaussianMixture(
        n_components,
        covariance_type=covariance_type,
        init_params="random",
        tol=0.0,
        max_iter=60,
        random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        gm.fit(X)
    ll = gm.history_["log_likelihood"]
    assert len(ll) == 60
    steps = np.diff(ll)
    assert np.all(steps >= -1e-10 * np.abs(ll[1:])), steps.min()
    assert ll[-1] > ll[0]


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_fit_predict_equals_fit_then_predict(covariance_type):
    X = anisotropic_blobs()
    for max_iter in (1, 2, 100):
        gm = GaussianMixture(
            3,
            covariance_type=covariance_type,
            max_iter=max_iter,
            random_state=1,
            tol=1e-12,
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            labels = gm.fit_predict(X)
            np.testing.assert_array_equal(labels, gm.labels_)
            np.testing.assert_array_equal(labels, clone(gm).fit(X).predict(X))


def test_n_init_keeps_the_best_run():
    X = anisotropic_blobs()
    good = _start(X, 3, "full")
    bad_means = np.repeat(X[:1], 3, axis=0) + np.arange(3)[:, None] * 1e-3
    starts = [
        (None, bad_means, None),
        (good["weights_init"], good["means_init"], None),
        (None, bad_means[::-1], None),
    ]
    calls = []

    def from_list(X, n_components, random_state, sample_weight=None):
        calls.append(len(calls))
        return starts[len(calls) - 1]

    gm = GaussianMixture(
        3, init_params=from_list, n_init=3, tol=1e-8, max_iter=500
    ).fit(X)
    assert calls == [0, 1, 2]
    single = [
        GaussianMixture(
            3, init_params=lambda X, k, rs, s=start: s, tol=1e-8, max_iter=500
        ).fit(X)
        for start in starts
    ]
    best = max(single, key=lambda g: g.lower_bound_)
    assert gm.lower_bound_ == max(g.lower_bound_ for g in single)
    for name in PARAMS:
        np.testing.assert_array_equal(getattr(gm, name), getattr(best, name))
    np.testing.assert_array_equal(
        gm.history_["log_likelihood"], best.history_["log_likelihood"]
    )


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_warm_start_continues(covariance_type):
    X = anisotropic_blobs()
    start = _start(X, 3, covariance_type)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        straight = GaussianMixture(
            3, covariance_type=covariance_type, tol=0.0, max_iter=8, **start
        ).fit(X)
        warm = GaussianMixture(
            3,
            covariance_type=covariance_type,
            tol=0.0,
            max_iter=3,
            warm_start=True,
            **start,
        )
        warm.fit(X)
        warm.set_params(max_iter=5)
        warm.fit(X)
    for name in PARAMS:
        np.testing.assert_allclose(
            getattr(warm, name), getattr(straight, name), rtol=1e-12
        )
    assert warm.n_iter_ == 5


def test_warm_start_first_fit_runs_every_initialization():
    # As scikit-learn's fit does: n_init starts on the first fit, none after.
    X = anisotropic_blobs()
    calls = []

    def counting(X, n_components, random_state, sample_weight=None):
        calls.append(1)
        return None, X[random_state.choice(len(X), n_components, replace=False)], None

    gm = GaussianMixture(
        3, init_params=counting, n_init=5, warm_start=True, random_state=0
    )
    gm.fit(X)
    assert len(calls) == 5
    gm.fit(X)
    assert len(calls) == 5  # the second fit continues, no new initialization
    gm_cold = GaussianMixture(3, init_params=counting, n_init=5, random_state=0).fit(X)
    assert len(calls) == 10 and gm_cold.converged_


def test_warm_start_refuses_a_changed_shape():
    X = anisotropic_blobs()
    gm = GaussianMixture(3, warm_start=True, random_state=0).fit(X)
    gm.set_params(n_components=2)
    with pytest.raises(ValueError, match="warm_start=False"):
        gm.fit(X)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_max_iter_zero_returns_the_start(covariance_type):
    X = anisotropic_blobs()
    start = _start(X, 3, covariance_type, random_state=3)
    gm = GaussianMixture(3, covariance_type=covariance_type, max_iter=0, **start).fit(X)
    np.testing.assert_array_equal(gm.weights_, start["weights_init"])
    np.testing.assert_array_equal(gm.means_, start["means_init"])
    np.testing.assert_allclose(gm.precisions_, start["precisions_init"], rtol=1e-10)
    assert gm.n_iter_ == 0 and not gm.converged_ and gm.lower_bounds_ == []
    # No iteration, so no lower bound: scikit-learn's -inf.
    assert gm.lower_bound_ == -np.inf
    for values in gm.history_.values():
        assert len(values) == 0


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_float32_keeps_float32_and_agrees(covariance_type):
    X = anisotropic_blobs()
    start = _start(X, 3, covariance_type)
    kwargs = dict(covariance_type=covariance_type, tol=0.0, max_iter=20, **start)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        g64 = GaussianMixture(3, **kwargs).fit(X)
        g32 = GaussianMixture(3, **kwargs).fit(X.astype(np.float32))
    for name in PARAMS + ["precisions_"]:
        assert getattr(g32, name).dtype == np.float32, name
        np.testing.assert_allclose(
            getattr(g32, name), getattr(g64, name), rtol=1e-4, atol=1e-6, err_msg=name
        )
    X32 = X.astype(np.float32)
    assert g32.predict_proba(X32).dtype == np.float32
    assert g32.score_samples(X32).dtype == np.float32


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_far_from_origin_same_covariances(covariance_type):
    # The second moments are taken about a point near the data, so an offset
    # of 1e6 costs no precision.
    X = anisotropic_blobs()
    start = _start(X, 3, covariance_type)
    kwargs = dict(covariance_type=covariance_type, tol=0.0, max_iter=20)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        near = GaussianMixture(3, **kwargs, **start).fit(X)
        shifted_start = dict(start, means_init=start["means_init"] + 1e6)
        far = GaussianMixture(3, **kwargs, **shifted_start).fit(X + 1e6)
    np.testing.assert_allclose(far.covariances_, near.covariances_, rtol=1e-6)
    np.testing.assert_allclose(far.means_ - 1e6, near.means_, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(far.weights_, near.weights_, rtol=1e-6)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
@pytest.mark.parametrize("shape", [(1, 5, 1), (1, 1, 3), (3, 1, 1)])
def test_one_component_or_feature_or_row_chunks(covariance_type, shape):
    n_components, n_features, _ = shape
    rng = np.random.RandomState(0)
    X = rng.normal(size=(97, n_features)) * np.arange(1, n_features + 1)
    X[:30] += 5
    start = _start(X, n_components, covariance_type)
    kwargs = dict(covariance_type=covariance_type, tol=0.0, max_iter=5, **start)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ref = GaussianMixture(n_components, **kwargs).fit(X)
        with config_context(working_memory=1e-9):  # chunks of one row
            one_row = GaussianMixture(n_components, **kwargs).fit(X)
        with config_context(working_memory=2e-3):  # chunks not dividing 97
            ragged = GaussianMixture(n_components, **kwargs).fit(X)
    for name in PARAMS:
        np.testing.assert_allclose(
            getattr(one_row, name), getattr(ref, name), rtol=1e-10
        )
        np.testing.assert_allclose(
            getattr(ragged, name), getattr(ref, name), rtol=1e-10
        )
    with config_context(working_memory=1e-9):
        np.testing.assert_allclose(
            one_row.predict_proba(X), ref.predict_proba(X), rtol=1e-10, atol=1e-15
        )
        np.testing.assert_allclose(
            one_row.score_samples(X), ref.score_samples(X), rtol=1e-12
        )


def test_one_component_is_the_sample_mean_and_covariance():
    X = anisotropic_blobs()
    gm = GaussianMixture(1, reg_covar=0.0).fit(X)
    np.testing.assert_allclose(gm.means_[0], X.mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(gm.covariances_[0], np.cov(X.T, bias=True), rtol=1e-10)
    expected = multivariate_normal(X.mean(axis=0), np.cov(X.T, bias=True)).logpdf(X)
    np.testing.assert_allclose(gm.score_samples(X), expected, rtol=1e-10)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_bic_aic_closed_form(covariance_type):
    X = anisotropic_blobs()
    n, d = X.shape
    k = 3
    gm = GaussianMixture(k, covariance_type=covariance_type, random_state=0).fit(X)
    cov_params = {
        "full": k * d * (d + 1) / 2,
        "tied": d * (d + 1) / 2,
        "diag": k * d,
        "spherical": k,
    }
    p = cov_params[covariance_type] + k * d + k - 1
    log_l = gm.score_samples(X).sum()
    assert gm.bic(X) == pytest.approx(-2 * log_l + p * math.log(n), rel=1e-12)
    assert gm.aic(X) == pytest.approx(-2 * log_l + 2 * p, rel=1e-12)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_sample_moments(covariance_type):
    X = anisotropic_blobs()
    gm = GaussianMixture(3, covariance_type=covariance_type, random_state=0).fit(X)
    S, y = gm.sample(60_000)
    assert S.shape == (60_000, 2) and y.shape == (60_000,)
    np.testing.assert_allclose(
        np.bincount(y, minlength=3) / 60_000, gm.weights_, atol=0.01
    )
    full = gm.covariances_
    for k in range(3):
        if covariance_type == "tied":
            cov = full
        elif covariance_type == "diag":
            cov = np.diag(full[k])
        elif covariance_type == "spherical":
            cov = full[k] * np.eye(2)
        else:
            cov = full[k]
        rows = S[y == k]
        se = np.sqrt(np.diag(cov) / len(rows))
        assert np.all(np.abs(rows.mean(axis=0) - gm.means_[k]) < 5 * se)
        np.testing.assert_allclose(
            np.cov(rows.T), cov, rtol=0.05, atol=0.05 * np.abs(cov).max()
        )
    with pytest.raises(ValueError, match="positive integer"):
        gm.sample(0)


def test_history_records_each_iteration():
    X = anisotropic_blobs()
    start = _start(X, 3, "full")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        runs = [
            GaussianMixture(3, tol=0.0, max_iter=m, **start).fit(X) for m in (1, 2, 3)
        ]
    gm = runs[-1]
    assert set(gm.history_) == {
        "log_likelihood",
        "weights_change",
        "means_change",
        "covariances_change",
    }
    assert all(len(v) == gm.n_iter_ == 3 for v in gm.history_.values())
    np.testing.assert_array_equal(gm.history_["log_likelihood"], gm.lower_bounds_)
    # The change in iteration 3 is between the fits that stop after 2 and 3.
    for key, name in [
        ("weights_change", "weights_"),
        ("means_change", "means_"),
        ("covariances_change", "covariances_"),
    ]:
        expected = np.abs(getattr(runs[2], name) - getattr(runs[1], name)).max()
        assert gm.history_[key][2] == pytest.approx(expected, rel=1e-9)
    # The log-likelihood of iteration 2 is that of the parameters after one.
    assert gm.history_["log_likelihood"][1] == pytest.approx(
        runs[0].score(X), rel=1e-12
    )


def test_param_tol_stops_on_parameter_change():
    X = anisotropic_blobs()
    start = _start(X, 3, "full")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        long = GaussianMixture(3, tol=0.0, max_iter=200, **start).fit(X)
    gm = GaussianMixture(3, tol=0.0, param_tol=1e-4, max_iter=200, **start).fit(X)
    assert gm.converged_ and gm.n_iter_ < long.n_iter_
    last = [
        gm.history_[k][-1]
        for k in ("weights_change", "means_change", "covariances_change")
    ]
    assert max(last) < 1e-4
    before = [
        gm.history_[k][-2]
        for k in ("weights_change", "means_change", "covariances_change")
    ]
    assert max(before) >= 1e-4


def test_convergence_warning_and_verbose(capsys):
    X = anisotropic_blobs()
    gm = GaussianMixture(
        3, max_iter=2, tol=0.0, verbose=2, verbose_interval=1, random_state=0
    )
    with pytest.warns(ConvergenceWarning, match="max_iter=2"):
        gm.fit(X)
    out = capsys.readouterr().out
    assert (
        "Initialization 0" in out and "Iteration 2" in out and "did not converge" in out
    )


def test_ill_defined_covariance_is_a_clear_error():
    X = np.c_[np.random.RandomState(0).normal(size=40), np.ones(40)]
    gm = GaussianMixture(2, covariance_type="diag", reg_covar=0.0, random_state=0)
    with pytest.raises(ValueError, match="reg_covar=0.0.*StandardScaler"):
        gm.fit(X)
    assert GaussianMixture(2, covariance_type="diag", random_state=0).fit(X).converged_


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_pickle_round_trip(covariance_type):
    X = anisotropic_blobs()
    gm = GaussianMixture(3, covariance_type=covariance_type, random_state=0).fit(X)
    again = pickle.loads(pickle.dumps(gm))
    np.testing.assert_array_equal(again.predict_proba(X), gm.predict_proba(X))


@pytest.mark.parametrize("covariance_type", ["full", "tied"])
def test_sample_does_not_warn_on_a_valid_covariance(covariance_type):
    # numpy's multivariate_normal check flags this positive definite
    # covariance (off-diagonal entries tiny next to its diagonal) as not
    # positive semi-definite; the draws need no such check (the covariance
    # has a Cholesky factor).
    cov = np.array([[2.30147224e08, 5.2e-3], [5.2e-3, 2.30147224e08]])
    precisions = np.linalg.inv(cov)
    if covariance_type == "full":
        precisions = np.stack([precisions] * 2)
    X = np.random.RandomState(0).normal(size=(20, 2))
    gm = GaussianMixture(
        2,
        covariance_type=covariance_type,
        max_iter=0,
        weights_init=[0.5, 0.5],
        means_init=[[0.0, 0.0], [1.0, 1.0]],
        precisions_init=precisions,
        random_state=0,
    ).fit(X)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        samples, _ = gm.sample(200)
    assert np.all(np.isfinite(samples))
