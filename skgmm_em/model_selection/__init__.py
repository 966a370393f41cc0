"""Model selection for Gaussian mixtures: criteria, scorers and a selector.

How many components, and which covariance shape? This module answers it in
three ways, from the lightest to the most complete:

* the **criteria** :func:`bic`, :func:`aic` and :func:`icl` of a fitted
  mixture on data, and :func:`n_parameters`, the number of free parameters
  they charge for (all lower is better, scikit-learn's sign);
* the **scorers** :func:`bic_scorer`, :func:`aic_scorer` and
  :func:`icl_scorer`, the negated criteria (greater is better) for
  ``GridSearchCV(scoring=...)``;
* :class:`GaussianMixtureSelector`, a clusterer that fits every combination
  of numbers of components and covariance types with robust restarts and
  keeps the one with the best criterion, as R's ``mclust`` does; with
  ``covariance_type=MCLUST_MODELS`` (mclust's fourteen models, in mclust's
  order) it searches mclust's whole family, as ``Mclust(X)``.

The criteria accept a fitted :class:`skgmm_em.GaussianMixture`, a fitted
:class:`sklearn.mixture.GaussianMixture`, a fitted
:class:`~sklearn.pipeline.Pipeline` whose last step is one of those (the
criterion is then that of the mixture on the transformed data), or a fitted
:class:`GaussianMixtureSelector` (the criterion of its best model).
"""

from .._covariance import COVARIANCE_TYPES, MCLUST_MODEL_NAMES, MCLUST_MODELS
from ._criteria import (
    aic,
    aic_scorer,
    bic,
    bic_scorer,
    icl,
    icl_scorer,
    n_parameters,
)
from ._selector import GaussianMixtureSelector
from ._summary import BestModels

# The classes' public home, as before this module became a package: pickles
# and the API reference name it skgmm_em.model_selection.GaussianMixtureSelector.
GaussianMixtureSelector.__module__ = __name__
BestModels.__module__ = __name__

__all__ = [
    "BestModels",
    "COVARIANCE_TYPES",
    "GaussianMixtureSelector",
    "MCLUST_MODELS",
    "MCLUST_MODEL_NAMES",
    "aic",
    "aic_scorer",
    "bic",
    "bic_scorer",
    "icl",
    "icl_scorer",
    "n_parameters",
]
