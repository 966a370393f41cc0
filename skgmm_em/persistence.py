"""Save and load fitted mixtures as JSON, a model format that runs no code.

:func:`save` writes a fitted :class:`~skgmm_em.GaussianMixture` to a JSON
file and :func:`load` reads it back; :func:`to_dict` and :func:`from_dict`
do the same with the parsed document, for callers that store it elsewhere
(a database, a message). Loading parses JSON with :func:`json.loads` and
builds only a :class:`~skgmm_em.GaussianMixture` and, by name, the built-in
initializers: nothing in the file is imported, unpickled or executed.

The document is a JSON object::

    {
      "format": "skgmm_em.model",
      "format_version": 1,
      "skgmm_em_version": "0.1.0",
      "estimator": "GaussianMixture",
      "params": {"n_components": 2, "covariance_type": "full", ...},
      "fitted": {
        "dtype": "float64",
        "n_features_in": 2,
        "feature_names_in": null,
        "weights": [...], "means": [...], "covariances": [...],
        "precisions_cholesky": [...],
        "converged": true, "n_iter": 7, "n_reseeds": 0,
        "lower_bound": -3.1, "lower_bounds": [...],
        "history": {"log_likelihood": [...], ...}
      }
    }

Arrays are nested lists of numbers; every number is written as Python's
shortest exact representation, so a round trip reproduces every bit of the
fitted arrays and therefore every prediction. ``precisions_`` is recomputed
from ``precisions_cholesky_`` on load; ``labels_`` (one label per training
sample) is not stored: ``predict`` on the training data reproduces it.
A model fitted with ``max_iter=0`` has no lower bound (``lower_bound_`` is
``-inf``, as in scikit-learn): it is written as ``null``, and its weights,
those of the start, may sum to less than one.

Constructor parameters are stored when JSON can hold them. An initializer
instance of a built-in class is stored as its class name and parameters.
Anything else (a user-written initializer, a ``RandomState`` instance as
``random_state``, a non-finite float) is stored as ``{"not_stored": repr}``,
:func:`to_dict` warns about it, and loading restores the parameter's
default. Such parameters only matter for fitting again; predictions do not
depend on them.

:func:`load` reads a regular file only (a FIFO, a device or a link to one
is refused at once, without blocking), of at most ``max_bytes``
(:data:`DEFAULT_MAX_BYTES` unless told otherwise, refused from its size
before reading), and parses it only if its values take at most about ten
times its size in memory. Error messages quote at most a few dozen
characters of the file's content.

:func:`from_dict` (and so :func:`load`) refuses with a ``ValueError`` any
document that is not exactly what :func:`to_dict` writes: an unknown format
or version, missing or unexpected keys, values of the wrong type, arrays of
the wrong shape, NaN or infinite numbers, weights that are negative or do
not sum to one (at most one for a start), covariances that are not
symmetric positive definite, Cholesky factors that are not upper
triangular with a positive diagonal or that do not match the covariances;
constructor parameters that ``fit`` would refuse; fitted arrays outside
the range the kernels compute in (precision factors that overflow when
squared, means whose whitened distances to the mixture mean overflow). A
model that loads predicts finite values on data at its own scale.

Examples
--------
>>> import os, tempfile
>>> import numpy as np
>>> from skgmm_em import GaussianMixture, load, save
>>> X = np.array([[1, 2], [1, 4], [1, 0], [10, 2], [10, 4], [10, 0]])
>>> gm = GaussianMixture(n_components=2, random_state=0).fit(X)
>>> path = os.path.join(tempfile.mkdtemp(), "model.json")
>>> save(gm, path)
>>> again = load(path)
>>> bool(np.array_equal(again.predict_proba(X), gm.predict_proba(X)))
True
"""

import json
import math
import os
import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.utils.validation import check_is_fitted

from . import _em
from ._compat import validate_params
from ._covariance import MODELS
from ._files import read_bounded
from ._gaussian_mixture import GaussianMixture
from .exceptions import IllDefinedCovarianceError
from .initialization import INITIALIZERS

__all__ = [
    "DEFAULT_MAX_BYTES",
    "FORMAT",
    "FORMAT_VERSION",
    "from_dict",
    "load",
    "save",
    "to_dict",
]

