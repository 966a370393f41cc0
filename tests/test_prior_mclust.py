"""The conjugate prior against R mclust's fits with its default prior
(``prior = priorControl()``), from the reference tables in tests/data/mclust.

mclust fits ten of its fourteen models with a prior; for each, and each of
the five data sets:

* the settings of ``prior='conjugate'`` are mclust's ``defaultPrior``;
* EM from mclust's own start (its hierarchical classification), run for as
  many iterations as mclust ran, ends at mclust's parameters and
  log-likelihood: the same first M-step from a classification, E-steps and
  M-steps all the way;
* one M-step from the E-step at mclust's parameters gives the parameters of
  mclust's ``mstep`` (where it has the M-step of its EM, see below);
* the log-likelihood, BIC and AIC at mclust's estimates are mclust's (the
  log-likelihood, not the penalized one, at the posterior mode).

mclust's ``mstep`` function and the M-step inside its EM (``me``, which
``Mclust`` and ``mclustBIC`` run) differ for EII, EEI, EVI and EEV (their
denominators, and for EII the scale, for EEV the means); the package
follows its EM, whose log-likelihoods and BIC tables are mclust's results.
"""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose

from skgmm_em import GaussianMixture
from skgmm_em._covariance import MCLUST_PRIOR_MODELS, MODELS, InnerSettings
from skgmm_em._em import MixtureParams, e_step, m_step
from skgmm_em._prior import prior_settings
from skgmm_em._source import ArraySource
from skgmm_em.model_selection import bic as selection_bic
from tests import _mclust

DATASETS = _mclust.datasets()
# The models whose mclust mstep() is the M-step of mclust's EM.
SAME_MSTEP = ("VII", "VEI", "VVI", "EEE", "VEV", "VVV")
# scikit-learn's names of four of them: the same numbers.
ALIASES = {"VII": "spherical", "VVI": "diag", "EEE": "tied", "VVV": "full"}
# Iterative M-steps (VEI, VEV) run to mclust's inner tolerance, about 1e-8.
EXACT = InnerSettings(tol=1e-14, max_iter=2000)


class _Labels:
    """An initializer returning fixed labels (mclust's hierarchical start)."""

    def __init__(self, labels):
        self.labels = labels

    def initialize(self, X, n_components, random_state, sample_weight=None):
        return self.labels


def _params(ref, name):
    """mclust's parameters as MixtureParams of model ``name``."""
    model = MODELS[name]
    cov = model.from_full(ref["covariances"], ref["weights"])
    prec_chol = model.precision_cholesky(cov, 0.0)
    return MixtureParams(ref["weights"], ref["means"], cov, prec_chol)


def _cells(name, models=MCLUST_PRIOR_MODELS, fit="me"):
    """``(model, G, parameters)`` of every stored cell of mclust's fits."""
    for model in models:
        for G in _mclust.GS:
            try:
                yield model, G, _mclust.parameters(name, model, G, "default", fit)
            except KeyError:
                continue


def _rel(a, b):
    return float(np.max(np.abs(np.asarray(a) - b)) / np.max(np.abs(b)))


@pytest.mark.parametrize("name", DATASETS)
def test_conjugate_prior_settings_are_mclusts_default_prior(name):
    X = _mclust.data(name)
    source = ArraySource(X)
    for model in _mclust.MODELS:
        for G in (1, 3):
            expected = _mclust.default_prior(name, model, G)
            settings = prior_settings("conjugate", source, model, G)
            assert settings.shrinkage == expected["shrinkage"]
            assert settings.dof == expected["dof"]
            assert_allclose(settings.mean, expected["mean"], rtol=1e-13)
            assert np.shape(settings.scale) == np.shape(expected["scale"])
            assert_allclose(settings.scale, expected["scale"], rtol=1e-12)


def test_fitted_prior_is_the_default_prior():
    X = _mclust.data("iris")
    for model in ("VEV", "EVI", "full", "spherical"):
        gm = GaussianMixture(3, covariance_type=model, prior="conjugate")
        gm.fit(X)
        expected = _mclust.default_prior("iris", MODELS[model].mclust_name, 3)
        assert_allclose(gm.prior_.scale, expected["scale"], rtol=1e-12)
        assert_allclose(gm.prior_.mean, expected["mean"], rtol=1e-13)
        assert gm.prior_.dof == 6.0 and gm.prior_.shrinkage == 0.01


