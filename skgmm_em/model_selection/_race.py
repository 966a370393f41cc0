"""Fitting one cell of the selector's grid: a race among its starts.

:func:`fit_cell` fits a :class:`~skgmm_em.GaussianMixture` from each start
for a few EM iterations, keeps the better half for twice as many, and so
on (successive halving), then runs the winner to convergence. It returns a
:class:`CellFit`; the selector keeps the best fit of every cell.
"""

import warnings
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from .. import _progress, _threads
from .._covariance import MODELS
from .._gaussian_mixture import GaussianMixture
from ._criteria import total_log_likelihood
from ._starts import ParameterStart

# Each round of the race among the starts of a cell gives the surviving half
# this many times the iterations they have had so far.
_RACE_GROWTH = 2


class Cell(NamedTuple):
    """A cell of the grid: a number of components and a covariance type."""

    n_components: int
    covariance_type: str


class Settings(NamedTuple):
    """What every fit of one selector fit shares; ``estimator`` is the class
    fit in every cell (GaussianMixture, or StudentMixture for t components)."""

    tol: float
    reg_covar: float
    max_iter: int
    screen_iter: int
    degenerate_tol: float | None
    scale: np.ndarray
    estimator: type = GaussianMixture
    noise_component: bool = False
    prior: object = None


class Quality(NamedTuple):
    """Sort key of a fit: usable fits first, then by total log-likelihood.

    ``rank`` is 0 for a failed fit, 1 for a degenerate one, 2 for a usable
    one.
    """

    rank: int
    log_likelihood: float


_FAILED = Quality(0, -np.inf)


class _Racer(NamedTuple):
    """A start in the race: the quality of its fit so far, its seed, the fit."""

    quality: Quality
    seed: int
    model: GaussianMixture | None


@dataclass(frozen=True)
class CellFit:
    """The kept fit of one cell, with what it cost.

    ``model`` is None when every start failed; ``usable`` is False when it
    collapsed (degenerate). ``start_log_likelihoods`` are the screened
    log-likelihoods of the starts, ``n_failed`` the starts that failed and
    ``n_iter`` the EM iterations of all starts.
    """

    cell: Cell
    model: GaussianMixture | None
    usable: bool
    log_likelihood: float
    start_log_likelihoods: list
    n_starts: int
    n_failed: int
    n_iter: int

    @property
    def key(self):
        """Order of cell fits: usable ones first, then by log-likelihood."""
        if self.model is None:
            return _FAILED
        return Quality(2 if self.usable else 1, self.log_likelihood)

    def beats(self, other, gain=0.0):
        """Whether this fit is better than ``other`` by more than ``gain`` nats."""
        (new_rank, new_ll), (old_rank, old_ll) = self.key, other.key
        if new_rank != old_rank:
            return new_rank > old_rank
        return new_ll > old_ll + gain + 1e-9 * (1.0 + abs(old_ll))


def _run_start(X, cell, start, settings, max_iter, seed, warm_start):
    """Fit one mixture from one start; None when the fit collapsed.

    With ``warm_start``, later calls of :func:`_resume` continue the fit.
    """
    params = {
        "n_components": cell.n_components,
        "covariance_type": cell.covariance_type,
        "tol": settings.tol,
        "reg_covar": settings.reg_covar,
        "max_iter": max_iter,
        "random_state": seed,
        "warm_start": warm_start,
        **start.estimator_params(),
    }
    # GaussianMixture's own options, passed only when used (StudentMixture
    # has neither).
    if settings.prior is not None:
        params["prior"] = settings.prior
    if settings.noise_component:
        params["noise_component"] = True
    try:
        return settings.estimator(**params).fit(X)
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
        return _FAILED
    if exact:
        log_likelihood, _ = total_log_likelihood(model, X)
    else:
        log_likelihood = float(model.lower_bound_) * X.shape[0]
    return Quality(1 if _is_degenerate(model, settings) else 2, log_likelihood)