#: The value of the document's ``"format"`` key.
FORMAT = "skgmm_em.model"

#: The version of the document layout this module writes and reads.
FORMAT_VERSION = 1

#: The largest model file :func:`load` reads unless told otherwise (128 MiB,
#: a full-covariance model of 3 components in about 800 dimensions).
DEFAULT_MAX_BYTES = 128 * 2**20

# Parsing JSON builds a Python object per value: about 56 bytes per array or
# object and 32 per number (24 for the float, 8 for the reference to it). A
# document whose values would take more than this many times its own size
# (many tiny arrays, one-digit numbers) is refused before it is parsed; the
# files save() writes take 2 to 4 times.
_MAX_PARSE_FACTOR = 10

# Untrusted text quoted in an error message is cut to this many characters.
_QUOTE_CHARS = 60

_ESTIMATOR = "GaussianMixture"


def _covariance_shape(covariance_type, k, d):
    """The shape of covariances_ and precisions_cholesky_, and its dimension
    names for error messages."""
    model = MODELS[covariance_type]
    return model.shape(k, d), model.shape_text


_BUILTIN_INITIALIZERS = {cls.__name__: cls for cls in INITIALIZERS.values()}

_ARRAY_PARAMS = ("weights_init", "means_init", "precisions_init")

_TOP_KEYS = {
    "format",
    "format_version",
    "skgmm_em_version",
    "estimator",
    "params",
    "fitted",
}

_FITTED_KEYS = {
    "dtype",
    "n_features_in",
    "feature_names_in",
    "weights",
    "means",
    "covariances",
    "precisions_cholesky",
    "converged",
    "n_iter",
    "lower_bound",
    "lower_bounds",
    "history",
}

# Fitted attributes that not every model has, by their key in "fitted":
# n_reseeds_ exists since on_collapse='reseed' does.
_OPTIONAL_FITTED_KEYS = {"n_reseeds"}

_DTYPES = {"float64": np.float64, "float32": np.float32}


def _invalid(where, what):
    """The ValueError for a document that is not a valid model."""
    return ValueError(f"Not a valid skgmm_em model: {where} {what}")


def _quote(value, as_repr=True):
    """A short repr (or str) of an untrusted value for an error message."""
    if type(value) is int and value.bit_length() > 64:
        return f"an integer of {len(str(value.bit_length()))}+ digits"
    text = repr(value) if isinstance(value, str) and as_repr else str(value)
    if len(text) > _QUOTE_CHARS:
        return f"{text[:_QUOTE_CHARS]}... ({len(text)} characters)"
    return text


# ---------------------------------------------------------------------------
# writing


