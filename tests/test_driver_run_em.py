"""The EM driver (skgmm_em._driver.run_em) called directly: the fit of the
estimator, its events, max_iter=0, the tie rule and the warnings."""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from sklearn.exceptions import ConvergenceWarning

from skgmm_em import GaussianMixture, _progress, _source
from skgmm_em._covariance import MODELS
from skgmm_em._driver import EMResult, EMSettings, improves, run_em
from skgmm_em._starts import FreshStarts, Initialization
from skgmm_em.datasets import load_faithful


def _problem(n_components=2, covariance_type="full", seed=0):
    X = load_faithful()[0]
    source = _source.fit_source(GaussianMixture(), X, None, n_components)
    init = Initialization("kmeans", n_components, covariance_type, 1e-6)
    start = FreshStarts(init, X, None, np.random.RandomState(seed))
    return X, source, start, MODELS[covariance_type]


@pytest.mark.parametrize("covariance_type", ["full", "spherical"])
def test_run_em_is_the_estimators_fit(covariance_type):
    X, source, start, model = _problem(3, covariance_type)
    settings = EMSettings(n_init=2, max_iter=100, tol=1e-3, reg_covar=1e-6)
    result = run_em(source, model, start, settings)
    gm = GaussianMixture(
        3, covariance_type=covariance_type, n_init=2, random_state=0
    ).fit(X)
    assert_array_equal(result.params.means, gm.means_)
    assert_array_equal(result.params.covariances, gm.covariances_)
    assert result.lower_bound == gm.lower_bound_
    assert result.n_iter == gm.n_iter_ and result.converged == gm.converged_
    assert_array_equal(result.history["log_likelihood"], gm.history_["log_likelihood"])


def test_run_em_reports_each_restart_and_iteration():
    _, source, start, model = _problem()
    events = []
    result = run_em(source, model, start, EMSettings(n_init=2), events.append)
    restarts = [i for i, e in enumerate(events) if type(e) is _progress.RestartStarted]
    assert restarts[0] == 0 and len(restarts) == 2
    finished = []
    for first, stop in zip(restarts, restarts[1:] + [len(events)], strict=True):
        begun, *iterations, end = events[first:stop]
        assert (begun.restart, begun.n_restarts) == (len(finished), 2)
        assert type(end) is _progress.RestartFinished
        assert [e.n_iter for e in iterations] == list(range(1, end.n_iter + 1))
        assert all(type(e) is _progress.IterationDone for e in iterations)
        finished.append(end)
    assert result.lower_bound == max(e.lower_bound for e in finished)


def test_max_iter_zero_keeps_the_start():
    _, source, start, model = _problem()
    params = FreshStarts(start.init, start.X, None, np.random.RandomState(0)).draw()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = run_em(source, model, start, EMSettings(max_iter=0))
    assert result.n_iter == 0 and result.lower_bound == -np.inf
    assert not result.converged and result.lower_bounds == []
    for a, b in zip(result.params, params, strict=True):
        assert_array_equal(a, b)


def _result(lower_bound):
    return EMResult(None, True, 1, lower_bound, [], {}, 0, 0.0)


def test_a_rounding_size_gain_is_a_tie():
    best = _result(-2.0)
    assert not improves(_result(-2.0 + 1e-13), best)
    assert improves(_result(-2.0 + 1e-9), best)
    assert improves(_result(-1e300), _result(-np.inf))


def test_convergence_warning_points_at_the_caller():
    _, source, start, model = _problem()
    with pytest.warns(ConvergenceWarning, match="did not converge") as record:
        run_em(source, model, start, EMSettings(max_iter=1, tol=0.0))
    assert record[0].filename == __file__
