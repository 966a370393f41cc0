"""The EM core of mixtures of multivariate t distributions (ECM).

Component ``k`` has location ``mu_k``, scale matrix ``Sigma_k`` (stored as
the covariance model stores a covariance) and ``nu_k`` degrees of freedom.
With ``delta_ik^2`` the squared Mahalanobis distance of ``x_i`` to
``mu_k`` under ``Sigma_k`` and ``U_k`` the precision factor, its log
density is

    log Gamma((nu + D) / 2) - log Gamma(nu / 2) - D / 2 log(nu pi)
        + log det U_k - (nu + D) / 2 log(1 + delta^2 / nu).

The t is a Gaussian scale mixture: ``x | tau ~ N(mu_k, Sigma_k / tau)``
with ``tau ~ Gamma(nu / 2, nu / 2)``. The E-step (Peel & McLachlan 2000)
gives the responsibilities ``r_ik`` and, given ``x_i`` and component ``k``,
``u_ik = E[tau] = (nu_k + D) / (nu_k + delta_ik^2)`` and ``E[log tau -
tau] = log u_ik - u_ik + psi((nu_k + D) / 2) - log((nu_k + D) / 2)``. The
M-step weighs the rows of the Gaussian statistics by ``r_ik u_ik`` while
the masses stay ``n_k = sum_i r_ik``
(:meth:`~skgmm_em._covariance.CovarianceModel.m_step_masses`), and solves
one equation in ``nu_k`` per component. Each step maximizes its part of
the expected complete-data log-likelihood, so the likelihood never
decreases.

The E-step runs the chunks of the Gaussian core (:mod:`skgmm_em._em`): the
covariance model's kernels give the Gaussian log densities, from which the
squared distances follow exactly (``log N = log det U - D/2 log 2 pi -
delta^2 / 2``). Rows with missing values are scored by the marginal t of
their observed coordinates (a t with the same ``nu`` and ``D_o`` dimensions)
and contribute their expected statistics: given ``x_o`` and ``tau``, the
missing values are Gaussian with the covariance ``C / tau`` of the
Gaussian case (:mod:`skgmm_em._missing`), so ``E[tau x x^T]`` is ``u x_hat
x_hat^T + C``.

:class:`StudentCore` has the functions of the Gaussian core that the data
sources and the driver call (see :mod:`skgmm_em._source`).
"""

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from scipy.optimize import brentq
from scipy.special import digamma, gammaln

from . import _em, _missing
from ._covariance import FULL, LOG_2PI, resolve, scratch

#: The interval estimated degrees of freedom are kept in. At 1 the t is a
#: Cauchy distribution: below, its location is no longer a mean; at 200 it
#: is a Gaussian to within a fraction of a percent.
DOF_BOUNDS = (1.0, 200.0)

#: Where estimated degrees of freedom start.
DOF_START = 10.0


class StudentParams(NamedTuple):
    """Parameters of a t mixture, in float64: those of a Gaussian mixture
    (:class:`skgmm_em._em.MixtureParams`, the covariances being the scale
    matrices) and the degrees of freedom ``dofs`` (n_components,)."""

    weights: np.ndarray
    means: np.ndarray
    covariances: np.ndarray
    precisions_cholesky: np.ndarray
    dofs: np.ndarray


class StudentStats(NamedTuple):
    """Sums over samples of what the t M-step needs, in float64.

    Attributes
    ----------
    nk : ndarray of shape (n_components,)
        Sum of ``r_ik u_ik`` (responsibilities times sample weights and
        scale weights): the weights of the statistics ``sx``, ``sxx``.
    sx, sxx : ndarray
        The covariance model's statistics with those weights.
    log_likelihood : float
        Sum over samples of (weighted) ``log p(x_i)`` under the parameters
        the E-step used.
    weight_sum : float
        Sum of sample weights.
    masses : ndarray of shape (n_components,)
        Sum of ``r_ik``: the components' masses.
    scale_terms : ndarray of shape (n_components,)
        Sum of ``r_ik E[log tau - tau]``, for the degrees of freedom.
    """

    nk: np.ndarray
    sx: np.ndarray
    sxx: np.ndarray
    log_likelihood: float
    weight_sum: float
    masses: np.ndarray
    scale_terms: np.ndarray

    def __add__(self, other):
        return StudentStats(*(a + b for a, b in zip(self, other, strict=True)))


