"""Writing a fitted mixture as a JSON-compatible document."""

import math
import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.utils.validation import check_is_fitted

from .._gaussian_mixture import GaussianMixture
from ._decode import from_dict
from ._format import (
    ARRAY_PARAMS,
    BUILTIN_INITIALIZERS,
    ESTIMATOR,
    FORMAT,
    FORMAT_VERSION,
)
from ._prior import encode_prior


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
    if BUILTIN_INITIALIZERS.get(cls.__name__) is cls:
        params = {k: _json_scalar(v) for k, v in value.get_params().items()}
        return {"initializer": cls.__name__, "params": params}
    raise TypeError


def _encode_param(name, value):
    """The JSON form of one constructor parameter; TypeError if there is none."""
    if name == "init_params":
        return _encode_init_params(value)
    if name == "prior":
        return encode_prior(value)
    if name in ARRAY_PARAMS and value is not None:
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
    from .. import __version__

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
        "estimator": ESTIMATOR,
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
    if getattr(model, "prior_", None) is not None:
        document["fitted"]["prior"] = encode_prior(model.prior_)
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
