"""Gaussian mixture models fit by expectation-maximization.

A scikit-learn compatible, drop-in replacement for
:class:`sklearn.mixture.GaussianMixture` with pluggable initialization and
learning curves, built on a chunked EM core, and mixtures of multivariate t
distributions (:class:`StudentMixture`) on the same core.
"""

from . import exceptions, initialization, model_selection, persistence
from ._gaussian_mixture import GaussianMixture
from ._impute import GaussianMixtureImputer
from ._prior import ConjugatePrior
from ._student_mixture import StudentMixture
from .model_selection import (
    MCLUST_MODELS,
    GaussianMixtureSelector,
    aic_scorer,
    bic_scorer,
    icl_scorer,
)
from .persistence import load, save

__version__ = "0.1.0"

__all__ = [
    "ConjugatePrior",
    "GaussianMixture",
    "GaussianMixtureImputer",
    "StudentMixture",
    "exceptions",
    "initialization",
    "__version__",
    "load",
    "persistence",
    "save",
    "GaussianMixtureSelector",
    "MCLUST_MODELS",
    "aic_scorer",
    "bic_scorer",
    "icl_scorer",
    "model_selection",
]
