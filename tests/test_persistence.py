"""The JSON model format: exact round trips, refusals, a fuzzed loader.

Also pickle and joblib round trips. The hypothesis profiles (``ci`` by
default, ``dev`` for long local runs) come from ``_hypothesis``.
"""

import copy
import json
import math
import os
import pickle
import subprocess
import sys
import warnings

import joblib
import numpy as np
import pytest
from _data import COVARIANCE_TYPES
from _hypothesis import PROFILE, PROFILE_EXAMPLES
from hypothesis import event, given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.mixture import GaussianMixture as SklearnGaussianMixture

import skgmm_em
from skgmm_em import GaussianMixture, load, save
from skgmm_em.initialization import MomentsInit, RandomInit
from skgmm_em.persistence import (
    DEFAULT_MAX_BYTES,
    FORMAT,
    FORMAT_VERSION,
    from_dict,
    to_dict,
)

DTYPES = [np.float64, np.float32]
ARRAYS = ["weights_", "means_", "covariances_", "precisions_cholesky_"]

# The loader fuzz is cheap: many more examples than the fitting properties.
FUZZ_EXAMPLES = 25 * PROFILE_EXAMPLES[PROFILE]


def _model_kinds():
    for dtype in DTYPES:
        for covariance_type in COVARIANCE_TYPES:
            yield pytest.param(
                covariance_type,
                dtype,
                id=f"{np.dtype(dtype).name}-{covariance_type}",
            )


#: (covariance_type, dtype) of the exactness tests.
MODEL_KINDS = list(_model_kinds())


def make_data(n_features=3, seed=0):
    rng = np.random.RandomState(seed)
    centers = 6.0 * np.eye(3, n_features)
    X = np.concatenate([c + rng.normal(size=(40, n_features)) for c in centers])
    # Correlated features, so that full and tied covariances are not diagonal.
    return X @ (np.eye(n_features) + 0.3)


_FITTED = {}


def fitted(covariance_type, dtype=np.float64, n_features=3):
    """A fitted model (cached; do not modify it) and its training data."""
    key = (covariance_type, np.dtype(dtype).name, n_features)
    if key not in _FITTED:
        X = make_data(n_features).astype(dtype)
        n_components = 3 if n_features > 2 else 2
        gm = GaussianMixture(
            n_components, covariance_type=covariance_type, random_state=0
        ).fit(X)
        _FITTED[key] = gm, X
    return _FITTED[key]


def round_trip(gm, tmp_path):
    path = tmp_path / "model.json"
    save(gm, path)
    return load(path)


def assert_same_model(loaded, gm, X):
    """Same predictions and fitted state, bit for bit."""
    assert type(loaded) is GaussianMixture
    for method in ("predict_proba", "score_samples", "predict"):
        assert_array_equal(getattr(loaded, method)(X), getattr(gm, method)(X))
    assert loaded.score(X) == gm.score(X)
    assert loaded.bic(X) == gm.bic(X)
    for name in ARRAYS:
        value = getattr(loaded, name)
        assert value.dtype == getattr(gm, name).dtype, name
        assert_array_equal(value, getattr(gm, name), name)
    if gm.means_.dtype == np.float64:
        assert_array_equal(loaded.precisions_, gm.precisions_)
    else:
        assert_allclose(loaded.precisions_, gm.precisions_, rtol=1e-5)
    assert loaded.precisions_.dtype == gm.precisions_.dtype
    assert loaded.converged_ == gm.converged_
    assert loaded.n_iter_ == gm.n_iter_
    assert loaded.lower_bound_ == gm.lower_bound_
    assert loaded.lower_bounds_ == gm.lower_bounds_
    assert loaded.n_features_in_ == gm.n_features_in_
    assert getattr(loaded, "n_reseeds_", None) == getattr(gm, "n_reseeds_", None)
    assert sorted(loaded.history_) == sorted(gm.history_)
    for key, values in gm.history_.items():
        assert_array_equal(loaded.history_[key], values)


# ---------------------------------------------------------------------------
# round trips


