"""The estimator: fit_predict, float32 in and out, the one-component fit,
the information criteria, sampling, pickling.
"""

import math
import pickle
import warnings

import numpy as np
import pytest
from _data import COVARIANCE_TYPES, anisotropic_blobs
from _data import kmeans_start as _start
from scipy.stats import multivariate_normal
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning

from skgmm_em import GaussianMixture

PARAMS = ["weights_", "means_", "covariances_", "precisions_cholesky_"]


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