def _json_scalar(value):
    """``value`` as a JSON scalar, or raise TypeError when JSON cannot hold it."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, Integral):
        return int(value)
    if isinstance(value, Real) and math.isfinite(value):
        return float(value)
    raise TypeError


def _json_array(array):
    """A finite float array as nested lists of Python floats."""
    return np.asarray(array).astype(np.float64).tolist()


def _encode_init_params(value):
    if isinstance(value, str):
        return value
    cls = type(value)
    if _BUILTIN_INITIALIZERS.get(cls.__name__) is cls:
        params = {k: _json_scalar(v) for k, v in value.get_params().items()}
        return {"initializer": cls.__name__, "params": params}
    raise TypeError


def _encode_param(name, value):
    """The JSON form of one constructor parameter; TypeError if there is none."""
    if name == "init_params":
        return _encode_init_params(value)
    if name in _ARRAY_PARAMS and value is not None:
        array = np.asarray(value, dtype=np.float64)
        if not np.all(np.isfinite(array)):
            raise TypeError
        return array.tolist()
    return _json_scalar(value)


def to_dict(model):
    """Describe a fitted mixture as a JSON-compatible dict.

    Parameters
    ----------
    model : GaussianMixture
        A fitted :class:`~skgmm_em.GaussianMixture`.

    Returns
    -------
    document : dict
        Nested dicts, lists, strings, numbers, booleans and ``None`` only;
        :func:`json.dumps` writes it and :func:`from_dict` reads it back.
        The layout is described in :mod:`skgmm_em.persistence`.

    Raises
    ------
    TypeError
        If ``model`` is not a :class:`~skgmm_em.GaussianMixture`.
    sklearn.exceptions.NotFittedError
        If ``model`` is not fitted.
    ValueError
        If the fitted state is not one :func:`from_dict` would accept (for
        example attributes edited by hand into non-finite values).

    Warns
    -----
    UserWarning
        When a constructor parameter cannot be stored (a user-written
        initializer, a ``RandomState`` instance); loading restores its
        default.
    """
    from . import __version__

    if type(model) is not GaussianMixture:
        raise TypeError(
            "skgmm_em.persistence stores skgmm_em.GaussianMixture models only, "
            f"got {type(model).__name__}."
        )
    check_is_fitted(model)
    params, not_stored = {}, []
    for name, value in model.get_params(deep=False).items():
        try:
            params[name] = _encode_param(name, value)
        except (TypeError, ValueError):
            params[name] = {"not_stored": repr(value)}
            not_stored.append(name)
    names = getattr(model, "feature_names_in_", None)
    document = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "skgmm_em_version": __version__,
        "estimator": _ESTIMATOR,
        "params": params,
        "fitted": {
            "dtype": np.dtype(model.means_.dtype).name,
            "n_features_in": _json_scalar(model.n_features_in_),
            "feature_names_in": None if names is None else [str(n) for n in names],
            "weights": _json_array(model.weights_),
            "means": _json_array(model.means_),
            "covariances": _json_array(model.covariances_),
            "precisions_cholesky": _json_array(model.precisions_cholesky_),
            "converged": bool(model.converged_),
            "n_iter": int(model.n_iter_),
            # -inf (a fit without iterations) is not JSON: null.
            "lower_bound": (
                float(model.lower_bound_) if np.isfinite(model.lower_bound_) else None
            ),
            "lower_bounds": [float(v) for v in model.lower_bounds_],
            "history": {
                str(key): np.asarray(values).tolist()
                for key, values in model.history_.items()
            },
        },
    }
    if hasattr(model, "n_reseeds_"):
        document["fitted"]["n_reseeds"] = _json_scalar(model.n_reseeds_)
    # Refuse to write what could not be read back.
    from_dict(document)
    if not_stored:
        defaults = GaussianMixture().get_params(deep=False)
        listed = ", ".join(f"{n} (restored as {defaults[n]!r})" for n in not_stored)
        warnings.warn(
            f"These parameters cannot be stored in a model file and loading "
            f"restores their defaults: {listed}. Predictions are unaffected; "
            "set them again before fitting the loaded model.",
            UserWarning,
            stacklevel=2,
        )
    return document


def save(model, path):
    """Write a fitted mixture to a JSON file.

    Parameters
    ----------
    model : GaussianMixture
        A fitted :class:`~skgmm_em.GaussianMixture`.
    path : str or os.PathLike
        The file to write (UTF-8 JSON); an existing file is replaced.

    See Also
    --------
    load : Read the file back.
    to_dict : The document that is written.
    """
    text = json.dumps(to_dict(model), allow_nan=False, indent=1)
    with open(path, "w", encoding="utf-8") as file:
        file.write(text)
        file.write("\n")


# ---------------------------------------------------------------------------
# reading


def _refuse_constant(name):
    raise ValueError(f"Not a valid skgmm_em model: the number {name} is not allowed.")


def _parse_cost(text):
    """An upper estimate, in bytes, of the Python objects json.loads builds."""
    containers = text.count("[") + text.count("{")
    values = text.count(",") + text.count(":") + 1
    return 56 * containers + 32 * values


def load(path, *, max_bytes=DEFAULT_MAX_BYTES):
    """Read a mixture written by :func:`save`.

    The file is untrusted input: only a regular file is read (a FIFO, a
    device or a link to one is refused at once, without blocking), only up
    to ``max_bytes``, the JSON is parsed only if it takes a few times its
    size in memory, and the document is checked as :func:`from_dict`
    describes; no code from the file is run.

    Parameters
    ----------
    path : str or os.PathLike
        The file to read.
    max_bytes : int, default=DEFAULT_MAX_BYTES
        The largest file accepted (128 MiB by default); a larger file is
        refused from its size, before it is read.

    Returns
    -------
    model : GaussianMixture
        The fitted mixture; it predicts exactly as the one saved.

    Raises
    ------
    ValueError
        If the file is not a regular file, is larger than ``max_bytes``, is
        not valid UTF-8 JSON or not a valid model: the message says what is
        wrong.
    OSError
        If the file cannot be read.

    See Also
    --------
    save : Write a model file.
    from_dict : Build the model from an already parsed document.
    """
    where = f"Cannot load a model from {os.fspath(path)!r}"
    try:
        raw = read_bounded(path, max_bytes)
    except ValueError as exc:
        raise ValueError(f"{where}: {exc}") from None
    try:
        text = raw.decode("utf-8")
        del raw
        if _parse_cost(text) > _MAX_PARSE_FACTOR * max(len(text), 2**16):
            raise ValueError(
                "the JSON would take more than "
                f"{_MAX_PARSE_FACTOR} times its size in memory to parse (too "
                "many tiny values); it is not a file save() wrote."
            )
        document = json.loads(text, parse_constant=_refuse_constant)
    except UnicodeDecodeError as exc:
        raise ValueError(f"{where}: the file is not UTF-8 text ({exc}).") from None
    except json.JSONDecodeError as exc:
        raise ValueError(
            f"{where}: the file is not valid JSON ({exc}); it may be truncated."
        ) from None
    except RecursionError:
        raise ValueError(f"{where}: the JSON is nested too deeply.") from None
    except ValueError as exc:  # NaN or Infinity, refused by _refuse_constant
        raise ValueError(f"{where}: {exc}") from None
    try:
        return from_dict(document)
    except ValueError as exc:
        raise ValueError(f"{where}: {exc}") from None


def _expect_dict(value, where, required, optional=()):
    if not isinstance(value, dict):
        raise _invalid(where, f"must be a JSON object, got {_kind(value)}.")
    missing = sorted(set(required) - set(value))
    if missing:
        raise _invalid(where, f"lacks the key(s) {', '.join(missing)}.")
    unexpected = sorted(set(value) - set(required) - set(optional), key=str)
    if unexpected:
        listed = ", ".join(_quote(key) for key in unexpected[:5])
        more = f" and {len(unexpected) - 5} more" if len(unexpected) > 5 else ""
        raise _invalid(where, f"has unexpected key(s) {listed}{more}.")
    return value


def _kind(value):
    """The JSON name of a parsed value's type, for error messages."""
    kinds = {
        type(None): "null",
        bool: "a boolean",
        int: "an integer",
        float: "a number",
        str: "a string",
        list: "an array",
        dict: "an object",
    }
    return kinds.get(type(value), type(value).__name__)