@pytest.mark.parametrize("covariance_type, dtype", MODEL_KINDS)
def test_predictions_do_not_depend_on_memory_layout(covariance_type, dtype):
    # A loaded or unpickled model holds C-contiguous copies of the fitted
    # arrays; exact round trips need the same predictions from them.
    gm, X = fitted(covariance_type, dtype)
    contiguous = copy.deepcopy(gm)
    for name in ARRAYS:
        setattr(contiguous, name, np.ascontiguousarray(getattr(gm, name)))
    assert_array_equal(contiguous.predict_proba(X), gm.predict_proba(X))
    assert_array_equal(contiguous.score_samples(X), gm.score_samples(X))


@pytest.mark.parametrize("covariance_type, dtype", MODEL_KINDS)
def test_round_trip_is_exact(covariance_type, dtype, tmp_path):
    gm, X = fitted(covariance_type, dtype)
    loaded = round_trip(gm, tmp_path)
    assert_same_model(loaded, gm, X)
    assert loaded.get_params() == gm.get_params()
    # New data too, not only the training data.
    Z = np.random.RandomState(1).normal(scale=5.0, size=(50, 3)).astype(dtype)
    assert_array_equal(loaded.predict_proba(Z), gm.predict_proba(Z))
    assert_array_equal(loaded.score_samples(Z), gm.score_samples(Z))


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_round_trip_of_initial_parameters(covariance_type, tmp_path):
    reference, X = fitted(covariance_type)
    start = {
        "weights_init": reference.weights_,
        "means_init": reference.means_,
        "precisions_init": reference.precisions_,
    }
    gm = GaussianMixture(
        3, covariance_type=covariance_type, max_iter=0, reg_covar=1e-4, **start
    ).fit(X)
    loaded = round_trip(gm, tmp_path)
    assert_same_model(loaded, gm, X)
    for name, value in start.items():
        restored = loaded.get_params()[name]
        assert restored.dtype == np.float64
        assert_array_equal(restored, value)
    assert loaded.reg_covar == 1e-4 and loaded.max_iter == 0
    assert loaded.random_state is None


def test_round_trip_after_reseeding_collapsed_components(tmp_path):
    # A lone outlier collapses a full component without reg_covar; reseeding
    # it lets the fit go on, and the model file keeps on_collapse and
    # n_reseeds_.
    X = np.r_[np.random.RandomState(0).normal(size=(50, 2)), [[8.0, 8.0]]]
    gm = GaussianMixture(
        2,
        covariance_type="full",
        reg_covar=0.0,
        on_collapse="reseed",
        means_init=[[0.0, 0.0], [8.0, 8.0]],
        random_state=0,
    )
    with warnings.catch_warnings():
        # Reseeding warns by design; that is not what this test is about.
        warnings.simplefilter("ignore")
        gm.fit(X)
    assert gm.n_reseeds_ > 0
    loaded = round_trip(gm, tmp_path)
    assert loaded.on_collapse == "reseed"
    assert_same_model(loaded, gm, X)
    document = to_dict(gm)
    document["fitted"]["n_reseeds"] = -1
    with pytest.raises(ValueError, match="fitted.n_reseeds must be an integer >= 0"):
        from_dict(document)


def test_builtin_initializer_instance_is_restored(tmp_path):
    gm = GaussianMixture(3, init_params=MomentsInit(scale=0.5), random_state=7)
    gm.fit(make_data())
    loaded = round_trip(gm, tmp_path)
    assert isinstance(loaded.init_params, MomentsInit)
    assert loaded.init_params.scale == 0.5
    # Everything needed to fit again was stored: refitting agrees exactly.
    X = make_data(seed=3)
    again, fresh = loaded.fit(X), clone(gm).fit(X)
    assert_same_model(again, fresh, X)


def _far_points(X, n_components, random_state, sample_weight=None):
    return None, X[:n_components], None


