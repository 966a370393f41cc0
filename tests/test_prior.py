"""The ``prior`` parameter of GaussianMixture and ConjugatePrior
(skgmm_em/_prior.py), and the data's moments its defaults come from
(skgmm_em/_moments.py)."""

import dask.array as da
import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.utils._param_validation import InvalidParameterError

from skgmm_em import ConjugatePrior, GaussianMixture, _moments
from skgmm_em._source import ArraySource
from skgmm_em.datasets import load_faithful
from skgmm_em.exceptions import IllDefinedCovarianceError

X, _ = load_faithful()


def test_conjugate_is_the_default_conjugate_prior():
    a = GaussianMixture(2, prior="conjugate", random_state=0).fit(X)
    b = GaussianMixture(2, prior=ConjugatePrior(), random_state=0).fit(X)
    assert_array_equal(a.means_, b.means_)
    assert_array_equal(a.covariances_, b.covariances_)
    assert ConjugatePrior().get_params() == {
        "shrinkage": 0.01,
        "mean": None,
        "dof": None,
        "scale": None,
    }
    prior = ConjugatePrior(mean=[1.0, 2.0])
    gm = clone(GaussianMixture(prior=prior))
    assert gm.prior is not prior and gm.prior.mean == [1.0, 2.0]


def test_no_prior_is_maximum_likelihood():
    a = GaussianMixture(2, random_state=0).fit(X)
    b = GaussianMixture(2, prior=None, random_state=0).fit(X)
    assert_array_equal(a.covariances_, b.covariances_)
    assert a.prior_ is None
    c = GaussianMixture(2, prior="conjugate", random_state=0).fit(X)
    assert not np.allclose(a.covariances_, c.covariances_, rtol=1e-6)


def test_fitted_prior_settings():
    gm = GaussianMixture(3, covariance_type="diag", prior="conjugate").fit(X)
    assert gm.prior_.shrinkage == 0.01 and gm.prior_.dof == 4.0
    assert_allclose(gm.prior_.mean, X.mean(axis=0), rtol=1e-14)
    # Spherical and diagonal models: the mean variance over G^(2/d).
    assert_allclose(gm.prior_.scale, np.trace(np.cov(X.T)) / 2 / 3, rtol=1e-13)
    gm = GaussianMixture(3, covariance_type="VEV", prior="conjugate").fit(X)
    assert_allclose(gm.prior_.scale, np.cov(X.T) / 3, rtol=1e-13)
    given = ConjugatePrior(shrinkage=0.5, mean=[3.0, 70.0], dof=9, scale=2.0)
    gm = GaussianMixture(2, covariance_type="VEV", prior=given).fit(X)
    assert gm.prior_.shrinkage == 0.5 and gm.prior_.dof == 9.0
    assert_array_equal(gm.prior_.mean, [3.0, 70.0])
    # A number stands for that multiple of the identity for ellipsoidal
    # models; of a matrix, the diagonal models take the mean diagonal value.
    assert_array_equal(gm.prior_.scale, 2.0 * np.eye(2))
    matrix = ConjugatePrior(scale=[[1.0, 0.5], [0.5, 3.0]])
    gm = GaussianMixture(2, covariance_type="EEI", prior=matrix).fit(X)
    assert gm.prior_.scale == 2.0
    assert given.dof == 9  # the constructor's parameters stay as given


@pytest.mark.parametrize(
    "prior, message",
    [
        (ConjugatePrior(shrinkage=-1.0), "shrinkage must be a non-negative"),
        (ConjugatePrior(shrinkage=np.nan), "shrinkage must be a non-negative"),
        (ConjugatePrior(shrinkage=True), "shrinkage must be a non-negative"),
        (ConjugatePrior(dof=-2), "dof must be a non-negative"),
        (ConjugatePrior(mean=[1.0, 2.0, 3.0]), r"mean must be 2 finite numbers"),
        (ConjugatePrior(mean=[1.0, np.inf]), r"mean must be 2 finite numbers"),
        (ConjugatePrior(scale=0.0), "scale must be a positive"),
        (ConjugatePrior(scale=[[1.0, 2.0], [2.0, 1.0]]), "positive definite"),
        (ConjugatePrior(scale=[[1.0, 0.1], [0.0, 1.0]]), "symmetric"),
        (ConjugatePrior(scale=np.eye(3)), r"shape \(2, 2\)"),
    ],
)
def test_invalid_settings_are_refused(prior, message):
    with pytest.raises(ValueError, match=message):
        GaussianMixture(2, prior=prior).fit(X)