def _expect_int(value, where, minimum=None, maximum=None):
    if type(value) is not int:
        raise _invalid(where, f"must be an integer, got {_kind(value)}.")
    if (minimum is not None and value < minimum) or (
        maximum is not None and value > maximum
    ):
        bounds = f">= {minimum}" if maximum is None else f"in [{minimum}, {maximum}]"
        raise _invalid(where, f"must be an integer {bounds}, got {_quote(value)}.")
    return value


def _expect_real(value, where, minimum=None):
    if type(value) not in (int, float):
        raise _invalid(where, f"must be a number, got {_kind(value)}.")
    try:
        value = float(value)
    except OverflowError:
        raise _invalid(where, "is too large.") from None
    if not math.isfinite(value):
        raise _invalid(where, "must be finite.")
    if minimum is not None and value < minimum:
        raise _invalid(where, f"must be >= {minimum}, got {value!r}.")
    return value


def _expect_bool(value, where):
    if type(value) is not bool:
        raise _invalid(where, f"must be true or false, got {_kind(value)}.")
    return value


def _expect_str(value, where, choices=None):
    if type(value) is not str:
        raise _invalid(where, f"must be a string, got {_kind(value)}.")
    if choices is not None and value not in choices:
        raise _invalid(
            where, f"must be one of {', '.join(sorted(choices))}, got {_quote(value)}."
        )
    return value


