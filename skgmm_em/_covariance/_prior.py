"""The conjugate prior of Fraley & Raftery (2007) on every covariance model:
its M-step (the posterior mode) and its log-density.

Given the prior's settings (:class:`PriorSettings`: a shrinkage ``kappa``, a
mean ``mu_P``, degrees of freedom ``nu`` and a scale ``S``, a number for the
spherical and diagonal models and a matrix for the others), EM maximizes the
log-likelihood plus the log prior density

    log p = -1/2 sum_k [ c_k log det Sigma_k + s tr(Sigma_k^-1 S)
                         + kappa (mu_k - mu_P)^T Sigma_k^-1 (mu_k - mu_P) ]

(up to a constant; a number ``S`` stands for ``S I``), with the model's
``c_k`` and ``s`` (:data:`RULES`). Its M-step's means are
``(n_k ybar_k + kappa mu_P) / (n_k + kappa)``, and its covariances those
that minimize ``sum_k m_k log det Sigma_k + tr(Sigma_k^-1 T_k)`` over the
model, for the masses and scatter matrices augmented by the prior,

    m_k = n_k + c_k,
    T_k = W_k + kappa n_k / (n_k + kappa) (ybar_k - mu_P)(ybar_k - mu_P)^T + s S,

``W_k`` the scatter of component ``k`` about its mean ``ybar_k``: the
model's own M-step (:func:`~skgmm_em._covariance._constrained.constrained_covariances`)
on augmented statistics, in closed form where the model has one.

For the ten models R's mclust fits with a prior (EII, VII, EEI, VEI, EVI,
VVI, EEE, EEV, VEV, VVV), ``c_k`` and ``s`` are those of the M-step of
mclust's EM (``me``, which ``Mclust`` and ``mclustBIC`` run), measured from
its results; mclust's ``mstep`` function differs from it for EII, EEI, EVI
and EEV. mclust's EEI keeps the maximum likelihood means while its
variances take the means' term: that M-step is no posterior mode, and it is
followed as it is. With one component, mclust fits the one-component model
(spherical, diagonal or ellipsoidal), with VII's, VVI's or VVV's rule. The
four models mclust has no prior for (VEE, EVE, VVE, EVV) take VVV's:
independent normal-inverse-Wishart priors on the components.

The statistics are those of the model's ``accumulate`` in coordinates
shifted by ``shift`` (the point the EM core subtracts from the data); the
prior's mean is in data coordinates.
"""

from dataclasses import dataclass

import numpy as np

from ._constrained import DEFAULT_INNER, constrained_covariances


@dataclass(frozen=True)
class Rule:
    """How a model's M-step takes the prior.

    Attributes
    ----------
    mass : callable ``(nu, d, k) -> c``
        What the prior adds to every component's mass ``n_k``.
    share : callable ``(d, k) -> s``
        The part of the scale matrix added to each component's scatter.
    shrinks : bool
        Whether the means are the posterior ones (False: the maximum
        likelihood means, as mclust's EEI).
    """

    mass: object
    share: object
    shrinks: bool = True


def _each(nu, d, k):
    return nu + d + 2.0


_ELLIPSOIDAL = Rule(_each, lambda d, k: 1.0)