def test_invalid_prior_parameter():
    with pytest.raises(InvalidParameterError, match="prior"):
        GaussianMixture(prior="wishart").fit(X)
    with pytest.raises(InvalidParameterError, match="prior"):
        GaussianMixture(prior={"shrinkage": 0.1}).fit(X)


def _collapsing_data():
    """Two clusters and one sample repeated: maximum likelihood puts a
    component on the repeated sample, whose covariance is zero."""
    rng = np.random.default_rng(0)
    return np.vstack(
        [rng.normal(size=(60, 2)), rng.normal(size=(60, 2)) + 6, np.full((5, 2), 20.0)]
    )


def test_prior_fits_where_maximum_likelihood_collapses():
    data = _collapsing_data()
    ml = GaussianMixture(3, reg_covar=0.0, random_state=0)
    with pytest.raises(IllDefinedCovarianceError, match="ill-defined"):
        ml.fit(data)
    gm = GaussianMixture(3, reg_covar=0.0, prior="conjugate", random_state=0)
    gm.fit(data)
    assert np.all(np.linalg.eigvalsh(gm.covariances_) > 0.0)
    assert_allclose(np.sort(gm.weights_ * len(data))[0], 5.0, rtol=1e-6)


def test_lower_bound_and_score_are_the_log_likelihood():
    start = GaussianMixture(2, covariance_type="EVI", max_iter=0, random_state=0)
    start.fit(X)
    init = {
        "weights_init": start.weights_,
        "means_init": start.means_,
        "precisions_init": start.precisions_,
    }
    one = GaussianMixture(
        2, covariance_type="EVI", prior="conjugate", max_iter=1, tol=0.0, **init
    )
    with pytest.warns(UserWarning, match="did not converge"):
        one.fit(X)
    # The lower bound of an iteration is the mean log-likelihood of the
    # parameters it starts from: here the start's, not penalized.
    assert_allclose(one.lower_bound_, start.score(X), rtol=1e-13)
    gm = GaussianMixture(2, prior="conjugate", tol=1e-12, random_state=0).fit(X)
    assert_allclose(gm.lower_bound_, gm.score(X), rtol=1e-9)
    n, p = len(X), gm._n_parameters()
    assert_allclose(gm.bic(X), -2 * gm.score(X) * n + p * np.log(n), rtol=1e-12)


def test_reg_covar_is_added_with_a_prior():
    base = dict(n_components=2, covariance_type="diag", prior="conjugate")
    start = GaussianMixture(**base, max_iter=0, random_state=0).fit(X)
    init = {"weights_init": start.weights_, "means_init": start.means_}
    init["precisions_init"] = start.precisions_
    runs = [
        GaussianMixture(**base, reg_covar=r, max_iter=1, tol=0.0, **init)
        for r in (0.0, 0.5)
    ]
    with pytest.warns(UserWarning, match="did not converge"):
        zero, half = (gm.fit(X) for gm in runs)
    assert_allclose(half.covariances_, zero.covariances_ + 0.5, rtol=1e-12)


def test_sample_weights_with_a_prior():
    rng = np.random.default_rng(1)
    weights = rng.integers(0, 4, len(X)).astype(float)
    fits = [
        GaussianMixture(2, prior="conjugate", init_params="moments", tol=1e-9)
        for _ in range(3)
    ]
    a = fits[0].fit(X, sample_weight=weights)
    b = fits[1].fit(X, sample_weight=7.5 * weights)
    c = fits[2].fit(X[weights > 0], sample_weight=weights[weights > 0])
    # Only the ratios of the weights matter, and a zero weight drops a row.
    order = np.argsort(a.means_[:, 0])
    for other in (b, c):
        assert_allclose(other.prior_.scale, a.prior_.scale, rtol=1e-12)
        same = np.argsort(other.means_[:, 0])
        assert_allclose(other.means_[same], a.means_[order], rtol=1e-6)
        assert_allclose(other.covariances_[same], a.covariances_[order], rtol=1e-6)
    assert_allclose(a.prior_.mean, np.average(X, axis=0, weights=weights))