def _expect_array(value, where, shape, dtype, dims=None):
    """Nested lists of finite numbers of exactly ``shape``, as an ndarray."""
    leaves = []

    def walk(node, depth):
        if depth < len(shape) and isinstance(node, list) and len(node) == shape[depth]:
            for item in node:
                walk(item, depth + 1)
        elif depth == len(shape) and not isinstance(node, list):
            leaves.append(_expect_real(node, where))
        else:
            expected = f"{shape}" if dims is None else f"{shape} {dims}"
            raise _invalid(where, f"must be a nested array of shape {expected}.")

    walk(value, 0)
    array = np.array(leaves, dtype=np.float64).reshape(shape)
    if dtype == np.float32 and np.any(np.abs(array) > np.finfo(np.float32).max):
        raise _invalid(where, "holds numbers too large for float32.")
    return array.astype(dtype)


def _expect_number_list(value, where):
    """A flat list of finite numbers or of booleans, as an ndarray."""
    if not isinstance(value, list):
        raise _invalid(where, f"must be an array, got {_kind(value)}.")
    if value and all(type(v) is bool for v in value):
        return np.array(value, dtype=bool)
    numbers = [_expect_real(v, where) for v in value]
    if all(type(v) is int for v in value) and value:
        return np.array(value, dtype=np.int64)
    return np.array(numbers, dtype=np.float64)


def _decode_init_params(value, default):
    where = "params.init_params"
    if isinstance(value, str):
        return _expect_str(value, where, INITIALIZERS)
    spec = _expect_dict(value, where, (), ("initializer", "params", "not_stored"))
    if "not_stored" in spec:
        _expect_dict(spec, where, ("not_stored",))
        _expect_str(spec["not_stored"], f"{where}.not_stored")
        return default
    _expect_dict(spec, where, ("initializer", "params"))
    cls = _BUILTIN_INITIALIZERS[
        _expect_str(spec["initializer"], f"{where}.initializer", _BUILTIN_INITIALIZERS)
    ]
    known = cls().get_params()
    options = _expect_dict(spec["params"], f"{where}.params", (), known)
    for name, option in options.items():
        if option is not None and type(option) not in (bool, int, float, str):
            raise _invalid(
                f"{where}.params.{name}", f"must be a JSON scalar, got {_kind(option)}."
            )
        if type(option) is float and not math.isfinite(option):
            raise _invalid(f"{where}.params.{name}", "must be finite.")
    return cls(**options)


def _decode_generic(value, where):
    """A constructor parameter this module has no specific rule for."""
    if value is not None and type(value) not in (bool, int, float, str):
        raise _invalid(where, f"must be a JSON scalar, got {_kind(value)}.")
    if type(value) is float and not math.isfinite(value):
        raise _invalid(where, "must be finite.")
    return value


# One check per known constructor parameter; parameters the estimator gains
# later are read by _decode_generic and validated by the estimator's fit.
_PARAM_RULES = {
    "n_components": lambda v, w: _expect_int(v, w, 1),
    "covariance_type": lambda v, w: _expect_str(v, w, MODELS),
    "tol": lambda v, w: _expect_real(v, w, 0.0),
    "reg_covar": lambda v, w: _expect_real(v, w, 0.0),
    "max_iter": lambda v, w: _expect_int(v, w, 0),
    "n_init": lambda v, w: _expect_int(v, w, 1),
    "random_state": lambda v, w: None if v is None else _expect_int(v, w, 0, 2**32 - 1),
    "warm_start": _expect_bool,
    "verbose": lambda v, w: v if type(v) is bool else _expect_int(v, w, 0),
    "verbose_interval": lambda v, w: _expect_int(v, w, 1),
    "param_tol": lambda v, w: None if v is None else _expect_real(v, w, 0.0),
}