def test_unstorable_parameters_warn_and_restore_defaults(tmp_path):
    X = make_data()
    gm = GaussianMixture(
        3,
        covariance_type="diag",
        init_params=_far_points,
        random_state=np.random.RandomState(0),
    ).fit(X)
    path = tmp_path / "model.json"
    with pytest.warns(
        UserWarning, match="restores their defaults: init_params.*random_state"
    ):
        save(gm, path)
    document = json.loads(path.read_text())
    assert set(document["params"]["init_params"]) == {"not_stored"}
    assert set(document["params"]["random_state"]) == {"not_stored"}
    loaded = load(path)
    assert loaded.init_params == "kmeans" and loaded.random_state is None
    assert_same_model(loaded, gm, X)


def test_round_trip_of_an_ill_conditioned_model(tmp_path):
    # Strongly correlated features of different scales: the covariances are
    # ill-conditioned and the Cholesky factors carry the most rounding.
    Z = np.random.RandomState(0).normal(size=(200, 3))
    X = Z @ np.array([[1.0, 0.0, 0.0], [50.0, 1.0, 0.0], [3.0, 20.0, 0.1]]).T
    for covariance_type in COVARIANCE_TYPES:
        for dtype in DTYPES:
            gm = GaussianMixture(2, covariance_type=covariance_type, random_state=0)
            gm.fit(X.astype(dtype))
            loaded = round_trip(gm, tmp_path)
            for name in ARRAYS:
                assert_array_equal(getattr(loaded, name), getattr(gm, name))
            assert_allclose(loaded.score_samples(X), gm.score_samples(X), rtol=1e-12)


def test_feature_names_round_trip(tmp_path):
    gm, X = fitted("full")
    gm = copy.deepcopy(gm)
    # As scikit-learn sets it after fitting a DataFrame.
    gm.feature_names_in_ = np.array(["a", "b", "c"], dtype=object)
    loaded = round_trip(gm, tmp_path)
    assert loaded.feature_names_in_.dtype == object
    assert_array_equal(loaded.feature_names_in_, gm.feature_names_in_)
    assert not hasattr(fitted("full")[0], "feature_names_in_")
    assert not hasattr(round_trip(fitted("full")[0], tmp_path), "feature_names_in_")


def test_feature_names_from_a_dataframe(tmp_path):
    pd = pytest.importorskip("pandas")
    X = pd.DataFrame(make_data(), columns=["x", "y", "z"])
    gm = GaussianMixture(3, covariance_type="diag", random_state=0).fit(X)
    loaded = round_trip(gm, tmp_path)
    assert_array_equal(loaded.feature_names_in_, ["x", "y", "z"])
    assert_array_equal(loaded.predict_proba(X), gm.predict_proba(X))


def test_document_is_plain_json_with_exact_numbers(tmp_path):
    gm, _ = fitted("full", np.float32)
    path = tmp_path / "model.json"
    save(gm, path)

    def refuse(name):
        raise AssertionError(f"{name} written")

    document = json.loads(path.read_text(encoding="utf-8"), parse_constant=refuse)
    assert document["format"] == FORMAT == "skgmm_em.model"
    assert document["format_version"] == FORMAT_VERSION == 1
    assert document["skgmm_em_version"] == skgmm_em.__version__
    assert document["estimator"] == "GaussianMixture"
    assert document["fitted"]["dtype"] == "float32"
    assert document["params"]["covariance_type"] == "full"
    means = np.array(document["fitted"]["means"])
    assert_array_equal(means.astype(np.float32), gm.means_)
    assert_array_equal(means, gm.means_.astype(np.float64))
    assert from_dict(document).n_components == gm.n_components


def test_to_dict_and_from_dict_leave_their_inputs_alone():
    gm, X = fitted("tied")
    before = copy.deepcopy(gm.__dict__)
    document = to_dict(gm)
    kept = copy.deepcopy(document)
    loaded = from_dict(document)
    assert document == kept
    for name, value in before.items():
        if isinstance(value, np.ndarray):
            assert_array_equal(gm.__dict__[name], value)
    loaded.means_[0, 0] += 1.0
    assert to_dict(gm) == kept


def test_save_refuses_what_it_cannot_store(tmp_path):
    path = tmp_path / "model.json"
    with pytest.raises(NotFittedError):
        save(GaussianMixture(2), path)
    X = make_data()
    with pytest.raises(TypeError, match="skgmm_em.GaussianMixture"):
        save(SklearnGaussianMixture(2).fit(X), path)
    broken = copy.deepcopy(fitted("full")[0])
    broken.means_[0, 0] = np.nan
    with pytest.raises(ValueError, match="fitted.means must be finite"):
        save(broken, path)
    assert not path.exists()


