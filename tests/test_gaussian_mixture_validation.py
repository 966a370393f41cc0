"""Input validation of GaussianMixture: clear errors, untouched inputs, dtypes."""

import copy

import numpy as np
import pytest
import scipy.sparse as sp
from _data import COVARIANCE_TYPES
from sklearn.datasets import make_blobs
from sklearn.exceptions import NotFittedError
from sklearn.utils._param_validation import InvalidParameterError

from skgmm_em import GaussianMixture
from skgmm_em.initialization import KMeansInit

K = 3
D = 2


@pytest.fixture(scope="module")
def X():
    X, _ = make_blobs(
        n_samples=90,
        centers=[[-6.0, 0.0], [0.0, 6.0], [6.0, 0.0]],
        cluster_std=0.8,
        random_state=0,
    )
    return X


def _good_precisions(covariance_type, k=K, d=D):
    """Valid precisions_init of the given covariance type."""
    if covariance_type == "full":
        base = np.array([[2.0, 0.3], [0.3, 1.0]])
        return np.stack([base * (i + 1) for i in range(k)])
    if covariance_type == "tied":
        return np.array([[2.0, 0.3], [0.3, 1.0]])
    if covariance_type == "diag":
        return np.arange(1.0, k * d + 1).reshape(k, d)
    return np.arange(1.0, k + 1)


def _good_means():
    return np.array([[-6.0, 0.0], [0.0, 6.0], [6.0, 0.0]])


def _good_weights():
    return np.array([0.3, 0.3, 0.4])


# ---------------------------------------------------------------------------
# errors on X


def test_nan_in_X_is_a_missing_value(X):
    # NaN marks a missing value (see test_missing.py); only a feature with
    # no observed value at all is refused.
    X = X.copy()
    X[3, 1] = np.nan
    gm = GaussianMixture(K, random_state=0).fit(X)
    assert np.all(np.isfinite(gm.predict_proba(X)))
    X[:, 1] = np.nan
    with pytest.raises(ValueError, match="no observed value"):
        GaussianMixture(K).fit(X)


def test_inf_in_X_raises(X):
    X = X.copy()
    X[3, 1] = np.inf
    with pytest.raises(ValueError, match="Input X contains infinity"):
        GaussianMixture(K).fit(X)
    # Both signs at once: inf - inf in the finiteness check warns nothing.
    X[4, 0] = -np.inf
    gm = GaussianMixture(K, random_state=0).fit(np.nan_to_num(X, posinf=0, neginf=0))
    for method in (GaussianMixture(K).fit, gm.predict, gm.score_samples):
        with pytest.raises(ValueError, match="Input X contains infinity"):
            method(X)


@pytest.mark.parametrize("fmt", ["csr", "csc", "coo"])
def test_sparse_X_raises(X, fmt):
    with pytest.raises(TypeError, match="Sparse data was passed"):
        GaussianMixture(K).fit(sp.csr_matrix(X).asformat(fmt))


def test_sparse_X_raises_at_predict(X):
    gm = GaussianMixture(K, random_state=0).fit(X)
    with pytest.raises(TypeError, match="Sparse data was passed"):
        gm.predict(sp.csr_matrix(X))


def test_1d_X_raises(X):
    with pytest.raises(ValueError, match="Expected 2D array, got 1D array"):
        GaussianMixture(K).fit(X[:, 0])


def test_string_X_raises():
    X = np.array([["a", "b"], ["c", "d"], ["e", "f"], ["g", "h"]])
    with pytest.raises(ValueError, match="could not convert string to float"):
        GaussianMixture(2).fit(X)


@pytest.mark.parametrize("n_samples, n_components", [(3, 5), (2, 3), (9, 10)])
def test_too_few_samples_raises(X, n_samples, n_components):
    with pytest.raises(
        ValueError,
        match=(
            "Expected n_samples >= n_components but got n_components = "
            f"{n_components}, n_samples = {n_samples}: use fewer"
        ),
    ):
        GaussianMixture(n_components).fit(X[:n_samples])


