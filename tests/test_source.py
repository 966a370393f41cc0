"""Data sources (skgmm_em._source): one object per kind of input, the same
results whichever route the rows take."""

import numpy as np
import pytest
from numpy.testing import assert_array_equal

from skgmm_em import GaussianMixture, _em, _source
from skgmm_em._covariance import COVARIANCE_TYPES
from skgmm_em.datasets import load_faithful


def _data():
    return load_faithful()[0]


def _memmap(tmp_path, X):
    path = tmp_path / "X.dat"
    mapped = np.memmap(path, dtype=X.dtype, mode="w+", shape=X.shape)
    mapped[:] = X
    mapped.flush()
    return np.memmap(path, dtype=X.dtype, mode="r", shape=X.shape)


def test_fit_source_wraps_each_kind_of_array(tmp_path):
    X = _data()
    gm = GaussianMixture(2)
    source = _source.fit_source(gm, X, None, 2)
    assert type(source) is _source.ArraySource and source.in_memory
    assert gm.n_features_in_ == 2
    mapped = _source.fit_source(gm, _memmap(tmp_path, X), None, 2)
    assert type(mapped) is _source.ArraySource and not mapped.in_memory
    X_nan = X.copy()
    X_nan[3, 1] = np.nan
    missing = _source.fit_source(gm, X_nan, None, 2)
    assert type(missing) is _source.MissingSource
    assert missing.missing.patterns[0][1].tolist() == [3]


def test_fit_source_checks_rows_and_weights():
    X = _data()
    gm = GaussianMixture(3)
    with pytest.raises(ValueError, match="n_samples >= n_components"):
        _source.fit_source(gm, X[:2], None, 3)
    weights = np.zeros(len(X))
    weights[:2] = 1.0
    with pytest.raises(ValueError, match="positive sample_weight"):
        _source.fit_source(gm, X, weights, 3)
    # Equal weights are no weights.
    assert _source.fit_source(gm, X, np.full(len(X), 3.0), 3).sample_weight is None


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_source_passes_are_the_core_functions(covariance_type):
    X = _data()
    gm = GaussianMixture(3, covariance_type=covariance_type, random_state=0).fit(X)
    params = _em.params_of(gm)
    source = _source.inference_source(gm, X)
    stats = source.e_step(params, covariance_type)
    direct = _em.e_step(X, params, covariance_type)
    for a, b in zip(stats, direct, strict=True):
        assert_array_equal(a, b)
    assert_array_equal(source.predict(params, covariance_type), gm.predict(X))
    assert source.score(params, covariance_type) == gm.score(X)


def test_init_rows_by_kind_of_source(tmp_path):
    X = _data()
    rng = np.random.RandomState(0)
    gm = GaussianMixture(2)
    in_memory = _source.fit_source(gm, X, None, 2)
    rows, weights = in_memory.init_rows(2, 10, rng)
    assert rows is X and weights is None
    mapped = _source.fit_source(gm, _memmap(tmp_path, X), None, 2)
    assert mapped.init_rows(2, 10, rng, needed=False) == (None, None)
    rows, weights = mapped.init_rows(2, 10, rng)
    assert rows.shape == (10, 2) and type(rows) is np.ndarray and weights is None
    X_nan = X.copy()
    X_nan[:5, 0] = np.nan
    rows, _ = _source.fit_source(gm, X_nan, None, 2).init_rows(2, 10, rng)
    assert_array_equal(rows, X[5:])


def test_recentring_needs_complete_rows_in_memory():
    X = _data()
    X_nan = X.copy()
    X_nan[0, 0] = np.nan
    gm = GaussianMixture(2)
    assert _source.fit_source(gm, X, None, 2)._rows_for_recentring() is X
    assert _source.fit_source(gm, X_nan, None, 2)._rows_for_recentring() is None


def test_dask_arrays_become_a_dask_source():
    da = pytest.importorskip("dask.array")
    X = _data()
    gm = GaussianMixture(2, random_state=0)
    source = _source.fit_source(gm, da.from_array(X, chunks=100), None, 2)
    assert type(source) is _source.DaskSource
    rows, weights = source.init_rows(2, 50, np.random.RandomState(0))
    assert type(rows) is np.ndarray and rows.shape == (50, 2) and weights is None
    assert source.init_rows(2, 50, None, needed=False) == (None, None)
