"""scikit-learn's estimator checks over every public estimator."""

import pytest
from sklearn.utils.estimator_checks import (
    check_param_validation,
    parametrize_with_checks,
)

from skgmm_em import GaussianMixture, GaussianMixtureImputer
from skgmm_em.initialization import INITIALIZERS

# check_clustering expects a clusterer to find the three blobs it draws, so
# every configuration has three components.
CONFIGURATIONS = (
    [
        GaussianMixture(3, covariance_type=covariance_type)
        for covariance_type in ("full", "tied", "diag", "spherical")
    ]
    + [
        GaussianMixture(3, init_params=name, param_tol=1e-8)
        for name in INITIALIZERS
        if name != "kmeans"
    ]
    + [
        GaussianMixtureImputer(),
        GaussianMixtureImputer(3, covariance_type="diag"),
    ]
)


@parametrize_with_checks(CONFIGURATIONS)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)


@pytest.mark.parametrize(
    "estimator",
    [GaussianMixture(), GaussianMixtureImputer()],
    ids=["GaussianMixture", "GaussianMixtureImputer"],
)
def test_param_validation(estimator):
    check_param_validation(type(estimator).__name__, estimator)