@pytest.mark.parametrize(
    "method", ["predict", "predict_proba", "score_samples", "score"]
)
def test_wrong_number_of_features_at_inference(X, method):
    gm = GaussianMixture(K, random_state=0).fit(X)
    with pytest.raises(ValueError, match="X has 3 features, but GaussianMixture"):
        getattr(gm, method)(np.c_[X, X[:, :1]])
    with pytest.raises(ValueError, match="X has 1 features, but GaussianMixture"):
        getattr(gm, method)(X[:, :1])


# ---------------------------------------------------------------------------
# errors on the initial parameters


@pytest.mark.parametrize(
    "weights, match",
    [
        # scikit-learn's words, then what to change.
        (
            [0.5, 0.5],
            r"The parameter 'weights' should have the shape of \(3,\), but got "
            r"\(2,\): weights_init needs one weight per component",
        ),
        (
            [[0.3, 0.3, 0.4]],
            r"The parameter 'weights' should have the shape of \(3,\), but got "
            r"\(1, 3\)",
        ),
        (
            [-0.5, 0.5, 1.0],
            r"The parameter 'weights' should be in the range \[0, 1\], but got "
            r"max value -0.50000, min value 1.00000: weights_init holds",
        ),
        (
            [0.2, 0.2, 0.2],
            r"should be normalized, but got sum\(weights\) = 0.60000: divide",
        ),
        ([0.5, 0.5, 0.5], r"should be normalized, but got sum\(weights\) = 1.50000"),
        ([0.3, 0.3, 0.4 + 1e-7], "should be normalized"),
        ([0.3, np.nan, 0.4], "Input weights_init contains NaN"),
    ],
)
def test_bad_weights_init(X, weights, match):
    with pytest.raises(ValueError, match=match):
        GaussianMixture(K, weights_init=weights).fit(X)


@pytest.mark.parametrize(
    "means, match",
    [
        (
            np.zeros((2, D)),
            r"The parameter 'means' should have the shape of \(3, 2\), but got "
            r"\(2, 2\): means_init needs one row",
        ),
        (np.zeros((K, D + 1)), r"'means' should have the shape of \(3, 2\)"),
        (np.zeros(K), r"'means' should have the shape of \(3, 2\), but got \(3,\)"),
        (
            np.array([[0.0, 0.0], [np.nan, 1.0], [2.0, 2.0]]),
            "Input means_init contains NaN",
        ),
    ],
)
def test_bad_means_init(X, means, match):
    with pytest.raises(ValueError, match=match):
        GaussianMixture(K, means_init=means).fit(X)


@pytest.mark.parametrize(
    "covariance_type, precisions",
    [
        ("full", np.eye(D)),
        ("full", np.stack([np.eye(D)] * (K + 1))),
        ("full", np.stack([np.eye(D + 1)] * K)),
        ("tied", np.stack([np.eye(D)] * K)),
        ("tied", np.eye(D + 1)),
        ("diag", np.ones(K)),
        ("diag", np.ones((K, D + 1))),
        ("spherical", np.ones((K, D))),
        ("spherical", np.ones(K + 1)),
    ],
)
def test_precisions_init_wrong_shape(X, covariance_type, precisions):
    match = (
        rf"The parameter '{covariance_type} precision' should have the shape "
        rf"of .*: precisions_init of a '{covariance_type}' mixture"
    )
    if precisions.ndim == 3 and covariance_type != "full":
        # As in scikit-learn, only 'full' takes a 3-D array.
        match = r"Found array with dim 3.* precisions_init of a 'tied' .* \(2, 2\)"
    with pytest.raises(ValueError, match=match):
        GaussianMixture(
            K, covariance_type=covariance_type, precisions_init=precisions
        ).fit(X)


NOT_SYMMETRIC = np.array([[2.0, 1.0], [0.0, 2.0]])
NOT_POSITIVE_DEFINITE = np.array([[1.0, 2.0], [2.0, 1.0]])  # eigenvalues 3, -1


@pytest.mark.parametrize("bad", [NOT_SYMMETRIC, NOT_POSITIVE_DEFINITE])
def test_full_precisions_init_not_spd(X, bad):
    precisions = _good_precisions("full")
    precisions[1] = bad
    with pytest.raises(
        ValueError,
        match=(
            r"'full precision' should be symmetric, positive-definite "
            r"\(component 1\): pass inverse covariance"
        ),
    ):
        GaussianMixture(K, covariance_type="full", precisions_init=precisions).fit(X)


