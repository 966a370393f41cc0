"""The table of covariance models: one :class:`CovarianceModel` record per
model, holding everything about it (shapes, parameter counts, kernels,
conversions, sampling); see :mod:`skgmm_em._covariance._base`.

Every other module asks this table; none names a model or writes its
shapes. To add a model, write its module here (its kernels and its record)
and add the record to ``MODELS``; ``docs/architecture.md`` walks through it.

Kernels work on data that the caller has already shifted by a common point
close to the data (the EM driver uses the mixture mean), which keeps the
second moments exact for data far from the origin. A chunk of samples is
passed transposed, as ``Xt`` of shape (D, n), and per-sample results come
back as (K, n): every reduction over components or features then runs along
a long contiguous axis, which numpy does an order of magnitude faster than
along a short last axis. Responsibilities ``resp`` (K, n) are already
multiplied by any sample weights.
"""

from ._base import (
    LOG_2PI,
    CovarianceModel,
    ill_defined_covariance_error,
    reusing_buffers,
    scratch,
)
from ._diag import DIAG
from ._full import FULL
from ._spherical import SPHERICAL
from ._tied import TIED

__all__ = [
    "COVARIANCE_TYPES",
    "FULL",
    "LOG_2PI",
    "MCLUST_MODEL_NAMES",
    "MODELS",
    "CovarianceModel",
    "add_to_diagonal",
    "get_model",
    "ill_defined_covariance_error",
    "reusing_buffers",
    "scratch",
]

MODELS = {model.name: model for model in (FULL, TIED, DIAG, SPHERICAL)}

# The values of ``covariance_type``, in the order of scikit-learn's docs.
COVARIANCE_TYPES = tuple(MODELS)

# Each model's name in mclust.
MCLUST_MODEL_NAMES = {name: model.mclust_name for name, model in MODELS.items()}

_BY_ALIAS = {alias: model for model in MODELS.values() for alias in model.aliases}


def get_model(name):
    """The :class:`CovarianceModel` called ``name`` (or one of its aliases).

    Raises
    ------
    ValueError
        For an unknown name, listing the known ones.
    """
    model = MODELS.get(name, _BY_ALIAS.get(name)) if isinstance(name, str) else None
    if model is None:
        raise ValueError(
            f"Unknown covariance_type {name!r}: use one of {list(COVARIANCE_TYPES)}."
        )
    return model


def add_to_diagonal(covariances, covariance_type, value):
    """A float64 copy of covariances with ``value`` added to every variance."""
    return MODELS[covariance_type].add_to_diagonal(covariances, value)
