"""Progress events of a fit, and who receives them.

The EM driver (:func:`skgmm_em._driver.run_em`, which reports to a
callback: :func:`reporter`) and the model selector report what they do as
small frozen records (one class per kind of event, below); they never print.
Two kinds of receivers get the events:

* the estimator's own ``verbose`` printing, :class:`VerbosePrinter` and
  :class:`SelectionPrinter`, which write scikit-learn's text to stdout;
* a *listener* set for a block of code with :func:`listening`, a callable
  that takes one event (the command line draws its progress bar with one).

The listener is held in a :mod:`contextvars` variable, so it follows the
code that set it: fits run by other threads or processes (``n_jobs``) do
not report to it, and the fits the selector runs internally are silenced
(the selector reports its own events instead).

This module is private: its events may change between releases.
"""

import contextlib
import contextvars
from dataclasses import dataclass
from time import perf_counter

_LISTENER = contextvars.ContextVar("skgmm_em_progress_listener", default=None)


# ----------------------------------------------------------------------
# events of GaussianMixture.fit


@dataclass(frozen=True)
class RestartStarted:
    """An initialization (restart) of ``GaussianMixture.fit`` begins.

    ``restart`` counts from 0 to ``n_restarts - 1``; ``max_iter`` is the
    EM iteration budget of the restart.
    """

    restart: int
    n_restarts: int
    max_iter: int


@dataclass(frozen=True)
class IterationDone:
    """One EM iteration (E-step and M-step) of the current restart ended.

    ``lower_bound`` is the mean log-likelihood of the parameters the
    iteration started from, ``change`` its change from the iteration before
    (``inf`` at the first iteration of a fresh start).
    """

    n_iter: int
    max_iter: int
    lower_bound: float
    change: float


@dataclass(frozen=True)
class RestartFinished:
    """The current restart ended after ``n_iter`` iterations."""

    n_iter: int
    converged: bool
    lower_bound: float


# ----------------------------------------------------------------------
# events of GaussianMixtureSelector.fit


@dataclass(frozen=True)
class StepStarted:
    """A step of the model selection begins, fitting ``n_cells`` cells.

    ``step`` is ``'initializer starts'``, ``'split and merge'`` or
    ``'refining close cells'``. ``share_before`` and ``share_after``
    estimate the share of the whole selection done before and after the
    step (from 0 to 1, never decreasing from one step to the next).
    """

    step: str
    n_cells: int
    share_before: float
    share_after: float


@dataclass(frozen=True)
class CellFitted:
    """A cell (number of components, covariance type) of a step was fit.

    ``done`` counts the cells of the step fit so far (1 to ``n_cells``).
    ``first`` is True the first time the cell is fit, ``improved`` when a
    later start gave it a better fit. The remaining fields describe the
    cell's kept fit: its total log-likelihood and criterion value (NaN when
    it has no usable fit).
    """

    step: str
    done: int
    n_cells: int
    n_components: int
    covariance_type: str
    n_starts: int
    first: bool
    improved: bool
    usable: bool
    log_likelihood: float
    criterion: str
    value: float
    start_log_likelihoods: tuple


@dataclass(frozen=True)
class SelectionFinished:
    """The selector chose a cell, whose criterion is ``value``."""

    n_components: int
    covariance_type: str
    criterion: str
    value: float


# ----------------------------------------------------------------------
# sending and receiving


def report(event, *receivers):
    """Hand ``event`` to each of ``receivers`` (None skipped) and to the listener."""
    for receiver in receivers:
        if receiver is not None:
            receiver(event)
    listener = _LISTENER.get()
    if listener is not None:
        listener(event)


def reporter(*receivers):
    """A callback that hands each event to ``receivers`` and the listener
    (see :func:`report`): the EM driver's ``callback``."""

    def callback(event):
        report(event, *receivers)

    return callback


def has_listener():
    """Whether a listener receives the events reported here."""
    return _LISTENER.get() is not None


@contextlib.contextmanager
def listening(listener):
    """Send the events reported in the block to ``listener`` (None: to nobody)."""
    token = _LISTENER.set(listener)
    try:
        yield
    finally:
        _LISTENER.reset(token)


class VerbosePrinter:
    """The text ``GaussianMixture(verbose=...)`` prints, from its events.

    The format is scikit-learn's: with ``verbose=1`` a line per restart and
    per ``verbose_interval`` iterations, with ``verbose=2`` also the time
    and the change of the lower bound.
    """

    def __init__(self, verbose, verbose_interval):
        self.verbose = verbose
        self.verbose_interval = verbose_interval
        self._restart_time = self._iter_time = perf_counter()

    def __call__(self, event):
        if self.verbose < 1:
            return
        if isinstance(event, RestartStarted):
            print(f"Initialization {event.restart}")
            self._restart_time = self._iter_time = perf_counter()
        elif isinstance(event, IterationDone):
            if event.n_iter % self.verbose_interval != 0:
                return
            if self.verbose == 1:
                print(f"  Iteration {event.n_iter}")
            else:
                now = perf_counter()
                print(
                    f"  Iteration {event.n_iter}\t time lapse "
                    f"{now - self._iter_time:.5f}s\t ll change {event.change:.5f}"
                )
                self._iter_time = now
        elif isinstance(event, RestartFinished):
            state = "converged" if event.converged else "did not converge"
            if self.verbose == 1:
                print(f"Initialization {state}.")
            else:
                elapsed = perf_counter() - self._restart_time
                print(
                    f"Initialization {state}. time lapse {elapsed:.5f}s\t "
                    f"lower bound {event.lower_bound:.5f}."
                )


class SelectionPrinter:
    """The text ``GaussianMixtureSelector(verbose=...)`` prints, from its events.

    With ``verbose=1`` a line per fitted cell and the choice, with
    ``verbose=2`` also the screened log-likelihood of every start.
    """

    def __init__(self, verbose):
        self.verbose = verbose
        self._start = perf_counter()

    def __call__(self, event):
        if self.verbose < 1:
            return
        if isinstance(event, CellFitted):
            if event.first:
                state = "first fit"
            else:
                state = "improved" if event.improved else "kept"
            value = (
                f"log-likelihood {event.log_likelihood:.3f}"
                if event.usable
                else "no usable fit"
            )
            print(
                f"[{event.step} {event.done}/{event.n_cells}] "
                f"n_components={event.n_components}, "
                f"covariance_type={event.covariance_type!r}, "
                f"{event.n_starts} start(s): {value} ({state})"
            )
            if self.verbose >= 2:
                values = ", ".join(f"{v:.3f}" for v in event.start_log_likelihoods)
                print(f"    screened log-likelihoods: {values}")
        elif isinstance(event, SelectionFinished):
            print(
                f"Selected n_components={event.n_components}, "
                f"covariance_type={event.covariance_type!r} "
                f"({event.criterion.upper()} {event.value:.3f}) in "
                f"{perf_counter() - self._start:.2f} s."
            )
