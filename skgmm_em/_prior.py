"""The conjugate prior as a parameter of the estimator: :class:`ConjugatePrior`,
and the numbers it stands for in one fit (:func:`prior_settings`).

The posterior mode it gives, model by model, is in
:mod:`skgmm_em._covariance._prior`; the data's moments its defaults come
from, in :mod:`skgmm_em._moments`.
"""

from numbers import Real

import numpy as np
from sklearn.base import BaseEstimator

from ._covariance import MODELS, PriorSettings, default_scale, scale_is_matrix

#: mclust's default shrinkage (``priorControl()``).
DEFAULT_SHRINKAGE = 0.01


class ConjugatePrior(BaseEstimator):
    """The conjugate prior of Fraley and Raftery (2007), as R's mclust has it.

    A normal prior on each component's mean given its covariance,
    ``mu_k ~ N(mean, Sigma_k / shrinkage)``, and an inverse-Wishart (for
    the spherical and diagonal models, inverse-gamma) prior on the
    covariances with ``dof`` degrees of freedom and scale ``scale``. EM then
    finds the posterior mode (MAP) of the means and covariances instead of
    the maximum likelihood: the prior keeps covariances away from singular,
    so that fits that fail with an ill-defined covariance go through. Pass
    it as ``GaussianMixture(prior=ConjugatePrior(...))``;
    ``prior='conjugate'`` is ``ConjugatePrior()``, mclust's default prior
    (``priorControl()``). See ``docs/prior.md``.

    Parameters
    ----------
    shrinkage : float, default=0.01
        The weight of the prior mean, in samples (``kappa``): 0 leaves the
        means unshrunk. mclust's default.

    mean : array-like of shape (n_features,), default=None
        The prior mean. None: the (weighted) mean of the data, as mclust's
        ``defaultPrior``.

    dof : float, default=None
        The degrees of freedom of the prior on the covariances (``nu``),
        non-negative. None: ``n_features + 2``, as mclust's.

    scale : float or array-like of shape (n_features, n_features), default=None
        The scale of the prior on the covariances: a positive number, or a
        symmetric positive definite matrix. The spherical and diagonal
        models take a number (of a matrix, its mean diagonal value), the
        others a matrix (a number ``s`` stands for ``s * I``). None, as
        mclust's ``defaultPrior``: the covariance matrix of the data
        divided by ``n_components ** (2 / n_features)``, or for the
        spherical and diagonal models the mean variance of the features so
        divided.

    See Also
    --------
    skgmm_em.GaussianMixture : Its ``prior`` parameter, and ``prior_`` the
        settings of a fit.

    References
    ----------
    .. [1] C. Fraley and A. E. Raftery, "Bayesian regularization for normal
       mixture estimation and model-based clustering", Journal of
       Classification, 24, 155-181, 2007.

    Examples
    --------
    >>> from skgmm_em import ConjugatePrior, GaussianMixture
    >>> from skgmm_em.datasets import load_faithful
    >>> X, _ = load_faithful()
    >>> gm = GaussianMixture(2, prior=ConjugatePrior(), random_state=0).fit(X)
    >>> gm.prior_.dof  # n_features + 2
    4.0
    >>> print(round(gm.prior_.scale[1, 1], 2))  # var(waiting) / 2
    92.41
    """

    def __init__(self, shrinkage=DEFAULT_SHRINKAGE, mean=None, dof=None, scale=None):
        self.shrinkage = shrinkage
        self.mean = mean
        self.dof = dof
        self.scale = scale


def _real(value, name, *, positive=False):
    ok = isinstance(value, Real) and not isinstance(value, bool)
    ok = ok and np.isfinite(value) and (value > 0 if positive else value >= 0)
    if not ok:
        what = "a positive" if positive else "a non-negative"
        raise ValueError(
            f"ConjugatePrior: {name} must be {what} finite number, got {value!r}."
        )
    return float(value)


def _mean(mean, n_features):
    mean = np.array(mean, dtype=np.float64, copy=True)
    if mean.shape != (n_features,) or not np.all(np.isfinite(mean)):
        raise ValueError(
            f"ConjugatePrior: mean must be {n_features} finite numbers, one per "
            f"feature, got an array of shape {mean.shape}."
        )
    return mean


def _scale(scale, name, n_features):
    """A user's scale as the model takes it: a number or a (D, D) matrix."""
    scale = np.array(scale, dtype=np.float64, copy=True)
    if scale.ndim == 0:
        value = _real(float(scale), "scale", positive=True)
        return value * np.eye(n_features) if scale_is_matrix(name) else value
    symmetric = scale.shape == (n_features, n_features) and np.allclose(
        scale, scale.T, rtol=1e-10, atol=0.0
    )
    if (
        not (symmetric and np.all(np.isfinite(scale)))
        or np.linalg.eigvalsh(scale)[0] <= 0.0
    ):
        raise ValueError(
            "ConjugatePrior: scale must be a positive number or a symmetric "
            f"positive definite matrix of shape ({n_features}, {n_features}), "
            f"got an array of shape {scale.shape}."
        )
    scale = 0.5 * (scale + scale.T)
    return scale if scale_is_matrix(name) else float(np.trace(scale)) / n_features


def _positive_definite(covariance):
    """The data's covariance, or its diagonal where it is not positive
    definite to rounding (collinear features, or pairwise covariances of
    data with missing values)."""
    scale = np.sqrt(np.abs(np.diagonal(covariance)))
    if np.all(scale > 0.0):
        correlation = covariance / np.outer(scale, scale)
        if np.linalg.eigvalsh(correlation)[0] > 1e-12 * len(scale):
            return covariance
        return np.diag(np.diagonal(covariance))
    raise ValueError(
        "The prior's default scale is the covariance of the data, and some "
        "feature of X is constant: give ConjugatePrior a scale, or drop the "
        "constant features."
    )


def prior_settings(prior, source, covariance_type, n_components):
    """The :class:`~skgmm_em._covariance.PriorSettings` of ``prior`` (None,
    ``'conjugate'`` or a :class:`ConjugatePrior`) for a fit of
    ``n_components`` of ``covariance_type`` to the rows of ``source``
    (whose :meth:`moments` give the defaults); None for no prior."""
    if prior is None:
        return None
    if isinstance(prior, str):
        prior = ConjugatePrior()
    name = MODELS[covariance_type].mclust_name
    n_features = source.n_features
    shrinkage = _real(prior.shrinkage, "shrinkage")
    dof = n_features + 2.0 if prior.dof is None else _real(prior.dof, "dof")
    moments = None
    if prior.mean is None or prior.scale is None:
        moments = source.moments()
    mean = moments[0] if prior.mean is None else _mean(prior.mean, n_features)
    if prior.scale is None:
        covariance = _positive_definite(moments[1])
        scale = default_scale(name, covariance, n_components)
    else:
        scale = _scale(prior.scale, name, n_features)
    return PriorSettings(shrinkage, mean, dof, scale)


def public_prior(settings):
    """The :class:`ConjugatePrior` of a fit's settings (``prior_``), or None."""
    if settings is None:
        return None
    scale = settings.scale
    scale = np.array(scale) if isinstance(scale, np.ndarray) else float(scale)
    return ConjugatePrior(
        shrinkage=settings.shrinkage,
        mean=np.array(settings.mean),
        dof=settings.dof,
        scale=scale,
    )
