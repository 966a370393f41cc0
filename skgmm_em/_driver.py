"""The EM driver: restarts, iterations, convergence and the collapse policy.

:func:`run_em` fits a mixture to a data source (:mod:`skgmm_em._source`)
from the starts it draws (:mod:`skgmm_em._starts`): ``settings.n_init``
restarts, each iterating E-steps (a pass of the source) and M-steps (the EM
core, :mod:`skgmm_em._em`) until the lower bound changes by less than
``tol`` or the parameters by less than ``param_tol``, or for ``max_iter``
iterations. It keeps the best restart (:func:`improves`), records the
learning curves, handles collapsed components (the recentred M-step, then
``on_collapse``), warns as scikit-learn does, and reports its progress as
the events of :mod:`skgmm_em._progress` to a callback. It knows nothing of
estimators or of the kind of array the source holds.
"""

import warnings
from dataclasses import dataclass

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from ._em import MixtureParams, check_factor_range, m_step, reseed
from ._progress import IterationDone, RestartFinished, RestartStarted
from .exceptions import IllDefinedCovarianceError

#: The learning curves of :attr:`EMResult.history`, in this order.
HISTORY_KEYS = (
    "log_likelihood",
    "weights_change",
    "means_change",
    "covariances_change",
)


@dataclass(frozen=True)
class EMSettings:
    """How EM runs; the estimator's parameters of the same names.

    ``n_init`` is the number of restarts actually run (1 for a warm start).
    """

    n_init: int = 1
    max_iter: int = 100
    tol: float = 1e-3
    reg_covar: float = 1e-6
    param_tol: float | None = None
    on_collapse: str = "raise"


@dataclass(frozen=True)
class EMResult:
    """The outcome of one restart (or the best of them, from :func:`run_em`).

    Attributes
    ----------
    params : MixtureParams
        The parameters after the last iteration, in float64.
    converged : bool
        Whether a stopping rule was met before ``max_iter``.
    n_iter : int
        Number of iterations run.
    lower_bound : float
        Mean log-likelihood at the start of the last iteration; ``-inf``
        with ``max_iter=0``.
    lower_bounds : list of float
        The lower bound at every iteration.
    history : dict of ndarray
        One array per key of :data:`HISTORY_KEYS`, one value per iteration.
    n_reseeds : int
        Number of components re-seeded in this restart.
    last_change : float
        The last change of the lower bound (``inf`` before any).
    """

    params: MixtureParams
    converged: bool
    n_iter: int
    lower_bound: float
    lower_bounds: list
    history: dict
    n_reseeds: int
    last_change: float


def improves(run, best):
    """Whether a restart's outcome replaces the best so far.

    scikit-learn's rule (a larger lower bound, or any after a best of
    -inf), except that a lower bound larger by no more than rounding error
    (1e-12 relative) is a tie, which keeps the earlier run: two restarts
    that reach the same optimum with their components in another order
    differ only by rounding, and the kept one should not depend on it (nor
    on the number of threads, which changes the rounding).
    """
    bound, best_bound = run.lower_bound, best.lower_bound
    if best_bound == -np.inf:
        return True
    return bound > best_bound + 1e-12 * max(1.0, abs(best_bound))


def _ignore(event):
    pass


def run_em(source, model, start, settings, callback=None, *, stacklevel=1):
    """Fit a mixture to ``source`` by EM and return the best restart.

    Parameters
    ----------
    source : ArraySource, MissingSource or DaskSource
        The rows (see :mod:`skgmm_em._source`).
    model : CovarianceModel
        The covariance model, an entry of :data:`skgmm_em._covariance.MODELS`.
    start : FreshStarts or WarmStart
        ``start.draw()`` gives each restart's parameters, and
        ``start.lower_bound`` the lower bound before the first iteration
        (``-inf`` for a fresh start).
    settings : EMSettings
    callback : callable, default=None
        Called with each :class:`~skgmm_em._progress.RestartStarted`,
        :class:`~skgmm_em._progress.IterationDone` and
        :class:`~skgmm_em._progress.RestartFinished` event.
    stacklevel : int, default=1
        Where the ``ConvergenceWarning``\\s point, counted from the caller of
        this function as :func:`warnings.warn` counts (1: the caller's line,
        2: its caller's).

    Returns
    -------
    result : EMResult
        The restart with the largest lower bound (the first among ties; the
        last with ``max_iter=0``).

    Raises
    ------
    IllDefinedCovarianceError
        When a covariance collapses with ``on_collapse='raise'``, or when
        every restart failed with ``on_collapse='reseed'``.
    """
    report = _ignore if callback is None else callback
    best, failures, reseeds = None, [], 0
    for restart in range(settings.n_init):
        report(RestartStarted(restart, settings.n_init, settings.max_iter))
        try:
            run = run_restart(
                source, model, start.draw(), start.lower_bound, settings, report
            )
        except IllDefinedCovarianceError as err:
            if settings.on_collapse == "raise":
                raise
            failures.append(err)
            continue
        report(RestartFinished(run.n_iter, run.converged, float(run.lower_bound)))
        reseeds += run.n_reseeds
        if best is None or settings.max_iter == 0 or improves(run, best):
            best = run
    if best is None:
        raise failures[-1]
    _warn(best, reseeds, len(failures), settings, stacklevel + 2)
    return best


