"""Missing values (NaN): exact EM over the observed coordinates.

GaussianMixtureImputer is tested in test_impute.py.
"""

import warnings

import numpy as np
import pytest
from _data import COVARIANCE_TYPES
from _data import MISSING_VALUES_MIXTURE as TRUE
from _data import with_missing_values as _incomplete
from scipy.special import logsumexp
from scipy.stats import multivariate_normal
from sklearn.exceptions import ConvergenceWarning

from skgmm_em import GaussianMixture, _em, _missing
from skgmm_em._covariance import MODELS as KERNELS


def _params(gm):
    return _em.MixtureParams(
        gm.weights_, gm.means_, gm.covariances_, gm.precisions_cholesky_
    )


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_pattern_path_on_complete_rows_equals_fast_path(covariance_type):
    # Rows routed through the missing-value code with nothing missing give
    # the statistics of the complete-data kernels.
    X, _, _, _ = _incomplete(300)
    gm = GaussianMixture(3, covariance_type=covariance_type, random_state=0).fit(X)
    params = _params(gm)
    everything = _missing.Missingness(
        np.empty(0, dtype=int), [(np.ones(3, dtype=bool), np.arange(len(X)))]
    )
    fast = _em.e_step(X, params, covariance_type)
    slow = _em.e_step(X, params, covariance_type, missing=everything)
    for a, b in zip(fast, slow, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-9)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_marginal_likelihood_matches_scipy(covariance_type):
    _, Xm, _, _ = _incomplete(400)
    gm = GaussianMixture(3, covariance_type=covariance_type, random_state=0).fit(Xm)
    full = KERNELS[covariance_type].to_full(gm.covariances_, 3, 3)
    expected = []
    for x in Xm:
        o = ~np.isnan(x)
        if not o.any():
            expected.append(0.0)
            continue
        terms = [
            np.log(w) + multivariate_normal(m[o], c[np.ix_(o, o)]).logpdf(x[o])
            for w, m, c in zip(gm.weights_, gm.means_, full, strict=True)
        ]
        expected.append(logsumexp(terms))
    np.testing.assert_allclose(gm.score_samples(Xm), expected, rtol=1e-9, atol=1e-12)
    proba = gm.predict_proba(Xm)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_array_equal(gm.predict(Xm), proba.argmax(axis=1))


