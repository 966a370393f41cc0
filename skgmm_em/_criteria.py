"""The information criteria, as formulas of a fitted mixture's numbers.

The estimator's ``bic``/``aic`` and :mod:`skgmm_em.model_selection` both
compute them here; they differ only in how they total the log-likelihood
(the estimator from ``score``, as scikit-learn does; the criteria functions
in float64).
"""

import math


def bic(log_likelihood, n_parameters, n_samples):
    """``-2 log L + p log(n)`` (lower is better)."""
    return -2.0 * log_likelihood + n_parameters * math.log(n_samples)


def aic(log_likelihood, n_parameters):
    """``-2 log L + 2 p`` (lower is better)."""
    return -2.0 * log_likelihood + 2.0 * n_parameters