# ---------------------------------------------------------------------------
# refusals: each says what is wrong


def _set(path, value):
    def mutate(document):
        node = document
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value

    return mutate


def _delete(path):
    def mutate(document):
        node = document
        for key in path[:-1]:
            node = node[key]
        del node[path[-1]]

    return mutate


def _apply(path, func):
    def mutate(document):
        node = document
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = func(node[path[-1]])

    return mutate


def _transpose(matrices):
    return np.swapaxes(np.array(matrices), -1, -2).tolist()


def _lower_factor(factors):
    # A factor with a non-zero entry below the diagonal.
    factors = np.array(factors)
    factors[..., 1, 0] = 0.5
    return factors.tolist()


def _asymmetric(covariances):
    covariances = np.array(covariances)
    covariances[..., 0, 1] += 0.1
    return covariances.tolist()


def _indefinite(covariances):
    covariances = np.array(covariances)
    covariances[..., 0, 1] = covariances[..., 1, 0] = 3.0 * covariances[..., 0, 0]
    return covariances.tolist()


DOCUMENT_REFUSALS = {
    "top-level array": (lambda d: [d], "must be a JSON object"),
    "wrong format": (_set(["format"], "pickle"), "format must be 'skgmm_em.model'"),
    "newer version": (_set(["format_version"], 2), "format_version is 2.*version 1"),
    "version as text": (_set(["format_version"], "1"), "must be an integer"),
    "other estimator": (_set(["estimator"], "KMeans"), "estimator must be one of"),
    "missing section": (_delete(["fitted"]), "lacks the key.*fitted"),
    "missing array": (_delete(["fitted", "weights"]), "fitted lacks the key.*weights"),
    "extra key": (_set(["fitted", "labels"], [0, 1]), "unexpected key.*labels"),
    "unknown parameter": (_set(["params", "alpha"], 1.0), "unexpected key.*alpha"),
    "missing n_components": (_delete(["params", "n_components"]), "n_components"),
    "boolean count": (_set(["params", "n_components"], True), "must be an integer"),
    "more components": (
        _set(["params", "n_components"], 4),
        r"fitted.weights must be a nested array of shape \(4,\)",
    ),
    "unknown covariance type": (
        _set(["params", "covariance_type"], "banded"),
        "covariance_type must be one of",
    ),
    "other covariance type": (
        _set(["params", "covariance_type"], "diag"),
        r"fitted.covariances must be a nested array of shape \(3, 3\)",
    ),
    "text tolerance": (_set(["params", "tol"], "1e-3"), "params.tol must be a number"),
    "negative tolerance": (_set(["params", "tol"], -1.0), "params.tol must be >= 0"),
    "negative seed": (_set(["params", "random_state"], -1), "random_state"),
    "unknown initializer name": (
        _set(["params", "init_params"], "spectral"),
        "init_params must be one of",
    ),
    "initializer from elsewhere": (
        _set(["params", "init_params"], {"initializer": "os.system", "params": {}}),
        "initializer must be one of",
    ),
    "unknown initializer option": (
        _set(
            ["params", "init_params"],
            {"initializer": "MomentsInit", "params": {"exec": "x"}},
        ),
        "unexpected key.*exec",
    ),
    "means_init of wrong shape": (
        _set(["params", "means_init"], [[0.0, 0.0, 0.0]]),
        "params.means_init must be a nested array of shape",
    ),
    "negative weight": (
        _apply(["fitted", "weights"], lambda w: [-w[0], *w[1:]]),
        "weights must be non-negative",
    ),
    "weights not summing to one": (
        _apply(["fitted", "weights"], lambda w: [2 * v for v in w]),
        "weights must sum to 1",
    ),
    "column dropped": (
        _apply(["fitted", "means"], lambda m: [row[:-1] for row in m]),
        "fitted.means must be a nested array of shape",
    ),
    "ragged": (
        _apply(["fitted", "means"], lambda m: [m[0][:-1], *m[1:]]),
        "fitted.means must be a nested array of shape",
    ),
    "text number": (
        _apply(["fitted", "means"], lambda m: [["1.0", *m[0][1:]], *m[1:]]),
        "fitted.means must be a number, got a string",
    ),
    "boolean number": (
        _apply(["fitted", "means"], lambda m: [[True, *m[0][1:]], *m[1:]]),
        "fitted.means must be a number, got a boolean",
    ),
    "huge integer": (
        _apply(["fitted", "means"], lambda m: [[10**400, *m[0][1:]], *m[1:]]),
        "fitted.means is too large",
    ),
    "asymmetric covariance": (
        _apply(["fitted", "covariances"], _asymmetric),
        r"fitted.covariances\[0\] must be symmetric",
    ),
    "indefinite covariance": (
        _apply(["fitted", "covariances"], _indefinite),
        r"fitted.covariances\[0\] must be positive definite",
    ),
    "lower-triangular factor": (
        _apply(["fitted", "precisions_cholesky"], _lower_factor),
        "must be upper triangular",
    ),
    "transposed factor": (
        _apply(["fitted", "precisions_cholesky"], _transpose),
        "must be upper triangular",
    ),
    "factor of another covariance": (
        _apply(
            ["fitted", "precisions_cholesky"], lambda u: (np.array(u) * 1.01).tolist()
        ),
        "does not match fitted.covariances",
    ),
    "unknown dtype": (_set(["fitted", "dtype"], "float16"), "dtype must be one of"),
    "fewer features": (
        _set(["fitted", "n_features_in"], 2),
        r"fitted.means must be a nested array of shape \(3, 2\)",
    ),
    "feature names of wrong length": (
        _set(["fitted", "feature_names_in"], ["a"]),
        "feature_names_in must be null or an array of n_features_in=3 strings",
    ),
    "short history": (
        _apply(["fitted", "history", "means_change"], lambda h: h[:-1]),
        "history.means_change must have one entry per iteration",
    ),
    "lower bounds not a list": (
        _set(["fitted", "lower_bounds"], 3.0),
        "fitted.lower_bounds must be an array",
    ),
    "non-finite lower bound": (
        _set(["fitted", "lower_bound"], float("inf")),
        "NaN|Infinity|finite",
    ),
}