class _Race:
    """The starts of one cell racing; counts the EM iterations they run."""

    def __init__(self, X, cell, settings):
        self.X = X
        self.cell = cell
        self.settings = settings
        self.n_iter = 0

    def _count(self, model):
        self.n_iter += 0 if model is None else model.n_iter_
        return model

    def start(self, seeded, max_iter):
        model = _run_start(
            self.X, self.cell, seeded.start, self.settings, max_iter, seeded.seed, True
        )
        quality = _quality(self._count(model), self.X, self.settings, exact=False)
        return _Racer(quality, seeded.seed, model)

    def resume(self, racer, max_iter):
        model = self._count(_resume(self.X, racer.model, max_iter))
        quality = _quality(model, self.X, self.settings, exact=False)
        return _Racer(quality, racer.seed, model)

    def final(self, racer):
        # A fresh estimator from the racer's parameters, run to convergence:
        # its get_params() reproduce the fit.
        model = racer.model
        start = ParameterStart(model.weights_, model.means_, model.precisions_)
        model = _run_start(
            self.X,
            self.cell,
            start,
            self.settings,
            self.settings.max_iter,
            racer.seed,
            False,
        )
        return _Racer(
            _quality(self._count(model), self.X, self.settings), racer.seed, model
        )

    def halve(self, racing, budget):
        """Successive halving until one racer is left or the budget is spent.

        Returns the racers left, best first, and those eliminated, the last
        ones eliminated first.
        """
        max_iter = self.settings.max_iter
        eliminated = []
        while len(racing) > 1 and budget < max_iter:
            racing.sort(key=lambda racer: racer.quality, reverse=True)
            half = (len(racing) + 1) // 2
            eliminated = racing[half:] + eliminated
            racing = racing[:half]
            previous, budget = budget, min(_RACE_GROWTH * budget, max_iter)
            racing = [
                racer
                if racer.quality.rank < 2 or racer.model.converged_
                else self.resume(racer, budget - previous)
                for racer in racing
            ]
            racing = [racer for racer in racing if racer.model is not None]
        racing.sort(key=lambda racer: racer.quality, reverse=True)
        return racing, eliminated

    def finish(self, racing, eliminated):
        """Run the best racers to convergence until one ends usable."""
        best = _Racer(_FAILED, None, None)
        for racer in racing + eliminated:
            if racer.quality.rank < 2:
                continue
            racer = self.final(racer)
            if racer.model is not None and racer.quality > best.quality:
                best = racer
            if best.quality.rank == 2:
                break
        if best.model is None and (racing or eliminated):
            # Every start collapsed: keep the best for the record.
            best = max(racing + eliminated, key=lambda racer: racer.quality)
        return best


def fit_cell(X, n_components, covariance_type, starts, settings):
    """Race the starts of one cell, then run the winner to convergence.

    Successive halving: every start runs ``screen_iter`` EM iterations; the
    better half (usable fits first, then by log-likelihood) runs on until
    it has had twice as many, and so on until one start is left, which runs
    to convergence. If that one ends degenerate, the last ones eliminated
    run to convergence in turn. With ``screen_iter=0`` every start runs to
    convergence. A start that does not race (``SeededStart.race`` False:
    mclust's hierarchical start) runs to convergence whatever its first
    iterations give, and competes with the race's winner at the end: a
    start that climbs slowly to a better optimum is not eliminated early.
    Racers are warm-started estimators; a finalist is refit as
    a fresh estimator from its parameters, so that the kept model's
    ``get_params()`` reproduce it. BLAS, OpenMP and the EM core run
    single-threaded here: the parallelism is over the cells. The fits report
    no progress (the selector reports the cell instead).

    ``starts`` is a list of :class:`~._starts.SeededStart`; returns a
    :class:`CellFit`.
    """
    cell = Cell(n_components, covariance_type)
    race = _Race(X, cell, settings)
    with (
        _threads.limited(1),
        warnings.catch_warnings(),
        _progress.listening(None),
    ):
        warnings.simplefilter("ignore", ConvergenceWarning)
        budget = settings.screen_iter or settings.max_iter
        first = [
            (race.start(seeded, budget if seeded.race else settings.max_iter), seeded)
            for seeded in starts
        ]
        screened = [racer.quality.log_likelihood for racer, _ in first]
        n_failed = sum(racer.model is None for racer, _ in first)
        fitted = [(r, s.race) for r, s in first if r.model is not None]
        racing, eliminated = race.halve([r for r, raced in fitted if raced], budget)
        best = race.finish(racing, eliminated)
        for racer in (race.final(r) for r, raced in fitted if not raced):
            if racer.model is not None and racer.quality > best.quality:
                best = racer
    return CellFit(
        cell=cell,
        model=best.model,
        usable=best.quality.rank == 2,
        log_likelihood=best.quality.log_likelihood,
        start_log_likelihoods=screened,
        n_starts=len(starts),
        n_failed=n_failed,
        n_iter=race.n_iter,
    )
