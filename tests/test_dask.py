"""Scaling out: dask arrays (threaded and distributed) and memory-mapped data.

The tests are written against the public estimator, through the fixture
``GM``. Until the dask routing of ``GaussianMixture`` is integrated, ``GM``
is ``_PreIntegrationGaussianMixture``, a test-only subclass that carries the
integration patch; once it is applied, ``GM`` returns ``GaussianMixture``
and the subclass is deleted.
"""

import os
import pickle
import subprocess
import sys
import tracemalloc

import dask
import dask.array as da
import dask.threaded
import numpy as np
import pandas as pd
import pytest
from _data import COVARIANCE_TYPES
from distributed import Client, LocalCluster
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning

from skgmm_em import GaussianMixture, _dask
from skgmm_em.datasets import make_mixture

N_SAMPLES = 3000


@pytest.fixture(scope="module")
def GM():
    """The estimator under test."""
    return GaussianMixture


# ---------------------------------------------------------------------------
# schedulers and data


@pytest.fixture(autouse=True)
def _threaded_scheduler():
    # Tests that do not ask for a scheduler run on the threaded one, even
    # while the module's distributed client is the default.
    with dask.config.set(scheduler="threads"):
        yield


@pytest.fixture(scope="module")
def client():
    """A LocalCluster of two worker processes, started for this module."""
    # A free port for the scheduler's HTTP server: with None it still takes
    # 8787 and warns when another cluster on the machine holds it. Workers
    # without distributed's MALLOC_TRIM_THRESHOLD_ run the E-step faster
    # (see docs/scaling_out.md).
    untrimmed = {"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None}
    with dask.config.set(untrimmed):
        cluster = LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",
        )
    with cluster, Client(cluster, set_as_default=False) as client:
        yield client


@pytest.fixture
def distributed(client):
    """Run the test with the LocalCluster as the current scheduler."""
    with client.as_current(), dask.config.set(scheduler="distributed"):
        assert dask.base.get_scheduler() == client.get
        yield client


@pytest.fixture(params=["threads", pytest.param("distributed", marks=pytest.mark.slow)])
def scheduler(request):
    if request.param == "distributed":
        request.getfixturevalue("distributed")
    return request.param


def _data(n_samples=N_SAMPLES, dtype=np.float64):
    # Three overlapping clusters far from the origin: the shift to the
    # mixture mean matters, and EM takes many iterations.
    X, _ = make_mixture(
        n_samples,
        [0.5, 0.3, 0.2],
        [[50.0, 50.0, 50.0], [53.0, 51.0, 50.0], [50.0, 54.0, 52.0]],
        [
            np.eye(3),
            [[1.0, 0.5, 0.0], [0.5, 1.5, 0.3], [0.0, 0.3, 0.8]],
            np.diag([0.5, 2.0, 1.0]),
        ],
        random_state=0,
    )
    return X.astype(dtype)


def _start(X, covariance_type, n_components=3):
    """Explicit initial parameters of the covariance type."""
    rng = np.random.RandomState(1)
    means = X[rng.choice(X.shape[0], n_components, replace=False)].astype(float)
    precision = 1.0 / X.var(axis=0)
    precisions = {
        "full": np.stack([np.diag(precision)] * n_components),
        "tied": np.diag(precision),
        "diag": np.tile(precision, (n_components, 1)),
        "spherical": np.full(n_components, precision.mean()),
    }[covariance_type]
    return {
        "weights_init": np.full(n_components, 1.0 / n_components),
        "means_init": means,
        "precisions_init": precisions,
    }


CHUNKINGS = {
    "one-block": (N_SAMPLES, 3),
    "even": (500, 3),
    "uneven": ((1, 999, 7, 1500, 493), 3),
    "empty-block-and-split-columns": ((0, 1200, 1800), (2, 1)),
}


def _dask_data(X, chunks, persist=False):
    X_dask = da.from_array(X, chunks=chunks)
    return X_dask.persist() if persist else X_dask


def _fit_quietly(estimator, X, **fit_params):
    """Fit with tol=0 and a fixed max_iter, which warns ConvergenceWarning."""
    with pytest.warns(ConvergenceWarning):
        return estimator.fit(X, **fit_params)


