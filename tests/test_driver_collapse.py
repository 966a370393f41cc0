"""on_collapse='reseed': collapsed components are re-seeded instead of fatal."""

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

from skgmm_em import GaussianMixture
from skgmm_em.datasets import make_mixture
from skgmm_em.initialization import RandomFromDataInit

TRUE_MEANS = np.array([[0.0, 0.0], [8.0, 0.0], [0.0, 8.0]])


def _data_with_outlier():
    X, _ = make_mixture(
        600, [0.4, 0.35, 0.25], TRUE_MEANS, [np.eye(2)] * 3, random_state=0
    )
    return np.r_[X, [[30.0, 30.0]]]


def test_default_raises_and_reseed_recovers_the_mixture():
    # Random samples as means with the covariances of their cells: with
    # reg_covar=0, the cell of the outlier collapses during the fit.
    X = _data_with_outlier()
    params = dict(
        reg_covar=0.0,
        init_params=RandomFromDataInit(covariances="cell"),
        random_state=1,
    )
    with pytest.raises(ValueError, match="ill-defined covariance.*on_collapse"):
        GaussianMixture(3, **params).fit(X)
    gm = GaussianMixture(3, on_collapse="reseed", **params)
    with pytest.warns(ConvergenceWarning, match="1 collapsed component"):
        gm.fit(X)
    assert gm.n_reseeds_ == 1
    order = [int(np.argmin(np.linalg.norm(gm.means_ - m, axis=1))) for m in TRUE_MEANS]
    assert sorted(order) == [0, 1, 2]
    np.testing.assert_allclose(gm.means_[order], TRUE_MEANS, atol=0.3)
    np.testing.assert_allclose(gm.weights_[order], [0.4, 0.35, 0.25], atol=0.05)
    for name in ("weights_", "means_", "covariances_", "precisions_cholesky_"):
        assert np.all(np.isfinite(getattr(gm, name)))


def test_a_failing_restart_does_not_abort_the_others():
    X = _data_with_outlier()
    calls = []

    def sometimes_degenerate(X, n_components, random_state, sample_weight=None):
        calls.append(1)
        means = X[random_state.choice(len(X), n_components, replace=False)]
        if len(calls) == 1:  # a start no covariance can be computed for
            return None, means, np.zeros((n_components, 2, 2))
        return None, means, None

    params = dict(reg_covar=0.0, init_params=sometimes_degenerate, n_init=3)
    with pytest.raises(ValueError, match="ill-defined"):
        GaussianMixture(3, random_state=1, **params).fit(X)
    calls.clear()
    gm = GaussianMixture(3, random_state=1, on_collapse="reseed", **params)
    with pytest.warns(ConvergenceWarning, match="1 of 3 initialization"):
        gm.fit(X)
    assert len(calls) == 3 and np.isfinite(gm.lower_bound_)


def test_reseed_changes_nothing_when_nothing_collapses():
    X = _data_with_outlier()
    a = GaussianMixture(3, random_state=0).fit(X)
    b = GaussianMixture(3, random_state=0, on_collapse="reseed").fit(X)
    np.testing.assert_array_equal(a.means_, b.means_)
    assert b.n_reseeds_ == 0


def test_tied_collapse_still_raises():
    # One shared covariance cannot be re-seeded component by component.
    X = np.c_[np.arange(20.0), np.ones(20)]
    with pytest.raises(ValueError, match="tied covariance"):
        GaussianMixture(
            2, covariance_type="tied", reg_covar=0.0, on_collapse="reseed"
        ).fit(X)