def params_of(model):
    """The fitted parameters of a t mixture as float64 StudentParams."""
    dofs = np.asarray(model.dofs_, dtype=np.float64)
    return StudentParams(*_em.params_of(model)[:4], dofs)


# --------------------------------------------------------------------------
# densities


def log_norms(kernel, prec_chol, n_components, n_features):
    """Each component's Gaussian log density at its own mean (K,): ``log det
    U_k - D/2 log 2 pi``. The factors of every model are triangular (or
    diagonal, or a scalar per component), and ``to_full`` gives them as
    (K, D, D) triangular matrices, whose determinants are their diagonals'
    products."""
    factors = kernel.to_full(np.asarray(prec_chol), n_components, n_features)
    log_det = np.log(np.diagonal(factors, axis1=1, axis2=2).astype(np.float64))
    return log_det.sum(axis=1) - 0.5 * n_features * LOG_2PI


def _t_constants(dofs, n_features):
    """``log Gamma((nu + D)/2) - log Gamma(nu/2) - D/2 log(nu/2)`` (K,): what
    the t log density adds to the Gaussian one at the mean."""
    half = 0.5 * dofs
    log_ratio = gammaln(half + 0.5 * n_features) - gammaln(half)
    return log_ratio - 0.5 * n_features * np.log(half)


def _scale_constants(dofs, n_features):
    """``psi((nu + D)/2) - log((nu + D)/2)`` (K,): ``E[log tau]`` less ``log
    u`` given a row of ``D`` observed coordinates."""
    half = 0.5 * (dofs + n_features)
    return digamma(half) - np.log(half)


def t_log_prob(log_prob, gaussian_log_norms, dofs, n_features):
    """Student t log densities (K, n) from the Gaussian ones of the same
    locations and scales, in place, and the scale weights ``u`` (K, n).

    ``log_prob`` (K, n) are Gaussian log densities in ``n_features``
    dimensions, ``gaussian_log_norms`` (K,) their values at the means (see
    :func:`log_norms`), ``dofs`` (K,) the degrees of freedom.
    """
    dtype = log_prob.dtype
    shape = log_prob.shape
    # delta^2 = 2 (log N(mu) - log N(x)), never negative.
    maha = scratch("t.maha", shape, dtype)
    np.subtract(gaussian_log_norms.astype(dtype)[:, None], log_prob, out=maha)
    maha *= 2.0
    np.maximum(maha, 0.0, out=maha)
    nu = dofs.astype(dtype)[:, None]
    u = scratch("t.u", shape, dtype)
    np.add(maha, nu, out=u)
    np.divide(nu + n_features, u, out=u)
    np.divide(maha, nu, out=maha)
    np.log1p(maha, out=maha)
    maha *= -0.5 * (nu + n_features)
    constants = gaussian_log_norms + _t_constants(dofs, n_features)
    np.add(maha, constants.astype(dtype)[:, None], out=log_prob)
    return log_prob, u


# --------------------------------------------------------------------------
# the E-step


def _weighted_log_prob(X, params, covariance_type, missing):
    """A function of row chunks giving ``(chunk, wlp, u, aux)`` for the
    complete rows (weighted t log densities (K, n)), their chunks, and the
    means relative to the shift of the chunks (in X's dtype)."""
    kernel = resolve(covariance_type)
    shift, means, prec_chol, log_weights = _em.chunk_operands(
        params, covariance_type, X.dtype
    )
    norms = log_norms(kernel, prec_chol, *means.shape)

    def weighted(rows):
        chunk = _em.transposed_chunk(X, rows, shift)
        log_prob, aux = kernel.log_prob(chunk, means, prec_chol)
        log_prob, u = t_log_prob(log_prob, norms, params.dofs, X.shape[1])
        log_prob += log_weights[:, None]
        return chunk, log_prob, u, aux

    return weighted, _em.row_chunks(X, means.shape[0], missing), means