def _assert_close(actual, desired, rtol, what):
    """max |actual - desired| <= rtol * max |desired| (relative to the scale)."""
    actual, desired = np.asarray(actual), np.asarray(desired)
    assert actual.shape == desired.shape, what
    if desired.ndim == 0 and np.isinf(desired):
        # The lower bound of a fit without iterations is -inf.
        assert actual == desired, what
        return
    scale = np.max(np.abs(desired), initial=0.0)
    error = np.max(np.abs(actual - desired), initial=0.0)
    assert error <= rtol * scale, f"{what}: error {error:.3g}, scale {scale:.3g}"


def _assert_same_fit(fitted, reference, rtol=1e-10):
    for name in (
        "weights_",
        "means_",
        "covariances_",
        "precisions_",
        "precisions_cholesky_",
    ):
        actual, desired = getattr(fitted, name), getattr(reference, name)
        assert isinstance(actual, np.ndarray), name
        assert actual.dtype == desired.dtype, name
        _assert_close(actual, desired, rtol, name)
    assert fitted.n_iter_ == reference.n_iter_
    assert fitted.converged_ == reference.converged_
    _assert_close(fitted.lower_bound_, reference.lower_bound_, rtol, "lower_bound_")
    _assert_close(fitted.lower_bounds_, reference.lower_bounds_, rtol, "lower_bounds_")
    for key, values in reference.history_.items():
        _assert_close(fitted.history_[key], values, rtol, f"history_[{key!r}]")


def _fit_pair(GM, covariance_type, X_dask, max_iter=12, **fit_params):
    """The numpy fit and the dask fit of the same data from the same start."""
    X = _data()
    params = dict(
        n_components=3,
        covariance_type=covariance_type,
        tol=0.0,
        max_iter=max_iter,
        **_start(X, covariance_type),
    )
    numpy_weight = fit_params.pop("numpy_weight", None)
    reference = _fit_quietly(GM(**params), X, sample_weight=numpy_weight)
    fitted = _fit_quietly(GM(**params), X_dask, **fit_params)
    return fitted, reference


# ---------------------------------------------------------------------------
# exactness: the dask fit is the numpy fit


@pytest.mark.parametrize("chunks", CHUNKINGS.values(), ids=CHUNKINGS.keys())
@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_dask_fit_equals_numpy_fit_threaded(GM, covariance_type, chunks):
    fitted, reference = _fit_pair(GM, covariance_type, _dask_data(_data(), chunks))
    _assert_same_fit(fitted, reference)


@pytest.mark.slow
@pytest.mark.parametrize("chunks", ["uneven", "empty-block-and-split-columns"])
@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_dask_fit_equals_numpy_fit_distributed(
    GM, distributed, covariance_type, chunks
):
    X_dask = _dask_data(_data(), CHUNKINGS[chunks], persist=True)
    fitted, reference = _fit_pair(GM, covariance_type, X_dask)
    _assert_same_fit(fitted, reference)


@pytest.mark.parametrize("covariance_type", ["full", "diag"])
def test_dask_sample_weight_equals_numpy(GM, scheduler, covariance_type):
    X = _data()
    weight = np.random.RandomState(2).uniform(0.0, 3.0, size=N_SAMPLES)
    weight[::7] = 0.0
    X_dask = _dask_data(X, CHUNKINGS["uneven"])
    # Chunked differently from X: the estimator aligns the weights' chunks.
    weight_dask = da.from_array(weight, chunks=700)
    fitted, reference = _fit_pair(
        GM,
        covariance_type,
        X_dask,
        sample_weight=weight_dask,
        numpy_weight=weight,
    )
    _assert_same_fit(fitted, reference)
    # NumPy weights with dask data are accepted too.
    again = _fit_quietly(clone(fitted), X_dask, sample_weight=weight)
    _assert_same_fit(again, reference)


def test_dask_weighted_fit_differs_from_unweighted(GM):
    X_dask = _dask_data(_data(), 1000)
    weight = da.from_array(np.r_[np.ones(1500), np.full(1500, 5.0)], chunks=1000)
    unweighted, _ = _fit_pair(GM, "diag", X_dask, max_iter=3)
    weighted, _ = _fit_pair(GM, "diag", X_dask, max_iter=3, sample_weight=weight)
    assert not np.allclose(weighted.means_, unweighted.means_)