@pytest.mark.parametrize(
    "bad", [NOT_SYMMETRIC, NOT_POSITIVE_DEFINITE, np.zeros((2, 2))]
)
def test_tied_precisions_init_not_spd(X, bad):
    with pytest.raises(
        ValueError, match="'tied precision' should be symmetric, positive-definite:"
    ):
        GaussianMixture(K, covariance_type="tied", precisions_init=bad).fit(X)


@pytest.mark.parametrize("covariance_type", ["diag", "spherical"])
@pytest.mark.parametrize("value", [0.0, -1.0])
def test_vector_precisions_init_not_positive(X, covariance_type, value):
    precisions = _good_precisions(covariance_type)
    precisions.flat[1] = value
    with pytest.raises(
        ValueError,
        match=rf"'{covariance_type} precision' should be positive: every value",
    ):
        GaussianMixture(
            K, covariance_type=covariance_type, precisions_init=precisions
        ).fit(X)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_precisions_init_nan(X, covariance_type):
    precisions = _good_precisions(covariance_type)
    precisions.flat[0] = np.nan
    with pytest.raises(ValueError, match="Input precisions_init contains NaN"):
        GaussianMixture(
            K, covariance_type=covariance_type, precisions_init=precisions
        ).fit(X)


# ---------------------------------------------------------------------------
# invalid constructor parameters, unfitted use


@pytest.mark.parametrize(
    "params, name",
    [
        ({"covariance_type": "bogus"}, "covariance_type"),
        ({"n_components": 0}, "n_components"),
        ({"n_components": 1.5}, "n_components"),
        ({"tol": -1}, "tol"),
        ({"reg_covar": -1e-3}, "reg_covar"),
        ({"max_iter": -1}, "max_iter"),
        ({"n_init": 0}, "n_init"),
        ({"init_params": "bogus"}, "init_params"),
        ({"init_params": 3}, "init_params"),
        ({"verbose_interval": 0}, "verbose_interval"),
        ({"param_tol": -1.0}, "param_tol"),
    ],
)
def test_invalid_constructor_parameters(X, params, name):
    with pytest.raises(
        InvalidParameterError, match=f"The '{name}' parameter of GaussianMixture"
    ):
        GaussianMixture(**params).fit(X)


@pytest.mark.parametrize(
    "method", ["predict", "predict_proba", "score_samples", "score"]
)
def test_not_fitted_inference(X, method):
    with pytest.raises(NotFittedError, match="not fitted yet"):
        getattr(GaussianMixture(K), method)(X)


def test_not_fitted_sample():
    with pytest.raises(NotFittedError, match="not fitted yet"):
        GaussianMixture(K).sample(5)


# ---------------------------------------------------------------------------
# the caller's arrays are never modified


def _exercise(gm, X):
    """Fit and call every method that reads X."""
    gm.fit(X)
    gm.predict(X)
    gm.predict_proba(X)
    gm.score_samples(X)
    gm.score(X)
    gm.sample(20)
    gm.fit_predict(X)
    gm.bic(X)
    gm.aic(X)
    return gm


def _check_not_modified(X, covariance_type, kind, given):
    X = X.astype(np.float32 if kind.endswith("32") else np.float64)
    weights = _good_weights()
    means = _good_means()
    precisions = _good_precisions(covariance_type)
    if kind.startswith("readonly"):
        for array in (X, weights, means, precisions):
            array.setflags(write=False)
    originals = [a.copy() for a in (X, weights, means, precisions)]
    init = {}
    if given in ("all", "weights"):
        init["weights_init"] = weights
    if given in ("all", "means"):
        init["means_init"] = means
    if given in ("all", "precisions"):
        init["precisions_init"] = precisions

    gm = _exercise(
        GaussianMixture(K, covariance_type=covariance_type, random_state=0, **init),
        X,
    )

    for original, array in zip(originals, (X, weights, means, precisions), strict=True):
        np.testing.assert_array_equal(array, original)
        assert array.dtype == original.dtype
    # The fitted attributes are the model's own arrays, not the caller's.
    for name in ("weights_", "means_", "covariances_", "precisions_"):
        attr = getattr(gm, name)
        for array in (X, weights, means, precisions):
            assert not np.shares_memory(attr, array)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
