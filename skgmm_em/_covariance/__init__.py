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
from ._constrained import DEFAULT_INNER, InnerSettings
from ._diag import DIAG
from ._full import FULL
from ._parsimonious import PARSIMONIOUS
from ._prior import MCLUST_PRIOR_MODELS, PriorSettings, default_scale, scale_is_matrix
from ._spherical import SPHERICAL
from ._tied import TIED

__all__ = [
    "ALL_COVARIANCE_TYPES",
    "COVARIANCE_TYPES",
    "DEFAULT_INNER",
    "FULL",
    "LOG_2PI",
    "MCLUST_MODELS",
    "MCLUST_MODEL_NAMES",
    "MCLUST_PRIOR_MODELS",
    "MODELS",
    "CovarianceModel",
    "InnerSettings",
    "PriorSettings",
    "add_to_diagonal",
    "default_scale",
    "get_model",
    "resolve",
    "ill_defined_covariance_error",
    "reusing_buffers",
    "scale_is_matrix",
    "scratch",
]

_SCIKIT_LEARN = (FULL, TIED, DIAG, SPHERICAL)

# scikit-learn's values of ``covariance_type``, in the order of its docs.
COVARIANCE_TYPES = tuple(model.name for model in _SCIKIT_LEARN)

# Each of scikit-learn's models' name in mclust.
MCLUST_MODEL_NAMES = {model.name: model.mclust_name for model in _SCIKIT_LEARN}

# Every model by every name it answers to: scikit-learn's four under their
# names and mclust's, the other ten under mclust's.
MODELS = {
    name: model
    for model in (*_SCIKIT_LEARN, *PARSIMONIOUS)
    for name in dict.fromkeys((model.name, *model.aliases))
}

# mclust's fourteen models, in mclust's order.
MCLUST_MODELS = (
    "EII", "VII", "EEI", "VEI", "EVI", "VVI", "EEE",
    "VEE", "EVE", "VVE", "EEV", "VEV", "EVV", "VVV",
)  # fmt: skip

# Every value ``covariance_type`` accepts: scikit-learn's names, then mclust's.
ALL_COVARIANCE_TYPES = (*COVARIANCE_TYPES, *MCLUST_MODELS)


def get_model(name):
    """The :class:`CovarianceModel` called ``name`` (or one of its aliases).

    Raises
    ------
    ValueError
        For an unknown name, listing the known ones.
    """
    model = MODELS.get(name) if isinstance(name, str) else None
    if model is None:
        raise ValueError(
            f"Unknown covariance_type {name!r}: use one of "
            f"{list(ALL_COVARIANCE_TYPES)}."
        )
    return model


def resolve(model):
    """The :class:`CovarianceModel` given itself or by name (no checks: for
    the core, whose callers pass either)."""
    return model if isinstance(model, CovarianceModel) else MODELS[model]


def add_to_diagonal(covariances, covariance_type, value):
    """A float64 copy of covariances with ``value`` added to every variance."""
    return resolve(covariance_type).add_to_diagonal(covariances, value)