@pytest.mark.parametrize("case", sorted(DOCUMENT_REFUSALS))
def test_invalid_document_is_refused(case, tmp_path):
    gm, _ = fitted("full")
    mutate, message = DOCUMENT_REFUSALS[case]
    document = to_dict(gm)
    mutated = mutate(document)
    document = document if mutated is None else mutated
    with pytest.raises(ValueError, match=message):
        from_dict(copy.deepcopy(document))
    path = tmp_path / "model.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(ValueError, match="Cannot load a model from .*model.json"):
        load(path)


@pytest.mark.parametrize(
    "covariance_type, where, bad, message",
    [
        ("diag", "covariances", -1.0, "fitted.covariances must be positive"),
        ("spherical", "precisions_cholesky", 0.0, "must be positive"),
        ("diag", "precisions_cholesky", 2.0, "does not match fitted.covariances"),
        ("tied", "covariances", 1e6, "fitted.covariances must be positive definite"),
    ],
)
def test_invalid_vector_and_tied_parameters(covariance_type, where, bad, message):
    gm, _ = fitted(covariance_type)
    document = to_dict(gm)
    flat = np.array(document["fitted"][where])
    if covariance_type == "tied":
        flat[0, 1] = flat[1, 0] = bad
    else:
        flat.reshape(-1)[0] = bad
    document["fitted"][where] = flat.tolist()
    with pytest.raises(ValueError, match=message):
        from_dict(document)