#: The rule of every model, by its mclust name. In mclust's terms, the
#: denominators of its M-steps: EII ``nu + (n + G) d + 2``, VII ``nu + (n_k
#: + 1) d + 2``, EEI and EVI ``n + nu + 2``, VEI ``d n_k + nu + 3``, VVI
#: ``n_k + nu + 3``, EEE ``n + G + nu + d + 1``, EEV ``n + nu + d + 2``, VEV
#: ``n_k`` (mclust leaves out ``nu``), VVV ``n_k + nu + d + 2``; the scale
#: once in the pooled scatter of EEI and EEE, in the trace of VII's, not at
#: all in EII's.
RULES = {
    "EII": Rule(lambda nu, d, k: 1.0 + (nu + 2.0) / (d * k), lambda d, k: 0.0),
    "VII": Rule(lambda nu, d, k: 1.0 + (nu + 2.0) / d, lambda d, k: 1.0 / d),
    "EEI": Rule(lambda nu, d, k: (nu + 2.0) / k, lambda d, k: 1.0 / k, shrinks=False),
    "VEI": Rule(lambda nu, d, k: (nu + 3.0) / d, lambda d, k: 1.0),
    "EVI": Rule(lambda nu, d, k: (nu + 2.0) / k, lambda d, k: 1.0),
    "VVI": Rule(lambda nu, d, k: nu + 3.0, lambda d, k: 1.0),
    "EEE": Rule(lambda nu, d, k: 1.0 + (nu + d + 1.0) / k, lambda d, k: 1.0 / k),
    "EEV": Rule(lambda nu, d, k: (nu + d + 2.0) / k, lambda d, k: 1.0),
    "VEV": Rule(lambda nu, d, k: 0.0, lambda d, k: 1.0),
    "VVV": _ELLIPSOIDAL,
    "VEE": _ELLIPSOIDAL,
    "EVE": _ELLIPSOIDAL,
    "VVE": _ELLIPSOIDAL,
    "EVV": _ELLIPSOIDAL,
}

#: The models mclust fits with its prior.
MCLUST_PRIOR_MODELS = (
    "EII", "VII", "EEI", "VEI", "EVI", "VVI", "EEE", "EEV", "VEV", "VVV",
)  # fmt: skip


def scale_is_matrix(name):
    """Whether model ``name``'s prior scale is a matrix (else a number): a
    number for the spherical and diagonal models, as mclust's."""
    return name[2] != "I"


def default_scale(name, covariance, n_components):
    """mclust's default scale: the data's covariance (D, D) over ``G^(2/d)``,
    or its mean variance over ``G^(2/d)`` for the spherical and diagonal
    models."""
    d = covariance.shape[0]
    factor = float(n_components) ** (2.0 / d)
    if scale_is_matrix(name):
        return covariance / factor
    return float(np.trace(covariance)) / d / factor


def rule(name, n_components):
    """The :class:`Rule` of model ``name`` with ``n_components`` components
    (one component: the one-component model's, as mclust)."""
    if n_components == 1:
        name = "VII" if name[1] == "I" else "VVI" if name[2] == "I" else "VVV"
    return RULES[name]


@dataclass(frozen=True, eq=False)
class PriorSettings:
    """The four settings of the conjugate prior, as numbers.

    Attributes
    ----------
    shrinkage : float
        ``kappa``, the weight of the prior mean (in samples).
    mean : ndarray of shape (D,)
        The prior mean, in data coordinates.
    dof : float
        The degrees of freedom ``nu``.
    scale : float or ndarray of shape (D, D)
        The scale: a number for the spherical and diagonal models, a
        symmetric positive definite matrix for the others.
    """

    shrinkage: float
    mean: np.ndarray
    dof: float
    scale: object

    def scale_matrix(self, d):
        """The scale as a (D, D) matrix."""
        scale = np.asarray(self.scale, dtype=np.float64)
        return scale * np.eye(d) if scale.ndim == 0 else scale

    def m_step(
        self, model, nk, nk_eps, sx, sxx, means, reg_covar, previous=None, shift=None
    ):
        """The posterior mode ``(means, covariances)`` from the statistics of
        :meth:`CovarianceModel.m_step` (same arguments and results), with
        ``reg_covar`` added as the maximum likelihood M-step adds it:
        ``m_k * reg_covar`` on the diagonal of each augmented scatter."""
        k, d = sx.shape
        how = rule(model.mclust_name, k)
        layout = _LAYOUTS.get(model.mclust_name, _FULL_LAYOUT)
        prior_mean = self.mean if shift is None else self.mean - shift
        kappa = self.shrinkage
        ybar, scatter = layout.scatter(nk, nk_eps, sx, sxx, means)
        posterior = (nk_eps[:, None] * ybar + kappa * prior_mean) / (nk_eps + kappa)[
            :, None
        ]
        weight = kappa * nk / (nk_eps + kappa)
        scatter = scatter + layout.outer(weight, ybar - prior_mean)
        mass = nk_eps + how.mass(self.dof, d, k)
        share = np.full(k, how.share(d, k))
        scatter = scatter + layout.scale(self.scale_matrix(d), share)
        scatter = scatter + layout.scale(reg_covar * np.eye(d), mass)
        covariances = layout.covariances(model, mass, scatter, previous, d)
        return (posterior if how.shrinks else ybar), covariances

    def log_density(self, model, means, covariances):
        """The log prior density of ``means`` (K, D) and ``covariances`` (of
        the model's shape), up to a constant."""
        k, d = means.shape
        how = rule(model.mclust_name, k)
        full = model.to_full(np.asarray(covariances, dtype=np.float64), k, d)
        inverse = np.linalg.inv(full)
        log_det = np.linalg.slogdet(full)[1]
        scale = how.share(d, k) * self.scale_matrix(d)
        value = how.mass(self.dof, d, k) * log_det.sum()
        value += np.einsum("kij,ji->", inverse, scale)
        dev = np.asarray(means, dtype=np.float64) - self.mean
        value += self.shrinkage * np.einsum("ki,kij,kj->", dev, inverse, dev)
        return -0.5 * float(value)


