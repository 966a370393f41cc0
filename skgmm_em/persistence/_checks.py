"""Checks of a model file's numbers: the fitted arrays and the parameters.

A document that passes predicts finite values on data at its own scale:
weights that sum to one, positive definite covariances that match their
Cholesky factors, and factors and means within the kernels' range.
"""

import numpy as np

from .. import _em
from .._compat import validate_params
from .._covariance import MODELS
from .._validation import check_initial_parameters
from ..exceptions import IllDefinedCovarianceError
from ._format import QUOTE_CHARS, invalid


def check_weights(weights, dtype, start):
    if np.any(weights < 0):
        raise invalid("fitted.weights", "must be non-negative.")
    total = float(np.sum(weights, dtype=np.float64))
    tolerance = 16 * weights.size * np.finfo(dtype).eps
    if start:
        # The start of a fit without iterations: n_k / n, as scikit-learn's,
        # sums to less than one when samples belong to no component.
        if not (0.0 < total <= 1.0 + tolerance):
            raise invalid("fitted.weights", f"must sum to at most 1, got {total!r}.")
    elif not abs(total - 1.0) <= tolerance:
        raise invalid("fitted.weights", f"must sum to 1, got {total!r}.")


def _as_matrices(array, covariance_type):
    """Full and tied arrays as a stack of (D, D) matrices."""
    return array if MODELS[covariance_type].per_component else array[None]


def _component(covariance_type, k):
    return f"[{k}]" if MODELS[covariance_type].per_component else ""


def check_covariances(covariances, prec_chol, covariance_type, dtype):
    """Positive definite covariances that match their Cholesky factors.

    float32 covariances are rounded from float64 ones, which can turn a
    nearly singular matrix indefinite by a few ulps; they are accepted when
    within that rounding of positive definite. float64 ones must pass a
    Cholesky factorization as they are, as in the estimator.
    """
    eps = float(np.finfo(dtype).eps)
    cov64 = covariances.astype(np.float64)
    chol64 = prec_chol.astype(np.float64)
    if MODELS[covariance_type].elementwise:
        if not np.all(cov64 > 0):
            raise invalid("fitted.covariances", "must be positive.")
        if not np.all(chol64 > 0):
            raise invalid("fitted.precisions_cholesky", "must be positive.")
        product = (cov64 * chol64) * chol64
        if not np.all(np.abs(product - 1.0) <= 64 * eps):
            raise invalid(
                "fitted.precisions_cholesky",
                "does not match fitted.covariances (covariance * factor**2 must be 1).",
            )
        return
    for k, (cov, chol) in enumerate(
        zip(
            _as_matrices(cov64, covariance_type),
            _as_matrices(chol64, covariance_type),
            strict=True,
        )
    ):
        _check_matrix(cov, chol, _component(covariance_type, k), dtype, eps)
    model = MODELS[covariance_type]
    if model.constrained:
        # float32 rounding moves matrices of the model off it by about eps.
        tolerance = 1e-6 if dtype == np.float64 else 1e-3
        violation = model.constraint_violation(cov64)
        if not violation <= tolerance:
            raise invalid(
                "fitted.covariances",
                f"are not of the {covariance_type!r} model ({model.description}): "
                f"{violation:.1e} (relative) from the closest covariances of it.",
            )


def _check_matrix(cov, chol, where, dtype, eps):
    """One (D, D) covariance and its upper-triangular precision factor."""
    n_features = cov.shape[0]
    slack = 0.0 if dtype == np.float64 else 8 * n_features * eps
    scale = np.sqrt(np.diag(cov))
    if not np.all(scale > 0):
        raise invalid(f"fitted.covariances{where}", "must have a positive diagonal.")
    correlation = cov / scale[:, None] / scale[None, :]
    asymmetry = np.abs(cov - cov.T) / scale[:, None] / scale[None, :]
    if not np.all(asymmetry <= 8 * n_features * eps):
        raise invalid(f"fitted.covariances{where}", "must be symmetric.")
    try:
        if not np.all(np.abs(correlation) <= 1.0 + slack + 8 * eps):
            raise np.linalg.LinAlgError
        symmetric = 0.5 * (cov + cov.T)
        np.linalg.cholesky(symmetric + slack * np.diag(np.diag(symmetric)))
    except np.linalg.LinAlgError:
        raise invalid(
            f"fitted.covariances{where}", "must be positive definite."
        ) from None
    # U.T @ cov @ U is the identity. Written with the factor scaled by the
    # standard deviations, the rounding errors of U and of the product grow
    # with the condition number of the correlation matrix, not the scales.
    scaled = chol * scale[:, None]
    below = np.max(np.abs(np.tril(scaled, -1)), initial=0.0)
    if not (
        below <= 64 * n_features * eps * np.max(np.abs(scaled))
        and np.all(np.diag(chol) > 0)
    ):
        raise invalid(
            f"fitted.precisions_cholesky{where}",
            "must be upper triangular with a positive diagonal.",
        )
    residual = np.max(np.abs(scaled.T @ correlation @ scaled - np.eye(n_features)))
    # The scaled factor's squared norm bounds the inverse's largest eigenvalue,
    # and the correlation's largest eigenvalue is at most n_features: their
    # product bounds the condition number that the rounding errors grow with.
    condition = n_features * np.sum(scaled**2)
    if not residual <= max(1e-6, 64 * n_features * eps * condition):
        raise invalid(
            f"fitted.precisions_cholesky{where}",
            "does not match fitted.covariances (U.T @ covariance @ U must be "
            f"the identity; it is off by {residual:.3g}).",
        )


def check_parameters_as_fit(model, n_features):
    """Refuse the constructor parameters that fit would refuse."""
    try:
        # The estimator's own checks, the ones fit runs first.
        validate_params(model)
        check_initial_parameters(
            model.weights_init,
            model.means_init,
            model.precisions_init,
            model.covariance_type,
            model.n_components,
            n_features,
        )
    except (TypeError, ValueError) as exc:
        message = str(exc)
        if len(message) > 4 * QUOTE_CHARS:
            message = message[: 4 * QUOTE_CHARS] + "..."
        raise invalid("params", f"are not valid for fitting: {message}") from None


def check_scale(means, prec_chol, weights, covariance_type, dtype, params):
    """Parameters within the range the kernels compute in, so that the
    model's log-densities of data at its own scale are finite."""
    reg_covar = params.get("reg_covar", 0.0)
    try:
        _em.check_factor_range(prec_chol, covariance_type, dtype, reg_covar)
    except IllDefinedCovarianceError:
        raise invalid(
            "fitted.precisions_cholesky", f"is too large for {np.dtype(dtype).name}."
        ) from None
    limit = np.sqrt(np.finfo(dtype).max) / 16
    if not np.all(np.abs(means) < limit):
        raise invalid("fitted.means", f"must be smaller than {limit:.3g} in size.")
    # The whitened distance of each mean to the mixture mean, the shift the
    # kernels apply, must square without overflow.
    centred = (means - weights @ means).astype(np.float64)
    factor = prec_chol.astype(np.float64)
    whitened = MODELS[covariance_type].whiten(centred, factor)
    if not np.all(np.sum(whitened**2, axis=1) < limit):
        raise invalid(
            "fitted.means",
            "are too far apart next to the covariances for "
            f"{np.dtype(dtype).name} arithmetic.",
        )