@pytest.mark.parametrize("kind", ["float64", "float32", "readonly", "readonly32"])
def test_inputs_not_modified(X, covariance_type, kind):
    _check_not_modified(X, covariance_type, kind, "all")


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
@pytest.mark.parametrize("given", ["weights", "means", "precisions", "none"])
def test_inputs_not_modified_partial_init(X, covariance_type, given):
    kind = "readonly32" if covariance_type in ("tied", "spherical") else "float64"
    _check_not_modified(X, covariance_type, kind, given)


def test_fitted_attributes_do_not_alias_inputs_after_max_iter_0(X):
    weights = _good_weights()
    means = _good_means()
    precisions = _good_precisions("full")
    gm = GaussianMixture(
        K,
        weights_init=weights,
        means_init=means,
        precisions_init=precisions,
        max_iter=0,
    ).fit(X)
    np.testing.assert_allclose(gm.means_, means)
    np.testing.assert_allclose(gm.precisions_, precisions, rtol=1e-12)
    gm.means_[0, 0] = 1e6
    gm.weights_[0] = 0.9
    gm.precisions_[0, 0, 0] = 1e6
    np.testing.assert_array_equal(means, _good_means())
    np.testing.assert_array_equal(weights, _good_weights())
    np.testing.assert_array_equal(precisions, _good_precisions("full"))


# ---------------------------------------------------------------------------
# the constructor parameters are kept as given


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_list_parameters_kept_as_given(X, covariance_type):
    weights = [0.3, 0.3, 0.4]
    means = [[-6.0, 0.0], [0.0, 6.0], [6.0, 0.0]]
    precisions = _good_precisions(covariance_type).tolist()
    snapshots = copy.deepcopy((weights, means, precisions))
    gm = GaussianMixture(
        K,
        covariance_type=covariance_type,
        weights_init=weights,
        means_init=means,
        precisions_init=precisions,
        random_state=0,
    )
    params_before = gm.get_params()
    _exercise(gm, X)

    assert gm.weights_init is weights
    assert gm.means_init is means
    assert gm.precisions_init is precisions
    for value in (gm.weights_init, gm.means_init, gm.precisions_init):
        assert type(value) is list
    assert (weights, means, precisions) == snapshots
    params = gm.get_params()
    assert params == params_before
    assert params["weights_init"] is weights
    assert params["means_init"] is means
    assert params["precisions_init"] is precisions
    assert params["n_components"] == K
    assert params["covariance_type"] == covariance_type
    assert params["random_state"] == 0


def test_initializer_instance_kept_as_given(X):
    from skgmm_em.initialization import KMeansInit

    init = KMeansInit(n_init=2)
    gm = GaussianMixture(K, init_params=init, random_state=0).fit(X)
    assert gm.init_params is init
    assert gm.get_params()["init_params"] is init
    assert init.get_params() == {"n_init": 2, "max_iter": 300, "rows": "as_given"}


# ---------------------------------------------------------------------------
# bad initializers


class _ReturningInit:
    """An initializer object returning a fixed result."""

    def __init__(self, result):
        self.result = result

    def initialize(self, X, n_components, random_state, sample_weight=None):
        return self.result


def _ok_result():
    covariances = np.stack([np.eye(D)] * K)
    return _good_weights(), _good_means(), covariances


def _with(index, value):
    result = list(_ok_result())
    result[index] = value
    return tuple(result)


@pytest.mark.parametrize(
    "result, match",
    [
        (_with(0, np.ones(K + 1) / (K + 1)), r"returned weights of shape \(4,\)"),
        (_with(1, np.zeros((K, D + 1))), r"returned means of shape \(3, 3\)"),
        (_with(1, np.zeros((K - 1, D))), r"returned means of shape \(2, 2\)"),
        (_with(2, np.ones((K, D))), r"returned covariances of shape \(3, 2\)"),
        (_with(2, np.eye(D)), r"returned covariances of shape \(2, 2\)"),
        (_with(1, None), "returned means of shape"),
        (_with(1, np.full((K, D), np.nan)), "returned non-finite means"),
        (_with(0, np.array([0.5, np.nan, 0.5])), "returned non-finite weights"),
        (
            _with(2, np.stack([np.diag([np.inf, 1.0])] * K)),
            "returned non-finite covariances",
        ),
        (_with(0, np.array([-0.5, 1.0, 0.5])), "returned negative or all-zero weights"),
        (_with(0, np.zeros(K)), "returned negative or all-zero weights"),
    ],
)
def test_initializer_bad_arrays(X, result, match):
    with pytest.raises(ValueError, match=f"The initializer _ReturningInit {match}"):
        GaussianMixture(K, init_params=_ReturningInit(result)).fit(X)