class _Layout:
    """The statistics of one kind of model, as scatter matrices.

    ``scatter(nk, nk_eps, sx, sxx, means)`` gives the means ``ybar`` (K, D)
    and the scatter about them in the shape of the model's statistics;
    ``outer(a, v)`` the terms ``a_k v_k v_k^T`` for (K,) and (K, D) arrays
    in that shape; ``scale(M, a)`` the terms ``a_k M`` for a (D, D) matrix;
    ``covariances(model, mass, scatter, previous, d)`` the model's M-step
    on augmented masses (K,) and scatters.
    """

    def __init__(self, scatter, outer, scale, covariances):
        self.scatter = scatter
        self.outer = outer
        self.scale = scale
        self.covariances = covariances


def _about_means(nk, nk_eps, sx, sxx, means):
    """``ybar`` and the scatter (K, D, D) from moments about each mean."""
    delta = sx / nk_eps[:, None]
    return means + delta, sxx - _outer_full(2.0 * nk_eps - nk, delta)


def _outer_full(a, v):
    return a[:, None, None] * v[:, :, None] * v[:, None, :]


def _outer_tied(a, v):
    return (v.T * a) @ v


def _outer_diag(a, v):
    return a[:, None] * v**2


def _outer_spherical(a, v):
    return a * np.sum(v**2, axis=1)


def _about_shift(outer, clip):
    """``scatter`` from moments about the common shift (tied, diag,
    spherical statistics); ``clip`` rounds negative variances up to zero,
    as the maximum likelihood M-step does."""

    def scatter(nk, nk_eps, sx, sxx, means):
        ybar = sx / nk_eps[:, None]
        about = sxx - outer(2.0 * nk_eps - nk, ybar)
        return ybar, np.maximum(about, 0.0) if clip else about

    return scatter


def _constrained(model, mass, scatter, previous, d):
    settings = DEFAULT_INNER if model.inner is None else model.inner
    return constrained_covariances(model.mclust_name, mass, scatter, previous, settings)


_FULL_LAYOUT = _Layout(
    scatter=_about_means,
    outer=_outer_full,
    scale=lambda matrix, a: a[:, None, None] * matrix,
    covariances=_constrained,
)

# scikit-learn's tied, diag and spherical models keep their own statistics;
# every other model has the full ones.
_LAYOUTS = {
    "EEE": _Layout(
        scatter=_about_shift(_outer_tied, clip=False),
        outer=_outer_tied,
        scale=lambda matrix, a: np.sum(a) * matrix,
        covariances=lambda model, mass, scatter, previous, d: scatter / mass.sum(),
    ),
    "VVI": _Layout(
        scatter=_about_shift(_outer_diag, clip=True),
        outer=_outer_diag,
        scale=lambda matrix, a: a[:, None] * np.diagonal(matrix),
        covariances=lambda model, mass, scatter, previous, d: scatter / mass[:, None],
    ),
    "VII": _Layout(
        scatter=_about_shift(_outer_spherical, clip=True),
        outer=_outer_spherical,
        scale=lambda matrix, a: a * np.trace(matrix),
        covariances=lambda model, mass, scatter, previous, d: scatter / (d * mass),
    ),
}
