"""Building a fitted mixture from a document, refusing anything else."""

import math
from typing import NamedTuple

import numpy as np

from .._covariance import MODELS
from .._gaussian_mixture import GaussianMixture
from ..initialization import INITIALIZERS
from ._checks import (
    check_covariances,
    check_parameters_as_fit,
    check_scale,
    check_weights,
)
from ._format import (
    ARRAY_PARAMS,
    BUILTIN_INITIALIZERS,
    DTYPES,
    ESTIMATOR,
    FITTED_KEYS,
    FORMAT,
    FORMAT_VERSION,
    OPTIONAL_FITTED_KEYS,
    TOP_KEYS,
    covariance_shape,
    invalid,
    quote,
)
from ._json import (
    expect_array,
    expect_bool,
    expect_dict,
    expect_int,
    expect_number_list,
    expect_real,
    expect_str,
    kind,
)
from ._prior import decode_prior


def _decode_init_params(value, default):
    where = "params.init_params"
    if isinstance(value, str):
        return expect_str(value, where, INITIALIZERS)
    spec = expect_dict(value, where, (), ("initializer", "params", "not_stored"))
    if "not_stored" in spec:
        expect_dict(spec, where, ("not_stored",))
        expect_str(spec["not_stored"], f"{where}.not_stored")
        return default
    expect_dict(spec, where, ("initializer", "params"))
    cls = BUILTIN_INITIALIZERS[
        expect_str(spec["initializer"], f"{where}.initializer", BUILTIN_INITIALIZERS)
    ]
    known = cls().get_params()
    options = expect_dict(spec["params"], f"{where}.params", (), known)
    for name, option in options.items():
        if option is not None and type(option) not in (bool, int, float, str):
            raise invalid(
                f"{where}.params.{name}", f"must be a JSON scalar, got {kind(option)}."
            )
        if type(option) is float and not math.isfinite(option):
            raise invalid(f"{where}.params.{name}", "must be finite.")
    return cls(**options)


def _decode_generic(value, where):
    """A constructor parameter this module has no specific rule for."""
    if value is not None and type(value) not in (bool, int, float, str):
        raise invalid(where, f"must be a JSON scalar, got {kind(value)}.")
    if type(value) is float and not math.isfinite(value):
        raise invalid(where, "must be finite.")
    return value


# One check per known constructor parameter; parameters the estimator gains
# later are read by _decode_generic and validated by the estimator's fit.
_PARAM_RULES = {
    "n_components": lambda v, w: expect_int(v, w, 1),
    "covariance_type": lambda v, w: expect_str(v, w, MODELS),
    "tol": lambda v, w: expect_real(v, w, 0.0),
    "reg_covar": lambda v, w: expect_real(v, w, 0.0),
    "max_iter": lambda v, w: expect_int(v, w, 0),
    "n_init": lambda v, w: expect_int(v, w, 1),
    "random_state": lambda v, w: None if v is None else expect_int(v, w, 0, 2**32 - 1),
    "warm_start": expect_bool,
    "verbose": lambda v, w: v if type(v) is bool else expect_int(v, w, 0),
    "verbose_interval": lambda v, w: expect_int(v, w, 1),
    "param_tol": lambda v, w: None if v is None else expect_real(v, w, 0.0),
}


def _decode_params(value, n_features):
    defaults = GaussianMixture().get_params(deep=False)
    raw = expect_dict(value, "params", ("n_components", "covariance_type"), defaults)
    params = {}
    for name, item in raw.items():
        where = f"params.{name}"
        if isinstance(item, dict) and "not_stored" in item and name != "init_params":
            expect_dict(item, where, ("not_stored",))
            expect_str(item["not_stored"], f"{where}.not_stored")
            if name in ("n_components", "covariance_type"):
                raise invalid(where, "must be stored.")
            params[name] = defaults[name]
        elif name == "init_params":
            params[name] = _decode_init_params(item, defaults[name])
        elif name == "prior":
            params[name] = decode_prior(item, where, n_features)
        elif name in ARRAY_PARAMS:
            params[name] = item  # checked below, once the shapes are known
        elif name in _PARAM_RULES:
            params[name] = _PARAM_RULES[name](item, where)
        else:
            params[name] = _decode_generic(item, where)
    k, covariance_type = params["n_components"], params["covariance_type"]
    shapes = {
        "weights_init": ((k,), "(n_components,)"),
        "means_init": ((k, n_features), "(n_components, n_features)"),
        "precisions_init": covariance_shape(covariance_type, k, n_features),
    }
    for name in ARRAY_PARAMS:
        if params.get(name) is not None:
            shape, dims = shapes[name]
            params[name] = expect_array(
                params[name], f"params.{name}", shape, np.float64, dims
            )
    return params


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
    top = _read_header(document)
    fitted = expect_dict(top["fitted"], "fitted", FITTED_KEYS, OPTIONAL_FITTED_KEYS)
    dtype = DTYPES[expect_str(fitted["dtype"], "fitted.dtype", DTYPES)]
    n_features = expect_int(fitted["n_features_in"], "fitted.n_features_in", 1)
    params = _decode_params(top["params"], n_features)
    names = _read_feature_names(fitted["feature_names_in"], n_features)
    arrays = _read_arrays(fitted, params, n_features, dtype)
    n_iter = expect_int(fitted["n_iter"], "fitted.n_iter", 0)
    # The numbers are untrusted: an overflow in a check means a failed check,
    # not a warning.
    with np.errstate(all="ignore"):
        check_weights(arrays.weights, dtype, start=n_iter == 0)
        check_covariances(
            arrays.covariances, arrays.prec_chol, params["covariance_type"], dtype
        )
        check_scale(
            arrays.means,
            arrays.prec_chol,
            arrays.weights,
            params["covariance_type"],
            dtype,
            params,
        )
    trace = _read_trace(fitted, n_iter)

    model = GaussianMixture(**params)
    check_parameters_as_fit(model, n_features)
    _set_fitted(model, arrays, trace, dtype)
    prior = fitted.get("prior")
    model.prior_ = (
        None
        if prior is None
        else decode_prior(prior, "fitted.prior", n_features, complete=True)
    )
    model.n_features_in_ = n_features
    if names is not None:
        model.feature_names_in_ = names
    return model