def test_float32_dask_fit(GM):
    X = _data(dtype=np.float32)
    X_dask = _dask_data(X, CHUNKINGS["uneven"])
    params = dict(n_components=3, tol=0.0, max_iter=8, **_start(X, "full"))
    reference = _fit_quietly(GM(**params), X)
    fitted = _fit_quietly(GM(**params), X_dask)
    assert fitted.means_.dtype == np.float32
    # float32 chunk sums depend on where the chunks start, so the agreement
    # is that of float32, not 1e-10.
    _assert_close(fitted.means_, reference.means_, 1e-5, "means_")
    _assert_close(fitted.covariances_, reference.covariances_, 1e-4, "covariances_")
    assert fitted.predict_proba(X_dask).dtype == np.float32


def test_integer_dask_input_is_cast_to_float64(GM):
    X = np.round(_data()).astype(np.int64)
    gm = _fit_quietly(GM(2, max_iter=2, tol=0.0), _dask_data(X, 1000))
    assert gm.means_.dtype == np.float64


def test_max_iter_zero_lower_bound(GM):
    X = _data()
    params = dict(n_components=3, max_iter=0, **_start(X, "tied"))
    reference = GM(covariance_type="tied", **params).fit(X)
    fitted = GM(covariance_type="tied", **params).fit(_dask_data(X, 700))
    _assert_same_fit(fitted, reference)


def test_warm_start_continues_on_dask(GM):
    X = _data()
    X_dask = _dask_data(X, CHUNKINGS["uneven"])
    params = dict(n_components=3, tol=0.0, max_iter=4, warm_start=True)
    reference = GM(**params, **_start(X, "full"))
    fitted = clone(reference)
    for _ in range(2):
        _fit_quietly(reference, X)
        _fit_quietly(fitted, X_dask)
    _assert_same_fit(fitted, reference)


# ---------------------------------------------------------------------------
# inference: lazy, blockwise, equal to numpy


def test_inference_is_lazy_and_equals_numpy(GM, scheduler):
    X = _data()
    X_dask = _dask_data(X, CHUNKINGS["uneven"], persist=scheduler == "distributed")
    gm = GM(3, random_state=0).fit(X)

    labels = gm.predict(X_dask)
    proba = gm.predict_proba(X_dask)
    log_prob = gm.score_samples(X_dask)
    for lazy in (labels, proba, log_prob):
        assert isinstance(lazy, da.Array)
        assert lazy.chunks[0] == X_dask.chunks[0]
    assert proba.chunks[1] == (3,)
    assert labels.dtype == np.int64 and proba.dtype == log_prob.dtype == np.float64

    np.testing.assert_array_equal(labels.compute(), gm.predict(X))
    np.testing.assert_allclose(proba.compute(), gm.predict_proba(X), rtol=1e-12)
    np.testing.assert_allclose(log_prob.compute(), gm.score_samples(X), rtol=1e-12)

    score = gm.score(X_dask)
    assert type(score) is float
    assert score == pytest.approx(gm.score(X), rel=1e-12)
    weight = np.linspace(0.0, 2.0, N_SAMPLES)
    weighted = gm.score(X_dask, sample_weight=da.from_array(weight, chunks=1000))
    assert type(weighted) is float
    assert weighted == pytest.approx(gm.score(X, sample_weight=weight), rel=1e-12)
    assert weighted != pytest.approx(score, rel=1e-6)
    assert gm.bic(X_dask) == pytest.approx(gm.bic(X), rel=1e-12)
    assert gm.aic(X_dask) == pytest.approx(gm.aic(X), rel=1e-12)


def test_labels_and_fit_predict_are_lazy(GM):
    X = _data()
    X_dask = _dask_data(X, 700)
    params = dict(n_components=3, tol=0.0, max_iter=5, **_start(X, "full"))
    reference = _fit_quietly(GM(**params), X)
    fitted = _fit_quietly(GM(**params), X_dask)
    assert isinstance(fitted.labels_, da.Array)
    np.testing.assert_array_equal(fitted.labels_.compute(), reference.labels_)
    with pytest.warns(ConvergenceWarning):
        labels = GM(**params).fit_predict(X_dask)
    assert isinstance(labels, da.Array)
    np.testing.assert_array_equal(labels.compute(), reference.labels_)


