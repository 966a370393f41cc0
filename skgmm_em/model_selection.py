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
  keeps the one with the best criterion, as R's ``mclust`` does.

The criteria accept a fitted :class:`skgmm_em.GaussianMixture`, a fitted
:class:`sklearn.mixture.GaussianMixture`, a fitted
:class:`~sklearn.pipeline.Pipeline` whose last step is one of those (the
criterion is then that of the mixture on the transformed data), or a fitted
:class:`GaussianMixtureSelector` (the criterion of its best model).
"""

import warnings
from numbers import Integral, Real
from typing import NamedTuple

import numpy as np
from scipy.special import xlogy
from sklearn.base import BaseEstimator, ClusterMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.pipeline import Pipeline
from sklearn.utils import check_random_state
from sklearn.utils.parallel import Parallel, delayed
from sklearn.utils.validation import check_is_fitted, validate_data

from . import _criteria, _progress, _threads
from ._compat import HasMethods, Interval, StrOptions, validate_params
from ._covariance import COVARIANCE_TYPES, MCLUST_MODEL_NAMES, MODELS
from ._gaussian_mixture import GaussianMixture
from .initialization import INITIALIZERS

__all__ = [
    "COVARIANCE_TYPES",
    "GaussianMixtureSelector",
    "MCLUST_MODEL_NAMES",
    "aic",
    "aic_scorer",
    "bic",
    "bic_scorer",
    "icl",
    "icl_scorer",
    "n_parameters",
]


# ----------------------------------------------------------------------------
# criteria


def _mixture(estimator):
    """The fitted Gaussian mixture behind a mixture, Pipeline or selector."""
    if isinstance(estimator, Pipeline):
        estimator = estimator[-1]
    if isinstance(estimator, GaussianMixtureSelector):
        check_is_fitted(estimator)
        estimator = estimator.best_estimator_
    if not (
        hasattr(estimator, "covariance_type")
        and hasattr(estimator, "score_samples")
        and hasattr(estimator, "predict_proba")
    ):
        raise TypeError(
            "The information criteria need a Gaussian mixture (skgmm_em."
            "GaussianMixture or sklearn.mixture.GaussianMixture), a Pipeline "
            "ending in one, or a GaussianMixtureSelector; got "
            f"{type(estimator).__name__}."
        )
    check_is_fitted(estimator)
    return estimator


def _total_log_likelihood(estimator, X):
    """Sum of log p(x) over the rows of X (float64), and the number of rows."""
    log_prob = estimator.score_samples(X)
    return float(np.sum(log_prob, dtype=np.float64)), len(log_prob)


def n_parameters(estimator):
    """Number of free parameters of a fitted Gaussian mixture.

    ``K - 1`` weights, ``K * D`` means and the covariance parameters of the
    covariance type, for ``K`` components in ``D`` dimensions:

    ===============  ===========================
    ``'full'``       ``K * D * (D + 1) / 2``
    ``'tied'``       ``D * (D + 1) / 2``
    ``'diag'``       ``K * D``
    ``'spherical'``  ``K``
    ===============  ===========================

    Parameters
    ----------
    estimator : fitted mixture, Pipeline or GaussianMixtureSelector
        See the module docstring for what is accepted.

    Returns
    -------
    n_parameters : int

    Examples
    --------
    >>> from skgmm_em import GaussianMixture
    >>> from skgmm_em.datasets import load_faithful
    >>> from skgmm_em.model_selection import n_parameters
    >>> X, _ = load_faithful()
    >>> gm = GaussianMixture(3, covariance_type="tied", random_state=0).fit(X)
    >>> n_parameters(gm)  # 2 weights, 6 means, 3 covariance entries
    11
    """
    mixture = _mixture(estimator)
    n_components, n_features = np.shape(mixture.means_)
    return MODELS[mixture.covariance_type].n_parameters(n_components, n_features)


def bic(estimator, X):
    """Bayesian information criterion of a fitted mixture on X (lower is better).

    ``BIC = -2 log L + p log(n)``, with ``log L`` the total log-likelihood
    of the ``n`` rows of X and ``p`` the number of free parameters
    (:func:`n_parameters`). This is scikit-learn's sign; R's mclust reports
    ``2 log L - p log(n)``, the same number negated (higher is better).

    Parameters
    ----------
    estimator : fitted mixture, Pipeline or GaussianMixtureSelector
        See the module docstring for what is accepted.
    X : array-like of shape (n_samples, n_features)
        The data, as given to ``estimator`` (a Pipeline transforms it).

    Returns
    -------
    bic : float

    See Also
    --------
    aic, icl, bic_scorer

    Examples
    --------
    >>> from skgmm_em import GaussianMixture
    >>> from skgmm_em.datasets import load_faithful
    >>> from skgmm_em.model_selection import bic
    >>> X, _ = load_faithful()
    >>> gm = GaussianMixture(2, random_state=0).fit(X)
    >>> round(bic(gm, X), 1)  # mclust's VVV with 2 components: -2322.192
    2322.2
    """
    mixture = _mixture(estimator)
    log_likelihood, n_samples = _total_log_likelihood(estimator, X)
    return _criteria.bic(log_likelihood, n_parameters(mixture), n_samples)


def aic(estimator, X):
    """Akaike information criterion of a fitted mixture on X (lower is better).

    ``AIC = -2 log L + 2 p``, with ``log L`` the total log-likelihood of X
    and ``p`` the number of free parameters (:func:`n_parameters`).

    Parameters
    ----------
    estimator : fitted mixture, Pipeline or GaussianMixtureSelector
        See the module docstring for what is accepted.
    X : array-like of shape (n_samples, n_features)
        The data, as given to ``estimator``.

    Returns
    -------
    aic : float

    See Also
    --------
    bic, icl, aic_scorer
    """
    mixture = _mixture(estimator)
    log_likelihood, _ = _total_log_likelihood(estimator, X)
    return _criteria.aic(log_likelihood, n_parameters(mixture))


def icl(estimator, X):
    """Integrated completed likelihood criterion on X (lower is better).

    ``ICL = BIC + 2 EN`` with ``EN = -sum_i sum_k r_ik log r_ik`` the
    entropy of the responsibilities ``r = predict_proba(X)``. ICL adds to
    BIC a penalty for overlapping components, so it prefers well separated
    clusters to the best density fit. (mclust's ``icl`` uses the hard
    classification instead of the entropy: ``-sum_i log max_k r_ik``.)

    Parameters
    ----------
    estimator : fitted mixture, Pipeline or GaussianMixtureSelector
        See the module docstring for what is accepted.
    X : array-like of shape (n_samples, n_features)
        The data, as given to ``estimator``.

    Returns
    -------
    icl : float

    See Also
    --------
    bic, icl_scorer

    References
    ----------
    .. [1] C. Biernacki, G. Celeux and G. Govaert, "Assessing a mixture
       model for clustering with the integrated completed likelihood",
       IEEE Transactions on Pattern Analysis and Machine Intelligence,
       22(7), 2000.
    """
    resp = np.asarray(estimator.predict_proba(X), dtype=np.float64)
    entropy = -float(np.sum(xlogy(resp, resp)))
    return bic(estimator, X) + 2.0 * entropy


def bic_scorer(estimator, X, y=None):
    """Negated BIC, a scorer for ``GridSearchCV(scoring=bic_scorer)``.

    Greater is better, as scikit-learn's model selection tools expect. In a
    cross-validation the criterion is computed on each held-out fold (a
    penalized held-out likelihood); for the in-sample BIC, give a single
    split whose train and test sets are all the data, for example
    ``cv=[(np.arange(n), np.arange(n))]``.

    Parameters
    ----------
    estimator : fitted mixture, Pipeline or GaussianMixtureSelector
        See the module docstring for what is accepted.
    X : array-like of shape (n_samples, n_features)
        The data to score.
    y : Ignored
        Not used, present for the scorer signature.

    Returns
    -------
    score : float
        ``-bic(estimator, X)``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.model_selection import GridSearchCV
    >>> from skgmm_em import GaussianMixture, bic_scorer
    >>> from skgmm_em.datasets import load_faithful
    >>> X, _ = load_faithful()
    >>> search = GridSearchCV(
    ...     GaussianMixture(covariance_type="tied", n_init=5, random_state=0),
    ...     {"n_components": [1, 2, 3]},
    ...     scoring=bic_scorer,
    ...     cv=[(np.arange(len(X)), np.arange(len(X)))],
    ... ).fit(X)
    >>> search.best_params_
    {'n_components': 2}
    """
    return -bic(estimator, X)


def aic_scorer(estimator, X, y=None):
    """Negated AIC, a scorer for ``GridSearchCV(scoring=aic_scorer)``.

    Parameters
    ----------
    estimator : fitted mixture, Pipeline or GaussianMixtureSelector
        See the module docstring for what is accepted.
    X : array-like of shape (n_samples, n_features)
        The data to score.
    y : Ignored
        Not used, present for the scorer signature.

    Returns
    -------
    score : float
        ``-aic(estimator, X)``.
    """
    return -aic(estimator, X)


def icl_scorer(estimator, X, y=None):
    """Negated ICL, a scorer for ``GridSearchCV(scoring=icl_scorer)``.

    Parameters
    ----------
    estimator : fitted mixture, Pipeline or GaussianMixtureSelector
        See the module docstring for what is accepted.
    X : array-like of shape (n_samples, n_features)
        The data to score.
    y : Ignored
        Not used, present for the scorer signature.

    Returns
    -------
    score : float
        ``-icl(estimator, X)``.
    """
    return -icl(estimator, X)


_CRITERIA = {"bic": bic, "aic": aic, "icl": icl}


# ----------------------------------------------------------------------------
# starts for the selector


class _StandardizedInit:
    """Run an initializer on standardized data and map its start back to X.

    k-means and the other distance-based initializers see every feature on
    the same scale; the mixture itself is still fit to the original X.
    Labels and responsibilities are returned as they are.
    Means are mapped back as ``center + scale * mean``, covariances as
    ``S C S`` with ``S = diag(scale)``. When the initializer gives only means,
    every sample goes to its nearest mean in the standardized space, and the
    weights and covariances are those of these groups (a group of fewer than
    two samples takes the covariance of all data).
    """

    def __init__(self, initializer):
        self.initializer = initializer

    def initialize(self, X, n_components, random_state, sample_weight=None):
        """Return ``(weights, means, covariances)`` for X; see the protocol."""
        X = np.asarray(X, dtype=np.float64)
        center, scale = _center_scale(X)
        Z = (X - center) / scale
        init = self.initializer
        if isinstance(init, str):
            init = INITIALIZERS[init]()
        initialize = init.initialize if hasattr(init, "initialize") else init
        result = initialize(Z, n_components, random_state, sample_weight)
        if isinstance(result, np.ndarray):
            # Labels or responsibilities belong to the rows, whatever their
            # scale: the estimator computes their M-step on X.
            return result
        weights, means, covariances = result
        means_z = np.asarray(means, dtype=np.float64)
        means = center + means_z * scale
        if covariances is not None:
            covariances = np.asarray(covariances, dtype=np.float64)
            covariances = covariances * np.outer(scale, scale)
        if weights is not None and covariances is not None:
            return weights, means, covariances

        sq_dist = (
            np.sum(Z**2, axis=1)[:, None]
            - 2.0 * Z @ means_z.T
            + np.sum(means_z**2, axis=1)[None, :]
        )
        labels = np.argmin(sq_dist, axis=1)
        w = np.ones(len(X)) if sample_weight is None else np.asarray(sample_weight)
        counts = np.bincount(labels, weights=w, minlength=n_components)
        if weights is None:
            weights = np.maximum(counts, 1.0)
        if covariances is None:
            data_cov = np.cov(X, rowvar=False, bias=True, aweights=w).reshape(
                X.shape[1], X.shape[1]
            )
            covariances = np.empty((n_components, X.shape[1], X.shape[1]))
            for k in range(n_components):
                rows = labels == k
                if counts[k] < 2:
                    covariances[k] = data_cov
                    continue
                diff = X[rows] - means[k]
                covariances[k] = (diff * w[rows, None]).T @ diff / counts[k]
        return weights, means, covariances


def _center_scale(X):
    """Column means and standard deviations of X over its observed values
    (NaN are missing values; a zero deviation becomes 1)."""
    X = np.asarray(X, dtype=np.float64)
    empty = np.flatnonzero(np.all(np.isnan(X), axis=0))
    if empty.size:
        raise ValueError(
            "Feature(s) "
            + ", ".join(str(j) for j in empty)
            + " have no observed value: remove them before fitting."
        )
    scale = np.nanstd(X, axis=0)
    scale[~(scale > 0)] = 1.0
    return np.nanmean(X, axis=0), scale


# Components split in two to seed K from the best K - 1 fit are moved apart by
# this many standard deviations along their main axis, each way.
_SPLIT_OFFSET = 0.5
# How many components of the best K - 1 fit are split to seed K (those of
# largest spread first); None splits every one. Splitting only a few misses
# optima on Old Faithful.
_N_SPLIT = None
# Pairs of the best K + 1 fit merged to seed K: the most overlapping ones.
_N_MERGED_PAIRS = 3
# A cell whose fit improves by more than this (in total log-likelihood) has
# reached a new basin: its neighbours are seeded from it again. Smaller gains
# are the convergence tolerance at work.
_NEW_BASIN_GAIN = 0.1
# Each round of the race among the starts of a cell gives the surviving half
# this many times the iterations they have had so far.
_RACE_GROWTH = 2


def _full_covariances(model):
    """The covariances of a fitted mixture as (K, D, D) float64 matrices."""
    k, d = np.shape(model.means_)
    cov = np.asarray(model.covariances_, dtype=np.float64)
    return MODELS[model.covariance_type].to_full(cov, k, d)


def _explicit_start(weights, means, full_covariances, covariance_type):
    """A start given by parameters: ``('params', (weights, means, precisions))``."""
    weights = np.asarray(weights, dtype=np.float64)
    weights = weights / weights.sum()
    precisions = MODELS[covariance_type].precisions_from_full(full_covariances, weights)
    return "params", (weights, np.asarray(means, dtype=np.float64), precisions)


def _split_starts(model, X, covariance_type, scale):
    """Starts with one more component: components of model split in two.

    The split is along the main axis of the samples the component is
    responsible for, so it follows the data even for diagonal or spherical
    covariances. The ``_N_SPLIT`` components with the largest spread
    (responsibility times variance along that axis, in standardized units)
    are split, one per start. A missing value (NaN) of X counts as the
    component's mean: it adds nothing to the spread.
    """
    weights = np.asarray(model.weights_, dtype=np.float64)
    means = np.asarray(model.means_, dtype=np.float64)
    covariances = _full_covariances(model)
    resp = np.asarray(model.predict_proba(X), dtype=np.float64)
    X = np.asarray(X, dtype=np.float64)
    candidates = []
    for j in range(len(weights)):
        nj = resp[:, j].sum()
        if nj < 2.0:
            continue
        diff = np.nan_to_num((X - means[j]) / scale, nan=0.0)
        scatter = (diff * resp[:, j : j + 1]).T @ diff / nj
        eigval, eigvec = np.linalg.eigh(scatter)
        axis = np.sqrt(max(eigval[-1], 0.0)) * eigvec[:, -1] * scale
        candidates.append((nj * eigval[-1], j, axis))
    candidates.sort(key=lambda c: c[0], reverse=True)
    for _, j, axis in candidates[:_N_SPLIT]:
        offset = _SPLIT_OFFSET * axis
        keep = np.arange(len(weights)) != j
        yield _explicit_start(
            np.r_[weights[keep], weights[j] / 2, weights[j] / 2],
            np.r_[means[keep], [means[j] + offset], [means[j] - offset]],
            np.r_[covariances[keep], covariances[j : j + 1], covariances[j : j + 1]],
            covariance_type,
        )


def _merge_starts(model, X, covariance_type, scale):
    """Starts with one component less: the most overlapping pairs merged.

    Overlap is the cosine between two components' responsibilities over X;
    a merged component matches the first two moments of the pair.
    """
    weights = np.asarray(model.weights_, dtype=np.float64)
    means = np.asarray(model.means_, dtype=np.float64)
    covariances = _full_covariances(model)
    resp = np.asarray(model.predict_proba(X), dtype=np.float64)
    norms = np.linalg.norm(resp, axis=0)
    norms[norms == 0] = 1.0
    overlap = (resp / norms).T @ (resp / norms)
    rows, cols = np.triu_indices(len(weights), 1)
    for pair in np.argsort(-overlap[rows, cols], kind="stable")[:_N_MERGED_PAIRS]:
        i, j = rows[pair], cols[pair]
        w = weights[i] + weights[j]
        mean = (weights[i] * means[i] + weights[j] * means[j]) / w
        cov = sum(
            weights[q] * (covariances[q] + np.outer(means[q] - mean, means[q] - mean))
            for q in (i, j)
        ) / max(w, np.finfo(np.float64).tiny)
        keep = (np.arange(len(weights)) != i) & (np.arange(len(weights)) != j)
        yield _explicit_start(
            np.r_[weights[keep], w],
            np.r_[means[keep], [mean]],
            np.r_[covariances[keep], [cov]],
            covariance_type,
        )


# ----------------------------------------------------------------------------
# fitting one cell of the grid


class _Settings(NamedTuple):
    """What every fit of one selector fit shares."""

    tol: float
    reg_covar: float
    max_iter: int
    screen_iter: int
    degenerate_tol: float | None
    scale: np.ndarray


def _run_start(
    X, n_components, covariance_type, start, settings, max_iter, seed, warm_start
):
    """Fit one GaussianMixture from one start; None when the fit collapsed.

    With ``warm_start``, later calls of :func:`_resume` continue the fit.
    """
    kind, payload = start
    params = {
        "n_components": n_components,
        "covariance_type": covariance_type,
        "tol": settings.tol,
        "reg_covar": settings.reg_covar,
        "max_iter": max_iter,
        "random_state": seed,
        "warm_start": warm_start,
    }
    if kind == "init":
        params["init_params"] = payload
    else:
        weights, means, precisions = payload
        params.update(
            weights_init=weights, means_init=means, precisions_init=precisions
        )
    try:
        return GaussianMixture(**params).fit(X)
    except ValueError:
        # A covariance that is not positive definite even with reg_covar: the
        # start ran into a collapsed component. Other starts carry on.
        return None


def _resume(X, model, max_iter):
    """Run up to max_iter more EM iterations of a warm-started fit, in place."""
    try:
        return model.set_params(
            max_iter=max_iter, weights_init=None, means_init=None, precisions_init=None
        ).fit(X)
    except ValueError:
        return None


def _is_degenerate(model, settings):
    """Whether a component collapsed (held up only by reg_covar)."""
    if settings.degenerate_tol is None:
        return False
    # Zero when a component collapsed onto a subspace (a few samples, or
    # samples sharing a value of a feature).
    smallest = MODELS[model.covariance_type].smallest_variance(
        np.asarray(model.covariances_, dtype=np.float64),
        settings.scale,
        settings.reg_covar,
    )
    return bool(smallest < settings.degenerate_tol)


def _quality(model, X, settings, exact=True):
    """Sort key of a fit: usable fits first, then by total log-likelihood.

    Without ``exact``, the log-likelihood is the fit's ``lower_bound_`` (that
    of the parameters one M-step earlier), which costs no E-step: enough to
    rank starts against each other.
    """
    if model is None:
        return (0, -np.inf)
    if exact:
        log_likelihood, _ = _total_log_likelihood(model, X)
    else:
        log_likelihood = float(model.lower_bound_) * X.shape[0]
    return (1 if _is_degenerate(model, settings) else 2, log_likelihood)


def _single_threaded():
    """A context in which BLAS, OpenMP and the EM core run one thread each."""
    return _threads.limited(1)


def _fit_cell(X, n_components, covariance_type, starts, settings):
    """Race the starts of one cell, then run the winner to convergence.

    Successive halving: every start runs ``screen_iter`` EM iterations; the
    better half (usable fits first, then by log-likelihood) runs on until
    it has had twice as many, and so on until one start is left, which runs
    to convergence. If that one ends degenerate, the last ones eliminated
    run to convergence in turn. With ``screen_iter=0`` every start runs to
    convergence. Racers are warm-started estimators; a finalist is refit as
    a fresh estimator from its parameters, so that the kept model's
    ``get_params()`` reproduce it. BLAS, OpenMP and the EM core run
    single-threaded here: the parallelism is over the cells. The fits report
    no progress (the selector reports the cell instead).
    """
    n_iter = 0

    def count(model):
        nonlocal n_iter
        n_iter += 0 if model is None else model.n_iter_
        return model

    def start_entry(start, seed, max_iter):
        model = _run_start(
            X, n_components, covariance_type, start, settings, max_iter, seed, True
        )
        return [_quality(count(model), X, settings, exact=False), seed, model]

    def resume_entry(entry, max_iter):
        model = count(_resume(X, entry[2], max_iter))
        return [_quality(model, X, settings, exact=False), entry[1], model]

    def final_entry(entry):
        # A fresh estimator from the racer's parameters, run to convergence:
        # its get_params() reproduce the fit.
        _, seed, racer = entry
        start = ("params", (racer.weights_, racer.means_, racer.precisions_))
        model = _run_start(
            X,
            n_components,
            covariance_type,
            start,
            settings,
            settings.max_iter,
            seed,
            False,
        )
        return [_quality(count(model), X, settings), seed, model]

    with (
        _single_threaded(),
        warnings.catch_warnings(),
        _progress.listening(None),
    ):
        warnings.simplefilter("ignore", ConvergenceWarning)
        budget = settings.screen_iter or settings.max_iter
        racing = [start_entry(start, seed, budget) for start, seed in starts]
        screened = [entry[0][1] for entry in racing]
        n_failed = sum(entry[2] is None for entry in racing)
        racing = [entry for entry in racing if entry[2] is not None]
        eliminated = []
        while len(racing) > 1 and budget < settings.max_iter:
            racing.sort(key=lambda entry: entry[0], reverse=True)
            half = (len(racing) + 1) // 2
            eliminated = racing[half:] + eliminated
            racing = racing[:half]
            previous, budget = budget, min(_RACE_GROWTH * budget, settings.max_iter)
            racing = [
                entry
                if entry[0][0] < 2 or entry[2].converged_
                else resume_entry(entry, budget - previous)
                for entry in racing
            ]
            racing = [entry for entry in racing if entry[2] is not None]
        racing.sort(key=lambda entry: entry[0], reverse=True)

        best = [(0, -np.inf), None, None]
        for entry in racing + eliminated:
            if entry[0][0] < 2:
                continue
            entry = final_entry(entry)
            if entry[2] is not None and entry[0] > best[0]:
                best = entry
            if best[0][0] == 2:
                break
        if best[2] is None and (racing or eliminated):
            # Every start collapsed: keep the best for the record.
            best = max(racing + eliminated, key=lambda entry: entry[0])
    return {
        "cell": (n_components, covariance_type),
        "model": best[2],
        "usable": best[0][0] == 2,
        "log_likelihood": best[0][1],
        "start_log_likelihoods": screened,
        "n_starts": len(starts),
        "n_failed": n_failed,
        "n_iter": n_iter,
    }


# ----------------------------------------------------------------------------
# the selector


def _fit_key(fit):
    """Order of cell fits: usable ones first, then by log-likelihood."""
    if fit["model"] is None:
        return (0, -np.inf)
    return (2 if fit["usable"] else 1, fit["log_likelihood"])


def _beats(new, old, gain=0.0):
    """Whether fit ``new`` is better than ``old`` by more than ``gain`` nats."""
    (new_rank, new_ll), (old_rank, old_ll) = _fit_key(new), _fit_key(old)
    if new_rank != old_rank:
        return new_rank > old_rank
    return new_ll > old_ll + gain + 1e-9 * (1.0 + abs(old_ll))


class _StepShares:
    """Shares of a selection (from 0 to 1) before and after each of its steps.

    The initializer starts weigh 5, the rounds of split and merge 3 in all
    (each round half of what is left, the last possible round the rest),
    the refinement 2; a step that is not run weighs nothing. Rounds that
    end early leave the rest of their share to the next step, so the
    shares never decrease.
    """

    def __init__(self, split_merge, refine_margin, n_rounds):
        weights = [5.0, 3.0 if split_merge else 0.0]
        weights.append(2.0 if refine_margin is not None else 0.0)
        total = sum(weights)
        self._starts, self._split_merge, self._refine = (w / total for w in weights)
        self._n_rounds = n_rounds

    def starts(self):
        return 0.0, self._starts

    def split_merge(self, round_):
        def at(r):
            if r >= self._n_rounds:
                return self._starts + self._split_merge
            return self._starts + self._split_merge * (1.0 - 0.5**r)

        return at(round_), at(round_ + 1)

    def refine(self):
        return 1.0 - self._refine, 1.0


def _pandas():
    """The pandas module, or None when it is not installed."""
    try:
        import pandas
    except ImportError:
        return None
    return pandas


def _table(values, index, columns):
    """A pandas DataFrame when pandas is installed, else the array itself."""
    pd = _pandas()
    if pd is None:
        return values
    return pd.DataFrame(
        values,
        index=pd.Index(index, name="n_components"),
        columns=pd.Index(columns, name="covariance_type"),
    )


class GaussianMixtureSelector(ClusterMixin, BaseEstimator):
    """Choose the number of components and the covariance type by BIC, AIC or ICL.

    Fits a :class:`~skgmm_em.GaussianMixture` for every combination (cell) of
    ``n_components`` and ``covariance_type``, computes the criterion of each
    on the training data, and keeps the cell with the lowest value, as R's
    ``mclust`` does with its BIC table. The fitted selector is a clusterer
    that predicts, scores and samples with the chosen model.

    Every cell gets robust restarts, so that its log-likelihood is the best
    the model can reach rather than that of a lucky start:

    1. ``n_init`` starts from the initializers of ``init_params`` in turn,
       on standardized and on raw data in turn (``standardize``; on
       standardized data k-means sees every feature on the same scale, while
       the mixture is always fit to X);
    2. with ``split_merge=True``, starts from the neighbouring cells: every
       component of the best ``K - 1`` fit split in two, and the most
       overlapping pairs of the best ``K + 1`` fit merged;
    3. with ``refine_margin`` set, ``n_init`` more starts for every cell
       whose criterion is within ``refine_margin`` of the best, so that close
       contenders are compared at their best.

    Every start runs ``screen_iter`` EM iterations; the most promising
    continues to convergence (``tol``, ``max_iter``). A fit whose component
    collapsed onto a subspace (a few samples, or samples sharing a value of a
    feature) has a spuriously high likelihood held up only by
    ``reg_covar``; such fits are set aside (``degenerate_tol``) and a cell
    with nothing else has no criterion (NaN), as mclust reports ``NA``.

    ``X`` may hold missing values (NaN): every cell is fit by the exact EM
    over the observed values of :class:`~skgmm_em.GaussianMixture`, and the
    criteria are those of the observed values.

    Parameters
    ----------
    n_components : int, array-like of int or None, default=None
        The numbers of components to try, for example ``range(1, 10)`` or
        ``[2, 3, 5]``; an int tries that number only. ``None`` tries 1 to 9,
        mclust's default.

    covariance_type : {'full', 'tied', 'diag', 'spherical'} or array-like of \
            them, default=('full', 'tied', 'diag', 'spherical')
        The covariance types to try (mclust's VVV, EEE, VVI and VII); the
        columns of the tables, in this order.

    criterion : {'bic', 'aic', 'icl'}, default='bic'
        The criterion to minimize; see :func:`bic`, :func:`aic`, :func:`icl`.

    n_init : int, default=3
        Number of initializer starts per cell (step 1 above), and of extra
        starts per close cell (step 3).

    init_params : str, initializer, callable or array-like of them, \
            default=('kmeans', 'k-means++', 'random_from_data')
        The initializers the starts cycle through: names or objects as
        :class:`~skgmm_em.GaussianMixture` accepts.

    standardize : bool or 'both', default='both'
        Whether the initializers see standardized data (each feature centred
        and scaled to unit variance; their start is mapped back to X, to
        which the mixture is fit). ``'both'``: the starts alternate between
        standardized and raw data, so that every initializer is used both
        ways; k-means on raw data favours the features of large variance,
        which is the right start for some models (spherical ones) and the
        wrong one for others.

    split_merge : bool, default=True
        Also start every cell from its neighbours' best fits (step 2). The
        neighbours of K are K - 1 and K + 1 when they are in the grid.

    refine_margin : float or None, default=10.0
        Cells whose criterion lies within this margin of the best get
        ``n_init`` more starts (step 3); ``None`` skips the step. A BIC
        difference above 10 is commonly read as very strong evidence.

    screen_iter : int, default=10
        EM iterations every start runs before the best is continued to
        convergence. ``0`` runs every start to convergence.

    tol : float, default=1e-6
        Convergence threshold of the final runs, on the mean log-likelihood
        per sample (as :class:`~skgmm_em.GaussianMixture`); tighter than the
        estimator's default so that close cells are compared at their optimum.

    reg_covar : float, default=1e-6
        Added to the diagonal of every covariance, as in
        :class:`~skgmm_em.GaussianMixture`.

    max_iter : int, default=1000
        Maximum number of EM iterations of a final run (after screening).

    degenerate_tol : float or None, default=1e-6
        A fit is degenerate when, once ``reg_covar`` is taken off, one of its
        covariances has a variance below ``degenerate_tol`` times the data's
        variance (in the feature's units, or along an eigenvector in
        standardized units). ``None`` keeps every fit.

    random_state : int, RandomState instance or None, default=None
        Seeds the starts. Pass an int for reproducible results (the same
        for any ``n_jobs``).

    n_jobs : int, default=None
        Number of cells fit in parallel (joblib). ``None`` means 1 unless in
        a :func:`joblib.parallel_config` context; ``-1`` uses all
        processors. Each fit itself runs single-threaded (BLAS, OpenMP and
        the EM core's chunks). Use a process-based backend (joblib's
        default): the fits silence their
        ``ConvergenceWarning`` with :func:`warnings.catch_warnings`, which is
        not thread-safe.

    verbose : int, default=0
        Print progress through the grid: 1 prints one line per cell and
        step and the choice, 2 also the screened log-likelihood of every
        start. The fits of the cells print nothing.

    Attributes
    ----------
    best_estimator_ : GaussianMixture
        The fitted model of the chosen cell.

    best_params_ : dict
        ``{'n_components': ..., 'covariance_type': ...}`` of the chosen cell.

    criterion_table_ : pandas.DataFrame or ndarray of shape \
            (n_rows, n_covariance_types)
        The criterion of every cell (NaN where no usable fit was found).
        With pandas installed, a DataFrame indexed by ``n_components`` with
        one column per covariance type; otherwise an array whose rows follow
        ``n_components_grid_`` and columns ``covariance_types_``.

    log_likelihood_table_ : pandas.DataFrame or ndarray
        The total log-likelihood of the training data under every cell's
        fit, laid out as ``criterion_table_``.

    n_components_grid_ : ndarray of shape (n_rows,)
        The numbers of components tried, sorted: the rows of the tables.

    covariance_types_ : tuple of str
        The covariance types tried: the columns of the tables.

    results_ : dict of ndarray
        One entry per cell, rows in the order of the tables read row by
        row: ``'n_components'``, ``'covariance_type'``, ``'log_likelihood'``,
        ``'n_parameters'``, ``'bic'``, ``'aic'``, ``'icl'``, ``'converged'``,
        ``'status'`` (``'ok'``, ``'degenerate'``, ``'failed'`` or
        ``'too few samples'``), ``'n_starts'`` and ``'n_iter'`` (the starts
        and EM iterations spent on the cell). ``pandas.DataFrame(results_)``
        gives a long table.

    labels_ : ndarray of shape (n_samples,)
        The component of each training sample under the chosen model.

    n_iter_ : int
        Total number of EM iterations over all starts of all cells.

    n_features_in_ : int
        Number of features seen during fit.

    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during fit, when ``X`` has string column
        names.

    See Also
    --------
    bic_scorer : Select with GridSearchCV instead.
    skgmm_em.GaussianMixture : The model fit in every cell.

    References
    ----------
    .. [1] C. Fraley and A. E. Raftery, "Model-based clustering,
       discriminant analysis, and density estimation", Journal of the
       American Statistical Association, 97(458), 2002.
    .. [2] L. Scrucca, M. Fop, T. B. Murphy and A. E. Raftery, "mclust 5:
       clustering, classification and density estimation using Gaussian
       finite mixture models", The R Journal, 8(1), 2016.
    .. [3] N. Ueda, R. Nakano, Z. Ghahramani and G. E. Hinton, "SMEM
       algorithm for mixture models", Neural Computation, 12(9), 2000.

    Examples
    --------
    >>> from skgmm_em import GaussianMixtureSelector
    >>> from skgmm_em.datasets import load_faithful
    >>> X, _ = load_faithful()
    >>> selector = GaussianMixtureSelector(
    ...     n_components=[2, 3, 4], covariance_type=["full", "tied"],
    ...     random_state=0,
    ... ).fit(X)
    >>> selector.best_params_
    {'n_components': 3, 'covariance_type': 'tied'}
    >>> round(float(selector.best_estimator_.score(X) * len(X)), 2)
    -1126.32
    """

    _parameter_constraints: dict = {
        "n_components": [
            Interval(Integral, 1, None, closed="left"),
            "array-like",
            None,
        ],
        "covariance_type": [StrOptions(set(COVARIANCE_TYPES)), "array-like"],
        "criterion": [StrOptions(set(_CRITERIA))],
        "n_init": [Interval(Integral, 1, None, closed="left")],
        "init_params": [
            StrOptions(set(INITIALIZERS)),
            HasMethods(["initialize"]),
            callable,
            "array-like",
        ],
        "standardize": ["boolean", StrOptions({"both"})],
        "split_merge": ["boolean"],
        "refine_margin": [Interval(Real, 0.0, None, closed="left"), None],
        "screen_iter": [Interval(Integral, 0, None, closed="left")],
        "tol": [Interval(Real, 0.0, None, closed="left")],
        "reg_covar": [Interval(Real, 0.0, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "degenerate_tol": [Interval(Real, 0.0, None, closed="left"), None],
        "random_state": ["random_state"],
        "n_jobs": [Integral, None],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        n_components=None,
        *,
        covariance_type=COVARIANCE_TYPES,
        criterion="bic",
        n_init=3,
        init_params=("kmeans", "k-means++", "random_from_data"),
        standardize="both",
        split_merge=True,
        refine_margin=10.0,
        screen_iter=10,
        tol=1e-6,
        reg_covar=1e-6,
        max_iter=1000,
        degenerate_tol=1e-6,
        random_state=None,
        n_jobs=None,
        verbose=0,
    ):
        self.n_components = n_components
        self.covariance_type = covariance_type
        self.criterion = criterion
        self.n_init = n_init
        self.init_params = init_params
        self.standardize = standardize
        self.split_merge = split_merge
        self.refine_margin = refine_margin
        self.screen_iter = screen_iter
        self.tol = tol
        self.reg_covar = reg_covar
        self.max_iter = max_iter
        self.degenerate_tol = degenerate_tol
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.verbose = verbose

    # ------------------------------------------------------------------
    # validation of the grid

    def _n_components_grid(self):
        if self.n_components is None:
            return np.arange(1, 10)
        values = np.atleast_1d(np.asarray(self.n_components))
        if (
            values.ndim != 1
            or values.size == 0
            or not all(isinstance(v, Integral) and v >= 1 for v in values.tolist())
        ):
            raise ValueError(
                "n_components must be a positive int or a non-empty list or range "
                f"of positive ints, got {self.n_components!r}."
            )
        return np.unique(values).astype(np.int64)

    def _covariance_types(self):
        if isinstance(self.covariance_type, str):
            return (self.covariance_type,)
        types = tuple(self.covariance_type)
        unknown = [t for t in types if t not in COVARIANCE_TYPES]
        if not types or unknown:
            raise ValueError(
                "covariance_type must be one of, or a non-empty list of, "
                f"{list(COVARIANCE_TYPES)}; got {self.covariance_type!r}."
            )
        return tuple(dict.fromkeys(types))

    def _initializers(self):
        inits = self.init_params
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
        if self.standardize == "both":
            # Every initializer once on standardized and once on raw data,
            # alternating from one start to the next.
            n = len(inits)
            return [
                _StandardizedInit(inits[r % n])
                if (r + (r // n if n % 2 == 0 else 0)) % 2 == 0
                else inits[r % n]
                for r in range(2 * n)
            ]
        if self.standardize:
            return [_StandardizedInit(init) for init in inits]
        return inits

    # ------------------------------------------------------------------
    # fitting

    def fit(self, X, y=None):
        """Fit every cell of the grid and keep the one with the best criterion.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The training data, one sample per row.

        y : Ignored
            Not used, present for API consistency by convention.

        Returns
        -------
        self : object
            The fitted selector.
        """
        validate_params(self)
        # check_array's finiteness test sums X, which warns for inf - inf.
        with np.errstate(invalid="ignore", over="ignore"):
            X = validate_data(
                self,
                X,
                dtype=[np.float64, np.float32],
                ensure_min_samples=2,
                ensure_all_finite="allow-nan",
            )
        grid = self._n_components_grid()
        types = self._covariance_types()
        initializers = self._initializers()
        random_state = check_random_state(self.random_state)
        n_samples = X.shape[0]
        printer = _progress.SelectionPrinter(self.verbose)
        shares = _StepShares(self.split_merge, self.refine_margin, len(grid))

        cells = [(int(k), t) for k in grid for t in types]
        # Drawn up front, in a fixed order, so that n_jobs does not change them.
        seeds = {
            cell: random_state.randint(np.iinfo(np.int32).max, size=2 * self.n_init)
            for cell in cells
        }
        settings = _Settings(
            tol=self.tol,
            reg_covar=self.reg_covar,
            max_iter=self.max_iter,
            screen_iter=self.screen_iter,
            degenerate_tol=self.degenerate_tol,
            scale=_center_scale(X)[1],
        )
        fits, effort = {}, {}

        def random_starts(cell, first):
            return [
                (("init", initializers[(first + r) % len(initializers)]), seed)
                for r, seed in enumerate(seeds[cell][first : first + self.n_init])
            ]

        feasible = [cell for cell in cells if cell[0] <= n_samples]
        self._run_step(
            "initializer starts",
            shares.starts(),
            X,
            {cell: random_starts(cell, 0) for cell in feasible},
            settings,
            fits,
            effort,
            printer,
        )
        if self.split_merge:
            # Rounds until no fit improves: a round revisits only the cells
            # next to one that improved in the previous round (at most one
            # round per row of the grid, as improvements travel one row).
            changed = set(feasible)
            for round_ in range(len(grid)):
                tasks = self._split_merge_tasks(X, fits, changed, seeds, settings.scale)
                changed = self._run_step(
                    "split and merge",
                    shares.split_merge(round_),
                    X,
                    tasks,
                    settings,
                    fits,
                    effort,
                    printer,
                )
                if not changed:
                    break
        if self.refine_margin is not None:
            values = self._criterion_values(X, fits)
            finite = [v for v in values.values() if np.isfinite(v)]
            if finite:
                best = min(finite)
                close = [
                    cell
                    for cell, value in values.items()
                    if value <= best + self.refine_margin
                ]
                tasks = {cell: random_starts(cell, self.n_init) for cell in close}
                self._run_step(
                    "refining close cells",
                    shares.refine(),
                    X,
                    tasks,
                    settings,
                    fits,
                    effort,
                    printer,
                )

        self._set_results(X, grid, types, cells, fits, effort)
        _progress.report(
            _progress.SelectionFinished(
                self.best_params_["n_components"],
                self.best_params_["covariance_type"],
                self.criterion,
                float(np.nanmin(self.results_[self.criterion])),
            ),
            printer,
        )
        return self

    def _split_merge_tasks(self, X, fits, changed, seeds, scale):
        """Starts split from cell K - 1 and merged from K + 1, for every cell.

        Only neighbours in ``changed`` (whose fit improved in the previous
        step) are used, and only their usable fits.
        """
        tasks = {}
        for k, t in fits:
            starts = []
            for neighbour, make in (
                ((k - 1, t), _split_starts),
                ((k + 1, t), _merge_starts),
            ):
                fit = fits.get(neighbour)
                if neighbour in changed and fit is not None and fit["usable"]:
                    starts.extend(make(fit["model"], X, t, scale))
            if starts:
                tasks[(k, t)] = [(start, seeds[(k, t)][0]) for start in starts]
        return tasks

    def _run_step(self, step, share, X, tasks, settings, fits, effort, printer):
        """Fit the starts of every cell in tasks; keep improvements in fits.

        ``effort`` counts the starts and EM iterations of every cell; every
        fitted cell is reported (``printer`` and the progress listener),
        ``share`` is the step's share of the selection (before, after).
        Returns the set of cells whose usable fit improved into a new basin.
        """
        _progress.report(_progress.StepStarted(step, len(tasks), *share), printer)
        # The criterion costs an E-step: computed only when someone listens.
        criterion = _CRITERIA[self.criterion]
        wanted = self.verbose >= 1 or _progress.has_listener()
        improved = set()
        results = Parallel(n_jobs=self.n_jobs, return_as="generator_unordered")(
            delayed(_fit_cell)(X, k, t, starts, settings)
            for (k, t), starts in tasks.items()
        )
        for done, result in enumerate(results, start=1):
            cell = result["cell"]
            previous = fits.get(cell)
            n_starts, n_iter = effort.get(cell, (0, 0))
            effort[cell] = (n_starts + result["n_starts"], n_iter + result["n_iter"])
            if previous is None or _beats(result, previous):
                if result["usable"] and (
                    previous is None or _beats(result, previous, _NEW_BASIN_GAIN)
                ):
                    improved.add(cell)
                fits[cell] = result
            kept = fits[cell]
            value = np.nan
            if wanted and kept["usable"]:
                value = criterion(kept["model"], X)
            _progress.report(
                _progress.CellFitted(
                    step=step,
                    done=done,
                    n_cells=len(tasks),
                    n_components=cell[0],
                    covariance_type=cell[1],
                    n_starts=result["n_starts"],
                    first=previous is None,
                    improved=previous is not None and kept is result,
                    usable=kept["usable"],
                    log_likelihood=kept["log_likelihood"] if kept["usable"] else np.nan,
                    criterion=self.criterion,
                    value=value,
                    start_log_likelihoods=tuple(result["start_log_likelihoods"]),
                ),
                printer,
            )
        return improved

    def _criterion_values(self, X, fits):
        """The criterion of every usable cell fit."""
        criterion = _CRITERIA[self.criterion]
        return {
            cell: criterion(fit["model"], X) if fit["usable"] else np.nan
            for cell, fit in fits.items()
        }

    def _set_results(self, X, grid, types, cells, fits, effort):
        """Fill the tables, results_ and the best model from the cell fits."""
        n_rows, n_cols = len(grid), len(types)
        records = {
            name: []
            for name in (
                "n_components",
                "covariance_type",
                "log_likelihood",
                "n_parameters",
                "bic",
                "aic",
                "icl",
                "converged",
                "status",
                "n_starts",
                "n_iter",
            )
        }
        not_converged = []
        for k, t in cells:
            fit = fits.get((k, t))
            usable = fit is not None and fit["usable"]
            model = fit["model"] if usable else None
            if fit is None:
                status = "too few samples"
            elif fit["model"] is None:
                status = "failed"
            else:
                status = "ok" if usable else "degenerate"
            records["n_components"].append(k)
            records["covariance_type"].append(t)
            records["status"].append(status)
            n_starts, n_iter = effort.get((k, t), (0, 0))
            records["n_starts"].append(n_starts)
            records["n_iter"].append(n_iter)
            records["converged"].append(bool(usable and model.converged_))
            if usable:
                records["log_likelihood"].append(fit["log_likelihood"])
                records["n_parameters"].append(n_parameters(model))
                for name, criterion in _CRITERIA.items():
                    records[name].append(criterion(model, X))
                if not model.converged_:
                    not_converged.append((k, t))
            else:
                records["log_likelihood"].append(np.nan)
                records["n_parameters"].append(MODELS[t].n_parameters(k, X.shape[1]))
                for name in _CRITERIA:
                    records[name].append(np.nan)

        results = {name: np.asarray(values) for name, values in records.items()}
        results["covariance_type"] = np.asarray(
            records["covariance_type"], dtype=object
        )
        results["status"] = np.asarray(records["status"], dtype=object)
        values = results[self.criterion].reshape(n_rows, n_cols)
        if not np.any(np.isfinite(values)):
            raise ValueError(
                "No cell of the grid gave a usable fit: every fit failed or "
                "collapsed onto a subspace of the data. Try fewer components "
                "(n_components), a larger reg_covar (for example 1e-4), "
                "standardized features, or degenerate_tol=None to keep "
                "collapsed fits."
            )
        if not_converged:
            warnings.warn(
                f"EM did not converge in max_iter={self.max_iter} iterations for "
                f"{len(not_converged)} cell(s) (n_components, covariance_type): "
                f"{not_converged}. Increase max_iter or tol.",
                ConvergenceWarning,
                stacklevel=3,
            )
        row, col = np.unravel_index(np.nanargmin(values), values.shape)
        best_cell = (int(grid[row]), types[col])

        self.n_components_grid_ = grid
        self.covariance_types_ = types
        self.results_ = results
        self.criterion_table_ = _table(values, grid, types)
        self.log_likelihood_table_ = _table(
            results["log_likelihood"].reshape(n_rows, n_cols), grid, types
        )
        self.best_params_ = {
            "n_components": best_cell[0],
            "covariance_type": best_cell[1],
        }
        self.best_estimator_ = fits[best_cell]["model"]
        self.labels_ = self.best_estimator_.labels_
        self.n_iter_ = int(results["n_iter"].sum())

    # ------------------------------------------------------------------
    # the chosen model

    def _validate_for_inference(self, X):
        check_is_fitted(self)
        with np.errstate(invalid="ignore", over="ignore"):
            return validate_data(
                self,
                X,
                dtype=[np.float64, np.float32],
                reset=False,
                ensure_all_finite="allow-nan",
            )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        return tags

    def predict(self, X):
        """Most probable component of each sample under the chosen model.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The samples.

        Returns
        -------
        labels : ndarray of shape (n_samples,)
            Component labels.
        """
        X = self._validate_for_inference(X)
        return self.best_estimator_.predict(X)

    def predict_proba(self, X):
        """Posterior probability of each component under the chosen model.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The samples.

        Returns
        -------
        resp : ndarray of shape (n_samples, n_components)
            The responsibilities; each row sums to one.
        """
        X = self._validate_for_inference(X)
        return self.best_estimator_.predict_proba(X)

    def score_samples(self, X):
        """Log-likelihood of each sample under the chosen model.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The samples.

        Returns
        -------
        log_prob : ndarray of shape (n_samples,)
        """
        X = self._validate_for_inference(X)
        return self.best_estimator_.score_samples(X)

    def score(self, X, y=None):
        """Mean log-likelihood of the samples under the chosen model.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The samples.

        y : Ignored
            Not used, present for API consistency by convention.

        Returns
        -------
        log_likelihood : float
        """
        X = self._validate_for_inference(X)
        return self.best_estimator_.score(X)

    def sample(self, n_samples=1):
        """Draw samples from the chosen model.

        Parameters
        ----------
        n_samples : int, default=1
            Number of samples to draw.

        Returns
        -------
        X : ndarray of shape (n_samples, n_features)
            The samples, grouped by component.

        y : ndarray of shape (n_samples,)
            The component each sample was drawn from.
        """
        check_is_fitted(self)
        return self.best_estimator_.sample(n_samples)