def _warn(best, reseeds, n_failures, settings, stacklevel):
    """The ConvergenceWarnings of a fit (texts matched by tests)."""
    if reseeds or n_failures:
        warnings.warn(
            f"on_collapse='reseed': {reseeds} collapsed component(s) were "
            f"re-seeded and {n_failures} of {settings.n_init} initialization(s) "
            "failed and were skipped. Collapses suggest too many "
            "components, too small a reg_covar, or unscaled data.",
            ConvergenceWarning,
            stacklevel=stacklevel,
        )
    if not best.converged and settings.max_iter > 0:
        warnings.warn(
            "Best performing initialization did not converge. Try "
            "different init parameters, or increase max_iter, tol, or "
            f"check for degenerate data. (Best of {settings.n_init} "
            f"initialization(s), max_iter={settings.max_iter}: the last change "
            f"of the lower bound was {best.last_change:.3g}, "
            f"tol={settings.tol}.)",
            ConvergenceWarning,
            stacklevel=stacklevel,
        )


def _max_abs_change(old, new):
    return float(np.max(np.abs(np.asarray(new) - np.asarray(old)), initial=0.0))


def run_restart(source, model, params, lower_bound, settings, report=_ignore):
    """EM iterations from ``params`` (one restart); returns an EMResult.

    ``lower_bound`` is the lower bound before the first iteration; ``report``
    receives an :class:`~skgmm_em._progress.IterationDone` per iteration.
    """
    check_factor_range(
        params.precisions_cholesky, model.name, source.dtype, settings.reg_covar
    )
    history = {key: [] for key in HISTORY_KEYS}
    converged = False
    change = np.inf
    n_iter = n_reseeds = 0
    for n_iter in range(1, settings.max_iter + 1):
        previous = lower_bound
        stats, new, n_reseeds = _iteration(source, model, params, settings, n_reseeds)
        lower_bound = stats.log_likelihood / stats.weight_sum
        history["log_likelihood"].append(lower_bound)
        history["weights_change"].append(_max_abs_change(params[0], new[0]))
        history["means_change"].append(_max_abs_change(params[1], new[1]))
        history["covariances_change"].append(_max_abs_change(params[2], new[2]))
        params = new
        change = lower_bound - previous
        report(IterationDone(n_iter, settings.max_iter, float(lower_bound), change))
        if abs(change) < settings.tol or (
            settings.param_tol is not None
            and max(history[key][-1] for key in HISTORY_KEYS[1:]) < settings.param_tol
        ):
            converged = True
            break
    if settings.max_iter == 0:
        # As scikit-learn: no iteration, so no lower bound.
        lower_bound = -np.inf
    return EMResult(
        params=params,
        converged=converged,
        n_iter=n_iter,
        lower_bound=lower_bound,
        lower_bounds=list(history["log_likelihood"]),
        history={key: np.asarray(values) for key, values in history.items()},
        n_reseeds=n_reseeds,
        last_change=change,
    )


def _iteration(source, model, params, settings, n_reseeds):
    """One E-step and M-step: ``(stats, new_params, n_reseeds)``.

    Where the M-step's covariances are ill-defined, the recentred M-step is
    tried; where they still are, the collapsed components are re-seeded
    (``on_collapse='reseed'``, at most ``5 * n_components`` per restart) or
    the error is raised.
    """
    stats = source.e_step(params, model.name)
    failure = None
    try:
        new = m_step(stats, params, model, settings.reg_covar, source.dtype)
    except IllDefinedCovarianceError as err:
        failure = err
        new = _recentred_m_step(source, model, stats, params, settings)
    if new is None:
        if (
            settings.on_collapse == "raise"
            or failure.components is None
            or n_reseeds >= 5 * len(params.weights)
        ):
            raise failure
        new = reseed(
            stats,
            params,
            model,
            settings.reg_covar,
            source.dtype,
            failure.components,
        )
        n_reseeds += len(failure.components)
    return stats, new, n_reseeds


def _recentred_m_step(source, model, stats, params, settings):
    """The source's recentred M-step, or None where its covariances are
    ill-defined too. None with a prior: the recentred M-step is one of
    maximum likelihood, and the prior's scale keeps its own covariances
    positive definite (what is still ill-defined is re-seeded or raised)."""
    if model.prior is not None:
        return None
    try:
        return source.recentred_m_step(stats, params, model, settings.reg_covar)
    except IllDefinedCovarianceError:
        return None
