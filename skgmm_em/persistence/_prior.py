"""The conjugate prior in a model file: the ``prior`` parameter and the
fitted ``prior_``.

A :class:`~skgmm_em.ConjugatePrior` is written as ``{"conjugate_prior":
{"shrinkage": ..., "mean": ..., "dof": ..., "scale": ...}}``: numbers,
``null`` for a setting left to its default, the mean as an array of
``n_features`` numbers and the scale as a number or an ``(n_features,
n_features)`` array. ``None`` and ``'conjugate'`` are written as they are.
"""

import numpy as np

from .._prior import ConjugatePrior
from ._json import expect_array, expect_dict, expect_real

_SETTINGS = ("shrinkage", "mean", "dof", "scale")


def _number_or_array(value):
    if value is None:
        return None
    array = np.asarray(value, dtype=np.float64)
    if not np.all(np.isfinite(array)):
        raise TypeError
    return float(array) if array.ndim == 0 else array.tolist()


def encode_prior(value):
    """The JSON form of a ``prior`` (parameter or fitted ``prior_``);
    TypeError for what has none."""
    if value is None or isinstance(value, str):
        return value
    if type(value) is not ConjugatePrior:
        raise TypeError
    params = value.get_params()
    return {"conjugate_prior": {k: _number_or_array(params[k]) for k in _SETTINGS}}


def decode_prior(value, where, n_features, complete=False):
    """The prior written by :func:`encode_prior`; ``complete``: every
    setting must be a number (a fitted ``prior_``)."""
    if not complete and (value is None or isinstance(value, str)):
        return value
    spec = expect_dict(value, where, ("conjugate_prior",))
    where = f"{where}.conjugate_prior"
    settings = expect_dict(spec["conjugate_prior"], where, _SETTINGS)
    out = {}
    for name in _SETTINGS:
        item = settings[name]
        place = f"{where}.{name}"
        if item is None and not complete:
            out[name] = None
        elif name in ("shrinkage", "dof"):
            out[name] = expect_real(item, place, 0.0)
        elif name == "mean":
            out[name] = expect_array(item, place, (n_features,), np.float64)
        elif isinstance(item, list):
            shape = (n_features, n_features)
            out[name] = expect_array(item, place, shape, np.float64)
        else:
            out[name] = expect_real(item, place, 0.0)
    return ConjugatePrior(**out)