def _decode_params(value, n_features):
    defaults = GaussianMixture().get_params(deep=False)
    raw = _expect_dict(value, "params", ("n_components", "covariance_type"), defaults)
    params = {}
    for name, item in raw.items():
        where = f"params.{name}"
        if isinstance(item, dict) and "not_stored" in item and name != "init_params":
            _expect_dict(item, where, ("not_stored",))
            _expect_str(item["not_stored"], f"{where}.not_stored")
            if name in ("n_components", "covariance_type"):
                raise _invalid(where, "must be stored.")
            params[name] = defaults[name]
        elif name == "init_params":
            params[name] = _decode_init_params(item, defaults[name])
        elif name in _ARRAY_PARAMS:
            params[name] = item  # checked below, once the shapes are known
        elif name in _PARAM_RULES:
            params[name] = _PARAM_RULES[name](item, where)
        else:
            params[name] = _decode_generic(item, where)
    k, covariance_type = params["n_components"], params["covariance_type"]
    shapes = {
        "weights_init": ((k,), "(n_components,)"),
        "means_init": ((k, n_features), "(n_components, n_features)"),
        "precisions_init": _covariance_shape(covariance_type, k, n_features),
    }
    for name in _ARRAY_PARAMS:
        if params.get(name) is not None:
            shape, dims = shapes[name]
            params[name] = _expect_array(
                params[name], f"params.{name}", shape, np.float64, dims
            )
    return params


def _check_weights(weights, dtype, start):
    if np.any(weights < 0):
        raise _invalid("fitted.weights", "must be non-negative.")
    total = float(np.sum(weights, dtype=np.float64))
    tolerance = 16 * weights.size * np.finfo(dtype).eps
    if start:
        # The start of a fit without iterations: n_k / n, as scikit-learn's,
        # sums to less than one when samples belong to no component.
        if not (0.0 < total <= 1.0 + tolerance):
            raise _invalid("fitted.weights", f"must sum to at most 1, got {total!r}.")
    elif not abs(total - 1.0) <= tolerance:
        raise _invalid("fitted.weights", f"must sum to 1, got {total!r}.")


def _as_matrices(array, covariance_type):
    """Full and tied arrays as a stack of (D, D) matrices."""
    return array if MODELS[covariance_type].per_component else array[None]


def _component(covariance_type, k):
    return f"[{k}]" if MODELS[covariance_type].per_component else ""


def _check_covariances(covariances, prec_chol, covariance_type, dtype):
    """Positive definite covariances that match their Cholesky factors.

    float32 covariances are rounded from float64 ones, which can turn a
    nearly singular matrix indefinite by a few ulps; they are accepted when
    within that rounding of positive definite. float64 ones must pass a
    Cholesky factorization as they are, as in the estimator.
    """
    eps = float(np.finfo(dtype).eps)
    cov64 = covariances.astype(np.float64)
    chol64 = prec_chol.astype(np.float64)
    if MODELS[covariance_type].elementwise:
        if not np.all(cov64 > 0):
            raise _invalid("fitted.covariances", "must be positive.")
        if not np.all(chol64 > 0):
            raise _invalid("fitted.precisions_cholesky", "must be positive.")
        product = (cov64 * chol64) * chol64
        if not np.all(np.abs(product - 1.0) <= 64 * eps):
            raise _invalid(
                "fitted.precisions_cholesky",
                "does not match fitted.covariances (covariance * factor**2 must be 1).",
            )
        return
    for k, (cov, chol) in enumerate(
        zip(
            _as_matrices(cov64, covariance_type),
            _as_matrices(chol64, covariance_type),
            strict=True,
        )
    ):
        _check_matrix(cov, chol, _component(covariance_type, k), dtype, eps)