class _Arrays(NamedTuple):
    """The fitted arrays of a document, checked for shape and finiteness."""

    weights: np.ndarray
    means: np.ndarray
    covariances: np.ndarray
    prec_chol: np.ndarray


class _Trace(NamedTuple):
    """How the fit went: convergence, iterations and the per-iteration history."""

    converged: bool
    n_iter: int
    n_reseeds: int | None
    lower_bound: float
    lower_bounds: list
    history: dict


def _read_header(document):
    """The document's top-level object, once its format and version are known."""
    top = expect_dict(document, "the document", TOP_KEYS)
    if top["format"] != FORMAT:
        raise invalid("format", f"must be {FORMAT!r}, got {quote(top['format'])}.")
    version = expect_int(top["format_version"], "format_version", 1)
    if version != FORMAT_VERSION:
        raise invalid(
            "format_version",
            f"is {quote(version)}; this skgmm_em reads version {FORMAT_VERSION}. Load "
            "the file with the skgmm_em version that wrote it "
            f"({quote(top['skgmm_em_version'])}).",
        )
    expect_str(top["skgmm_em_version"], "skgmm_em_version")
    expect_str(top["estimator"], "estimator", {ESTIMATOR})
    return top


def _read_feature_names(names, n_features):
    """``feature_names_in_`` as an object array, or None."""
    if names is None:
        return None
    if not isinstance(names, list) or len(names) != n_features:
        raise invalid(
            "fitted.feature_names_in",
            f"must be null or an array of n_features_in={n_features} strings.",
        )
    for name in names:
        expect_str(name, "fitted.feature_names_in")
    return np.asarray(names, dtype=object)


def _read_arrays(fitted, params, n_features, dtype):
    """The weights, means, covariances and precision factors, as ``dtype``."""
    k, covariance_type = params["n_components"], params["covariance_type"]
    cov_shape, cov_dims = covariance_shape(covariance_type, k, n_features)
    weights = expect_array(
        fitted["weights"], "fitted.weights", (k,), dtype, "(n_components,)"
    )
    means = expect_array(
        fitted["means"],
        "fitted.means",
        (k, n_features),
        dtype,
        "(n_components, n_features)",
    )
    covariances = expect_array(
        fitted["covariances"], "fitted.covariances", cov_shape, dtype, cov_dims
    )
    prec_chol = expect_array(
        fitted["precisions_cholesky"],
        "fitted.precisions_cholesky",
        cov_shape,
        dtype,
        cov_dims,
    )
    return _Arrays(weights, means, covariances, prec_chol)


def _read_trace(fitted, n_iter):
    """Convergence, lower bounds and history of the fit."""
    converged = expect_bool(fitted["converged"], "fitted.converged")
    n_reseeds = None
    if "n_reseeds" in fitted:
        n_reseeds = expect_int(fitted["n_reseeds"], "fitted.n_reseeds", 0)
    if fitted["lower_bound"] is None and n_iter == 0:
        # No iteration, no lower bound: scikit-learn's -inf.
        lower_bound = -np.inf
    else:
        lower_bound = expect_real(fitted["lower_bound"], "fitted.lower_bound")
    lower_bounds = fitted["lower_bounds"]
    if not isinstance(lower_bounds, list):
        raise invalid(
            "fitted.lower_bounds", f"must be an array, got {kind(lower_bounds)}."
        )
    lower_bounds = [expect_real(v, "fitted.lower_bounds") for v in lower_bounds]
    history = fitted["history"]
    if not isinstance(history, dict):
        raise invalid("fitted.history", f"must be an object, got {kind(history)}.")
    history = {
        key: expect_number_list(values, f"fitted.history.{quote(key, as_repr=False)}")
        for key, values in history.items()
    }
    for key, values in history.items():
        if len(values) != len(lower_bounds):
            raise invalid(
                f"fitted.history.{quote(key, as_repr=False)}",
                f"must have one entry per iteration ({len(lower_bounds)}).",
            )
    return _Trace(converged, n_iter, n_reseeds, lower_bound, lower_bounds, history)


def _set_fitted(model, arrays, trace, dtype):
    """Give ``model`` the fitted state read from the document."""
    model.weights_ = arrays.weights
    model.means_ = arrays.means
    model.covariances_ = arrays.covariances
    model.precisions_cholesky_ = arrays.prec_chol
    model.precisions_ = (
        MODELS[model.covariance_type]
        .precisions_from_prec_chol(arrays.prec_chol.astype(np.float64))
        .astype(dtype)
    )
    model.converged_ = trace.converged
    model.n_iter_ = trace.n_iter
    model.lower_bound_ = trace.lower_bound
    model.lower_bounds_ = trace.lower_bounds
    model.history_ = trace.history
    if trace.n_reseeds is not None:
        model.n_reseeds_ = trace.n_reseeds