@pytest.mark.slow
def test_dask_fitted_model_is_an_ordinary_model(GM, distributed):
    X = _data()
    X_dask = _dask_data(X, 500, persist=True)
    gm = GM(3, random_state=0).fit(X_dask)
    for name in ("weights_", "means_", "covariances_", "precisions_cholesky_"):
        assert type(getattr(gm, name)) is np.ndarray
    expected = gm.predict_proba(X_dask).compute()

    blob = pickle.dumps(gm)
    # The lazy labels (and with them the data's task graph) stay behind.
    assert len(blob) < 20_000 < X.nbytes
    again = pickle.loads(blob)
    assert not hasattr(again, "labels_")
    proba = again.predict_proba(X)
    assert type(proba) is np.ndarray
    np.testing.assert_allclose(proba, expected, rtol=1e-12)
    np.testing.assert_array_equal(again.predict(X), gm.labels_.compute())


# ---------------------------------------------------------------------------
# initialization on a sample, and the data staying on the workers


def test_initializer_runs_on_a_uniform_sample(GM):
    X = _data()
    weight = np.random.RandomState(3).uniform(1.0, 2.0, size=N_SAMPLES)
    seen = []

    def recording_init(X, n_components, random_state, sample_weight=None):
        seen.append((X, sample_weight))
        return None, X[:n_components], None

    gm = GM(3, init_params=recording_init, init_sample_size=400, random_state=0)
    gm.fit(_dask_data(X, 700), sample_weight=da.from_array(weight, chunks=700))
    (X_sample, weight_sample), *_ = seen
    assert type(X_sample) is np.ndarray and X_sample.shape == (400, 3)
    rows = {tuple(row): w for row, w in zip(X, weight, strict=True)}
    # Sampled rows are rows of X, carrying their own weights (rescaled, as
    # every weight is, to a mean of one), each at most once.
    assert len({tuple(row) for row in X_sample}) == 400
    given = np.array([rows[tuple(row)] for row in X_sample])
    np.testing.assert_allclose(weight_sample, given * (N_SAMPLES / weight.sum()))


def test_default_initializer_on_sample_is_reproducible(GM):
    X_dask = _dask_data(_data(), 700)
    first = GM(3, init_sample_size=500, random_state=0).fit(X_dask)
    second = GM(3, init_sample_size=500, random_state=0).fit(X_dask)
    _assert_same_fit(second, first, rtol=0.0)


def test_full_sample_initialization_equals_numpy_fit(GM):
    # With init_sample_size >= n_samples the initializer sees all rows, so
    # the default fit from random_state equals the numpy fit.
    X = _data()
    params = dict(n_components=3, init_sample_size=N_SAMPLES, random_state=0)
    reference = GM(**params).fit(X)
    fitted = GM(**params).fit(_dask_data(X, CHUNKINGS["uneven"]))
    _assert_same_fit(fitted, reference)