def test_float32_model_with_a_number_beyond_float32(tmp_path):
    gm, _ = fitted("diag", np.float32)
    document = to_dict(gm)
    document["fitted"]["means"][0][0] = 1e39
    with pytest.raises(ValueError, match="too large for float32"):
        from_dict(document)


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "not valid JSON"),
        ("not a model", "not valid JSON"),
        ('{"format": "skgmm_em.model", "format_version": 1', "truncated"),
        ('{"format": NaN}', "NaN is not allowed"),
        ('{"format": -Infinity}', "-Infinity is not allowed"),
        ("[" * 100_000 + "]" * 100_000, "nested too deeply|not valid JSON|its size"),
    ],
)
def test_unreadable_file_is_refused(text, message, tmp_path):
    path = tmp_path / "model.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        load(path)


def test_truncated_and_non_utf8_files_are_refused(tmp_path):
    gm, _ = fitted("spherical")
    path = tmp_path / "model.json"
    save(gm, path)
    raw = path.read_bytes()
    for end in (1, len(raw) // 3, len(raw) // 2, len(raw) - 3):
        path.write_bytes(raw[:end])
        with pytest.raises(ValueError, match="not valid JSON.*truncated"):
            load(path)
    path.write_bytes(b"\xff\xfe" + raw)
    with pytest.raises(ValueError, match="not UTF-8"):
        load(path)


def test_nan_and_infinity_literals_are_refused(tmp_path):
    gm, _ = fitted("full")
    text = json.dumps(to_dict(gm))
    path = tmp_path / "model.json"
    for literal in ("NaN", "Infinity", "-Infinity", "1e400"):
        path.write_text(
            text.replace('"lower_bound": ', f'"lower_bound": {literal}, "x": ')
        )
        with pytest.raises(ValueError, match="not allowed|unexpected key|finite"):
            load(path)
        document = json.loads(text)
        document["fitted"]["means"][1][2] = json.loads(literal)
        path.write_text(json.dumps(document))
        with pytest.raises(ValueError, match="not allowed|must be finite"):
            load(path)


# ---------------------------------------------------------------------------
# files that are not model files: refused at once, in bounded memory


def _load_in_child(path, timeout=60):
    """load(path) in a fresh process with a time limit: its error message."""
    script = (
        "import sys\n"
        "from skgmm_em import load\n"
        "try:\n"
        "    load(sys.argv[1])\n"
        "except ValueError as exc:\n"
        "    print(exc)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, str(path)],
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


@pytest.mark.slow
def test_fifo_is_refused_without_blocking(tmp_path):
    path = tmp_path / "model.json"
    os.mkfifo(path)
    assert "is a FIFO (named pipe), not a regular file" in _load_in_child(path)


@pytest.mark.slow
@pytest.mark.parametrize("device", ["/dev/zero", "/dev/null"])
def test_link_to_a_device_is_refused(device, tmp_path):
    path = tmp_path / "model.json"
    os.symlink(device, path)
    assert "is a character device, not a regular file" in _load_in_child(path)


@pytest.mark.slow
def test_oversized_file_is_refused_from_its_size(tmp_path):
    path = tmp_path / "model.json"
    with open(path, "wb") as file:
        file.truncate(DEFAULT_MAX_BYTES + 1)  # sparse: nothing to read
    message = _load_in_child(path)
    assert "larger than the limit of 134.2 MB" in message
    assert "max_bytes" in message


def test_max_bytes_is_adjustable(tmp_path):
    gm, _ = fitted("full", "float64")
    path = tmp_path / "model.json"
    save(gm, path)
    size = path.stat().st_size
    with pytest.raises(
        ValueError, match="larger than the limit.*pass a larger max_bytes"
    ):
        load(path, max_bytes=size - 1)
    assert_array_equal(load(path, max_bytes=size).means_, gm.means_)


def test_directory_is_refused(tmp_path):
    with pytest.raises(IsADirectoryError):
        load(tmp_path)


def test_many_tiny_values_are_refused_before_parsing(tmp_path):
    path = tmp_path / "model.json"
    path.write_text("[" + ",".join(["[]"] * 200_000) + "]")
    with pytest.raises(ValueError, match="times its size in memory"):
        load(path)


@pytest.mark.parametrize(
    "where",
    [
        ["format"],
        ["skgmm_em_version"],
        ["params", "covariance_type"],
        ["params", "on_collapse"],
        ["fitted", "dtype"],
    ],
)
def test_messages_cut_untrusted_text(where, tmp_path):
    gm, _ = fitted("full", "float64")
    document = to_dict(gm)
    node = document
    for key in where[:-1]:
        node = node[key]
    node[where[-1]] = "x" * 1_000_000
    if where == ["skgmm_em_version"]:
        document["format_version"] = 2
    path = tmp_path / "model.json"
    path.write_text(json.dumps(document))
    with pytest.raises(ValueError) as info:
        load(path)
    assert len(str(info.value)) < 600
    assert "x" * 200 not in str(info.value)


def test_messages_cut_untrusted_keys(tmp_path):
    gm, _ = fitted("full", "float64")
    for node in ("top", "history"):
        document = to_dict(gm)
        target = document if node == "top" else document["fitted"]["history"]
        for i in range(100):
            target[f"{i}" + "k" * 100_000] = [0.0]
        with pytest.raises(ValueError) as info:
            from_dict(document)
        assert len(str(info.value)) < 600


@pytest.mark.parametrize(
    "where, value, message",
    [
        (["params", "init_sample_size"], "abc", "init_sample_size"),
        (["params", "on_collapse"], "boom", "on_collapse"),
        (["params", "init_params"], "nonsense", "init_params"),
        (["params", "weights_init"], [2.0, -1.0, 0.0], "weights_init"),
        (["params", "precisions_init"], "negative", "positive-definite"),
        (["fitted", "means"], "huge", "fitted.means"),
        (["fitted", "means"], "far apart", "fitted.means are too far apart"),
    ],
)
def test_loader_refuses_what_fit_refuses(where, value, message):
    gm, X = fitted("full", "float64")
    document = to_dict(gm)
    k, d = gm.means_.shape
    if value == "negative":
        value = (-np.stack([np.eye(d)] * k)).tolist()
    elif value == "huge" and where[-1] == "means":
        value = (gm.means_ + 1e300).tolist()
    elif value == "far apart":
        # Means 1e100 apart and covariances 1e-200: consistent, but the
        # whitened distances (1e200) would overflow when squared.
        document["fitted"]["covariances"] = (gm.covariances_ * 1e-200).tolist()
        document["fitted"]["precisions_cholesky"] = (
            gm.precisions_cholesky_ * 1e100
        ).tolist()
        value = (gm.means_ * 1e100).tolist()
    node = document
    for key in where[:-1]:
        node = node[key]
    node[where[-1]] = value
    with pytest.raises(ValueError, match=message):
        from_dict(document)


# ---------------------------------------------------------------------------
# the loader under random damage: a valid model or a ValueError, nothing else


def _fuzz_documents():
    documents = []
    for covariance_type in COVARIANCE_TYPES:
        for dtype in DTYPES:
            gm, X = fitted(covariance_type, dtype, n_features=2)
            documents.append((to_dict(gm), X))
    gm = GaussianMixture(
        2,
        covariance_type="full",
        init_params=RandomInit(),
        means_init=[[0.0, 0.0], [6.0, 0.0]],
        random_state=1,
    ).fit(make_data(2))
    documents.append((to_dict(gm), make_data(2)))
    return documents


FUZZ_DOCUMENTS = _fuzz_documents()

JSON_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-3, 5)
    | st.sampled_from(
        [0.0, -0.0, 0.5, -1.0, 2.0, 1e-12, 1e30, -1e30, 10**400, math.nan, math.inf]
        + [1e300, -1e300, 1e-300, 1e200, 1e154, 2**31, 10**30]
    )
    | st.sampled_from(
        ["", "full", "kmeans", "float32", "skgmm_em.model", "x", "abc", "boom"]
    )
)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(["a", "weights", "not_stored"]), inner, max_size=2
        )
    ),
    max_leaves=6,
)


