"""The fit loop: the log-likelihood never decreases, restarts (n_init), warm
starts, max_iter, the history, the stopping rules, convergence warnings and
the error on an ill-defined covariance.
"""

import warnings

import numpy as np
import pytest
from _data import COVARIANCE_TYPES, DATASETS, anisotropic_blobs
from _data import kmeans_start as _start
from sklearn.exceptions import ConvergenceWarning

from skgmm_em import GaussianMixture

PARAMS = ["weights_", "means_", "covariances_", "precisions_cholesky_"]


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
@pytest.mark.parametrize("dataset", DATASETS)
def test_log_likelihood_never_decreases(dataset, covariance_type):
    make, n_components = DATASETS[dataset]
    X = make()
    gm = GaussianMixture(
        n_components,
        covariance_type=covariance_type,
        init_params="random",
        tol=0.0,
        max_iter=60,
        random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        gm.fit(X)
    ll = gm.history_["log_likelihood"]
    assert len(ll) == 60
    steps = np.diff(ll)
    assert np.all(steps >= -1e-10 * np.abs(ll[1:])), steps.min()
    assert ll[-1] > ll[0]


def test_n_init_keeps_the_best_run():
    X = anisotropic_blobs()
    good = _start(X, 3, "full")
    bad_means = np.repeat(X[:1], 3, axis=0) + np.arange(3)[:, None] * 1e-3
    starts = [
        (None, bad_means, None),
        (good["weights_init"], good["means_init"], None),
        (None, bad_means[::-1], None),
    ]
    calls = []

    def from_list(X, n_components, random_state, sample_weight=None):
        calls.append(len(calls))
        return starts[len(calls) - 1]

    gm = GaussianMixture(
        3, init_params=from_list, n_init=3, tol=1e-8, max_iter=500
    ).fit(X)
    assert calls == [0, 1, 2]
    single = [
        GaussianMixture(
            3, init_params=lambda X, k, rs, s=start: s, tol=1e-8, max_iter=500
        ).fit(X)
        for start in starts
    ]
    best = max(single, key=lambda g: g.lower_bound_)
    assert gm.lower_bound_ == max(g.lower_bound_ for g in single)
    for name in PARAMS:
        np.testing.assert_array_equal(getattr(gm, name), getattr(best, name))
    np.testing.assert_array_equal(
        gm.history_["log_likelihood"], best.history_["log_likelihood"]
    )


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_warm_start_continues(covariance_type):
    X = anisotropic_blobs()
    start = _start(X, 3, covariance_type)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        straight = GaussianMixture(
            3, covariance_type=covariance_type, tol=0.0, max_iter=8, **start
        ).fit(X)
        warm = GaussianMixture(
            3,
            covariance_type=covariance_type,
            tol=0.0,
            max_iter=3,
            warm_start=True,
            **start,
        )
        warm.fit(X)
        warm.set_params(max_iter=5)
        warm.fit(X)
    for name in PARAMS:
        np.testing.assert_allclose(
            getattr(warm, name), getattr(straight, name), rtol=1e-12
        )
    assert warm.n_iter_ == 5


def test_warm_start_first_fit_runs_every_initialization():
    # As scikit-learn's fit does: n_init starts on the first fit, none after.
    X = anisotropic_blobs()
    calls = []

    def counting(X, n_components, random_state, sample_weight=None):
        calls.append(1)
        return None, X[random_state.choice(len(X), n_components, replace=False)], None

    gm = GaussianMixture(
        3, init_params=counting, n_init=5, warm_start=True, random_state=0
    )
    gm.fit(X)
    assert len(calls) == 5
    gm.fit(X)
    assert len(calls) == 5  # the second fit continues, no new initialization
    gm_cold = GaussianMixture(3, init_params=counting, n_init=5, random_state=0).fit(X)
    assert len(calls) == 10 and gm_cold.converged_


def test_warm_start_refuses_a_changed_shape():
    X = anisotropic_blobs()
    gm = GaussianMixture(3, warm_start=True, random_state=0).fit(X)
    gm.set_params(n_components=2)
    with pytest.raises(ValueError, match="warm_start=False"):
        gm.fit(X)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_max_iter_zero_returns_the_start(covariance_type):
    X = anisotropic_blobs()
    start = _start(X, 3, covariance_type, random_state=3)
    gm = GaussianMixture(3, covariance_type=covariance_type, max_iter=0, **start).fit(X)
    np.testing.assert_array_equal(gm.weights_, start["weights_init"])
    np.testing.assert_array_equal(gm.means_, start["means_init"])
    np.testing.assert_allclose(gm.precisions_, start["precisions_init"], rtol=1e-10)
    assert gm.n_iter_ == 0 and not gm.converged_ and gm.lower_bounds_ == []
    # No iteration, so no lower bound: scikit-learn's -inf.
    assert gm.lower_bound_ == -np.inf
    for values in gm.history_.values():
        assert len(values) == 0


def test_history_records_each_iteration():
    X = anisotropic_blobs()
    start = _start(X, 3, "full")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        runs = [
            GaussianMixture(3, tol=0.0, max_iter=m, **start).fit(X) for m in (1, 2, 3)
        ]
    gm = runs[-1]
    assert set(gm.history_) == {
        "log_likelihood",
        "weights_change",
        "means_change",
        "covariances_change",
    }
    assert all(len(v) == gm.n_iter_ == 3 for v in gm.history_.values())
    np.testing.assert_array_equal(gm.history_["log_likelihood"], gm.lower_bounds_)
    # The change in iteration 3 is between the fits that stop after 2 and 3.
    for key, name in [
        ("weights_change", "weights_"),
        ("means_change", "means_"),
        ("covariances_change", "covariances_"),
    ]:
        expected = np.abs(getattr(runs[2], name) - getattr(runs[1], name)).max()
        assert gm.history_[key][2] == pytest.approx(expected, rel=1e-9)
    # The log-likelihood of iteration 2 is that of the parameters after one.
    assert gm.history_["log_likelihood"][1] == pytest.approx(
        runs[0].score(X), rel=1e-12
    )


def test_param_tol_stops_on_parameter_change():
    X = anisotropic_blobs()
    start = _start(X, 3, "full")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        long = GaussianMixture(3, tol=0.0, max_iter=200, **start).fit(X)
    gm = GaussianMixture(3, tol=0.0, param_tol=1e-4, max_iter=200, **start).fit(X)
    assert gm.converged_ and gm.n_iter_ < long.n_iter_
    last = [
        gm.history_[k][-1]
        for k in ("weights_change", "means_change", "covariances_change")
    ]
    assert max(last) < 1e-4
    before = [
        gm.history_[k][-2]
        for k in ("weights_change", "means_change", "covariances_change")
    ]
    assert max(before) >= 1e-4


def test_convergence_warning_and_verbose(capsys):
    X = anisotropic_blobs()
    gm = GaussianMixture(
        3, max_iter=2, tol=0.0, verbose=2, verbose_interval=1, random_state=0
    )
    with pytest.warns(ConvergenceWarning, match="max_iter=2"):
        gm.fit(X)
    out = capsys.readouterr().out
    assert (
        "Initialization 0" in out and "Iteration 2" in out and "did not converge" in out
    )


def test_ill_defined_covariance_is_a_clear_error():
    X = np.c_[np.random.RandomState(0).normal(size=40), np.ones(40)]
    gm = GaussianMixture(2, covariance_type="diag", reg_covar=0.0, random_state=0)
    with pytest.raises(ValueError, match="reg_covar=0.0.*StandardScaler"):
        gm.fit(X)
    assert GaussianMixture(2, covariance_type="diag", random_state=0).fit(X).converged_