def test_init_sample():
    X = np.arange(40.0).reshape(20, 2)
    weight = np.arange(20.0)
    rng = np.random.RandomState(0)
    X_sample, weight_sample = _dask.init_sample(
        da.from_array(X, chunks=6), da.from_array(weight, chunks=6), 5, rng
    )
    assert type(X_sample) is np.ndarray and X_sample.shape == (5, 2)
    rows = (X_sample[:, 0] / 2).astype(int)
    assert np.all(np.diff(rows) > 0)
    np.testing.assert_array_equal(weight_sample, weight[rows])
    # The same draw from a numpy array (or a memmap) reads only those rows.
    X_again, none = _dask.init_sample(X, None, 5, np.random.RandomState(0))
    np.testing.assert_array_equal(X_again, X_sample)
    assert none is None
    # Not more rows than there are: all of them, without drawing.
    rng = np.random.RandomState(0)
    X_all, _ = _dask.init_sample(da.from_array(X, chunks=6), None, 50, rng)
    np.testing.assert_array_equal(X_all, X)
    assert rng.randint(1000) == np.random.RandomState(0).randint(1000)
    # Uniform: every row is about equally likely.
    counts = np.zeros(20)
    for seed in range(400):
        rng = np.random.RandomState(seed)
        counts[_dask.init_sample(X, None, 5, rng)[0][:, 0].astype(int) // 2] += 1
    assert counts.min() > 60 and counts.max() < 140  # expected 100 each


def _nbytes(value):
    if isinstance(value, np.ndarray):
        return value.nbytes
    if isinstance(value, tuple | list):
        return sum(_nbytes(v) for v in value)
    if isinstance(value, dict):
        return sum(_nbytes(v) for v in value.values())
    return sys.getsizeof(value)


def test_fit_never_gathers_the_data(GM):
    X_dask = da.random.default_rng(0).normal(size=(200_000, 4), chunks=(25_000, 4))
    X_dask = X_dask.persist()
    returned = []

    def recording_scheduler(*args, **kwargs):
        result = dask.threaded.get(*args, **kwargs)
        returned.append(_nbytes(result))
        return result

    weight = da.ones(200_000, chunks=25_000)
    gm = GM(4, covariance_type="full", init_sample_size=1000, max_iter=5, tol=0.0)
    with dask.config.set(scheduler=recording_scheduler):
        _fit_quietly(gm, X_dask, sample_weight=weight)
    # The weight check, the initialization sample (1000 rows) and one set of
    # statistics per iteration: nothing near the 6.4 MB of data.
    assert len(returned) >= 1 + 1 + 5
    assert max(returned) < 50_000 < X_dask.nbytes


# ---------------------------------------------------------------------------
# input validation


def test_dask_input_validation(GM):
    X = _data()
    X_dask = _dask_data(X, 1000)
    with pytest.raises(ValueError, match="2-D"):
        GM(2).fit(X_dask[:, 0])
    with pytest.raises(ValueError, match="unknown chunk sizes"):
        GM(2).fit(X_dask[X_dask[:, 0] > 50])
    with pytest.raises(ValueError, match="numeric dtype"):
        GM(2).fit(X_dask.astype(complex))
    with pytest.raises(ValueError, match="minimum of 2"):
        GM(1).fit(X_dask[:1])
    with_nan = da.where(da.arange(N_SAMPLES)[:, None] == 1500, np.nan, X_dask)
    # Found in the initialization sample, or else in the first E-step.
    with pytest.raises(ValueError, match="NaN or infinity"):
        GM(2).fit(with_nan)
    with pytest.raises(ValueError, match="NaN or infinity"):
        GM(3, **_start(X, "full")).fit(with_nan)

    with pytest.raises(ValueError, match="sample_weight must be non-negative"):
        GM(2).fit(X_dask, sample_weight=-da.ones(N_SAMPLES, chunks=1000))
    with pytest.raises(ValueError, match=r"shape \(3000,\)"):
        GM(2).fit(X_dask, sample_weight=da.ones(10, chunks=5))
    with pytest.raises(ValueError, match="zero for every sample"):
        GM(2).fit(X_dask, sample_weight=np.zeros(N_SAMPLES))
    with pytest.raises(ValueError, match="NaN or infinity"):
        GM(2).fit(X_dask, sample_weight=da.full(N_SAMPLES, np.nan, chunks=1000))
    with pytest.raises(ValueError, match="at least 3"):
        GM(3).fit(X_dask, sample_weight=np.r_[1.0, np.zeros(N_SAMPLES - 1)])

    gm = GM(2, random_state=0).fit(X_dask)
    with pytest.raises(ValueError, match="expecting 3 features"):
        gm.predict(X_dask[:, :2])
    with_nan = da.where(da.arange(N_SAMPLES)[:, None] == 5, np.inf, X_dask)
    for method in (gm.predict, gm.predict_proba, gm.score_samples):
        lazy = method(with_nan)  # lazy: the error comes with compute
        with pytest.raises(ValueError, match="NaN or infinity"):
            lazy.compute()
    with pytest.raises(ValueError, match="NaN or infinity"):
        gm.score(with_nan)


def test_init_sample_size_is_a_parameter(GM):
    gm = GM(2, init_sample_size=10)
    assert clone(gm).get_params()["init_sample_size"] == 10
    with pytest.raises(ValueError, match="init_sample_size"):
        GM(2, init_sample_size=0).fit(_data())


def test_feature_names_are_reset_by_a_dask_fit(GM):
    X = _data()
    gm = GM(2, random_state=0).fit(pd.DataFrame(X, columns=["a", "b", "c"]))
    assert list(gm.feature_names_in_) == ["a", "b", "c"]
    gm.fit(_dask_data(X, 1000))
    assert not hasattr(gm, "feature_names_in_")
    assert gm.n_features_in_ == 3


def test_is_dask_array():
    assert _dask.is_dask_array(da.ones((2, 2)))
    assert not _dask.is_dask_array(np.ones((2, 2)))
    assert not _dask.is_dask_array([[1.0, 2.0]])


@pytest.mark.slow
def test_package_works_without_dask():
    code = """
import sys

class NoDask:
    def find_spec(self, name, path=None, target=None):
        if name == "dask" or name.startswith(("dask.", "distributed")):
            raise ImportError(f"No module named {name!r}")

sys.meta_path.insert(0, NoDask())
import numpy as np
from skgmm_em import GaussianMixture, _dask

X = np.random.RandomState(0).normal(size=(100, 2))
GaussianMixture(2, random_state=0).fit(X).predict(X)
assert not _dask.is_dask_array(X)
assert "dask" not in sys.modules
try:
    _dask.validate_dask(X)
except ImportError as exc:
    assert 'pip install "skgmm_em[dask]"' in str(exc), exc
else:
    raise AssertionError("no ImportError")
"""
    subprocess.run([sys.executable, "-c", code], check=True)


# ---------------------------------------------------------------------------
# out of core: a 1 GB memory-mapped file

MEMMAP_SHAPE = (6_250_000, 20)  # 1e9 bytes of float64
PEAK_LIMIT = 100e6


@pytest.fixture(scope="module")
def memmap_path(tmp_path_factory):
    """A 1 GB .npy file of a two-cluster mixture, deleted afterwards."""
    path = tmp_path_factory.mktemp("memmap") / "X.npy"
    X = np.lib.format.open_memmap(path, mode="w+", dtype=np.float64, shape=MEMMAP_SHAPE)
    rng = np.random.default_rng(0)
    step = 500_000
    for start in range(0, MEMMAP_SHAPE[0], step):
        rows = min(step, MEMMAP_SHAPE[0] - start)
        cluster = rng.integers(0, 2, size=rows)
        X[start : start + rows] = rng.standard_normal((rows, MEMMAP_SHAPE[1]))
        X[start : start + rows] += 3.0 * cluster[:, None]
    X.flush()
    del X
    yield path
    path.unlink()


def _memmap_start():
    n_features = MEMMAP_SHAPE[1]
    return {
        "weights_init": [0.5, 0.5],
        "means_init": np.r_[np.zeros((1, n_features)), np.full((1, n_features), 3)],
        "precisions_init": np.ones((2, n_features)),
    }


def _traced_peak(func):
    """numpy's (and Python's) traced peak allocation during func(), in bytes."""
    tracemalloc.start()
    try:
        result = func()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return result, peak


def _check_memmap_fit(gm):
    # The two clusters at 0 and 3 in every feature are found.
    order = np.argsort(gm.means_[:, 0])
    np.testing.assert_allclose(
        gm.means_[order], _memmap_start()["means_init"], atol=0.01
    )
    np.testing.assert_allclose(gm.weights_, 0.5, atol=0.01)


@pytest.mark.slow
def test_memmap_fit_does_not_copy_the_data(GM, memmap_path):
    X = np.load(memmap_path, mmap_mode="r")
    assert X.nbytes == 1e9
    gm = GM(2, covariance_type="diag", max_iter=2, tol=0.0, **_memmap_start())
    gm, peak = _traced_peak(lambda: _fit_quietly(gm, X))
    # The labels_ (8 bytes a row, 50 MB) are the one array of n_samples.
    assert peak < PEAK_LIMIT, f"peak {peak / 1e6:.1f} MB"
    _check_memmap_fit(gm)
    assert gm.labels_.shape == (MEMMAP_SHAPE[0],)


@pytest.mark.slow
def test_memmap_fit_with_default_initializer_does_not_copy_the_data(GM, memmap_path):
    # The initializer runs on init_sample_size rows, not on all of them.
    X = np.load(memmap_path, mmap_mode="r")
    gm = GM(2, covariance_type="diag", max_iter=2, tol=0.0, random_state=0)
    gm, peak = _traced_peak(lambda: _fit_quietly(gm, X))
    assert peak < PEAK_LIMIT, f"peak {peak / 1e6:.1f} MB"
    _check_memmap_fit(gm)


@pytest.mark.slow
def test_dask_array_on_a_memmap_does_not_copy_the_data(GM, memmap_path):
    X = da.from_array(np.load(memmap_path, mmap_mode="r"), chunks=(250_000, 20))
    gm = GM(2, covariance_type="diag", max_iter=1, tol=0.0, **_memmap_start())
    gm, peak = _traced_peak(lambda: _fit_quietly(gm, X))
    assert peak < PEAK_LIMIT, f"peak {peak / 1e6:.1f} MB"
    _check_memmap_fit(gm)
    assert os.path.exists(memmap_path)