def test_function_initializer_bad_arrays_named(X):
    def my_bad_init(X, n_components, random_state, sample_weight=None):
        return None, np.full((n_components, X.shape[1]), np.nan), None

    with pytest.raises(ValueError, match="my_bad_init.*non-finite means"):
        GaussianMixture(K, init_params=my_bad_init).fit(X)


@pytest.mark.parametrize(
    "result, got",
    [
        (None, "NoneType"),
        (7, "int"),
        (_ok_result()[:2], "tuple"),
        (_ok_result() + (None,), "tuple"),
    ],
)
def test_initializer_not_a_triple(X, result, got):
    with pytest.raises(
        TypeError,
        match=(
            r"The initializer _ReturningInit must return a tuple \(weights, means, "
            rf"covariances\), got {got}"
        ),
    ):
        GaussianMixture(K, init_params=_ReturningInit(result)).fit(X)


def test_initializer_returning_bare_means_array(X):
    # A common mistake: returning only the means. With n_components == 3 the
    # (3, n_features) array unpacks into three rows, which must not be taken
    # for (weights, means, covariances); the error must say what to return.
    def means_only(X, n_components, random_state, sample_weight=None):
        return X[:n_components].copy()

    with pytest.raises(
        ValueError,
        match=r"array of shape \(3, 2\): .*labels .* or a tuple \(weights, means",
    ):
        GaussianMixture(K, init_params=means_only).fit(X)


# ---------------------------------------------------------------------------
# dtypes


FITTED = ["weights_", "means_", "covariances_", "precisions_", "precisions_cholesky_"]


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_int_input_gives_float64(X, covariance_type):
    X_int = np.round(X * 10).astype(np.int64)
    gm = GaussianMixture(K, covariance_type=covariance_type, random_state=0).fit(X_int)
    for name in FITTED:
        assert getattr(gm, name).dtype == np.float64, name
    assert gm.predict_proba(X_int).dtype == np.float64
    assert gm.score_samples(X_int).dtype == np.float64
    ref = GaussianMixture(K, covariance_type=covariance_type, random_state=0).fit(
        X_int.astype(np.float64)
    )
    np.testing.assert_allclose(gm.means_, ref.means_)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
@pytest.mark.parametrize("init_params", ["kmeans", "moments"])
def test_float32_input_gives_float32(X, covariance_type, init_params):
    X32 = X.astype(np.float32)
    gm = GaussianMixture(
        K, covariance_type=covariance_type, init_params=init_params, random_state=0
    ).fit(X32)
    for name in FITTED:
        assert getattr(gm, name).dtype == np.float32, name
    proba = gm.predict_proba(X32)
    log_prob = gm.score_samples(X32)
    assert proba.dtype == np.float32
    assert log_prob.dtype == np.float32
    assert np.all(np.isfinite(log_prob))
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-5)
    # scikit-learn's sample returns float64 whatever the model's dtype.
    assert gm.sample(10)[0].dtype == np.float64

    ref = GaussianMixture(
        K, covariance_type=covariance_type, init_params=init_params, random_state=0
    ).fit(X)
    order, ref_order = np.argsort(gm.means_[:, 0]), np.argsort(ref.means_[:, 0])
    np.testing.assert_allclose(
        gm.means_[order], ref.means_[ref_order], rtol=1e-3, atol=1e-3
    )


def test_initializer_class_instead_of_instance():
    X = np.random.RandomState(0).normal(size=(30, 2))
    with pytest.raises(TypeError, match=r"pass an instance.*KMeansInit\(\)"):
        GaussianMixture(2, init_params=KMeansInit).fit(X)
