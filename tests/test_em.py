"""The chunked E- and M-steps: against closed forms, the same fit for any
chunking of the rows, and second moments exact far from the origin.
"""

import warnings

import numpy as np
import pytest
from _data import COVARIANCE_TYPES, anisotropic_blobs
from _data import as_full as _as_full
from _data import kmeans_start as _start
from _data import random_params as _random_params
from scipy.special import logsumexp
from scipy.stats import multivariate_normal
from sklearn import config_context
from sklearn.exceptions import ConvergenceWarning

from skgmm_em import GaussianMixture, _em
from skgmm_em._covariance import _full as _kernels

PARAMS = ["weights_", "means_", "covariances_", "precisions_cholesky_"]


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
