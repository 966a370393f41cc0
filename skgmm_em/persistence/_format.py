"""The model file's layout: its format marker, version, keys and limits.

Shared by the writer (:mod:`._encode`) and the reader (:mod:`._decode`),
with the error every refused document raises.
"""

import numpy as np

from .._covariance import MODELS
from ..initialization import INITIALIZERS

#: The value of the document's ``"format"`` key.
FORMAT = "skgmm_em.model"

#: The version of the document layout this module writes and reads.
FORMAT_VERSION = 1

#: The largest model file :func:`load` reads unless told otherwise (128 MiB,
#: a full-covariance model of 3 components in about 800 dimensions).
DEFAULT_MAX_BYTES = 128 * 2**20


# Untrusted text quoted in an error message is cut to this many characters.
QUOTE_CHARS = 60

ESTIMATOR = "GaussianMixture"


def covariance_shape(covariance_type, k, d):
    """The shape of covariances_ and precisions_cholesky_, and its dimension
    names for error messages."""
    model = MODELS[covariance_type]
    return model.shape(k, d), model.shape_text


BUILTIN_INITIALIZERS = {cls.__name__: cls for cls in INITIALIZERS.values()}

ARRAY_PARAMS = ("weights_init", "means_init", "precisions_init")

TOP_KEYS = {
    "format",
    "format_version",
    "skgmm_em_version",
    "estimator",
    "params",
    "fitted",
}

FITTED_KEYS = {
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
# n_reseeds_ exists since on_collapse='reseed' does, prior_ (written when it
# is not None) since the prior does.
OPTIONAL_FITTED_KEYS = {"n_reseeds", "prior"}

DTYPES = {"float64": np.float64, "float32": np.float32}


def invalid(where, what):
    """The ValueError for a document that is not a valid model."""
    return ValueError(f"Not a valid skgmm_em model: {where} {what}")


def quote(value, as_repr=True):
    """A short repr (or str) of an untrusted value for an error message."""
    if type(value) is int and value.bit_length() > 64:
        return f"an integer of {len(str(value.bit_length()))}+ digits"
    text = repr(value) if isinstance(value, str) and as_repr else str(value)
    if len(text) > QUOTE_CHARS:
        return f"{text[:QUOTE_CHARS]}... ({len(text)} characters)"
    return text