def test_missing_values_and_float32():
    data = X.copy()
    data[::7, 1] = np.nan
    gm = GaussianMixture(2, prior="conjugate", random_state=0).fit(data)
    assert_allclose(gm.prior_.mean, np.nanmean(data, axis=0), rtol=1e-13)
    assert np.all(np.isfinite(gm.covariances_))
    single = GaussianMixture(2, prior="conjugate", random_state=0)
    single.fit(X.astype(np.float32))
    assert single.means_.dtype == np.float32
    assert_allclose(single.prior_.scale, np.cov(X.T) / 2, rtol=1e-6)


def test_warm_start_with_a_prior():
    gm = GaussianMixture(2, prior="conjugate", warm_start=True, max_iter=2)
    with pytest.warns(UserWarning, match="did not converge"):
        gm.fit(X)
    gm.set_params(max_iter=200, tol=1e-10).fit(X)
    cold = GaussianMixture(2, prior="conjugate", tol=1e-10, random_state=0).fit(X)
    order = np.argsort(gm.means_[:, 0])
    assert_allclose(gm.means_[order], np.sort(cold.means_, axis=0), rtol=1e-6)


def _pairwise_covariance(data, weights):
    """R's cov(use = "pairwise.complete.obs"), with weights: a reference."""
    d = data.shape[1]
    out = np.empty((d, d))
    for i in range(d):
        for j in range(d):
            rows = ~np.isnan(data[:, i]) & ~np.isnan(data[:, j])
            w, a, b = weights[rows], data[rows, i], data[rows, j]
            ma, mb = w @ a / w.sum(), w @ b / w.sum()
            out[i, j] = w @ ((a - ma) * (b - mb)) / (w.sum() - 1.0)
    return out


def test_data_moments():
    rng = np.random.default_rng(3)
    data = rng.normal(size=(1000, 4)) @ rng.normal(size=(4, 4)) + 1e5
    mean, cov = _moments.data_moments(data)
    assert_allclose(mean, data.mean(axis=0), rtol=1e-14)
    assert_allclose(cov, np.cov(data.T), rtol=1e-10)
    # Chunks add up; weights are in units of their mean; NaN left out.
    data[rng.random(data.shape) < 0.15] = np.nan
    weights = rng.random(1000) * 2
    weights *= 1000 / weights.sum()
    mean, cov = _moments.data_moments(data, weights, chunk_rows=77)
    observed = ~np.isnan(data)
    expected = np.nansum(data * weights[:, None], axis=0) / (weights @ observed)
    assert_allclose(mean, expected, rtol=1e-13)
    assert_allclose(cov, _pairwise_covariance(data, weights), rtol=1e-9)


def test_data_moments_of_memory_maps_and_dask_arrays(tmp_path):
    rng = np.random.default_rng(4)
    data = rng.normal(size=(3000, 3)) * [1.0, 5.0, 0.1] + 7.0
    weights = rng.random(3000) + 0.5
    weights *= 3000 / weights.sum()
    expected = _moments.data_moments(data, weights)
    path = tmp_path / "X.npy"
    np.save(path, data)
    mapped = np.load(path, mmap_mode="r")
    for got in (
        ArraySource(mapped, weights, in_memory=False).moments(),
        _moments.data_moments(mapped, weights, chunk_rows=500),
    ):
        assert_allclose(got[0], expected[0], rtol=1e-13)
        assert_allclose(got[1], expected[1], rtol=1e-12)
    lazy = da.from_array(data, chunks=(700, 3))
    gm = GaussianMixture(2, prior="conjugate", random_state=0)
    gm.fit(lazy, sample_weight=da.from_array(weights, chunks=700))
    assert_allclose(gm.prior_.mean, expected[0], rtol=1e-13)
    assert_allclose(gm.prior_.scale, expected[1] / 2 ** (2 / 3), rtol=1e-12)


def test_default_scale_needs_a_non_singular_covariance():
    data = np.column_stack([X[:, 0], np.full(len(X), 3.0)])
    with pytest.raises(ValueError, match="give ConjugatePrior a scale"):
        GaussianMixture(2, prior="conjugate").fit(data)
    gm = GaussianMixture(2, prior=ConjugatePrior(scale=[[1.0, 0], [0, 1.0]]))
    gm.set_params(reg_covar=1e-6).fit(data)
    # Collinear features: the diagonal of the covariance.
    collinear = np.column_stack([X[:, 0], 2.0 * X[:, 0]])
    gm = GaussianMixture(2, covariance_type="tied", prior="conjugate").fit(collinear)
    variances = np.var(collinear, axis=0, ddof=1) / 2
    assert_allclose(gm.prior_.scale, np.diag(variances), rtol=1e-12)