def _incomplete_parts(X, params, covariance_type, missing):
    """Yield ``(part, wlp, u)`` for the chunks of rows with NaN: the
    :class:`~skgmm_em._missing.PatternChunk`, the weighted t log densities of
    the observed parts (K, n) and their scale weights (K, n)."""
    if missing is None:
        return
    n_components, n_features = params.means.shape
    shift = _em.reference_point(params)
    full = resolve(covariance_type).to_full(
        params.covariances, n_components, n_features
    )
    with np.errstate(divide="ignore"):
        log_weights = np.log(params.weights)
    for part in _missing.pattern_chunks(X, missing, params.means - shift, full, shift):
        log_prob, u = t_log_prob(
            part.log_prob, part.log_norms, params.dofs, part.n_observed
        )
        yield part, log_prob + log_weights[:, None], u


def e_step(X, params, covariance_type, sample_weight=None, missing=None, about=None):
    """One pass over X: the t statistics under ``params`` (StudentParams).

    The arguments are those of :func:`skgmm_em._em.e_step`; ``about`` (K,
    D) takes the statistics of complete data about these means (data
    coordinates), the responsibilities and scale weights being those under
    ``params``. Returns a :class:`StudentStats`.
    """
    if about is not None and missing is not None:
        raise ValueError("e_step: 'about' needs complete data.")
    total = _complete_stats(X, params, covariance_type, sample_weight, missing, about)
    if missing is None:
        return total
    part = _incomplete_stats(X, params, covariance_type, sample_weight, missing)
    return part if total is None else total + part


def _scale_terms(resp, u, scale_constants, masses):
    """``sum_i r_ik E[log tau - tau]`` (K,) of a chunk, in float64."""
    with np.errstate(divide="ignore"):
        log_u = np.log(u, out=scratch("t.log_u", u.shape, u.dtype))
    log_u -= u
    terms = np.einsum("kn,kn->k", resp, log_u, dtype=np.float64)
    return terms + masses * scale_constants


def _complete_stats(X, params, covariance_type, sample_weight, missing, about):
    """The statistics of the rows without NaN, or None when there are none."""
    weighted, slices, means = _weighted_log_prob(X, params, covariance_type, missing)
    kernel = resolve(covariance_type)
    n_features = X.shape[1]
    constants = _scale_constants(params.dofs, n_features)
    n_complete = X.shape[0] if missing is None else len(missing.complete)
    reuse = about is None and kernel.estep_reuses(n_complete, n_features)
    centres = None
    if about is not None:
        centres = (about - _em.reference_point(params)).astype(X.dtype)

    def one(rows):
        chunk, wlp, u, aux = weighted(rows)
        log_norm, resp = _em.log_norm_resp(wlp)
        log_likelihood, weight_sum = _em.weighted_likelihood(
            log_norm, resp, sample_weight, rows
        )
        masses = resp.sum(axis=1, dtype=np.float64)
        scale_terms = _scale_terms(resp, u, constants, masses)
        resp *= u
        nk, sx, sxx = kernel.statistics(chunk, resp, means, aux, centres, reuse)
        return StudentStats(
            nk, sx, sxx, log_likelihood, weight_sum, masses, scale_terms
        )

    if not n_complete:
        return None
    total = _em.sum_chunks(one, slices)
    if reuse:
        sx, sxx = kernel.estep_finish(
            total.sx, total.sxx, params.precisions_cholesky.astype(np.float64)
        )
        total = total._replace(sx=sx, sxx=sxx)
    return total


