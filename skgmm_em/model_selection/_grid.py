"""The grid of a selection: numbers of components, covariance types, starts.

Checks the selector's ``n_components``, ``covariance_type`` and
``init_params`` beyond their parameter constraints, and lays out the cycle
of initializers (standardized or not) its starts go through.
"""

from numbers import Integral

import numpy as np
from sklearn.utils.validation import validate_data

from .._covariance import ALL_COVARIANCE_TYPES, MODELS
from .._gaussian_mixture import GaussianMixture
from .._student_mixture import StudentMixture
from ..initialization import INITIALIZERS
from ._starts import StandardizedInit


def n_components_grid(n_components):
    """The sorted numbers of components of ``n_components`` (None: 1 to 9)."""
    if n_components is None:
        return np.arange(1, 10)
    values = np.atleast_1d(np.asarray(n_components))
    if (
        values.ndim != 1
        or values.size == 0
        or not all(isinstance(v, Integral) and v >= 1 for v in values.tolist())
    ):
        raise ValueError(
            "n_components must be a positive int or a non-empty list or range "
            f"of positive ints, got {n_components!r}."
        )
    return np.unique(values).astype(np.int64)


def covariance_types(covariance_type):
    """The covariance types of ``covariance_type``, without repeats.

    Names are scikit-learn's or mclust's, as the user wrote them. A name
    given twice counts once; two names of the same model (``'full'`` and
    ``'VVV'``) are refused, as their columns would be the same fits.
    """
    types = (covariance_type,) if isinstance(covariance_type, str) else covariance_type
    types = tuple(dict.fromkeys(types))
    unknown = [t for t in types if not (isinstance(t, str) and t in MODELS)]
    if not types or unknown:
        raise ValueError(
            "covariance_type must be one of, or a non-empty list of, "
            f"{list(ALL_COVARIANCE_TYPES)}; got {covariance_type!r}."
        )
    first = {}
    for name in types:
        other = first.setdefault(MODELS[name].mclust_name, name)
        if other != name:
            raise ValueError(
                f"covariance_type names one model twice: {other!r} and {name!r} "
                f"are both mclust's {MODELS[name].mclust_name}. Keep one of them "
                "(the tables use the names given)."
            )
    return types


def initializers(init_params, standardize):
    """The initializers the starts cycle through, standardized or not."""
    inits = init_params
    if isinstance(inits, str) or hasattr(inits, "initialize") or callable(inits):
        inits = [inits]
    inits = list(inits)
    for init in inits:
        ok = (isinstance(init, str) and init in INITIALIZERS) or (
            not isinstance(init, type | str)
            and (hasattr(init, "initialize") or callable(init))
        )
        if not ok:
            raise ValueError(
                "init_params must be an initializer name among "
                f"{sorted(INITIALIZERS)}, an initializer instance, a callable, "
                f"or a non-empty list of these; got {init!r}."
            )
    if not inits:
        raise ValueError("init_params must not be empty.")
    if standardize == "both":
        # Every initializer once on standardized and once on raw data,
        # alternating from one start to the next.
        n = len(inits)
        return [
            StandardizedInit(inits[r % n])
            if (r + (r // n if n % 2 == 0 else 0)) % 2 == 0
            else inits[r % n]
            for r in range(2 * n)
        ]
    if standardize:
        return [StandardizedInit(init) for init in inits]
    return inits


# The estimators of the cells, by the selector's ``component``.
COMPONENTS = {"gaussian": GaussianMixture, "t": StudentMixture}


def cell_estimator(component, noise_component, prior):
    """The estimator class of the cells, checked against the options that
    only GaussianMixture has."""
    if component != "gaussian" and (noise_component or prior is not None):
        raise ValueError(
            "noise_component=True and prior need component='gaussian': "
            "both are GaussianMixture's options (t components absorb "
            "outliers by their heavy tails)."
        )
    return COMPONENTS[component]


def validated_rows(selector, X, fit=True):
    """X checked as the selector's training data (``fit``) or as data for
    the fitted selector (NaN allowed)."""
    # check_array's finiteness test sums X, which warns for inf - inf.
    with np.errstate(invalid="ignore", over="ignore"):
        return validate_data(
            selector,
            X,
            dtype=[np.float64, np.float32],
            reset=fit,
            ensure_min_samples=2 if fit else 1,
            ensure_all_finite="allow-nan",
        )
