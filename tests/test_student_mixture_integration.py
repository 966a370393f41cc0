"""StudentMixture with the rest of the package: dask arrays, model files,
plots and the selector."""

import copy
import json
import re

import dask
import dask.array as da
import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.exceptions import ConvergenceWarning

from skgmm_em import (
    GaussianMixture,
    GaussianMixtureSelector,
    StudentMixture,
    load,
    save,
)
from skgmm_em._covariance import MODELS
from skgmm_em.model_selection import n_parameters
from skgmm_em.persistence import from_dict, to_dict


def _data(n=600, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_t(3, size=(n, 2))
    X[n // 2 :] = X[n // 2 :] * [1.5, 0.5] + [7.0, 2.0]
    return X


def _start(X, covariance_type="full"):
    """Explicit initial parameters: the same start for every fit."""
    weights = np.array([0.5, 0.5])
    identities = np.stack([np.eye(2)] * 2)
    precisions = MODELS[covariance_type].precisions_from_full(identities, weights)
    return {
        "weights_init": weights,
        "means_init": X[[0, -1]],
        "precisions_init": precisions,
    }


# ---------------------------------------------------------------------------
# dask


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("covariance_type", ["full", "tied", "diag", "spherical"])
def test_dask_fit_equals_numpy_fit(covariance_type):
    X = _data()
    params = dict(n_components=2, covariance_type=covariance_type, tol=0.0)
    params.update(max_iter=15, **_start(X, covariance_type))
    reference = StudentMixture(**params).fit(X)
    with dask.config.set(scheduler="threads"):
        fitted = StudentMixture(**params).fit(da.from_array(X, chunks=(97, 2)))
        labels = fitted.labels_.compute()
        proba = fitted.predict_proba(da.from_array(X, chunks=100)).compute()
        score = fitted.score(da.from_array(X, chunks=100))
    for name in ("weights_", "means_", "covariances_", "dofs_"):
        assert_allclose(getattr(fitted, name), getattr(reference, name), rtol=1e-9)
    assert fitted.n_iter_ == reference.n_iter_
    assert_array_equal(labels, reference.labels_)
    assert_allclose(proba, reference.predict_proba(X), rtol=1e-9, atol=1e-12)
    assert score == pytest.approx(reference.score(X), rel=1e-10)


@pytest.mark.slow
def test_dask_fit_on_a_distributed_cluster():
    from distributed import Client, LocalCluster

    X = _data()
    params = dict(n_components=2, tol=0.0, max_iter=10, **_start(X))
    with pytest.warns(ConvergenceWarning):
        reference = StudentMixture(**params).fit(X)
    cluster = LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
    )
    with cluster, Client(cluster, set_as_default=False) as client:
        with client.as_current(), dask.config.set(scheduler="distributed"):
            X_dask = da.from_array(X, chunks=(150, 2)).persist()
            with pytest.warns(ConvergenceWarning):
                fitted = StudentMixture(**params).fit(X_dask)
            log_prob = fitted.score_samples(X_dask).compute()
    assert_allclose(fitted.means_, reference.means_, rtol=1e-9)
    assert_allclose(fitted.dofs_, reference.dofs_, rtol=1e-9)
    assert_allclose(log_prob, reference.score_samples(X), rtol=1e-10)


# ---------------------------------------------------------------------------
# model files


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("covariance_type", ["full", "spherical", "EVE"])
def test_model_file_round_trip_is_exact(tmp_path, covariance_type, dtype):
    X = _data().astype(dtype)
    model = StudentMixture(2, covariance_type=covariance_type, random_state=0).fit(X)
    path = tmp_path / "model.json"
    save(model, path)
    again = load(path)
    assert type(again) is StudentMixture
    assert again.get_params() == model.get_params()
    assert_array_equal(again.dofs_, model.dofs_)
    for name in ("weights_", "means_", "covariances_", "precisions_cholesky_"):
        assert_array_equal(getattr(again, name), getattr(model, name))
    assert_array_equal(again.predict_proba(X), model.predict_proba(X))
    assert_array_equal(again.score_samples(X), model.score_samples(X))


def test_model_file_stores_the_estimator_and_the_degrees_of_freedom():
    X = _data()
    model = StudentMixture(2, dof=3.5, random_state=0).fit(X)
    document = json.loads(json.dumps(to_dict(model)))
    assert document["estimator"] == "StudentMixture"
    assert document["params"]["dof"] == 3.5
    assert document["fitted"]["dofs"] == [3.5, 3.5]
    # A Gaussian mixture's document is what it was: no dofs, no dof.
    gaussian = to_dict(GaussianMixture(2, random_state=0).fit(X))
    assert gaussian["estimator"] == "GaussianMixture"
    assert "dofs" not in gaussian["fitted"] and "dof" not in gaussian["params"]
    assert type(from_dict(gaussian)) is GaussianMixture


def _edited(document, edit):
    document = copy.deepcopy(document)
    edit(document)
    return document


def test_model_files_of_the_wrong_kind_are_refused():
    X = _data()
    t = to_dict(StudentMixture(2, random_state=0).fit(X))
    gaussian = to_dict(GaussianMixture(2, random_state=0).fit(X))
    cases = {
        "lacks the key(s) dofs": _edited(t, lambda d: d["fitted"].pop("dofs")),
        "unexpected key(s) 'dofs'": _edited(
            gaussian, lambda d: d["fitted"].update(dofs=[3.0, 3.0])
        ),
        "unexpected key(s) 'dof'": _edited(
            gaussian, lambda d: d["params"].update(dof=3.0)
        ),
        "fitted.dofs must be positive": _edited(
            t, lambda d: d["fitted"].update(dofs=[0.0, 2.0])
        ),
        "fitted.dofs must be a nested array of shape": _edited(
            t, lambda d: d["fitted"].update(dofs=[2.0])
        ),
        "params.dof must be >= 0.0": _edited(t, lambda d: d["params"].update(dof=-1.0)),
        "'dof' parameter of StudentMixture": _edited(
            t, lambda d: d["params"].update(dof=0.0)
        ),
        "estimator must be one of": _edited(
            t, lambda d: d.update(estimator="BayesianGaussianMixture")
        ),
    }
    for message, document in cases.items():
        with pytest.raises(ValueError, match=re.escape(message)):
            from_dict(document)


# ---------------------------------------------------------------------------
# plots


def test_plots_take_a_t_mixture():
    import matplotlib.pyplot as plt

    from skgmm_em.plotting import ellipse_geometry, plot_ellipses, plot_uncertainty

    X = _data()
    model = StudentMixture(2, random_state=0).fit(X)
    ax = plot_ellipses(model, X, sigmas=(1, 2))
    assert len(ax.patches) == 4
    # The ellipses are the t density's level sets: those of the scale matrices.
    width, height, _ = ellipse_geometry(model.covariances_[0], 1.0)
    assert ax.patches[0].width == pytest.approx(width)
    assert ax.patches[0].height == pytest.approx(height)
    plot_uncertainty(model, X)
    plt.close("all")


# ---------------------------------------------------------------------------
# the selector


def test_selector_with_t_components():
    X = _data()
    params = dict(n_components=[1, 2], covariance_type=["full", "diag"])
    params.update(n_init=1, split_merge=False, refine_margin=None, random_state=0)
    gaussian = GaussianMixtureSelector(**params).fit(X)
    t = GaussianMixtureSelector(component="t", **params).fit(X)
    assert type(gaussian.best_estimator_) is GaussianMixture
    assert type(t.best_estimator_) is StudentMixture
    assert t.best_params_["n_components"] == 2
    # The criteria count the degrees of freedom: 2 weights' worth more.
    best = t.best_estimator_
    k, d = best.means_.shape
    rows = t.results_["covariance_type"] == best.covariance_type
    rows &= t.results_["n_components"] == k
    assert int(t.results_["n_parameters"][rows][0]) == n_parameters(best)
    assert n_parameters(best) == n_parameters(gaussian.best_estimator_) + k
    # Heavy-tailed data: the t mixture's BIC is the better one.
    assert np.nanmin(t.results_["bic"]) < np.nanmin(gaussian.results_["bic"])
    with pytest.raises(ValueError, match="component"):
        GaussianMixtureSelector(component="cauchy").fit(X)