def _check_matrix(cov, chol, where, dtype, eps):
    """One (D, D) covariance and its upper-triangular precision factor."""
    n_features = cov.shape[0]
    slack = 0.0 if dtype == np.float64 else 8 * n_features * eps
    scale = np.sqrt(np.diag(cov))
    if not np.all(scale > 0):
        raise _invalid(f"fitted.covariances{where}", "must have a positive diagonal.")
    correlation = cov / scale[:, None] / scale[None, :]
    asymmetry = np.abs(cov - cov.T) / scale[:, None] / scale[None, :]
    if not np.all(asymmetry <= 8 * n_features * eps):
        raise _invalid(f"fitted.covariances{where}", "must be symmetric.")
    try:
        if not np.all(np.abs(correlation) <= 1.0 + slack + 8 * eps):
            raise np.linalg.LinAlgError
        symmetric = 0.5 * (cov + cov.T)
        np.linalg.cholesky(symmetric + slack * np.diag(np.diag(symmetric)))
    except np.linalg.LinAlgError:
        raise _invalid(
            f"fitted.covariances{where}", "must be positive definite."
        ) from None
    # U.T @ cov @ U is the identity. Written with the factor scaled by the
    # standard deviations, the rounding errors of U and of the product grow
    # with the condition number of the correlation matrix, not the scales.
    scaled = chol * scale[:, None]
    below = np.max(np.abs(np.tril(scaled, -1)), initial=0.0)
    if not (
        below <= 64 * n_features * eps * np.max(np.abs(scaled))
        and np.all(np.diag(chol) > 0)
    ):
        raise _invalid(
            f"fitted.precisions_cholesky{where}",
            "must be upper triangular with a positive diagonal.",
        )
    residual = np.max(np.abs(scaled.T @ correlation @ scaled - np.eye(n_features)))
    # The scaled factor's squared norm bounds the inverse's largest eigenvalue,
    # and the correlation's largest eigenvalue is at most n_features: their
    # product bounds the condition number that the rounding errors grow with.
    condition = n_features * np.sum(scaled**2)
    if not residual <= max(1e-6, 64 * n_features * eps * condition):
        raise _invalid(
            f"fitted.precisions_cholesky{where}",
            "does not match fitted.covariances (U.T @ covariance @ U must be "
            f"the identity; it is off by {residual:.3g}).",
        )


def _check_parameters_as_fit(model, n_features):
    """Refuse the constructor parameters that fit would refuse."""
    try:
        # The estimator's own checks, the ones fit runs first.
        validate_params(model)
        model._check_initial_parameters(n_features)
    except (TypeError, ValueError) as exc:
        message = str(exc)
        if len(message) > 4 * _QUOTE_CHARS:
            message = message[: 4 * _QUOTE_CHARS] + "..."
        raise _invalid("params", f"are not valid for fitting: {message}") from None


def _check_scale(means, prec_chol, weights, covariance_type, dtype, params):
    """Parameters within the range the kernels compute in, so that the
    model's log-densities of data at its own scale are finite."""
    reg_covar = params.get("reg_covar", 0.0)
    try:
        _em.check_factor_range(prec_chol, covariance_type, dtype, reg_covar)
    except IllDefinedCovarianceError:
        raise _invalid(
            "fitted.precisions_cholesky", f"is too large for {np.dtype(dtype).name}."
        ) from None
    limit = np.sqrt(np.finfo(dtype).max) / 16
    if not np.all(np.abs(means) < limit):
        raise _invalid("fitted.means", f"must be smaller than {limit:.3g} in size.")
    # The whitened distance of each mean to the mixture mean, the shift the
    # kernels apply, must square without overflow.
    centred = (means - weights @ means).astype(np.float64)
    factor = prec_chol.astype(np.float64)
    whitened = MODELS[covariance_type].whiten(centred, factor)
    if not np.all(np.sum(whitened**2, axis=1) < limit):
        raise _invalid(
            "fitted.means",
            "are too far apart next to the covariances for "
            f"{np.dtype(dtype).name} arithmetic.",
        )


