"""The fourteen models against R mclust 6's fits (reference tables in
tests/data/mclust, written by make_references.R there; no R needed).

For every data set, model and number of components mclust fitted (wine's
parameters are stored for G = 1..5):

* mclust's covariances satisfy the model's constraints as this package
  defines them, and the number of free parameters is mclust's;
* the log-likelihood at mclust's parameters is mclust's (mclust reports the
  value of its last E-step, at the parameters ``me()`` returns) and so is
  the BIC;
* EM started at mclust's parameters stays at mclust's optimum: its
  parameters are a fixed point of this package's EM to mclust's own
  tolerance (an iteration changes the log-likelihood by about what mclust's
  stopping rule allows, a relative 1e-5, never lowers it, and moves the
  means by less than 2 % of a standard deviation), and the covariances
  satisfy the constraints to 1e-8. (Run on to a tight tolerance, EM from
  some of mclust's fits goes on to better optima: mclust stopped on a
  plateau; the selector's tests compare optima.)
"""

import warnings

import _mclust
import numpy as np
import pytest
from _constraints import assert_constraints
from numpy.testing import assert_allclose
from sklearn.exceptions import ConvergenceWarning

from skgmm_em import GaussianMixture
from skgmm_em._covariance import MCLUST_MODELS, MODELS
from skgmm_em._covariance._constrained import constrained_covariances


def _cells(name, model):
    for G in range(1, 10):
        try:
            yield G, _mclust.parameters(name, model, G)
        except KeyError:
            continue


def _start(model, reference, **kwargs):
    """A mixture of ``model`` at mclust's parameters."""
    record = MODELS[model]
    precisions = record.precisions_from_full(
        reference["covariances"], reference["weights"]
    )
    return GaussianMixture(
        len(reference["weights"]),
        covariance_type=model,
        weights_init=reference["weights"],
        means_init=reference["means"],
        precisions_init=precisions,
        reg_covar=0.0,
        **kwargs,
    )


@pytest.mark.parametrize("model", MCLUST_MODELS)
@pytest.mark.parametrize("name", _mclust.datasets())
def test_mclust_parameters_loglik_and_counts(name, model):
    X = _mclust.data(name)
    n, d = X.shape
    table = _mclust.bic_table(name)
    for G, reference in _cells(name, model):
        assert_constraints(model, reference["covariances"], rtol=1e-8)
        bic, loglik, df = table[(model, G)]
        assert MODELS[model].n_parameters(G, d) == df
        at_mclust = _start(model, reference, max_iter=0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            at_mclust.fit(X)
        ours = at_mclust.score(X) * n
        assert ours == pytest.approx(reference["loglik"], rel=1e-8)
        assert -at_mclust.bic(X) == pytest.approx(bic, rel=1e-8)


@pytest.mark.parametrize("model", MCLUST_MODELS)
@pytest.mark.parametrize("name", _mclust.datasets())
def test_em_from_mclust_parameters_stays_at_its_optimum(name, model):
    X = _mclust.data(name)
    n = len(X)
    spread = X.std(axis=0)
    for G, reference in _cells(name, model):
        gm = _start(model, reference, max_iter=1, tol=0.0, m_step_tol=1e-12)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            gm.fit(X)
        before = reference["loglik"]
        after = gm.score(X) * n
        # An EM iteration from mclust's fit changes the log-likelihood by
        # about what mclust's stopping rule allows, and never lowers it
        # (VVE: see test_vve_m_step_improves_on_mclusts).
        assert after >= before - 1e-9 * abs(before)
        if model != "VVE":
            assert after <= before + 2e-5 * abs(before)
        assert_allclose(
            gm.means_ / spread, reference["means"] / spread, atol=0.02, rtol=0
        )
        assert_allclose(gm.weights_, reference["weights"], atol=0.005)
        full = MODELS[model].to_full(gm.covariances_, G, X.shape[1])
        assert_constraints(model, full, rtol=1e-8)


def _e_step_scatter(X, reference):
    """Masses and scatter matrices of the responsibilities at mclust's fit."""
    gm = _start("VVV", reference, max_iter=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        resp = gm.fit(X).predict_proba(X)
    nk = resp.sum(axis=0)
    means = resp.T @ X / nk[:, None]
    W = np.array(
        [(r[:, None] * (X - m)).T @ (X - m) for r, m in zip(resp.T, means, strict=True)]
    )
    return nk, W


def _m_step_objective(nk, W, cov):
    traces = np.einsum("kij,kji->k", np.linalg.inv(cov), W)
    return float(nk @ np.linalg.slogdet(cov)[1] + traces.sum())


@pytest.mark.parametrize("name", _mclust.datasets())
def test_vve_m_step_improves_on_mclusts(name):
    """mclust's VVE fits are not fixed points of an exact M-step: from the
    responsibilities at mclust's parameters, the M-step here finds
    covariances of a lower M-step objective (so EM from mclust's VVE fit
    goes up by more than mclust's tolerance)."""
    X = _mclust.data(name)
    gains = []
    for _, reference in _cells(name, "VVE"):
        nk, W = _e_step_scatter(X, reference)
        ours = constrained_covariances("VVE", nk, W, previous=reference["covariances"])
        theirs = _m_step_objective(nk, W, reference["covariances"])
        gains.append(theirs - _m_step_objective(nk, W, ours))
    assert min(gains) >= -1e-9
    assert max(gains) > 1e-3