def _paths(node, prefix=()):
    yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _paths(value, (*prefix, i))


def _mutate(document, data):
    """Apply one random structural change to ``document`` in place."""
    path = data.draw(st.sampled_from(list(_paths(document))[1:]))
    parent = document
    for key in path[:-1]:
        parent = parent[key]
    key, value = path[-1], parent[path[-1]]
    kind = data.draw(st.sampled_from(["delete", "replace", "scale", "grow", "swap"]))
    if kind == "delete":
        del parent[key]
    elif kind == "replace":
        parent[key] = data.draw(JSON_VALUES)
    elif kind == "scale" and type(value) in (int, float):
        factor = data.draw(
            st.sampled_from([-1.0, 0.0, 0.5, 1.0000001, 2.0, 1e3, 1e150, 1e300, 1e-300])
        )
        parent[key] = type(value)(value * factor) if value == value else value
    elif kind == "grow" and isinstance(value, list) and value:
        value.append(copy.deepcopy(value[-1]))
    elif kind == "swap" and isinstance(value, list) and len(value) > 1:
        value[0], value[-1] = value[-1], value[0]


def _damage_text(text, data):
    """Maybe truncate the text, or replace, insert or delete a character."""
    kind = data.draw(
        st.sampled_from(["none", "none", "truncate", "replace", "insert", "delete"])
    )
    if kind == "none":
        return text.encode("utf-8")
    at = data.draw(st.integers(0, len(text) - 1))
    char = data.draw(st.sampled_from(list('0919-.e[]{},":x ') + ["\udcff"]))
    text = {
        "truncate": text[:at],
        "replace": text[:at] + char + text[at + 1 :],
        "insert": text[:at] + char + text[at:],
        "delete": text[:at] + text[at + 1 :],
    }[kind]
    return text.encode("utf-8", errors="surrogateescape")


