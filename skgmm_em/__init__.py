"""Gaussian mixture models fit by expectation-maximization.

A scikit-learn compatible, drop-in replacement for
:class:`sklearn.mixture.GaussianMixture` with pluggable initialization and
learning curves, built on a chunked EM core.
"""

from . import initialization
from ._gaussian_mixture import GaussianMixture
from ._impute import GaussianMixtureImputer

__version__ = "0.1.0"

__all__ = [
    "GaussianMixture",
    "GaussianMixtureImputer",
    "initialization",
    "__version__",
]