def from_dict(document):
    """Build a fitted mixture from a document written by :func:`to_dict`.

    Parameters
    ----------
    document : dict
        The parsed JSON document; it is not modified.

    Returns
    -------
    model : GaussianMixture
        The fitted mixture; it predicts exactly as the one described.

    Raises
    ------
    ValueError
        If the document is not a valid model, naming the offending key:
        an unknown format or version, missing or unexpected keys, values of
        the wrong type, arrays of the wrong shape, NaN or infinite numbers,
        weights that are negative or do not sum to one, covariances that are
        not symmetric positive definite, Cholesky factors that are not upper
        triangular with a positive diagonal or do not match the covariances.
    """
    top = _expect_dict(document, "the document", _TOP_KEYS)
    if top["format"] != FORMAT:
        raise _invalid("format", f"must be {FORMAT!r}, got {_quote(top['format'])}.")
    version = _expect_int(top["format_version"], "format_version", 1)
    if version != FORMAT_VERSION:
        raise _invalid(
            "format_version",
            f"is {_quote(version)}; this skgmm_em reads version {FORMAT_VERSION}. Load "
            "the file with the skgmm_em version that wrote it "
            f"({_quote(top['skgmm_em_version'])}).",
        )
    _expect_str(top["skgmm_em_version"], "skgmm_em_version")
    _expect_str(top["estimator"], "estimator", {_ESTIMATOR})

    fitted = _expect_dict(top["fitted"], "fitted", _FITTED_KEYS, _OPTIONAL_FITTED_KEYS)
    dtype = _DTYPES[_expect_str(fitted["dtype"], "fitted.dtype", _DTYPES)]
    n_features = _expect_int(fitted["n_features_in"], "fitted.n_features_in", 1)
    params = _decode_params(top["params"], n_features)
    k, covariance_type = params["n_components"], params["covariance_type"]

    names = fitted["feature_names_in"]
    if names is not None:
        if not isinstance(names, list) or len(names) != n_features:
            raise _invalid(
                "fitted.feature_names_in",
                f"must be null or an array of n_features_in={n_features} strings.",
            )
        for name in names:
            _expect_str(name, "fitted.feature_names_in")
        names = np.asarray(names, dtype=object)

    cov_shape, cov_dims = _covariance_shape(covariance_type, k, n_features)
    weights = _expect_array(
        fitted["weights"], "fitted.weights", (k,), dtype, "(n_components,)"
    )
    means = _expect_array(
        fitted["means"],
        "fitted.means",
        (k, n_features),
        dtype,
        "(n_components, n_features)",
    )
    covariances = _expect_array(
        fitted["covariances"], "fitted.covariances", cov_shape, dtype, cov_dims
    )
    prec_chol = _expect_array(
        fitted["precisions_cholesky"],
        "fitted.precisions_cholesky",
        cov_shape,
        dtype,
        cov_dims,
    )
    n_iter = _expect_int(fitted["n_iter"], "fitted.n_iter", 0)
    # The numbers are untrusted: an overflow in a check means a failed check,
    # not a warning.
    with np.errstate(all="ignore"):
        _check_weights(weights, dtype, start=n_iter == 0)
        _check_covariances(covariances, prec_chol, covariance_type, dtype)
        _check_scale(means, prec_chol, weights, covariance_type, dtype, params)

    converged = _expect_bool(fitted["converged"], "fitted.converged")
    n_reseeds = None
    if "n_reseeds" in fitted:
        n_reseeds = _expect_int(fitted["n_reseeds"], "fitted.n_reseeds", 0)
    if fitted["lower_bound"] is None and n_iter == 0:
        # No iteration, no lower bound: scikit-learn's -inf.
        lower_bound = -np.inf
    else:
        lower_bound = _expect_real(fitted["lower_bound"], "fitted.lower_bound")
    lower_bounds = fitted["lower_bounds"]
    if not isinstance(lower_bounds, list):
        raise _invalid(
            "fitted.lower_bounds", f"must be an array, got {_kind(lower_bounds)}."
        )
    lower_bounds = [_expect_real(v, "fitted.lower_bounds") for v in lower_bounds]
    history = fitted["history"]
    if not isinstance(history, dict):
        raise _invalid("fitted.history", f"must be an object, got {_kind(history)}.")
    history = {
        key: _expect_number_list(values, f"fitted.history.{_quote(key, as_repr=False)}")
        for key, values in history.items()
    }
    for key, values in history.items():
        if len(values) != len(lower_bounds):
            raise _invalid(
                f"fitted.history.{_quote(key, as_repr=False)}",
                f"must have one entry per iteration ({len(lower_bounds)}).",
            )

    model = GaussianMixture(**params)
    _check_parameters_as_fit(model, n_features)
    model.weights_ = weights
    model.means_ = means
    model.covariances_ = covariances
    model.precisions_cholesky_ = prec_chol
    model.precisions_ = (
        MODELS[covariance_type]
        .precisions_from_prec_chol(prec_chol.astype(np.float64))
        .astype(dtype)
    )
    model.converged_ = converged
    model.n_iter_ = n_iter
    model.lower_bound_ = lower_bound
    model.lower_bounds_ = lower_bounds
    model.history_ = history
    if n_reseeds is not None:
        model.n_reseeds_ = n_reseeds
    model.n_features_in_ = n_features
    if names is not None:
        model.feature_names_in_ = names
    return model