def check_loaded_model(model, X):
    """A model that loaded must be fully usable and saveable."""
    assert type(model) is GaussianMixture
    for name in ARRAYS + ["precisions_"]:
        assert np.all(np.isfinite(getattr(model, name))), name
    if hasattr(model, "feature_names_in_"):
        model = copy.deepcopy(model)
        del model.feature_names_in_
    proba = model.predict_proba(X)
    assert np.all(np.isfinite(proba))
    assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-5)
    assert np.all(np.isfinite(model.score_samples(X)))
    document = to_dict(model)
    assert_array_equal(from_dict(document).predict_proba(X), proba)


@pytest.fixture(scope="module")
def fuzz_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("fuzz")


@settings(max_examples=FUZZ_EXAMPLES)
@given(data=st.data())
def test_fuzzed_loader_loads_a_valid_model_or_raises_value_error(fuzz_dir, data):
    document, X = data.draw(st.sampled_from(FUZZ_DOCUMENTS))
    document = copy.deepcopy(document)
    for _ in range(data.draw(st.integers(1, 3))):
        _mutate(document, data)
    raw = _damage_text(json.dumps(document, allow_nan=True), data)
    path = fuzz_dir / "model.json"
    path.write_bytes(raw)
    try:
        model = load(path)
    except ValueError as exc:
        message = str(exc)
        assert message.startswith("Cannot load a model from ")
        reason = message.split(": ", 1)[1]
        if "Not a valid skgmm_em model: " in reason:
            reason = reason.split(": ", 1)[1].split(" ", 1)[0]
        else:
            reason = reason.split(" (", 1)[0]
        event("refused: " + reason)
        return
    event("loaded")
    check_loaded_model(model, X)


def test_unmutated_fuzz_documents_load(fuzz_dir):
    for document, X in FUZZ_DOCUMENTS:
        path = fuzz_dir / "model.json"
        path.write_text(json.dumps(document))
        check_loaded_model(load(path), X)


# ---------------------------------------------------------------------------
# pickle and joblib


@pytest.mark.parametrize("covariance_type, dtype", MODEL_KINDS)
def test_pickle_round_trip(covariance_type, dtype):
    gm, X = fitted(covariance_type, dtype)
    assert_same_model(pickle.loads(pickle.dumps(gm)), gm, X)


@pytest.mark.parametrize("covariance_type, dtype", MODEL_KINDS)
def test_joblib_round_trip(covariance_type, dtype, tmp_path):
    gm, X = fitted(covariance_type, dtype)
    path = tmp_path / "model.joblib"
    joblib.dump(gm, path)
    assert_same_model(joblib.load(path), gm, X)
