"""Checks of the user's arrays besides X: initial parameters and sample weights.

The messages are scikit-learn's where it has one (tests match them), with
advice on how to fix the input.
"""

import numpy as np
from sklearn.utils import check_array

from ._covariance import MODELS


def _check_shape(array, shape, name, advice):
    """scikit-learn's shape error for an initial parameter, plus advice."""
    if array.shape != shape:
        raise ValueError(
            f"The parameter '{name}' should have the shape of {shape}, but got "
            f"{array.shape}: {advice}"
        )


def check_weights_init(weights, n_components):
    """Validated float64 weights_init of shape (n_components,)."""
    weights = check_array(
        weights,
        dtype=[np.float64, np.float32],
        ensure_2d=False,
        input_name="weights_init",
    )
    _check_shape(
        weights,
        (n_components,),
        "weights",
        "weights_init needs one weight per component.",
    )
    if np.any(weights < 0.0) or np.any(weights > 1.0):
        # scikit-learn's message (min and max named as it names them).
        raise ValueError(
            "The parameter 'weights' should be in the range [0, 1], but got "
            f"max value {np.min(weights):.5f}, min value {np.max(weights):.5f}: "
            "weights_init holds the mixing proportions of the components."
        )
    atol = 1e-6 if weights.dtype == np.float32 else 1e-8
    if not np.allclose(float(np.abs(1.0 - np.sum(weights))), 0.0, atol=atol):
        raise ValueError(
            "The parameter 'weights' should be normalized, but got "
            f"sum(weights) = {np.sum(weights):.5f}: divide weights_init by "
            "its sum."
        )
    return weights.astype(np.float64)


def check_means_init(means, n_components, n_features):
    """Validated float64 means_init of shape (n_components, n_features)."""
    means = check_array(
        means, dtype=[np.float64, np.float32], ensure_2d=False, input_name="means_init"
    )
    _check_shape(
        means,
        (n_components, n_features),
        "means",
        "means_init needs one row of n_features values per component.",
    )
    return means.astype(np.float64)


def check_precisions_init(precisions, covariance_type, n_components, n_features):
    """Validated float64 precisions_init of the shape of ``covariance_type``."""
    model = MODELS[covariance_type]
    shape = model.shape(n_components, n_features)
    try:
        precisions = check_array(
            precisions,
            dtype=[np.float64, np.float32],
            ensure_2d=False,
            allow_nd=len(shape) > 2,
            input_name="precisions_init",
        )
    except ValueError as err:
        if "Found array with dim" not in str(err):
            raise
        raise ValueError(
            f"{err} precisions_init of a {covariance_type!r} mixture has the "
            f"shape {shape}."
        ) from None
    _check_shape(
        precisions,
        shape,
        f"{covariance_type} precision",
        f"precisions_init of a {covariance_type!r} mixture has the shape of "
        "its precisions_ (see the docstring).",
    )
    if model.elementwise:
        if np.any(precisions <= 0.0):
            raise ValueError(
                f"'{covariance_type} precision' should be positive: every "
                "value of precisions_init is an inverse variance."
            )
        return precisions.astype(np.float64)
    matrices = precisions.reshape(-1, n_features, n_features)
    for k, matrix in enumerate(matrices):
        if not (
            np.all(np.isclose(matrix, matrix.T)) and np.linalg.eigvalsh(matrix)[0] > 0
        ):
            where = f" (component {k})" if model.per_component else ""
            raise ValueError(
                f"'{covariance_type} precision' should be symmetric, "
                f"positive-definite{where}: pass inverse covariance matrices."
            )
    if model.constrained:
        _check_constraints(model, np.linalg.inv(matrices))
    return precisions.astype(np.float64)


# How far (relative) initial covariances may be from their model.
_CONSTRAINT_RTOL = 1e-6


def _check_constraints(model, covariances):
    violation = model.constraint_violation(covariances)
    if violation > _CONSTRAINT_RTOL:
        raise ValueError(
            f"precisions_init is not of the {model.name!r} model "
            f"({model.description}): the covariances it gives are "
            f"{violation:.1e} (relative) from the closest ones of the model. "
            "Pass the inverses of covariances lambda_k D_k A_k D_k^T that "
            "satisfy the model's constraints, or leave precisions_init unset."
        )


def check_initial_parameters(
    weights_init, means_init, precisions_init, covariance_type, n_components, n_features
):
    """Validated float64 copies of the user's initial parameters, as a tuple
    ``(weights, means, precisions)`` with None for those not given."""
    weights = means = precisions = None
    if weights_init is not None:
        weights = check_weights_init(weights_init, n_components)
    if means_init is not None:
        means = check_means_init(means_init, n_components, n_features)
    if precisions_init is not None:
        precisions = check_precisions_init(
            precisions_init, covariance_type, n_components, n_features
        )
    return weights, means, precisions


def weight_array(sample_weight, n_samples):
    """``sample_weight`` as a float64 array (a number stands for every sample)."""
    try:
        weights = np.asarray(sample_weight, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError("sample_weight must be an array of numbers.") from None
    if weights.ndim == 0:
        weights = np.full(n_samples, float(weights))
    return weights


def check_weight_shape(weights, n_samples):
    """Refuse weights that are not one per sample."""
    if weights.shape != (n_samples,):
        raise ValueError(
            f"sample_weight must have shape ({n_samples},), one weight per "
            f"sample, got shape {weights.shape}."
        )


def check_sample_weight(sample_weight, n_samples):
    """Validated float64 sample_weight rescaled to a mean of one over its
    positive entries, or None when there are none or all are equal."""
    if sample_weight is None:
        return None
    weights = weight_array(sample_weight, n_samples)
    check_weight_shape(weights, n_samples)
    if not np.all(np.isfinite(weights)):
        raise ValueError("sample_weight contains NaN or infinity.")
    if np.any(weights < 0):
        raise ValueError("sample_weight must be non-negative.")
    if not np.any(weights > 0):
        raise ValueError("sample_weight is zero for every sample.")
    # Only ratios of weights matter. In units of the mean positive weight,
    # the mass 10 * eps that the M-step adds to every component is as small
    # next to them as it is for an unweighted fit, whatever their scale.
    weights = weights / weights.max()
    if np.all(weights == 1.0):
        return None
    positive = weights > 0
    return weights * (np.count_nonzero(positive) / weights[positive].sum())