def test_m_step_matches_hand_computed_expectations():
    # One EM iteration from a fixed start against the expected complete-data
    # statistics computed row by row.
    _, Xm, _, _ = _incomplete(60)
    start = GaussianMixture(3, random_state=0, max_iter=0).fit(Xm)
    gm = GaussianMixture(
        3,
        weights_init=start.weights_,
        means_init=start.means_,
        precisions_init=start.precisions_,
        max_iter=1,
        tol=0.0,
        reg_covar=0.0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        gm.fit(Xm)
    w, mu, S = start.weights_, start.means_, start.covariances_
    n, d = Xm.shape
    nk = np.zeros(3)
    s1 = np.zeros((3, d))
    s2 = np.zeros((3, d, d))
    for x in Xm:
        o, m = ~np.isnan(x), np.isnan(x)
        dens = np.array(
            [
                w[k]
                * (
                    multivariate_normal(mu[k][o], S[k][np.ix_(o, o)]).pdf(x[o])
                    if o.any()
                    else 1.0
                )
                for k in range(3)
            ]
        )
        r = dens / dens.sum()
        for k in range(3):
            xh = x.copy()
            C = np.zeros((d, d))
            if m.any():
                B = (
                    S[k][np.ix_(m, o)] @ np.linalg.inv(S[k][np.ix_(o, o)])
                    if o.any()
                    else np.zeros((m.sum(), 0))
                )
                xh[m] = mu[k][m] + B @ (x[o] - mu[k][o])
                C[np.ix_(m, m)] = S[k][np.ix_(m, m)] - B @ S[k][np.ix_(o, m)]
            nk[k] += r[k]
            s1[k] += r[k] * xh
            s2[k] += r[k] * (np.outer(xh, xh) + C)
    means = s1 / nk[:, None]
    covs = s2 / nk[:, None, None] - np.einsum("ki,kj->kij", means, means)
    np.testing.assert_allclose(gm.weights_, nk / n, rtol=1e-9)
    np.testing.assert_allclose(gm.means_, means, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(gm.covariances_, covs, rtol=1e-8, atol=1e-12)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_log_likelihood_never_decreases_with_missing_values(covariance_type):
    _, Xm, _, _ = _incomplete(800)
    gm = GaussianMixture(
        3,
        covariance_type=covariance_type,
        init_params="random",
        tol=0.0,
        max_iter=40,
        random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        gm.fit(Xm)
    ll = gm.history_["log_likelihood"]
    assert np.all(np.diff(ll) >= -1e-10 * np.abs(ll[1:]))
    for name in ("weights_", "means_", "covariances_", "precisions_cholesky_"):
        assert np.all(np.isfinite(getattr(gm, name)))


def test_better_than_complete_rows_only():
    X, Xm, _, _ = _incomplete(3000, fraction=0.2, seed=3)
    complete = ~np.isnan(Xm).any(axis=1)
    kwargs = dict(n_init=3, random_state=0, tol=1e-6)
    with_missing = GaussianMixture(3, **kwargs).fit(Xm)
    complete_only = GaussianMixture(3, **kwargs).fit(Xm[complete])
    true_means = np.array(TRUE["means"])

    def error(gm):
        order = [
            int(np.argmin(np.linalg.norm(gm.means_ - m, axis=1))) for m in true_means
        ]
        assert sorted(order) == [0, 1, 2]
        mean_err = np.abs(gm.means_[order] - true_means).max()
        cov_err = np.abs(gm.covariances_[order] - np.array(TRUE["covariances"])).max()
        weight_err = np.abs(gm.weights_[order] - TRUE["weights"]).max()
        return mean_err + cov_err + weight_err

    assert error(with_missing) < error(complete_only)


def test_row_with_every_value_missing():
    _, Xm, _, _ = _incomplete(300)
    gm = GaussianMixture(3, random_state=0).fit(Xm)
    empty = np.full((2, 3), np.nan)
    np.testing.assert_allclose(
        gm.predict_proba(empty), np.tile(gm.weights_, (2, 1)), rtol=1e-12
    )
    np.testing.assert_allclose(gm.score_samples(empty), 0.0, atol=1e-12)


def test_float32_with_missing_values():
    _, Xm, _, _ = _incomplete(500)
    gm = GaussianMixture(3, random_state=0).fit(Xm.astype(np.float32))
    assert gm.means_.dtype == np.float32
    assert gm.score_samples(Xm.astype(np.float32)).dtype == np.float32
    assert np.all(np.isfinite(gm.score_samples(Xm.astype(np.float32))))


def test_inf_is_still_an_error_and_empty_feature_is_refused():
    X, Xm, _, _ = _incomplete(100)
    Xi = X.copy()
    Xi[0, 0] = np.inf
    with pytest.raises(ValueError, match="infinity"):
        GaussianMixture(2).fit(Xi)
    Xe = X.copy()
    Xe[:, 1] = np.nan
    with pytest.raises(ValueError, match="Feature\\(s\\) 1 have no observed value"):
        GaussianMixture(2).fit(Xe)


def test_missing_values_with_sample_weight_equal_repetition():
    _, Xm, _, _ = _incomplete(200)
    w = np.random.RandomState(0).randint(0, 3, size=len(Xm))
    start = GaussianMixture(3, random_state=0, max_iter=0).fit(Xm)
    kwargs = dict(
        weights_init=start.weights_,
        means_init=start.means_,
        precisions_init=start.precisions_,
        tol=0.0,
        max_iter=10,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        a = GaussianMixture(3, **kwargs).fit(Xm, sample_weight=w)
        b = GaussianMixture(3, **kwargs).fit(np.repeat(Xm, w, axis=0))
    np.testing.assert_allclose(a.means_, b.means_, rtol=1e-9)
    np.testing.assert_allclose(a.covariances_, b.covariances_, rtol=1e-9)


def test_zero_weight_rows_take_no_part_in_a_mean_filled_start():
    # Too few complete rows: the start fills NaN with feature means, which
    # must ignore rows of zero weight, so weighting them out equals dropping.
    _, Xm, _, _ = _incomplete(300, fraction=0.75, seed=2)
    assert (~np.isnan(Xm).any(axis=1)).sum() < 9
    extra = np.full((20, 3), np.nan)
    extra[:, 0] = 1e3
    X = np.r_[Xm, extra]
    w = np.r_[np.ones(len(Xm)), np.zeros(20)]
    a = GaussianMixture(3, random_state=0).fit(X, sample_weight=w)
    b = GaussianMixture(3, random_state=0).fit(Xm)
    np.testing.assert_allclose(a.means_, b.means_, rtol=1e-9)
