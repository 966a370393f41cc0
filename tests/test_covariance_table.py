"""The table of covariance models: its facts against scikit-learn's fits and
closed forms."""

import math

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.mixture import GaussianMixture as SklearnGaussianMixture

from skgmm_em._covariance import (
    ALL_COVARIANCE_TYPES,
    COVARIANCE_TYPES,
    MCLUST_MODEL_NAMES,
    MCLUST_MODELS,
    MODELS,
    get_model,
)


@pytest.fixture(scope="module")
def iris():
    from sklearn.datasets import load_iris

    return load_iris().data


def _sklearn_fit(X, covariance_type, k=3):
    return SklearnGaussianMixture(
        k, covariance_type=covariance_type, random_state=0
    ).fit(X)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_shapes_and_parameter_counts_match_scikit_learn(iris, covariance_type):
    model = MODELS[covariance_type]
    theirs = _sklearn_fit(iris, covariance_type)
    k, d = theirs.means_.shape
    assert model.shape(k, d) == theirs.covariances_.shape
    assert model.shape(k, d) == theirs.precisions_.shape
    assert model.shape_text.count(",") + 1 - model.shape_text.endswith(",)") == len(
        model.shape(k, d)
    )
    # scikit-learn's BIC is -2 n score + p log n: it gives its count of p.
    n = iris.shape[0]
    p = (theirs.bic(iris) + 2 * n * theirs.score(iris)) / math.log(n)
    assert model.n_parameters(k, d) == round(p)
    assert model.per_component == (theirs.covariances_.shape[0] == k and d != k)
    assert model.elementwise == (theirs.covariances_.ndim < 3 and model.per_component)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_conversions_through_full_matrices(iris, covariance_type):
    model = MODELS[covariance_type]
    theirs = _sklearn_fit(iris, covariance_type)
    k, d = theirs.means_.shape
    full = np.array(model.to_full(theirs.covariances_, k, d))
    assert full.shape == (k, d, d)
    assert np.all(np.linalg.eigvalsh(full) > 0)
    assert_allclose(model.from_full(full, theirs.weights_), theirs.covariances_)
    assert_allclose(
        model.precisions_from_full(full, theirs.weights_),
        theirs.precisions_,
        rtol=1e-10,
    )
    assert_allclose(
        model.precisions_from_prec_chol(theirs.precisions_cholesky_),
        theirs.precisions_,
        rtol=1e-10,
    )


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_whiten_is_the_mahalanobis_transform(iris, covariance_type):
    model = MODELS[covariance_type]
    theirs = _sklearn_fit(iris, covariance_type)
    k, d = theirs.means_.shape
    centred = theirs.means_ - iris.mean(axis=0)
    full = np.array(model.to_full(theirs.covariances_, k, d))
    whitened = model.whiten(centred, theirs.precisions_cholesky_)
    # |whitened_k|^2 is the squared Mahalanobis distance under component k.
    expected = [c @ np.linalg.solve(f, c) for c, f in zip(centred, full, strict=True)]
    assert_allclose(np.sum(whitened**2, axis=1), expected, rtol=1e-10)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_add_to_diagonal_and_smallest_variance(covariance_type):
    model = MODELS[covariance_type]
    k, d = 2, 3
    rng = np.random.default_rng(0)
    a = rng.standard_normal((k, d, d))
    full = a @ a.transpose(0, 2, 1) + 0.5 * np.eye(d)
    cov = model.from_full(full, np.array([0.4, 0.6]))
    shifted = model.add_to_diagonal(cov, 0.25)
    assert shifted is not cov
    expected = np.array(model.to_full(cov, k, d)) + 0.25 * np.eye(d)
    assert_allclose(model.to_full(shifted, k, d), expected)
    scale = np.array([1.0, 2.0, 0.5])
    # The smallest variance in units of the data's: eigenvalues of the
    # scaled matrices; diagonal variances each in its feature's units; a
    # spherical variance in units of the mean variance.
    expected = {
        "full": lambda: np.linalg.eigvalsh(full / np.outer(scale, scale)).min(),
        "tied": lambda: np.linalg.eigvalsh(cov / np.outer(scale, scale)).min(),
        "diag": lambda: (cov / scale**2).min(),
        "spherical": lambda: cov.min() / np.mean(scale**2),
    }[covariance_type]()
    assert model.smallest_variance(shifted, scale, 0.25) == pytest.approx(expected)


def test_m_step_hands_the_statistics_to_a_prior():
    model = MODELS["diag"]
    calls = []

    class Prior:
        def m_step(self, *args):
            calls.append(args)
            return "means", "covariances"

    nk = np.array([2.0, 3.0])
    sx = np.zeros((2, 2))
    sxx = np.ones((2, 2))
    means = np.zeros((2, 2))
    out = model.m_step(nk, nk, sx, sxx, means, 1e-6, prior=Prior())
    assert out == ("means", "covariances")
    (args,) = calls
    # (model, nk, nk_eps, sx, sxx, means, reg_covar, previous, shift)
    assert args[0] is model and args[1] is nk and args[6] == 1e-6
    assert args[7] is None and args[8] is None
    # A prior on the record is used when none is passed.
    assert model.with_prior(Prior()).m_step(nk, nk, sx, sxx, means, 0.0)[0] == "means"
    # Without a prior: the maximum likelihood, variance = sxx / nk + reg.
    _, cov = model.m_step(nk, nk, sx, sxx, means, 1e-6)
    assert_allclose(cov, 1.0 / nk[:, None] + 1e-6 + 0 * sxx)


def test_names_aliases_and_unknown_names():
    assert COVARIANCE_TYPES == ("full", "tied", "diag", "spherical")
    assert MCLUST_MODEL_NAMES == {
        "full": "VVV",
        "tied": "EEE",
        "diag": "VVI",
        "spherical": "VII",
    }
    # Every name answers: scikit-learn's four also by their mclust names.
    assert set(MODELS) == set(ALL_COVARIANCE_TYPES)
    assert ALL_COVARIANCE_TYPES == COVARIANCE_TYPES + MCLUST_MODELS
    assert len(MCLUST_MODELS) == 14
    for name, model in MODELS.items():
        assert get_model(name) is model
        assert get_model(model.mclust_name) is model
        assert name in (model.name, model.mclust_name)
    for name, mclust_name in MCLUST_MODEL_NAMES.items():
        assert MODELS[mclust_name] is MODELS[name]
    with pytest.raises(ValueError, match="Unknown covariance_type 'VVX'.*'full'"):
        get_model("VVX")
    with pytest.raises(ValueError, match="Unknown covariance_type"):
        get_model(None)