def _run_as_mclust(name, model, G, iterations):
    """EM with the default prior from mclust's hierarchical start, to the
    parameters of mclust's last E-step (one M-step fewer than its number of
    iterations)."""
    X = _mclust.data(name)
    labels = _mclust.hc_labels(name)[:, G - 1] - 1
    gm = GaussianMixture(
        G,
        covariance_type=model,
        prior="conjugate",
        reg_covar=0.0,
        tol=0.0,
        max_iter=iterations - 1,
        init_params=_Labels(labels),
        m_step_tol=EXACT.tol,
        m_step_max_iter=EXACT.max_iter,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # not converged: stopped on purpose
        return gm.fit(X)


def _check_em_paths(name, Gs):
    X = _mclust.data(name)
    rows = {(r["model"], int(r["G"])): r for r in _mclust.bic_rows(name, "default")}
    checked = 0
    for model in MCLUST_PRIOR_MODELS:
        for G in Gs:
            row = rows[(model, G)]
            if row["iterations"] == "NA" or row["loglik"] == "NA":
                continue  # mclust has no fit here
            gm = _run_as_mclust(name, model, G, int(row["iterations"]))
            # VEI and VEV: mclust stops its inner iterations at ~1e-8.
            rtol = 1e-8 if model in ("VEI", "VEV") else 1e-10
            loglik = gm.score(X) * X.shape[0]
            assert_allclose(loglik, float(row["loglik"]), rtol=rtol, err_msg=model)
            try:
                ref = _mclust.parameters(name, model, G, "default", "me")
            except KeyError:
                continue  # wine: parameters of G <= 5 only
            full = MODELS[model].to_full(gm.covariances_, G, X.shape[1])
            ptol = 1e-6 if model in ("VEI", "VEV") else 1e-11
            assert _rel(gm.means_, ref["means"]) < ptol, (model, G)
            assert _rel(full, ref["covariances"]) < ptol, (model, G)
            assert_allclose(gm.weights_, ref["weights"], rtol=0.0, atol=ptol)
            checked += 1
    assert checked


@pytest.mark.parametrize("name", DATASETS)
def test_em_from_mclusts_start_follows_mclust(name):
    _check_em_paths(name, (2, 5))


@pytest.mark.slow
@pytest.mark.parametrize("name", DATASETS)
def test_em_from_mclusts_start_follows_mclust_for_every_G(name):
    _check_em_paths(name, range(2, 10))


@pytest.mark.parametrize("name", DATASETS)
def test_one_m_step_from_mclusts_e_step(name):
    # Mclust()'s parameters are mclust's mstep() on the E-step at me()'s
    # where they differ from me()'s (otherwise they are me()'s own).
    X = _mclust.data(name)
    source = ArraySource(X)
    checked = 0
    for model, G, me in _cells(name, SAME_MSTEP):
        after = _mclust.parameters(name, model, G, "default", "Mclust")
        if G > 1 and np.array_equal(after["means"], me["means"]):
            continue
        for alias in {model, ALIASES.get(model, model)}:
            settings = prior_settings("conjugate", source, alias, G)
            record = MODELS[alias].with_inner(EXACT).with_prior(settings)
            params = _params(me, alias)
            stats = e_step(X, params, alias)
            new = m_step(stats, params, record, 0.0, np.float64)
            full = record.to_full(new.covariances, G, X.shape[1])
            rtol = 1e-7 if model == "VEI" else 1e-10
            assert _rel(new.means, after["means"]) < rtol, (model, G)
            assert _rel(full, after["covariances"]) < rtol, (model, G)
            assert_allclose(new.weights, after["weights"], rtol=1e-10, atol=1e-13)
            checked += 1
    assert checked


@pytest.mark.parametrize("name", DATASETS)
def test_one_component_fits_are_mclusts(name):
    # One component: EM converges in one step, to mclust's estimate (the
    # one-component model's prior: spherical, diagonal or ellipsoidal).
    X = _mclust.data(name)
    for model in MCLUST_PRIOR_MODELS:
        ref = _mclust.parameters(name, model, 1, "default", "me")
        gm = GaussianMixture(1, covariance_type=model, prior="conjugate")
        gm.set_params(reg_covar=0.0, tol=1e-12).fit(X)
        full = MODELS[model].to_full(gm.covariances_, 1, X.shape[1])
        assert _rel(gm.means_, ref["means"]) < 1e-12, model
        assert _rel(full, ref["covariances"]) < 1e-12, model
        assert_allclose(gm.score(X) * len(X), ref["loglik"], rtol=1e-12)


@pytest.mark.parametrize("name", DATASETS)
def test_log_likelihood_and_criteria_at_mclusts_estimates(name):
    X = _mclust.data(name)
    source = ArraySource(X)
    table = _mclust.bic_table(name, "default")
    n = X.shape[0]
    checked = 0
    for model, G, ref in _cells(name):
        params = _params(ref, model)
        bic, loglik, df = table[(model, G)]
        assert_allclose(source.score(params, model) * n, loglik, rtol=1e-12)
        if G > 3:
            continue  # the criteria of the estimator on a few cells
        record = MODELS[model]
        gm = GaussianMixture(
            G,
            covariance_type=model,
            prior="conjugate",
            weights_init=params.weights / params.weights.sum(),
            means_init=params.means,
            precisions_init=record.precisions_from_prec_chol(
                params.precisions_cholesky
            ),
            max_iter=0,
        ).fit(X)
        assert_allclose(gm.score(X) * n, loglik, rtol=1e-12)
        assert_allclose(gm.bic(X), -bic, rtol=1e-12)
        assert_allclose(gm.aic(X), -2.0 * loglik + 2.0 * df, rtol=1e-12)
        assert_allclose(selection_bic(gm, X), -bic, rtol=1e-12)
        checked += 1
    assert checked
