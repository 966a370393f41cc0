"""Agreement with sklearn.mixture.GaussianMixture."""

import warnings

import numpy as np
import pytest
from _data import DATASETS
from sklearn.exceptions import ConvergenceWarning
from sklearn.mixture import GaussianMixture as SklearnGaussianMixture

from skgmm_em import GaussianMixture

COVARIANCE_TYPES = ["full", "tied", "diag", "spherical"]
FITTED = [
    "weights_",
    "means_",
    "covariances_",
    "precisions_",
    "precisions_cholesky_",
]


def _shared_start(X, n_components, covariance_type):
    """A start both estimators accept: scikit-learn's after two iterations."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ref = SklearnGaussianMixture(
            n_components, covariance_type=covariance_type, max_iter=2, random_state=0
        ).fit(X)
    return {
        "weights_init": ref.weights_,
        "means_init": ref.means_,
        "precisions_init": ref.precisions_,
    }


def _fit_both(X, n_components, **params):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        theirs = SklearnGaussianMixture(n_components, **params).fit(X)
        ours = GaussianMixture(n_components, **params).fit(X)
    return ours, theirs


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
@pytest.mark.parametrize("dataset", DATASETS)
def test_same_start_same_fit(dataset, covariance_type):
    make, n_components = DATASETS[dataset]
    X = make()
    start = _shared_start(X, n_components, covariance_type)
    ours, theirs = _fit_both(
        X,
        n_components,
        covariance_type=covariance_type,
        tol=0.0,
        max_iter=30,
        **start,
    )
    for name in FITTED:
        np.testing.assert_allclose(
            getattr(ours, name),
            getattr(theirs, name),
            rtol=1e-7,
            atol=1e-12,
            err_msg=name,
        )
    assert ours.n_iter_ == theirs.n_iter_ == 30
    np.testing.assert_allclose(ours.lower_bounds_, theirs.lower_bounds_, rtol=1e-9)
    np.testing.assert_allclose(
        ours.score_samples(X), theirs.score_samples(X), rtol=1e-7
    )
    np.testing.assert_allclose(
        ours.predict_proba(X), theirs.predict_proba(X), rtol=1e-7, atol=1e-10
    )
    np.testing.assert_array_equal(ours.predict(X), theirs.predict(X))
    assert ours.bic(X) == pytest.approx(theirs.bic(X), rel=1e-9)
    assert ours.aic(X) == pytest.approx(theirs.aic(X), rel=1e-9)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
@pytest.mark.parametrize("dataset", DATASETS)
def test_same_convergence_with_default_tol(dataset, covariance_type):
    # The default stopping rule stops both at the same iteration.
    make, n_components = DATASETS[dataset]
    X = make()
    start = _shared_start(X, n_components, covariance_type)
    ours, theirs = _fit_both(X, n_components, covariance_type=covariance_type, **start)
    assert ours.n_iter_ == theirs.n_iter_
    assert ours.converged_ == theirs.converged_
    assert ours.lower_bound_ == pytest.approx(theirs.lower_bound_, rel=1e-9)


# Anisotropic blobs with diagonal covariances have two optima 0.05 nats
# apart; one start in ten (k-means++) or four (random_from_data) reaches the
# better one, in either library (measured over 40 starts: 10% vs 7.5% and
# 20% vs 27.5%), so with five restarts which library gets there first at
# random_state=0 is luck. These two cells are where ours is unlucky.
_BIMODAL = pytest.mark.xfail(
    strict=True,
    reason="two optima reached by chance in either library; see the comment",
)
RESTART_CELLS = [
    pytest.param(
        dataset,
        covariance_type,
        init_params,
        marks=[_BIMODAL]
        if (dataset, covariance_type, init_params)
        in {
            ("anisotropic_blobs", "diag", "k-means++"),
            ("anisotropic_blobs", "diag", "random_from_data"),
        }
        else [],
    )
    for dataset in DATASETS
    for covariance_type in COVARIANCE_TYPES
    for init_params in ["kmeans", "k-means++", "random", "random_from_data"]
]


@pytest.mark.parametrize("dataset, covariance_type, init_params", RESTART_CELLS)
def test_restarts_reach_sklearn_likelihood(dataset, covariance_type, init_params):
    make, n_components = DATASETS[dataset]
    X = make()
    ours, theirs = _fit_both(
        X,
        n_components,
        covariance_type=covariance_type,
        init_params=init_params,
        n_init=5,
        random_state=0,
        max_iter=300,
    )
    assert ours.score(X) >= theirs.score(X) - 0.01
