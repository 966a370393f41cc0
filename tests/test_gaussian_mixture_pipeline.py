"""The estimator inside scikit-learn's tools: Pipeline, GridSearchCV, clone."""

import warnings

import numpy as np
import pytest
from _data import anisotropic_blobs, iris
from sklearn.base import clone
from sklearn.decomposition import PCA
from sklearn.exceptions import ConvergenceWarning
from sklearn.mixture import GaussianMixture as SklearnGaussianMixture
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skgmm_em import GaussianMixture


def test_pipeline_fit_predict_score():
    X = iris()
    pipe = make_pipeline(StandardScaler(), PCA(2), GaussianMixture(3, random_state=0))
    labels = pipe.fit_predict(X)
    assert labels.shape == (150,) and set(labels) == {0, 1, 2}
    np.testing.assert_array_equal(labels, pipe.predict(X))
    proba = pipe.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert np.isfinite(pipe.score(X))


@pytest.mark.slow
def test_drop_in_grid_search():
    # Same grid, same data, same random_state: the same choice, and scores
    # as good as scikit-learn's (the k-means starts are drawn differently,
    # so a candidate may land on another local optimum).
    X = anisotropic_blobs()
    grid = {"n_components": [1, 2, 3, 4], "covariance_type": ["full", "diag"]}
    theirs = GridSearchCV(
        SklearnGaussianMixture(random_state=0, tol=1e-6, max_iter=500), grid, cv=3
    ).fit(X)
    ours = GridSearchCV(
        GaussianMixture(random_state=0, tol=1e-6, max_iter=500), grid, cv=3
    ).fit(X)
    assert ours.best_params_ == theirs.best_params_
    ours_scores = ours.cv_results_["mean_test_score"]
    their_scores = theirs.cv_results_["mean_test_score"]
    assert np.all(ours_scores >= their_scores - 1e-3)
    few = np.array([p["n_components"] <= 3 for p in ours.cv_results_["params"]])
    np.testing.assert_allclose(ours_scores[few], their_scores[few], rtol=1e-4)


@pytest.mark.slow
def test_grid_search_over_initializers_and_clone():
    X = anisotropic_blobs()
    grid = {
        "n_components": [2, 3],
        "covariance_type": ["full", "spherical"],
        "init_params": ["kmeans", "k-means++", "moments"],
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        search = GridSearchCV(GaussianMixture(random_state=0), grid, cv=3).fit(X)
    assert len(search.cv_results_["params"]) == 12
    assert np.all(np.isfinite(search.cv_results_["mean_test_score"]))
    assert search.best_params_["n_components"] == 3
    gm = GaussianMixture(3, covariance_type="tied", random_state=0)
    copy = clone(gm)
    assert copy is not gm and copy.get_params() == gm.get_params()
