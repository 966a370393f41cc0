"""Everything skgmm_em takes from scikit-learn's private API, in one place.

scikit-learn's parameter constraints (``_parameter_constraints`` checked by
``BaseEstimator._validate_params``) have no public equivalent; the
estimators here use them so that a bad parameter gives scikit-learn's own
``InvalidParameterError``. Should scikit-learn move them, only this module
changes.
"""

from sklearn.utils._param_validation import HasMethods, Interval, StrOptions

__all__ = ["HasMethods", "Interval", "StrOptions", "validate_params"]


def validate_params(estimator):
    """Check ``estimator``'s parameters against its
    ``_parameter_constraints``; raises ``InvalidParameterError``."""
    estimator._validate_params()
