"""Progress events: the fit loop and the selector report, receivers draw."""

import re
import threading
import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.mixture import GaussianMixture as SklearnGaussianMixture

from skgmm_em import GaussianMixture, GaussianMixtureSelector
from skgmm_em import _progress as progress
from skgmm_em.datasets import load_faithful
from skgmm_em.model_selection import bic


def _record(fit):
    events = []
    with progress.listening(events.append):
        fit()
    return events


def test_fit_reports_restarts_and_iterations():
    X, _ = load_faithful()
    gm = GaussianMixture(3, n_init=3, random_state=0)
    events = _record(lambda: gm.fit(X))
    starts = [e for e in events if isinstance(e, progress.RestartStarted)]
    ends = [e for e in events if isinstance(e, progress.RestartFinished)]
    assert [(e.restart, e.n_restarts, e.max_iter) for e in starts] == [
        (r, 3, 100) for r in range(3)
    ]
    assert len(ends) == 3
    # The iterations of each restart, between its start and its end.
    runs, current = [], None
    for event in events:
        if isinstance(event, progress.RestartStarted):
            current = []
        elif isinstance(event, progress.IterationDone):
            current.append(event)
        elif isinstance(event, progress.RestartFinished):
            runs.append((current, event))
    for iterations, end in runs:
        assert [e.n_iter for e in iterations] == list(range(1, end.n_iter + 1))
        bounds = [e.lower_bound for e in iterations]
        np.testing.assert_allclose(
            [e.change for e in iterations[1:]], np.diff(bounds), rtol=1e-12
        )
        assert iterations[0].change == np.inf
        assert end.lower_bound == bounds[-1]
    best = max(runs, key=lambda run: run[1].lower_bound)
    assert best[1].lower_bound == gm.lower_bound_
    assert [e.lower_bound for e in best[0]] == gm.lower_bounds_


def test_no_listener_outside_the_block():
    X, _ = load_faithful()
    events = []
    with progress.listening(events.append):
        assert progress.has_listener()
        with progress.listening(None):
            GaussianMixture(2, random_state=0).fit(X)
    assert events == [] and not progress.has_listener()
    GaussianMixture(2, random_state=0).fit(X)
    assert events == []


def test_listener_is_per_thread():
    X, _ = load_faithful()
    events, other = [], []

    def fit_elsewhere():
        other.append(progress.has_listener())
        GaussianMixture(2, random_state=0).fit(X)

    with progress.listening(events.append):
        thread = threading.Thread(target=fit_elsewhere)
        thread.start()
        thread.join()
    assert other == [False] and events == []


def _masked(text):
    return re.sub(r"\d+\.\d+s", "T", text)


@pytest.mark.parametrize("verbose", [1, 2])
def test_verbose_text_is_scikit_learns(capsys, verbose):
    # tol=0: both run every iteration, so the lines match one to one.
    X, _ = load_faithful()
    params = dict(n_init=2, max_iter=4, tol=0.0, verbose=verbose, verbose_interval=2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        GaussianMixture(2, random_state=0, **params).fit(X)
        ours = capsys.readouterr().out
        SklearnGaussianMixture(2, random_state=0, **params).fit(X)
        theirs = capsys.readouterr().out
    ours, theirs = _masked(ours), _masked(theirs)
    if verbose == 1:
        assert ours == theirs
    else:
        # The changes of the lower bound differ in the last digits only
        # (the k-means starts are drawn alike, the sums are not).
        number = r"-?\d+\.\d+"
        assert re.sub(number, "N", ours) == re.sub(number, "N", theirs)
    assert "Iteration 2" in ours and "Iteration 4" in ours


def test_verbose_printing_and_a_listener_see_the_same_events(capsys):
    X, _ = load_faithful()
    gm = GaussianMixture(2, n_init=2, verbose=1, verbose_interval=1, random_state=0)
    events = _record(lambda: gm.fit(X))
    lines = capsys.readouterr().out.splitlines()
    iterations = [e for e in events if isinstance(e, progress.IterationDone)]
    assert sum(line.startswith("  Iteration") for line in lines) == len(iterations)
    assert sum(line.startswith("Initialization ") for line in lines) == 2 * 2


def test_selector_reports_steps_and_cells_not_its_inner_fits():
    X, _ = load_faithful()
    selector = GaussianMixtureSelector([1, 2, 3], covariance_type=["full", "diag"])
    selector.set_params(n_init=2, random_state=0)
    events = _record(lambda: selector.fit(X))
    kinds = {type(e) for e in events}
    assert kinds == {
        progress.StepStarted,
        progress.CellFitted,
        progress.SelectionFinished,
    }
    steps = [e for e in events if isinstance(e, progress.StepStarted)]
    assert steps[0].step == "initializer starts" and steps[0].n_cells == 6
    assert steps[-1].step == "refining close cells"
    shares = [s for e in steps for s in (e.share_before, e.share_after)]
    assert shares[0] == 0.0 and shares[-1] == 1.0 and shares == sorted(shares)
    cells = [e for e in events if isinstance(e, progress.CellFitted)]
    first = [(e.n_components, e.covariance_type) for e in cells if e.first]
    assert sorted(first) == sorted((k, t) for k in (1, 2, 3) for t in ("full", "diag"))
    # The last value reported for a cell is the criterion of its kept fit.
    last = {(e.n_components, e.covariance_type): e for e in cells}
    results = selector.results_
    for k, t, value in zip(
        results["n_components"], results["covariance_type"], results["bic"], strict=True
    ):
        np.testing.assert_allclose(last[(k, t)].value, value, rtol=1e-12)
    (finished,) = [e for e in events if isinstance(e, progress.SelectionFinished)]
    assert (finished.n_components, finished.covariance_type) == tuple(
        selector.best_params_.values()
    )
    assert finished.value == pytest.approx(bic(selector, X), rel=1e-12)


def test_selector_verbose_prints_from_its_events(capsys):
    X, _ = load_faithful()
    GaussianMixtureSelector([1, 2], covariance_type="full", random_state=0).set_params(
        verbose=1
    ).fit(X)
    out = capsys.readouterr().out
    assert "[initializer starts 2/2] n_components=" in out
    assert "Selected n_components=2, covariance_type='full' (BIC " in out