def _incomplete_stats(X, params, covariance_type, sample_weight, missing):
    """The expected statistics of the rows with NaN."""
    kernel = resolve(covariance_type)
    n_components, n_features = params.means.shape
    reference = params.means - _em.reference_point(params)
    nk, masses, scale_terms = (np.zeros(n_components) for _ in range(3))
    sx = np.zeros((n_components, n_features))
    sxx = np.zeros(kernel.stats_shape(n_components, n_features))
    log_likelihood = weight_sum = 0.0
    for part, wlp, u in _incomplete_parts(X, params, covariance_type, missing):
        log_norm, resp = _em.log_norm_resp(wlp)
        chunk_ll, chunk_weight = _em.weighted_likelihood(
            log_norm, resp, sample_weight, part.rows
        )
        log_likelihood += chunk_ll
        weight_sum += chunk_weight
        chunk_masses = resp.sum(axis=1)
        constants = _scale_constants(params.dofs, part.n_observed)
        scale_terms += _scale_terms(resp, u, constants, chunk_masses)
        masses += chunk_masses
        resp *= u
        nk += resp.sum(axis=1)
        for k in range(n_components):
            filled, cond = part.expected(k)
            # E[tau x x^T] adds the conditional covariance with the weight
            # r, not r u: add_expected weighs it by the sum of its weights.
            weight = resp[k].sum()
            cond *= chunk_masses[k] / weight if weight > 0 else 0.0
            kernel.add_expected(k, filled, resp[k], reference, cond, sx, sxx)
    return StudentStats(nk, sx, sxx, log_likelihood, weight_sum, masses, scale_terms)


# --------------------------------------------------------------------------
# inference


def _each_chunk(X, params, covariance_type, missing, func):
    """``func(rows, wlp)`` for every chunk of rows, with the weighted t log
    densities (K, n) of their (observed) values; complete chunks in
    parallel."""
    weighted, slices, _ = _weighted_log_prob(X, params, covariance_type, missing)
    _em.for_chunks(lambda rows: func(rows, weighted(rows)[1]), slices)
    for part, wlp, _ in _incomplete_parts(X, params, covariance_type, missing):
        func(part.rows, wlp)


def predict(X, params, covariance_type, missing=None):
    """Most probable component of each row; (n_samples,) int64."""
    labels = np.empty(X.shape[0], dtype=np.int64)

    def one(rows, wlp):
        labels[rows] = np.argmax(wlp, axis=0)

    _each_chunk(X, params, covariance_type, missing, one)
    return labels


def score_samples(X, params, covariance_type, missing=None):
    """``log p(x)`` of each row (of its observed part); (n_samples,)."""
    out = np.empty(X.shape[0], dtype=X.dtype)

    def one(rows, wlp):
        out[rows] = _em.log_norm_resp(wlp)[0]

    _each_chunk(X, params, covariance_type, missing, one)
    return out


def predict_proba(X, params, covariance_type, missing=None):
    """Responsibilities of each row; (n_samples, n_components) in X's dtype."""
    out = np.empty((X.shape[0], params.weights.shape[0]), dtype=X.dtype)

    def one(rows, wlp):
        out[rows] = _em.log_norm_resp(wlp)[1].T

    _each_chunk(X, params, covariance_type, missing, one)
    return out


# --------------------------------------------------------------------------
# the M-step


def _dof_equation(scale_term):
    """The derivative (up to a positive factor) of the expected
    complete-data log-likelihood in ``nu``: ``log(nu/2) - psi(nu/2) + 1 +
    scale_term``, ``scale_term`` the mean of ``E[log tau - tau]``; it
    decreases in ``nu``."""
    return lambda nu: np.log(0.5 * nu) - digamma(0.5 * nu) + 1.0 + scale_term


def update_dofs(masses, scale_terms, dofs, bounds=DOF_BOUNDS):
    """The degrees of freedom (K,) that maximize the expected complete-data
    log-likelihood within ``bounds``, one equation per component solved by
    Brent's method; a component without mass keeps its ``dofs``."""
    low, high = bounds
    new = np.array(dofs, dtype=np.float64, copy=True)
    for k, (mass, term) in enumerate(zip(masses, scale_terms, strict=True)):
        if not mass > 0:
            continue
        equation = _dof_equation(term / mass)
        if equation(high) >= 0:
            new[k] = high
        elif equation(low) <= 0:
            new[k] = low
        else:
            new[k] = brentq(equation, low, high, xtol=1e-10, rtol=1e-12)
    return new


@dataclass(frozen=True)
class StudentCore:
    """The EM core of t mixtures, with the rule for the degrees of freedom.

    It has the functions of :mod:`skgmm_em._em` that the data sources and
    the driver call, with the same arguments; parameters are
    :class:`StudentParams` and statistics :class:`StudentStats`.

    Attributes
    ----------
    fixed : bool
        Whether the degrees of freedom stay those of the start (else each
        M-step estimates them within ``bounds``).
    bounds : tuple of float
        The interval of the estimated degrees of freedom.
    """

    fixed: bool = False
    bounds: tuple = DOF_BOUNDS

    e_step = staticmethod(e_step)
    predict = staticmethod(predict)
    predict_proba = staticmethod(predict_proba)
    score_samples = staticmethod(score_samples)

    def _parameters(self, stats, params, covariance_type, reg_covar, dtype):
        """Weights, means, covariances and degrees of freedom of the M-step."""
        kernel = resolve(covariance_type)
        shift = _em.reference_point(params)
        extra = 10.0 * np.finfo(dtype).eps
        means, covariances = kernel.m_step_masses(
            stats.masses,
            stats.nk,
            stats.nk + extra,
            stats.sx,
            stats.sxx,
            params.means - shift,
            reg_covar,
            params.covariances,
        )
        masses = stats.masses + extra
        dofs = params.dofs
        if not self.fixed:
            dofs = update_dofs(stats.masses, stats.scale_terms, dofs, self.bounds)
        return masses / masses.sum(), means + shift, covariances, dofs

    def _finish(self, parameters, covariance_type, reg_covar, dtype):
        """StudentParams from weights, means, covariances and dofs."""
        weights, means, covariances, dofs = parameters
        prec_chol = resolve(covariance_type).precision_cholesky(covariances, reg_covar)
        _em.check_factor_range(prec_chol, covariance_type, dtype, reg_covar)
        return StudentParams(weights, means, covariances, prec_chol, dofs)

    def m_step(self, stats, params, covariance_type, reg_covar, dtype):
        """New parameters from the statistics of an E-step under ``params``
        (see :func:`skgmm_em._em.m_step`)."""
        parameters = self._parameters(stats, params, covariance_type, reg_covar, dtype)
        return self._finish(parameters, covariance_type, reg_covar, dtype)

    def recentred_m_step(
        self, X, stats, params, covariance_type, reg_covar, dtype, weights=None
    ):
        """The M-step from moments about the new means, which do not cancel:
        a second pass over the complete rows ``X`` (None: the plain M-step).
        See :func:`skgmm_em._em.recentred_m_step`."""
        if X is None:
            return self.m_step(stats, params, covariance_type, reg_covar, dtype)
        new_weights, means, _, dofs = self._parameters(
            stats, params, covariance_type, reg_covar, dtype
        )
        centred = e_step(X, params, covariance_type, weights, about=means)
        extra = 10.0 * np.finfo(dtype).eps
        nk_eps = centred.nk + extra
        # The first moments about the new means are zero up to rounding.
        means = means + centred.sx / nk_eps[:, None]
        kernel = resolve(covariance_type)
        # A shared covariance pools the components' own, taken about their
        # means (accumulate_about gives the full model's statistics).
        own = kernel.per_component
        _, covariances = (kernel if own else FULL).m_step_masses(
            centred.masses,
            centred.nk,
            nk_eps,
            centred.sx,
            centred.sxx,
            np.zeros_like(means),
            reg_covar if own else 0.0,
            params.covariances if own else None,
        )
        if not own:
            masses = centred.masses + extra
            covariances = _em.pooled_covariance(masses, covariances, reg_covar)
        parameters = (new_weights, means, covariances, dofs)
        return self._finish(parameters, covariance_type, reg_covar, dtype)

    def reseed(self, stats, params, covariance_type, reg_covar, dtype, collapsed):
        """The M-step with collapsed components re-seeded by splitting the
        heaviest healthy one (see :func:`skgmm_em._em.reseed`); each takes
        its donor's degrees of freedom."""
        weights, means, covariances, dofs = self._parameters(
            stats, params, covariance_type, reg_covar, dtype
        )
        kernel = resolve(covariance_type)
        split, donors = _em.split_components(
            kernel, weights, means, covariances, collapsed, reg_covar
        )
        dofs = np.array(dofs, copy=True)
        dofs[list(collapsed)] = dofs[donors]
        return StudentParams(*split[:4], dofs)
